package harvest

import (
	"context"
	"fmt"
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

// walk goes over every capture once. A capture is carried when it was made
// after the last capture of any run up to prev (runs never overlap: one
// process holds the archive), so that what one-shot crawls, imports and
// unfinished harvests archived since the last completed harvest is listed
// as new by this one. last receives the time of the last capture of every
// run.
func (sv *survey) walk(ctx context.Context, r *archive.Reader, last map[string]time.Time) error {
	var prevID uint64
	if sv.prev != nil {
		prevID = idNum(sv.prev.ID)
	}
	var boundary uint64 // the last capture made by a run up to prev
	var candidates []string
	n := 0
	err := r.Each(func(c *archive.Capture) error {
		if n++; n%1000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if c.FetchedAt.After(last[c.RunID]) {
			last[c.RunID] = c.FetchedAt
		}
		if run := idNum(c.RunID); run != 0 && run <= prevID {
			boundary = max(boundary, idNum(c.ID))
		}
		if c.Digest == "" {
			return nil
		}
		if m, ok := r.Extracted(c.ID); ok && m.Outcome == archive.ExtractedFailed && m.Digest == c.Digest {
			sv.knownFailed[c.ID] = true
		}
		if c.Error == "" && !c.Revisit {
			candidates = append(candidates, c.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range candidates {
		if idNum(id) > boundary {
			sv.carried = append(sv.carried, id)
		}
	}
	return nil
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
