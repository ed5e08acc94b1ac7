package archive

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// PutReport stores the extracted report (JSON bytes, produced by package
// extract) of a capture, replacing an earlier extraction of it.
func (a *Archive) PutReport(captureID string, data []byte) error {
	key, err := parseID(captureID)
	if err != nil {
		return fmt.Errorf("put report: %w", err)
	}
	err = a.batch(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketCaptures).Get(key) == nil {
			return fmt.Errorf("capture %s: %w", captureID, ErrNotFound)
		}
		return tx.Bucket(bucketReports).Put(key, data)
	})
	if err != nil {
		return fmt.Errorf("put report of capture %s in %s: %w", captureID, a.path, err)
	}
	return nil
}
