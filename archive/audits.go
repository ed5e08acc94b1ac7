package archive

import (
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// A harvest computes its audit once and stores it with its run, so that the
// dashboard reads a stored result instead of decoding every report:
//
//	audits  run id (8-byte big-endian) → the audit as encoded by package audit

// PutRunAudit stores the audit computed by run runID (opaque bytes: package
// audit owns the encoding), replacing an earlier one.
func (a *Archive) PutRunAudit(runID string, data []byte) error {
	n, err := strconv.ParseUint(runID, 10, 64)
	if err != nil || n == 0 {
		return fmt.Errorf("put audit of run %q: not a run ID", runID)
	}
	err = a.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAudits).Put(idKey(n), data)
	})
	if err != nil {
		return fmt.Errorf("put audit of run %s in %s: %w", runID, a.path, err)
	}
	return nil
}

// LatestRunAudit returns the newest stored audit and the ID of the run that
// stored it; found is false when no run stored one.
func (r *Reader) LatestRunAudit() (runID string, data []byte, found bool) {
	b := r.tx.Bucket(bucketAudits)
	if b == nil { // an archive written before audits were stored
		return "", nil, false
	}
	k, v := b.Cursor().Last()
	if k == nil || len(k) != 8 {
		return "", nil, false
	}
	return idString(k), append([]byte(nil), v...), true
}

// RunAudit returns the audit stored by run runID.
func (r *Reader) RunAudit(runID string) ([]byte, error) {
	n, err := strconv.ParseUint(runID, 10, 64)
	if err != nil || n == 0 {
		return nil, fmt.Errorf("audit of run %q: %w", runID, ErrNotFound)
	}
	b := r.tx.Bucket(bucketAudits)
	if b == nil {
		return nil, fmt.Errorf("audit of run %s: %w", runID, ErrNotFound)
	}
	v := b.Get(idKey(n))
	if v == nil {
		return nil, fmt.Errorf("audit of run %s: %w", runID, ErrNotFound)
	}
	return append([]byte(nil), v...), nil
}
