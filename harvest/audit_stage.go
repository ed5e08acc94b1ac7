package harvest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
)

// Audit returns the audit stored by the last run of this Harvester that
// completed, or the latest stored one read by Load; nil when there is none.
// The snapshot is a copy.
func (h *Harvester) Audit() *audit.Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.snap == nil {
		return nil
	}
	s := *h.snap
	s.Entries = append([]audit.Entry(nil), s.Entries...)
	return &s
}

// Load reads, in one view, the runs and the latest stored audit, so that
// Audit answers before this process's first harvest and a damaged archive
// is found at start. An error wrapping archive.ErrDamaged is also kept for
// Damaged.
func (h *Harvester) Load() error {
	var snap *audit.Snapshot
	err := h.Archive.View(func(r *archive.Reader) error {
		if _, err := r.Runs(); err != nil {
			return err
		}
		s, ok, err := audit.Latest(r)
		if ok {
			snap = s
		}
		return err
	})
	if err != nil {
		h.noteDamage(err)
		return fmt.Errorf("harvest: read the runs and the stored audit: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.snap == nil {
		h.snap = snap
	}
	return nil
}

// audit computes the audit once for this run, stores it with the run
// (audit.Store) and makes it the Harvester's Audit.
func (s *runState) audit(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h := s.h
	from, to := h.years()
	now := h.now()
	entries, err := s.computeAudit(ctx, from, to, now)
	if err != nil {
		return err
	}
	snap := &audit.Snapshot{RunID: s.run.ID, AsOf: now.Format(time.DateOnly), From: from, To: to,
		Computed: time.Now().UTC(), Entries: entries}
	if err := audit.Store(h.Archive, snap); err != nil {
		return fmt.Errorf("store the audit: %w", err)
	}
	h.mu.Lock()
	h.snap = snap
	h.mu.Unlock()
	logAudit(s.log, s.run.ID, entries)
	return nil
}

// computeAudit runs h.Auditor when set, else audit.Compute over one view
// (see auditSource); the records that view skipped are added to the run's.
func (s *runState) computeAudit(ctx context.Context, from, to int, now time.Time) ([]audit.Entry, error) {
	h := s.h
	if h.Auditor != nil {
		return h.Auditor(h.Archive, h.Agencies, from, to, now)
	}
	var entries []audit.Entry
	err := h.Archive.View(func(r *archive.Reader) error {
		var err error
		entries, err = audit.Compute(auditSource{ctx: ctx, Reader: r, skipped: s.skipped}, h.Agencies, from, to, now)
		s.skipped.add(r.Skipped()...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", h.Archive.Path(), err)
	}
	return entries, nil
}

// auditSource is the audit.Source of the audit stage: a Reader whose report
// walk stops with ctx's error once ctx is cancelled, and on which a capture
// record that does not decode is passed over (the audit then dates the
// report from the report itself) instead of failing the audit.
type auditSource struct {
	ctx context.Context
	*archive.Reader
	skipped *skipSet
}

// EachReport calls fn for every stored report until ctx is cancelled.
func (s auditSource) EachReport(fn func(captureID string, data []byte) error) error {
	return s.Reader.EachReport(func(id string, data []byte) error {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		return fn(id, data)
	})
}

// ReportsFor walks the report index (audit.IndexedSource) until ctx is
// cancelled.
func (s auditSource) ReportsFor(agencies, hosts []string, from, to int, fn func(*archive.ReportSummary) error) (bool, error) {
	if err := s.ctx.Err(); err != nil {
		return true, err
	}
	return s.Reader.ReportsFor(agencies, hosts, from, to, func(sum *archive.ReportSummary) error {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		return fn(sum)
	})
}

// Get returns a capture; one whose record does not decode is skipped and
// reported as not found.
func (s auditSource) Get(id string) (*archive.Capture, error) {
	c, err := s.Reader.Get(id)
	if errors.Is(err, archive.ErrDamaged) {
		detail := damageDetail(err)
		s.skipped.add(archive.Skipped{Bucket: "captures", Key: id, Reason: detail})
		return nil, fmt.Errorf("capture %s passed over (%s): %w", id, detail, archive.ErrNotFound)
	}
	return c, err
}
