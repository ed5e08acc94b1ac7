package archive

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// PutReport stores the extracted report (JSON bytes, produced by package
// extract) of a capture, replacing an earlier extraction of it, and keeps
// the report index in step (see reportindex.go). A report that does not
// decode is stored but left out of the index, as readers of the reports
// skip it.
func (a *Archive) PutReport(captureID string, data []byte) error {
	key, err := parseID(captureID)
	if err != nil {
		return fmt.Errorf("put report: %w", err)
	}
	sum, _ := summarizeStored(captureID, data)
	err = a.batch(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketCaptures).Get(key) == nil {
			return fmt.Errorf("capture %s: %w", captureID, ErrNotFound)
		}
		reports := tx.Bucket(bucketReports)
		if tx.Bucket(bucketReportIndex) == nil {
			if k, _ := reports.Cursor().First(); k == nil {
				// The first report of the file: its index starts with it.
				if err := createReportIndex(tx); err != nil {
					return err
				}
			}
		}
		if err := reports.Put(key, data); err != nil {
			return err
		}
		return indexReportTx(a, tx, key, sum)
	})
	if err != nil {
		return fmt.Errorf("put report of capture %s in %s: %w", captureID, a.path, err)
	}
	return nil
}
