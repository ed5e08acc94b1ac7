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
	// Errors counts the failed fetches, and for a harvest the captures
	// whose extraction failed for the first time.
	Errors int `json:"errors"`
	// Skipped counts the archive records the run could not decode and
	// passed over (a capture, report or run record that is not valid JSON);
	// the run's log names each one.
	Skipped int `json:"skipped_records,omitempty"`
	// New lists the URLs first archived (or changed) in this run; for a
	// harvest, since the last completed harvest (what one-shot crawls and
	// unfinished harvests archived in between included).
	//
	// Since schema 2 the runs bucket stores New apart (run_new, see
	// runnew.go), so that listing runs does not decode their New lists.
	New []string `json:"new,omitempty"`
	// NewCount is how many URLs the run listed in New; readers set it,
	// also when they leave New out or cut it (Reader.LatestRuns, RunHead).
	// PutRun ignores it.
	NewCount int `json:"-"`
	// newCut is set on a run read with New cut: PutRun refuses it.
	newCut bool
	// Status is RunRunning, RunDone, RunInterrupted, or for a failed run
	// FailedStatus(stage, reason): "failed: <stage>: <reason>".
	Status RunStatus `json:"status"`
	// FailedStage names the stage a failed run failed in ("start",
	// "crawl", "extract", "audit"); empty unless it failed. Runs recorded
	// before the field existed have it only in Status.
	FailedStage string `json:"failed_stage,omitempty"`
	// Failure says why a failed run failed (the reason in Status, without
	// the "failed: <stage>: " prefix); empty unless it failed.
	Failure string `json:"failure,omitempty"`
	// Jobs are the outcomes of a cluster harvest's jobs, one per site
	// (serve -redis); empty for a harvest crawled on this machine.
	Jobs []RunJob `json:"jobs,omitempty"`
}

// RunJob is what became of one job of a cluster harvest: one site crawled
// by a worker and imported.
type RunJob struct {
	ID   string `json:"id"`
	Site string `json:"site"`
	// State is "queued", "running", "done" or "failed".
	State string `json:"state"`
	// Worker is the worker whose upload was imported (done) or that
	// held it last.
	Worker string `json:"worker,omitempty"`
	// Attempts counts the deliveries of the job to workers.
	Attempts int `json:"attempts"`
	// Captures counts the captures its upload added.
	Captures int `json:"captures"`
	// Error says why the job failed.
	Error string `json:"error,omitempty"`
}

// PutRun stores r, assigning r.ID when it is empty; storing a Run with an ID
// replaces the earlier record, New included. A run read with its New list
// cut (LatestRuns, RunHead) cannot be stored: that would lose the rest.
func (a *Archive) PutRun(r *Run) error {
	if r.newCut && len(r.New) < r.NewCount {
		return fmt.Errorf("put run %s in %s: it holds %d of its %d new URLs (read with the list cut); store the run as Run or Runs return it", r.ID, a.path, len(r.New), r.NewCount)
	}
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
		head := *r
		head.New = nil
		v, err := json.Marshal(storedRun{Run: &head, NewCount: len(r.New)})
		if err != nil {
			return err
		}
		if err := b.Put(idKey(n), v); err != nil {
			return err
		}
		return a.putRunNew(tx, idKey(n), r.New)
	})
	if err != nil {
		return fmt.Errorf("put run in %s: %w", a.path, err)
	}
	r.NewCount = len(r.New)
	return nil
}
