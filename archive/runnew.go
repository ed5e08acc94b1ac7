package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// A run's New list (every URL a big crawl archived first) is stored apart
// from its record, in chunks of up to runNewChunk URLs, so that the
// dashboard lists runs without decoding their lists and pages through one
// list by seeking to the chunk that holds its first URL:
//
//	runs     run id8 → the Run without New, with "new_count" (storedRun)
//	run_new  run id8 index(4-byte big-endian) → zstd(chunk)
//
// A chunk's key holds the index of its first URL; its value is one zstd
// frame of the URLs, each preceded by its length (uvarint). Lists are
// appended in key order at FillPercent 1.0. Files written before chunks
// hold one URL per key (key index = the URL's): a value is a chunk when it
// starts with zstd's magic (28 b5 2f fd), which no URL does, and a lone
// URL otherwise; readers take both.
//
// Run records written before schema 2 hold New inline (and no new_count);
// readers take it from there, and the next PutRun of such a run moves it.

// runNewChunk is how many URLs of a New list one run_new value holds.
const runNewChunk = 256

// storedRun is a run record as the runs bucket holds it.
type storedRun struct {
	*Run
	NewCount int `json:"new_count,omitempty"`
}

// runNewKey is the run_new key of the chunk (or, in the one-URL form, the
// URL) starting at URL i of the run with key id.
func runNewKey(id []byte, i int) []byte {
	k := make([]byte, 0, 12)
	k = append(k, id...)
	return binary.BigEndian.AppendUint32(k, uint32(i))
}

// encodeRunNew returns the stored form of a chunk of a New list.
func encodeRunNew(enc *zstd.Encoder, urls []string) []byte {
	var raw []byte
	for _, u := range urls {
		raw = binary.AppendUvarint(raw, uint64(len(u)))
		raw = append(raw, u...)
	}
	return enc.EncodeAll(raw, nil)
}

// decodeRunNew returns the URLs of a run_new value: a chunk, or one URL
// (the form written before chunks).
func decodeRunNew(dec *zstd.Decoder, v []byte) ([]string, error) {
	if !bytes.HasPrefix(v, zstdMagic) {
		return []string{string(v)}, nil
	}
	raw, err := dec.DecodeAll(v, nil)
	if err != nil {
		return nil, fmt.Errorf("decompress chunk: %w", err)
	}
	var out []string
	for len(raw) > 0 {
		n, w := binary.Uvarint(raw)
		if w <= 0 || n > uint64(len(raw)-w) {
			return nil, fmt.Errorf("chunk: URL %d: bad length", len(out))
		}
		out = append(out, string(raw[w:w+int(n)]))
		raw = raw[w+int(n):]
	}
	if len(out) == 0 {
		return nil, errors.New("chunk holds no URL")
	}
	return out, nil
}

// eachRunNew calls fn with the index of the first URL of each stored
// value of the New list of the run with key id that holds URLs from
// offset on, in order, and the URLs it holds, until fn returns false.
func eachRunNew(b *bolt.Bucket, dec *zstd.Decoder, id []byte, offset int, fn func(first int, urls []string) bool) error {
	c := b.Cursor()
	start := runNewKey(id, offset)
	k, v := c.Seek(start)
	if !bytes.Equal(k, start) { // offset inside the chunk before, if any
		var pk, pv []byte
		if k == nil {
			pk, pv = c.Last()
		} else {
			pk, pv = c.Prev()
		}
		if pk != nil && bytes.HasPrefix(pk, id) {
			k, v = pk, pv
		} else {
			k, v = c.Seek(start)
		}
	}
	for ; k != nil && bytes.HasPrefix(k, id); k, v = c.Next() {
		if len(k) != len(id)+4 {
			return fmt.Errorf("run_new key %x: %d bytes, not a run ID and an index", k, len(k))
		}
		urls, err := decodeRunNew(dec, v)
		if err != nil {
			return fmt.Errorf("run_new key %x: %w", k, err)
		}
		if !fn(int(binary.BigEndian.Uint32(k[len(id):])), urls) {
			return nil
		}
	}
	return nil
}

// sameRunNew reports whether the stored New list of the run with key id
// is urls (of either stored form).
func sameRunNew(b *bolt.Bucket, dec *zstd.Decoder, id []byte, urls []string) bool {
	same, n := true, 0
	err := eachRunNew(b, dec, id, 0, func(first int, got []string) bool {
		if first != n || n+len(got) > len(urls) || !slices.Equal(got, urls[n:n+len(got)]) {
			same = false
			return false
		}
		n += len(got)
		return true
	})
	return err == nil && same && n == len(urls)
}

