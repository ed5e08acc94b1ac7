package archive

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run records one harvest (crawl, extract, audit) made by cmd/serve or
// cmd/crawl.
type Run struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"` // "crawl", "harvest", ...
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended,omitempty"`
	Pages       int       `json:"pages"`
	NewCaptures int       `json:"new_captures"`
	NewReports  int       `json:"new_reports"`
	Errors      int       `json:"errors"`
	// New lists the URLs first archived (or changed) in this run.
	New []string `json:"new,omitempty"`
	// Status is "running", "done", "interrupted" or "failed: <reason>".
	Status string `json:"status"`
}

// PutRun stores r, assigning r.ID when it is empty; storing a Run with an ID
// replaces the earlier record.
func (a *Archive) PutRun(r *Run) error {
	err := a.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRuns)
		if r.ID == "" {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			r.ID = strconv.FormatUint(seq, 10)
		}
		n, err := strconv.ParseUint(r.ID, 10, 64)
		if err != nil {
			return fmt.Errorf("run id %q: %w", r.ID, err)
		}
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(idKey(n), v)
	})
	if err != nil {
		return fmt.Errorf("put run in %s: %w", a.path, err)
	}
	return nil
}
