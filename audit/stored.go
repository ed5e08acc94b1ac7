package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// Snapshot is an audit as a harvest computed it once and stored it with its
// run (archive.PutRunAudit), so that the dashboard and /api/audit read a
// stored result instead of decoding every report of the archive.
type Snapshot struct {
	// RunID is the harvest run that computed it.
	RunID string `json:"run_id"`
	// AsOf is the audit date (YYYY-MM-DD) statuses were computed for.
	AsOf string `json:"as_of"`
	// From and To are the report years audited.
	From int `json:"from"`
	To   int `json:"to"`
	// Computed is when the audit was computed.
	Computed time.Time `json:"computed"`
	// Entries are the audit's entries, as Run returns them.
	Entries []Entry `json:"entries"`
}

// Store saves s with its run.
func Store(a *archive.Archive, s *Snapshot) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode audit of run %s: %w", s.RunID, err)
	}
	return a.PutRunAudit(s.RunID, data)
}

// Latest returns the newest stored audit, and false when no harvest has
// stored one. A stored audit that does not decode is an error wrapping
// archive.ErrDamaged.
func Latest(r *archive.Reader) (*Snapshot, bool, error) {
	id, data, ok := r.LatestRunAudit()
	if !ok {
		return nil, false, nil
	}
	return decodeSnapshot(id, data)
}

// OfRun returns the audit stored by run runID, and false when it stored none.
func OfRun(r *archive.Reader, runID string) (*Snapshot, bool, error) {
	data, err := r.RunAudit(runID)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return decodeSnapshot(runID, data)
}

func decodeSnapshot(runID string, data []byte) (*Snapshot, bool, error) {
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, false, fmt.Errorf("stored audit of run %s does not decode: %v: %w", runID, err, archive.ErrDamaged)
	}
	if s.RunID == "" {
		s.RunID = runID
	}
	return &s, true, nil
}