// putRunNew replaces the stored New list of the run with key id by urls
// (leaving it untouched when it is the same list, as on the status updates
// of a harvest after its crawl).
func (a *Archive) putRunNew(tx *bolt.Tx, id []byte, urls []string) error {
	b := tx.Bucket(bucketRunNew)
	if sameRunNew(b, a.dec, id, urls) {
		return nil
	}
	c := b.Cursor()
	for k, _ := c.Seek(id); k != nil && bytes.HasPrefix(k, id); k, _ = c.Seek(id) {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("delete new URLs %x of run %s: %w", k, idString(id), err)
		}
	}
	b.FillPercent = appendFill
	for i := 0; i < len(urls); i += runNewChunk {
		chunk := urls[i:min(len(urls), i+runNewChunk)]
		if err := b.Put(runNewKey(id, i), encodeRunNew(a.enc, chunk)); err != nil {
			return fmt.Errorf("new URLs %d-%d of run %s: %w", i, i+len(chunk)-1, idString(id), err)
		}
	}
	return nil
}

// decodeRunHead decodes a run record without its stored New list: New is
// nil (or, for a record written before schema 2, the list it holds inline)
// and NewCount its length either way.
func (r *Reader) decodeRunHead(k, v []byte) (*Run, error) {
	var run Run
	s := storedRun{Run: &run}
	if err := json.Unmarshal(v, &s); err != nil {
		r.skip(bucketRuns, idString(k), err)
		return nil, err
	}
	run.NewCount = s.NewCount
	if len(run.New) > 0 {
		run.NewCount = len(run.New)
	}
	return &run, nil
}

// runNew returns URLs [offset, offset+limit) of the stored New list of the
// run with key id whose head is run (fewer when a stored chunk does not
// decode: the reader lists it as skipped).
func (r *Reader) runNew(id []byte, run *Run, offset, limit int) []string {
	if len(run.New) > 0 { // inline, written before schema 2
		if offset >= len(run.New) {
			return nil
		}
		return run.New[offset:min(len(run.New), offset+limit)]
	}
	b := r.tx.Bucket(bucketRunNew)
	if b == nil || limit <= 0 || offset >= run.NewCount {
		return nil
	}
	out := make([]string, 0, min(limit, run.NewCount-offset))
	err := eachRunNew(b, r.a.dec, id, offset, func(first int, urls []string) bool {
		if first < offset {
			urls = urls[min(len(urls), offset-first):]
		}
		out = append(out, urls[:min(len(urls), limit-len(out))]...)
		return len(out) < limit
	})
	if err != nil {
		r.skip(bucketRunNew, idString(id), err)
	}
	return out
}

// fullRun decodes a run record with its whole New list.
func (r *Reader) fullRun(k, v []byte) (*Run, error) {
	run, err := r.decodeRunHead(k, v)
	if err != nil {
		return nil, err
	}
	if len(run.New) == 0 && run.NewCount > 0 {
		run.New = r.runNew(k, run, 0, run.NewCount)
	}
	return run, nil
}

// cutNew makes run hold at most news of its New URLs.
func (r *Reader) cutNew(k []byte, run *Run, news int) {
	run.New = r.runNew(k, run, 0, news)
	run.newCut = len(run.New) < run.NewCount
	if len(run.New) == 0 {
		run.New = nil
	}
}

// RunHead returns the run with the given ID with at most news of its New
// URLs (NewCount says how many it listed), and false when there is none
// (as Run). Do not PutRun it: PutRun refuses a run whose list is cut.
func (r *Reader) RunHead(id string, news int) (*Run, bool) {
	k, v, ok := r.runRecord(id)
	if !ok {
		return nil, false
	}
	run, err := r.decodeRunHead(k, v)
	if err != nil || run.ID != id {
		return nil, false
	}
	r.cutNew(k, run, news)
	return run, true
}

// runRecord returns the key and stored record of the run with the given
// ID, false when id is not a run ID's text form or no such run is stored.
func (r *Reader) runRecord(id string) (k, v []byte, ok bool) {
	n, err := ParseID(id)
	if err != nil {
		return nil, nil, false
	}
	k = n.key()
	v = r.tx.Bucket(bucketRuns).Get(k)
	return k, v, v != nil
}

// RunNew returns URLs [offset, offset+limit) of the New list of the run
// with the given ID, reading only those (for a run stored since schema 2).
func (r *Reader) RunNew(id string, offset, limit int) []string {
	k, v, ok := r.runRecord(id)
	if !ok || offset < 0 {
		return nil
	}
	run, err := r.decodeRunHead(k, v)
	if err != nil {
		return nil
	}
	return r.runNew(k, run, offset, limit)
}
