package harvest

import (
	"errors"
	"fmt"
	"sort"

	"github.com/nianbao/nianbao/archive"
)

// newURLs returns, sorted, the URLs of the given captures that are first
// archived or whose payload changed: a capture that failed, is a revisit,
// or has the digest of the URL's previous successful capture of the same
// kind is left out. The kinds are the document as served and the document
// a headless browser built from it (Capture.Rendered): each is compared
// with its own kind, and the first rendering of a URL archived before is
// not new. It reads in one view; a capture record that does not decode is
// passed over and returned in skipped.
func newURLs(a *archive.Archive, ids []string) (urls []string, skipped []archive.Skipped, err error) {
	err = a.View(func(r *archive.Reader) error {
		urls, skipped, err = newURLsIn(r, ids)
		return err
	})
	if err != nil {
		return nil, skipped, fmt.Errorf("new URLs: %w", err)
	}
	return urls, skipped, nil
}

func newURLsIn(r *archive.Reader, ids []string) ([]string, []archive.Skipped, error) {
	seen := map[string]bool{}
	var out []string
	var skipped []archive.Skipped
	for _, id := range ids {
		c, err := r.Get(id)
		if errors.Is(err, archive.ErrDamaged) { // the record does not decode
			skipped = append(skipped, archive.Skipped{Bucket: "captures", Key: id, Reason: damageDetail(err)})
			continue
		}
		if err != nil {
			return nil, skipped, err
		}
		if seen[c.URL] || c.Error != "" || c.Revisit || c.Digest == "" {
			continue
		}
		caps, err := r.ByURL(c.URL)
		if err != nil {
			return nil, skipped, err
		}
		if !changed(c, caps) {
			continue
		}
		seen[c.URL] = true
		out = append(out, c.URL)
	}
	sort.Strings(out)
	return out, append(skipped, r.Skipped()...), nil
}

// changed reports whether c, a successful capture, archives its URL for
// the first time or with a payload other than the previous successful
// capture of the same kind (served or rendered) among caps, every capture
// of the URL oldest first.
func changed(c *archive.Capture, caps []*archive.Capture) bool {
	var before *archive.Capture
	archived := false
	for _, p := range caps {
		if idNum(p.ID) >= idNum(c.ID) {
			break
		}
		if p.Error != "" || p.Digest == "" {
			continue
		}
		archived = true
		if p.Rendered == c.Rendered {
			before = p
		}
	}
	switch {
	case before != nil:
		return before.Digest != c.Digest
	case c.Rendered:
		return !archived // a first rendering of a page archived before
	}
	return true
}

// damageDetail is what a DamageError says was damaged, or err's text.
func damageDetail(err error) string {
	var de *archive.DamageError
	if errors.As(err, &de) {
		return de.Detail
	}
	return err.Error()
}
