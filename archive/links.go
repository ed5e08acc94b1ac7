package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// What a page led to, kept so that a re-crawl which finds the page
// unchanged (or does not refetch it at all) rebuilds its frontier items
// without reading the body back and parsing it again:
//
//	links  id8 → 0x01, sha256 digest (32 bytes), zstd(binary PageLinks)
//
// A record is keyed by the ID of the newest capture of its URL when it is
// written (normally the capture whose payload it was read from), so keys
// append and pages fill (FillPercent 1.0; also for the records a re-crawl
// of a file without them puts among older keys: measured 631 B a page
// against 664 B at 0.5 on the bench world). A reader finds it through
// idx_url: the newest of the URL's captures (of the last linksScan) that
// has a record holds it.
//
// The binary form (encodeLinks, decodeLinks) is the base, the count of
// links, each link's flags (paging, relative), URL and text, the count of
// found items, each one's flags, URL, title, priority (varint) and role;
// strings are a uvarint length and their bytes. A URL on the scheme and
// host of the URL it is resolved against (the base for links, the
// record's URL otherwise) is stored as its path and query only.
//
// Files written before hold records under the URL, as zstd of the JSON of
// PageLinks (a key of 8 bytes is an ID, a URL is longer): readers take
// them when a URL has no record of the new form, and writing a URL's
// record deletes its old one.
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

// linksTag starts a stored record (never a zstd frame, a payload header or
// a capture record, so a salvage scan of freed pages cannot take it for
// one of those).
const linksTag = 0x01

// linksScan is how many of a URL's newest captures Links looks at for
// the one holding its record; past that the record counts as missing (the
// page is parsed again and its record written under its newest capture).
const linksScan = 64

// Flags of a stored link.
const (
	linkPaging   = 1 << iota // PageLink.Paging
	linkRelative             // the URL is stored without its scheme and host
)

// putLinksTx stores pl as what url led to, under the ID of url's newest
// capture, replacing an older record of url. A URL without a capture or a
// digest that is not sha256 gets no record (it is derived data).
func (a *Archive) putLinksTx(tx *bolt.Tx, url string, pl *PageLinks) error {
	if url == "" || pl == nil || pl.Digest == "" {
		return nil
	}
	b := tx.Bucket(bucketLinks)
	if b == nil {
		return fmt.Errorf("store links of %s: no %s bucket", url, bucketLinks)
	}
	id := newestCapture(tx, url)
	if id == nil {
		return nil
	}
	v, err := encodeLinks(a.enc, url, pl)
	if err != nil {
		return nil // a digest of another form: no record
	}
	if err := b.Delete([]byte(url)); err != nil { // the form written before
		return fmt.Errorf("delete old links record of %s: %w", url, err)
	}
	b.FillPercent = appendFill
	if err := b.Put(id, v); err != nil {
		return fmt.Errorf("store links of %s: %w", url, err)
	}
	return nil
}

// newestCapture returns the key of url's newest capture, nil if none.
func newestCapture(tx *bolt.Tx, url string) []byte {
	var id []byte
	eachCaptureBack(tx, url, func(k []byte) bool { id = k; return false })
	return id
}

