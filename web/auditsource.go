package web

import (
	"fmt"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/report"
)

// Audit sources.
const (
	// SourceStored is an audit a harvest computed and stored with its run.
	SourceStored = "stored"
	// SourceLive is an audit computed for the request.
	SourceLive = "live"
)

// AuditSource says where an audit shown by a page comes from.
type AuditSource struct {
	// Source is SourceStored or SourceLive.
	Source string `json:"source"`
	// RunID is the run that stored the audit ("" when live).
	RunID string `json:"run_id,omitempty"`
	// AsOf is the audit date (YYYY-MM-DD).
	AsOf string `json:"asof"`
	// Computed is when the audit was computed (for a live one: now).
	Computed time.Time `json:"computed"`
}

// auditQuery is what a page wants audited.
type auditQuery struct {
	from, to int
	// asof is the audit date; a stored audit of another date is not used
	// when pinned is set (an explicit ?asof=).
	asof   time.Time
	pinned bool
}

// auditOf returns the audit of q read through r: the audit the latest
// harvest stored (audit.Latest) when it covers the same years, agencies and
// (if pinned) date, else one computed live over the same view.
func (s *Server) auditOf(r *archive.Reader, q auditQuery) ([]audit.Entry, AuditSource, error) {
	snap, ok, err := audit.Latest(r)
	if err != nil {
		return nil, AuditSource{}, fmt.Errorf("stored audit: %w", err)
	}
	if ok && s.storedFits(snap, q) {
		return snap.Entries, AuditSource{Source: SourceStored, RunID: snap.RunID, AsOf: snap.AsOf, Computed: snap.Computed}, nil
	}
	entries, err := audit.Compute(r, s.Agencies, q.from, q.to, q.asof)
	if err != nil {
		return nil, AuditSource{}, fmt.Errorf("audit %d-%d: %w", q.from, q.to, err)
	}
	return entries, AuditSource{Source: SourceLive, AsOf: q.asof.Format("2006-01-02"), Computed: s.now()}, nil
}

// storedFits reports whether a stored audit answers q: the same years, the
// same date when q pins one, and the agencies of the seeds file the server
// has now (a seeds file edited since the harvest makes it stale).
func (s *Server) storedFits(snap *audit.Snapshot, q auditQuery) bool {
	if snap.From != q.from || snap.To != q.to {
		return false
	}
	if q.pinned && snap.AsOf != q.asof.Format("2006-01-02") {
		return false
	}
	want := map[string]bool{}
	for _, a := range s.Agencies {
		want[report.NormAgency(a.Name)] = true
	}
	got := map[string]bool{}
	for _, e := range snap.Entries {
		got[report.NormAgency(e.Agency)] = true
	}
	if len(got) != len(want) {
		return false
	}
	for n := range want {
		if !got[n] {
			return false
		}
	}
	return true
}
