package archive

import (
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// What a page led to, kept so that a re-crawl which finds the page
// unchanged (or does not refetch it at all) rebuilds its frontier items
// without reading the body back and parsing it again:
//
//	links  url → zstd(JSON PageLinks)
//
// A record is derived data: it names the digest of the payload its links
// were read from, and a reader uses it only while the URL's state still
// names that digest. A missing or stale record (archives written before
// the bucket existed, WARC imports, cluster spools, a crash between the
// capture and the record) only means the body is parsed once more.

// bucketLinks holds the PageLinks records.
var bucketLinks = []byte("links")

// PageLinks is what one payload of a URL led to.
type PageLinks struct {
	// Digest is the "sha256:<hex>" of the payload the links were read from.
	Digest string `json:"d"`
	// Base is the URL the links were resolved against when it is not the
	// record's key (the page's final URL).
	Base string `json:"b,omitempty"`
	// Links are the page's own links as parsed (anchors, paging, CDATA
	// records), before any scope or depth filter.
	Links []PageLink `json:"l,omitempty"`
	// Found are the frontier items the page led to by other means than a
	// link (report modules, JSON APIs and lists, a rendering), relative to
	// the page: one level deeper, for the page's agency.
	Found []FoundLink `json:"f,omitempty"`
}

// PageLink is one link of a page.
type PageLink struct {
	URL    string `json:"u"`
	Text   string `json:"t,omitempty"`
	Paging bool   `json:"p,omitempty"`
}

// FoundLink is one frontier item a page led to other than by a link.
type FoundLink struct {
	URL      string `json:"u"`
	Title    string `json:"t,omitempty"`
	Priority int    `json:"p,omitempty"`
	Role     Role   `json:"r,omitempty"`
}

// putLinksTx stores pl as what url led to, replacing an older record.
func (a *Archive) putLinksTx(tx *bolt.Tx, url string, pl *PageLinks) error {
	if url == "" || pl == nil || pl.Digest == "" {
		return nil
	}
	v, err := json.Marshal(pl)
	if err != nil {
		return fmt.Errorf("encode links of %s: %w", url, err)
	}
	b := tx.Bucket(bucketLinks)
	if b == nil {
		return fmt.Errorf("store links of %s: no %s bucket", url, bucketLinks)
	}
	return b.Put([]byte(url), a.enc.EncodeAll(v, nil))
}

// Links returns what url's payload with digest led to, and false when no
// record of that payload is stored (none at all, or one of an older
// payload).
func (a *Archive) Links(url, digest string) (*PageLinks, bool, error) {
	var z []byte
	err := a.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketLinks); b != nil {
			if v := b.Get([]byte(url)); v != nil {
				z = append([]byte(nil), v...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("links of %s in %s: %w", url, a.path, err)
	}
	if z == nil || digest == "" {
		return nil, false, nil
	}
	pl, err := decodeLinks(a.dec, z)
	if err != nil {
		return nil, false, fmt.Errorf("links of %s in %s: %w", url, a.path, err)
	}
	if pl.Digest != digest {
		return nil, false, nil
	}
	return pl, true, nil
}

// decodeLinks decodes a stored links record (read by Links and by check).
func decodeLinks(dec *zstd.Decoder, z []byte) (*PageLinks, error) {
	v, err := dec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	var pl PageLinks
	if err := json.Unmarshal(v, &pl); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &pl, nil
}
