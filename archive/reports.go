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
	err = a.db.Batch(func(tx *bolt.Tx) error {
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

// Report returns the stored report JSON of a capture.
func (a *Archive) Report(captureID string) ([]byte, error) {
	key, err := parseID(captureID)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var out []byte
	err = a.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketReports).Get(key)
		if v == nil {
			return ErrNotFound
		}
		out = append([]byte(nil), v...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report of capture %s: %w", captureID, err)
	}
	return out, nil
}

// EachReport calls fn for every stored report in capture order. data is only
// valid during the call.
func (a *Archive) EachReport(fn func(captureID string, data []byte) error) error {
	return a.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketReports).ForEach(func(k, v []byte) error {
			return fn(idString(k), v)
		})
	})
}
