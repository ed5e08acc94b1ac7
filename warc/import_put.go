package warc

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/textproto"
	"net/url"
	"strings"

	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/nianbao/nianbao/archive"
)

// put stores a pending capture unless the archive has it already. A
// revisit takes the digest of the capture it revisits.
func (im *importer) put(file string, p *pending) error {
	var dup bool
	err := im.a.View(func(r *archive.Reader) error {
		caps, err := r.ByURL(p.c.URL)
		if err != nil {
			return err
		}
		if p.c.Revisit && p.c.Digest == "" {
			p.c.Digest = revisitDigest(r, p)
		}
		if p.c.Rendered && p.body != nil {
			if prev := lastRendered(caps); prev != "" && prev == archive.Digest(p.body) {
				p.c.Revisit, p.c.Digest, p.c.Size, p.body = true, prev, int64(len(p.body)), nil
			}
		}
		dup = duplicate(caps, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %s: %w", file, err)
	}
	if dup {
		im.sum.Duplicates++
		return nil
	}
	if err := im.a.Put(p.c, p.body, p.text); err != nil {
		return fmt.Errorf("import %s: %w", file, err)
	}
	im.sum.Captures++
	return nil
}

// duplicate reports whether caps (of the same URL) hold the record: the
// same record ID, or the same date, payload and kind.
func duplicate(caps []*archive.Capture, p *pending) bool {
	digest := p.c.Digest
	if p.body != nil {
		digest = archive.Digest(p.body)
	}
	for _, c := range caps {
		if p.recordID != "" && c.WARCRecordID == p.recordID {
			return true
		}
		if c.FetchedAt.Equal(p.c.FetchedAt) && c.Digest == digest && c.Status == p.c.Status &&
			c.Revisit == p.c.Revisit && c.Rendered == p.c.Rendered && c.Error == p.c.Error {
			return true
		}
	}
	return false
}

func lastRendered(caps []*archive.Capture) string {
	for i := len(caps) - 1; i >= 0; i-- {
		if caps[i].Rendered && caps[i].Digest != "" {
			return caps[i].Digest
		}
	}
	return ""
}

// revisitDigest finds the payload a revisit revisits: by its SHA-256
// payload digest, else the capture its record refers to (record ID, or
// URL and date), else the latest payload of the URL it names whose
// digest matches; "" when the archive has none.
func revisitDigest(r *archive.Reader, p *pending) string {
	if d := sha256Label(p.payloadDigest); d != "" {
		if caps, _ := r.ByDigest(d); len(caps) > 0 {
			return d
		}
	}
	caps, _ := r.ByURL(p.refURI)
	for i := len(caps) - 1; i >= 0; i-- {
		c := caps[i]
		if c.Digest == "" || c.Revisit || c.Error != "" {
			continue
		}
		switch {
		case p.refID != "" && c.WARCRecordID == p.refID,
			!p.refDate.IsZero() && c.FetchedAt.Equal(p.refDate):
			return c.Digest
		}
	}
	for i := len(caps) - 1; i >= 0; i-- {
		c := caps[i]
		if c.Digest == "" || c.Revisit || c.Error != "" {
			continue
		}
		if p.payloadDigest == "" {
			return c.Digest
		}
		if body, err := r.BodyByDigest(c.Digest); err == nil && digestMatches(p.payloadDigest, body) {
			return c.Digest
		}
	}
	return ""
}

// sha256Label turns "sha256:<hex or base32>" into the archive's
// "sha256:<hex>"; "" for another algorithm.
func sha256Label(d string) string {
	alg, v, ok := strings.Cut(d, ":")
	if !ok || !strings.EqualFold(alg, "sha256") {
		return ""
	}
	if len(v) == 64 {
		return "sha256:" + strings.ToLower(v)
	}
	if b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(strings.ToUpper(v), "=")); err == nil && len(b) == 32 {
		return "sha256:" + hex.EncodeToString(b)
	}
	return ""
}

// digestMatches reports whether a WARC digest ("sha1:BASE32",
// "sha256:hex", md5) is that of b; an algorithm it does not know matches.
func digestMatches(label string, b []byte) bool {
	ok, _ := digestReader(label, bytes.NewReader(b))
	return ok
}

// digestReader reports whether a WARC digest is that of what r reads,
// streaming.
func digestReader(label string, r io.Reader) (bool, error) {
	alg, v, ok := strings.Cut(label, ":")
	if !ok {
		return true, nil
	}
	var h hash.Hash
	switch strings.ToLower(strings.ReplaceAll(alg, "-", "")) {
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	case "md5":
		h = md5.New()
	default:
		return true, nil
	}
	if _, err := io.Copy(h, r); err != nil {
		return false, err
	}
	sum := h.Sum(nil)
	v = strings.TrimRight(v, "=")
	return strings.EqualFold(v, hex.EncodeToString(sum)) ||
		strings.EqualFold(v, base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum)), nil
}

// checkPayload checks a response's WARC-Payload-Digest against its body:
// gowarc checked it over the bytes after the headers, which for a chunked
// body is not the payload; the de-chunked body must match then.
func checkPayload(w gowarc.WarcRecord, body []byte) error {
	d := w.WarcHeader().Get(gowarc.WarcPayloadDigest)
	if d == "" || digestMatches(d, body) {
		return nil
	}
	raw, err := w.Block().RawBytes()
	if err == nil {
		if all, err := io.ReadAll(raw); err == nil {
			if i := strings.Index(string(all), "\r\n\r\n"); i >= 0 && digestMatches(d, all[i+4:]) {
				return nil
			}
		}
	}
	return fmt.Errorf("WARC-Payload-Digest %s does not match the payload", d)
}

// targetURI is the record's WARC-Target-URI (WARC/1.0 may wrap it in <>).
func targetURI(w gowarc.WarcRecord) string {
	return strings.Trim(strings.TrimSpace(w.WarcHeader().Get(gowarc.WarcTargetURI)), "<>")
}

// readResponse parses the HTTP response of a response or revisit record.
func readResponse(w gowarc.WarcRecord, limit int64) (*parsedResponse, bool, error) {
	raw, err := w.Block().RawBytes()
	if err != nil {
		return nil, false, err
	}
	if limit <= 0 {
		limit = 1 << 20
	}
	return parseResponse(raw, limit)
}

func readAllCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// readFields reads an application/warc-fields block.
func readFields(r io.Reader) (textproto.MIMEHeader, error) {
	tp := textproto.NewReader(bufio.NewReader(io.MultiReader(r, strings.NewReader("\r\n"))))
	h, err := tp.ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return nil, err
	}
	return h, nil
}

// agencyFor is the agency of a URL: -agency, else the seed on its
// authority whose URL is the longest prefix of it, else the first seed
// on it, else "".
func (im *importer) agencyFor(uri string) string {
	if im.opts.Agency != "" {
		return im.opts.Agency
	}
	best, bestLen := "", -1
	for _, ag := range im.agencies[authorityOf(uri)] {
		n := -1
		if strings.HasPrefix(uri, ag.URL) {
			n = len(ag.URL)
		}
		if best == "" || n > bestLen {
			best, bestLen = ag.Name, n
		}
	}
	return best
}

// authorityOf is a URL's host:port, lower-cased, the scheme's default
// port dropped: how the crawler keys sites.
func authorityOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" || defaultPort(u.Scheme, port) {
		return host
	}
	return host + ":" + port
}
