package archive

import (
	"bytes"
)

// EachVisited calls fn with every URL of host's current (possibly
// interrupted) crawl that was already done, in key order; a non-nil error
// from fn stops the walk and is returned. It reads the visited set only:
// its cost follows the crawl in progress, not the archive's history.
func (r *Reader) EachVisited(host string, fn func(url string) error) error {
	prefix := hostKey(host, nil)
	c := r.tx.Bucket(bucketVisited).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := fn(string(k[len(prefix):])); err != nil {
			return err
		}
	}
	return nil
}
