package archive

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Every capture the extractor has looked at is marked, report or not, so a
// harvest can extract everything not yet extracted (captures of one-shot
// crawls, imports, interrupted runs) without parsing again the captures
// that are not reports:
//
//	extracted  id8 → JSON Extraction

// Outcome is what the extractor made of a capture, as stored in an
// Extraction's "outcome" field.
type Outcome string

// Extraction outcomes.
const (
	ExtractedReport    Outcome = "report"     // a report is stored under the capture
	ExtractedNotReport Outcome = "not_report" // parsed, but not an annual report
	ExtractedFailed    Outcome = "failed"     // could not be read or parsed
)

// Extraction records what the extractor made of one capture.
type Extraction struct {
	// Outcome is ExtractedReport, ExtractedNotReport or ExtractedFailed.
	Outcome Outcome `json:"outcome"`
	// Digest is the payload digest that was parsed.
	Digest string `json:"digest,omitempty"`
	// Reason says why a capture is not a report or failed.
	Reason string `json:"reason,omitempty"`
	// At is when it was extracted.
	At time.Time `json:"at"`
}

// MarkExtracted records the extraction outcome of each capture (ID → outcome)
// in one transaction.
func (a *Archive) MarkExtracted(marks map[string]Extraction) error {
	if len(marks) == 0 {
		return nil
	}
	err := a.batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketExtracted)
		for id, m := range marks {
			key, err := parseID(id)
			if err != nil {
				return err
			}
			if m.At.IsZero() {
				m.At = time.Now().UTC()
			}
			v, err := json.Marshal(m)
			if err != nil {
				return err
			}
			if err := b.Put(key, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark %d captures extracted in %s: %w", len(marks), a.path, err)
	}
	return nil
}

// Extracted returns the extraction outcome recorded for a capture, and false
// when the extractor has not looked at it (or the record does not decode:
// it is then looked at again).
func (r *Reader) Extracted(captureID string) (Extraction, bool) {
	var m Extraction
	key, err := parseID(captureID)
	b := r.tx.Bucket(bucketExtracted)
	if err != nil || b == nil {
		return m, false
	}
	v := b.Get(key)
	if v == nil || json.Unmarshal(v, &m) != nil {
		return m, false
	}
	return m, true
}
