package archive

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Walks whose cost follows what they look for, not the whole archive:
// the newest captures back to a point, the captures of some roles, the
// extraction records.

// EachNewest calls fn for the captures from the newest back, until fn says
// no more or returns an error (returned). Records that do not decode are
// skipped (see Skipped).
func (r *Reader) EachNewest(fn func(*Capture) (more bool, err error)) error {
	c := r.tx.Bucket(bucketCaptures).Cursor()
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		cp, err := r.capture(k)
		if err != nil {
			r.skip(bucketCaptures, idString(k), err)
			continue
		}
		more, err := fn(cp)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// EachOfRoles calls fn for every capture with one of roles, in the order
// they were made, reading the role index (not every capture). Entries
// whose capture is missing or does not decode are skipped (see Skipped).
func (r *Reader) EachOfRoles(roles []Role, fn func(*Capture) error) error {
	var keys [][]byte
	for _, role := range roles {
		keys = append(keys, r.indexIDs(bucketByRole, string(role))...)
	}
	slices.SortFunc(keys, bytes.Compare)
	for _, key := range keys {
		cp, err := r.capture(key)
		if err != nil {
			r.skip(bucketCaptures, idString(key), err) // the record that does not decode
			continue
		}
		if err := fn(cp); err != nil {
			return err
		}
	}
	return nil
}

// EachExtracted calls fn for every extraction record, in capture order;
// records that do not decode are passed over (the capture is looked at
// again by the next extraction).
func (r *Reader) EachExtracted(fn func(captureID string, m Extraction) error) error {
	b := r.tx.Bucket(bucketExtracted)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var m Extraction
		if len(k) != 8 || json.Unmarshal(v, &m) != nil {
			return nil
		}
		return fn(idString(k), m)
	})
}
