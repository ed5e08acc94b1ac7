package archive

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// Where a payload is stored (schema 2). A new payload goes to the payloads
// bucket under the id8 of the capture that stored it: captures are numbered
// in commit order, so the bucket is appended to and its pages fill
// (appendFill), where the digest keys of bodies are random and leave pages
// half full. idx_digest (digest 0x00 id8, oldest first) leads from a digest
// to the captures carrying it, and the payload is under the first of them
// that has one: normally the first, but a WARC-imported revisit can name a
// digest before its payload arrives. Payloads stored before (schema 1, and
// schema-2 files written before the payloads bucket) stay in bodies under
// their digest, so a reader looks in payloads, then in bodies.

// payloadValue returns the stored value of digest's payload (a bodies
// value form, see payload.go), or nil when none is stored. The common
// cases cost one index seek and one or two gets: the payload under the
// first capture of the digest, or in bodies; only then are the digest's
// later captures scanned.
func payloadValue(tx *bolt.Tx, digest string) []byte {
	if digest == "" {
		return nil
	}
	p, idx := tx.Bucket(bucketPayloads), tx.Bucket(bucketByDigest)
	var cur *bolt.Cursor
	prefix := indexKey(digest, nil)
	if p != nil && idx != nil {
		cur = idx.Cursor()
		if k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
			if v := p.Get(k[len(prefix):]); v != nil {
				return v
			}
		} else {
			cur = nil
		}
	}
	if b := tx.Bucket(bucketBodies); b != nil {
		if v := b.Get([]byte(digest)); v != nil {
			return v
		}
	}
	if cur == nil {
		return nil
	}
	for k, _ := cur.Next(); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		if v := p.Get(k[len(prefix):]); v != nil {
			return v
		}
	}
	return nil
}

// putPayloadValue stores v as the payload of the capture keyed key.
func putPayloadValue(tx *bolt.Tx, key, v []byte) error {
	b := tx.Bucket(bucketPayloads)
	b.FillPercent = appendFill
	return b.Put(key, v)
}
