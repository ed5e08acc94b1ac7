package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A run's New list (every URL a big crawl archived first) is stored apart
// from its record, one key per URL, so that the dashboard lists runs
// without decoding their lists and pages through one list by seeking:
//
//	runs     run id8 → the Run without New, with "new_count" (storedRun)
//	run_new  run id8 index (4-byte big-endian) → URL
//
// Run records written before schema 2 hold New inline (and no new_count);
// readers take it from there, and the next PutRun of such a run moves it.

// storedRun is a run record as the runs bucket holds it.
type storedRun struct {
	*Run
	NewCount int `json:"new_count,omitempty"`
}

// runNewKey is the run_new key of URL i of the run with key id.
func runNewKey(id []byte, i int) []byte {
	k := make([]byte, 0, 12)
	k = append(k, id...)
	return binary.BigEndian.AppendUint32(k, uint32(i))
}

// putRunNew replaces the stored New list of the run with key id by urls
// (leaving it untouched when it is the same list, as on the status updates
// of a harvest after its crawl).
func putRunNew(tx *bolt.Tx, id []byte, urls []string) error {
	b := tx.Bucket(bucketRunNew)
	c := b.Cursor()
	same, n := true, 0
	for k, v := c.Seek(id); k != nil && bytes.HasPrefix(k, id); k, v = c.Next() {
		if n >= len(urls) || string(v) != urls[n] {
			same = false
			break
		}
		n++
	}
	if same && n == len(urls) {
		return nil
	}
	for k, _ := c.Seek(id); k != nil && bytes.HasPrefix(k, id); k, _ = c.Seek(id) {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	for i, u := range urls {
		if err := b.Put(runNewKey(id, i), []byte(u)); err != nil {
			return fmt.Errorf("new URL %d of run %s: %w", i, idString(id), err)
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
// run with key id whose head is run.
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
	c := b.Cursor()
	for k, v := c.Seek(runNewKey(id, offset)); k != nil && bytes.HasPrefix(k, id) && len(out) < limit; k, v = c.Next() {
		out = append(out, string(v))
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
	n, err := ParseID(id)
	if err != nil {
		return nil, false
	}
	v := r.tx.Bucket(bucketRuns).Get(n.key())
	if v == nil {
		return nil, false
	}
	run, err := r.decodeRunHead(n.key(), v)
	if err != nil || run.ID != id {
		return nil, false
	}
	r.cutNew(n.key(), run, news)
	return run, true
}

// RunNew returns URLs [offset, offset+limit) of the New list of the run
// with the given ID, reading only those (for a run stored since schema 2).
func (r *Reader) RunNew(id string, offset, limit int) []string {
	n, err := ParseID(id)
	if err != nil || offset < 0 {
		return nil
	}
	v := r.tx.Bucket(bucketRuns).Get(n.key())
	if v == nil {
		return nil
	}
	run, err := r.decodeRunHead(n.key(), v)
	if err != nil {
		return nil
	}
	return r.runNew(n.key(), run, offset, limit)
}