// eachCaptureBack calls fn with the ID key of each capture of url, newest
// first, until fn returns false.
func eachCaptureBack(tx *bolt.Tx, url string, fn func(id []byte) bool) {
	prefix := indexKey(url, nil)
	c := tx.Bucket(bucketByURL).Cursor()
	k, _ := c.Seek(indexKey(url, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		if len(k) == len(prefix)+8 && !fn(k[len(prefix):]) {
			return
		}
	}
}

// Links returns what url's payload with digest led to, and false when no
// record of that payload is stored (none at all, or one of an older
// payload).
func (a *Archive) Links(url, digest string) (*PageLinks, bool, error) {
	var z []byte
	var old bool
	err := a.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLinks)
		if b == nil {
			return nil
		}
		n := 0
		eachCaptureBack(tx, url, func(id []byte) bool {
			if v := b.Get(id); v != nil {
				z = append([]byte(nil), v...)
			}
			n++
			return z == nil && n < linksScan
		})
		if z == nil {
			if v := b.Get([]byte(url)); v != nil {
				z, old = append([]byte(nil), v...), true
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
	if !old && !linksDigestIs(z, digest) {
		return nil, false, nil // a record of an older payload
	}
	pl, err := decodeLinks(a.dec, url, z)
	if err != nil {
		return nil, false, fmt.Errorf("links of %s in %s: %w", url, a.path, err)
	}
	if pl.Digest != digest {
		return nil, false, nil
	}
	return pl, true, nil
}

// linksDigestIs reports whether the stored record v was read from the
// payload with digest, without decoding the rest.
func linksDigestIs(v []byte, digest string) bool {
	raw, ok := rawDigest(digest)
	return ok && len(v) >= 33 && v[0] == linksTag && bytes.Equal(v[1:33], raw)
}

// rawDigest returns the 32 bytes of a "sha256:<hex>" digest.
func rawDigest(digest string) ([]byte, bool) {
	h, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(h) != 64 {
		return nil, false
	}
	raw, err := hex.DecodeString(h)
	return raw, err == nil
}

// encodeLinks returns the stored form of pl, the record of url.
func encodeLinks(enc *zstd.Encoder, url string, pl *PageLinks) ([]byte, error) {
	raw, ok := rawDigest(pl.Digest)
	if !ok {
		return nil, fmt.Errorf("links of %s: digest %q is not sha256", url, pl.Digest)
	}
	base := url
	if pl.Base != "" {
		base = pl.Base
	}
	var w linksWriter
	w.link(0, origin(url), pl.Base)
	w.uvarint(uint64(len(pl.Links)))
	for _, l := range pl.Links {
		var f byte
		if l.Paging {
			f |= linkPaging
		}
		w.link(f, origin(base), l.URL)
		w.str(l.Text)
	}
	w.uvarint(uint64(len(pl.Found)))
	for _, l := range pl.Found {
		w.link(0, origin(url), l.URL)
		w.str(l.Title)
		w.buf = binary.AppendVarint(w.buf, int64(l.Priority))
		w.str(string(l.Role))
	}
	v := append([]byte{linksTag}, raw...)
	return enc.EncodeAll(w.buf, v), nil
}

// origin returns the scheme and host of a URL ("http://h.gov.cn"), "" if
// it has none.
func origin(u string) string {
	i := strings.Index(u, "://")
	if i <= 0 {
		return ""
	}
	j := strings.IndexByte(u[i+3:], '/')
	if j < 0 {
		return u
	}
	return u[:i+3+j]
}

// linksWriter writes the binary form of a record.
type linksWriter struct{ buf []byte }

func (w *linksWriter) uvarint(n uint64) { w.buf = binary.AppendUvarint(w.buf, n) }

func (w *linksWriter) str(s string) {
	w.uvarint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// link writes flags f and u, without its origin when it is orig.
func (w *linksWriter) link(f byte, orig, u string) {
	if rest, ok := strings.CutPrefix(u, orig); ok && orig != "" && strings.HasPrefix(rest, "/") {
		w.buf = append(w.buf, f|linkRelative)
		w.str(rest)
		return
	}
	w.buf = append(w.buf, f)
	w.str(u)
}

// linksReader reads the binary form of a record.
type linksReader struct {
	buf []byte
	err error
}

func (r *linksReader) uvarint() uint64 {
	n, w := binary.Uvarint(r.buf)
	if w <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[w:]
	return n
}

func (r *linksReader) varint() int64 {
	n, w := binary.Varint(r.buf)
	if w <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[w:]
	return n
}

func (r *linksReader) fail() {
	if r.err == nil {
		r.err = errors.New("record ends early")
	}
	r.buf = nil
}

func (r *linksReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.buf)) {
		r.fail()
		return ""
	}
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	return s
}

func (r *linksReader) byte() byte {
	if len(r.buf) == 0 {
		r.fail()
		return 0
	}
	b := r.buf[0]
	r.buf = r.buf[1:]
	return b
}

// link reads a link's flags and URL (relative to orig when flagged).
func (r *linksReader) link(orig string) (byte, string) {
	f := r.byte()
	u := r.str()
	if f&linkRelative != 0 {
		u = orig + u
	}
	return f, u
}

// count reads a count of items of at least two bytes each.
func (r *linksReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.buf))/2 {
		r.fail()
		return 0
	}
	return int(n)
}

// decodeLinks decodes a stored links record of url, of either form (read
// by Links and by check).
func decodeLinks(dec *zstd.Decoder, url string, v []byte) (*PageLinks, error) {
	if len(v) == 0 || v[0] != linksTag {
		return decodeOldLinks(dec, v)
	}
	if len(v) < 33 {
		return nil, errors.New("decode: shorter than its digest")
	}
	raw, err := dec.DecodeAll(v[33:], nil)
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	pl := &PageLinks{Digest: "sha256:" + hex.EncodeToString(v[1:33])}
	r := &linksReader{buf: raw}
	_, pl.Base = r.link(origin(url))
	base := url
	if pl.Base != "" {
		base = pl.Base
	}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		f, u := r.link(origin(base))
		pl.Links = append(pl.Links, PageLink{URL: u, Text: r.str(), Paging: f&linkPaging != 0})
	}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		_, u := r.link(origin(url))
		fl := FoundLink{URL: u, Title: r.str()}
		fl.Priority = int(r.varint())
		fl.Role = Role(r.str())
		pl.Found = append(pl.Found, fl)
	}
	if r.err == nil && len(r.buf) > 0 {
		r.err = fmt.Errorf("%d bytes after the record", len(r.buf))
	}
	if r.err != nil {
		return nil, fmt.Errorf("decode: %w", r.err)
	}
	return pl, nil
}

// decodeOldLinks decodes a record of the form written before (zstd of the
// JSON of PageLinks).
func decodeOldLinks(dec *zstd.Decoder, z []byte) (*PageLinks, error) {
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
