package harvest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// survey is what a run reads of the archive before it crawls, in one view.
type survey struct {
	// prev is the last completed harvest run, or nil.
	prev *archive.Run
	// carried are the successful, non-revisit captures made since prev by
	// other runs (unfinished harvests, one-shot crawls, imports), in
	// capture order: their URLs are new since the last completed harvest.
	carried []string
	// knownFailed are the captures whose extraction failed before for the
	// same payload.
	knownFailed map[string]bool
	// skipped are the records that did not decode.
	skipped []archive.Skipped
}

// survey reads the runs and the captures in one view, then marks the
// harvest runs left "running" (their process was killed; this process
// holds the archive, so nothing else can be running them) as interrupted,
// ending at their last capture. self is the ID of the run calling it.
func (h *Harvester) survey(ctx context.Context, self string) (*survey, error) {
	sv := &survey{knownFailed: map[string]bool{}}
	var killed []*archive.Run
	last := map[string]time.Time{}
	err := h.Archive.View(func(r *archive.Reader) error {
		runs, err := r.Runs()
		if err != nil {
			return err
		}
		sv.prev, killed = lastDone(runs, self)
		err = sv.walk(ctx, r, last)
		sv.skipped = r.Skipped()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("harvest: read runs and captures: %w", err)
	}
	for _, k := range killed {
		k.Status = StatusInterrupted
		if k.Ended.IsZero() {
			k.Ended = last[k.ID]
		}
		if err := h.Archive.PutRun(k); err != nil {
			return nil, fmt.Errorf("harvest: mark run %s interrupted: %w", k.ID, err)
		}
		h.logger().Warn("an earlier harvest was killed; marked interrupted, its captures are kept and the crawl resumes", "run", k.ID, "started", k.Started.Format(time.RFC3339))
	}
	return sv, nil
}

// lastDone returns, from runs (newest first), the last completed harvest
// run and the harvest runs after it still recorded running, other than
// self.
func lastDone(runs []*archive.Run, self string) (prev *archive.Run, killed []*archive.Run) {
	for _, r := range runs {
		if r.Kind != Kind || r.ID == self {
			continue
		}
		if r.Status == StatusDone {
			return r, killed
		}
		if r.Status == StatusRunning {
			killed = append(killed, r)
		}
	}
	return nil, killed
}

// walk reads the captures made since prev, newest first, back to the last
// capture of a run up to prev (runs never overlap: one process holds the
// archive), so that what one-shot crawls, imports and unfinished harvests
// archived since the last completed harvest is listed as new by this one;
// its cost follows what was archived since, not the archive. last receives
// the time of the last capture of every run it passes (the killed runs are
// after prev). The captures whose extraction failed before come from the
// extraction records.
func (sv *survey) walk(ctx context.Context, r *archive.Reader, last map[string]time.Time) error {
	var prevID uint64
	if sv.prev != nil {
		prevID = idNum(sv.prev.ID)
	}
	var newest []string
	n := 0
	err := r.EachNewest(func(c *archive.Capture) (bool, error) {
		if n++; n%1000 == 0 && ctx.Err() != nil {
			return false, ctx.Err()
		}
		if run := idNum(c.RunID); run != 0 && run <= prevID {
			return false, nil // the boundary: made by a run up to prev
		}
		if c.FetchedAt.After(last[c.RunID]) {
			last[c.RunID] = c.FetchedAt
		}
		if c.Digest != "" && c.Error == "" && !c.Revisit {
			newest = append(newest, c.ID)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	slices.Reverse(newest)
	sv.carried = newest
	return r.EachExtracted(func(id string, m archive.Extraction) error {
		if m.Outcome != archive.ExtractedFailed {
			return nil
		}
		if c, err := r.Get(id); err == nil && c.Digest == m.Digest {
			sv.knownFailed[id] = true
		}
		return nil
	})
}

// mergeIDs returns the union of two capture ID lists in capture order.
func mergeIDs(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range [][]string{a, b} {
		for _, id := range l {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return idNum(out[i]) < idNum(out[j]) })
	return out
}

// idNum is the number of a decimal ID (capture or run), 0 when it is not one.
func idNum(id string) uint64 { return archive.IDNum(id) }
