package web

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"

	"github.com/nianbao/nianbao/archive"
)

// This file serves archived bytes: /replay/{id} (a capture's payload, HTML
// and CSS rewritten to stay in the archive) and /replay/at/{ts}/{URL} (the
// capture of URL nearest a time). Every response under /replay/ carries
// replayCSP, so an archived page runs no script and makes no request to any
// origin but the archive's own.

// replayCSP is the Content-Security-Policy of every replay response: a
// sandbox (opaque origin: no script, form, plugin, popup or top navigation)
// in which nothing but the archive itself (and data: URLs) may be loaded.
const replayCSP = "sandbox; default-src 'self' data:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
	"script-src 'none'; object-src 'none'; frame-ancestors 'self'; form-action 'none'; base-uri 'self'"

// setReplayHeaders sets the headers of every replay response.
func setReplayHeaders(h http.Header) {
	h.Set("Content-Security-Policy", replayCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "no-referrer")
}

// payload is what a capture replays.
type payload struct {
	// capture is the capture asked for: its date and ID are the replay's.
	capture *archive.Capture
	// origin is the capture that stored the bytes: capture itself, or the
	// capture a revisit revisits (nil when none is found).
	origin *archive.Capture
	body   []byte
	// ctype is the content type replayed (contentType).
	ctype string
}

// loadPayload reads what capture id replays through r.
func loadPayload(r *archive.Reader, id string) (*payload, error) {
	c, err := r.Get(id)
	if err != nil {
		return nil, err
	}
	if c.Digest == "" {
		return nil, notFoundf("capture %s has no archived body (status %d, error %q)", id, c.Status, c.Error)
	}
	origin, err := revisited(r, c)
	if err != nil {
		return nil, err
	}
	body, err := r.BodyByDigest(c.Digest)
	if err != nil {
		return nil, fmt.Errorf("body of capture %s: %w", id, err)
	}
	return &payload{capture: c, origin: origin, body: body, ctype: contentType(c, origin)}, nil
}

// revisited returns the capture that stored c's payload: c itself unless it
// is a revisit, else the capture with the same digest that is no revisit,
// of the same URL if there is one, the latest made before c (nil if none).
func revisited(r *archive.Reader, c *archive.Capture) (*archive.Capture, error) {
	if !c.Revisit {
		return c, nil
	}
	caps, err := r.ByDigest(c.Digest)
	if err != nil {
		return nil, fmt.Errorf("captures of digest %s: %w", c.Digest, err)
	}
	var best *archive.Capture
	score := func(x *archive.Capture) int {
		s := 0
		if x.URL == c.URL {
			s += 2
		}
		if !x.FetchedAt.After(c.FetchedAt) {
			s++
		}
		return s
	}
	for _, x := range caps {
		if x.Revisit {
			continue
		}
		if best == nil || score(x) > score(best) || (score(x) == score(best) && x.FetchedAt.After(best.FetchedAt) && !x.FetchedAt.After(c.FetchedAt)) {
			best = x
		}
	}
	return best, nil
}

// declaredType is the content type c was served with: the recorded
// Content-Type header, else the capture's content type with its charset
// ("" when neither is known).
func declaredType(c *archive.Capture) string {
	if c == nil {
		return ""
	}
	if ct := strings.TrimSpace(c.Header.Get("Content-Type")); ct != "" {
		return ct
	}
	ct := strings.TrimSpace(c.ContentType)
	if ct != "" && c.Charset != "" && !strings.Contains(strings.ToLower(ct), "charset=") {
		ct += "; charset=" + c.Charset
	}
	return ct
}

// contentType is the content type a capture replays with: its own, else
// (a revisit, typically a 304 without one) that of the capture that stored
// the payload, else application/octet-stream.
func contentType(c, origin *archive.Capture) string {
	if ct := declaredType(c); ct != "" {
		return ct
	}
	if ct := declaredType(origin); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// replayContentType is the content type c replays with, on its own.
func replayContentType(c *archive.Capture) string { return contentType(c, nil) }

// mediaType is the lower-case media type of a content type.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// replay serves capture id's payload: HTML and CSS rewritten to stay in the
// archive; ?raw=1 the bytes exactly as archived; ?download=1 those bytes as
// an attachment.
func (h *handler) replay(w http.ResponseWriter, r *http.Request) {
	setReplayHeaders(w.Header())
	id := r.PathValue("id")
	if !validID(id) {
		h.fail(w, r, notFoundf("no capture %q", id), false)
		return
	}
	var p *payload
	err := h.s.Archive.View(func(rd *archive.Reader) (err error) {
		p, err = loadPayload(rd, id)
		return err
	})
	if err != nil {
		h.fail(w, r, wrapf(err, "replay capture %s", id), false)
		return
	}
	q := r.URL.Query()
	download, raw := q.Get("download") == "1", q.Get("raw") == "1"
	body := p.body
	if !download && !raw {
		body = rewritePayload(p)
	}
	hd := w.Header()
	hd.Set("Content-Type", p.ctype)
	disposition := "inline"
	if download {
		disposition = "attachment"
	}
	hd.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": fileName(p)}))
	hd.Set("Cache-Control", "private, max-age=3600")
	hd.Set("X-Nianbao-Capture", p.capture.ID)
	if p.origin != nil && p.origin.ID != p.capture.ID {
		hd.Set("X-Nianbao-Payload-Capture", p.origin.ID)
	}
	if t := p.capture.FetchedAt; !t.IsZero() {
		hd.Set("Last-Modified", t.UTC().Format(http.TimeFormat))
		hd.Set("Memento-Datetime", t.UTC().Format(http.TimeFormat))
	}
	hd.Set("Link", "<"+uriEncode(p.capture.URL)+`>; rel="original"`)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// rewritePayload returns the payload's HTML or CSS rewritten to stay in the
// archive, anything else as it is.
func rewritePayload(p *payload) []byte {
	mt := mediaType(p.ctype)
	if mt != "text/html" && mt != "application/xhtml+xml" && mt != "text/css" {
		return p.body
	}
	dec, ok := pageDecoder(p)
	if !ok {
		return p.body
	}
	doc := p.capture.FinalURL
	if doc == "" {
		doc = p.capture.URL
	}
	rw, ok := newRewriter(doc, p.capture.FetchedAt, dec)
	if !ok {
		return p.body
	}
	if mt == "text/css" {
		return rw.css(p.body, cssInStyle)
	}
	return rw.html(p.body)
}

// pageDecoder returns the decoder of the payload's charset (nil for UTF-8),
// and false when the bytes cannot be tokenized as they are (UTF-16).
func pageDecoder(p *payload) (*encoding.Decoder, bool) {
	var enc encoding.Encoding
	var name string
	for _, c := range []*archive.Capture{p.capture, p.origin} {
		if c != nil && c.Charset != "" && enc == nil {
			enc, name = charset.Lookup(c.Charset)
		}
	}
	if enc == nil {
		enc, name, _ = charset.DetermineEncoding(p.body, p.ctype)
	}
	if strings.HasPrefix(name, "utf-16") {
		return nil, false
	}
	if enc == nil || name == "utf-8" {
		return nil, true
	}
	return enc.NewDecoder(), true
}

// fileName is the name a replayed payload is offered under: the last
// segment of its URL's path, else "capture-ID" with an extension of its
// content type.
func fileName(p *payload) string {
	if u, err := url.Parse(p.capture.URL); err == nil {
		if base := path.Base(u.Path); base != "." && base != "/" && base != "" {
			return base
		}
	}
	name := "capture-" + p.capture.ID
	if exts, _ := mime.ExtensionsByType(mediaType(p.ctype)); len(exts) > 0 {
		name += exts[0]
	}
	return name
}

// replayAtPath is /replay/at/{timestamp}/{URL}: a UTC time of 14 digits, or
// of its first 4, 6, 8, 10 or 12 (the start of that year, month, …), then
// the URL.
var replayAtPath = regexp.MustCompile(`^((?:[0-9]{2}){2,7})/(.+)$`)

// parseReplayAt reads the time and the URL of a /replay/at/ request. The
// URL is taken from the escaped path and the raw query, as written.
func parseReplayAt(r *http.Request) (time.Time, *url.URL, error) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), replayAtPrefix)
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		rest += "?" + r.URL.RawQuery
	}
	m := replayAtPath.FindStringSubmatch(rest)
	if m == nil {
		return time.Time{}, nil, badRequestf("want /replay/at/YYYYMMDDhhmmss/URL")
	}
	digits := m[1] + "0101000000"[max(len(m[1])-4, 0):]
	t, err := time.Parse(tsLayout, digits)
	if err != nil {
		return time.Time{}, nil, badRequestf("timestamp %q: want YYYYMMDDhhmmss", m[1])
	}
	target := m[2]
	if low := strings.ToLower(target); !strings.Contains(low, "://") {
		// a client or proxy may have merged the two slashes
		if i := strings.Index(low, ":/"); i > 0 {
			target = target[:i] + "://" + target[i+2:]
		}
	}
	u, err := url.Parse(target)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return time.Time{}, nil, badRequestf("%q is not an absolute URL", target)
	}
	return t, u, nil
}

// replayAt redirects to the capture of a URL nearest a time that replays a
// payload, or answers a "not archived" page: never the live web.
func (h *handler) replayAt(w http.ResponseWriter, r *http.Request) {
	setReplayHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	t, target, err := parseReplayAt(r)
	if err != nil {
		h.fail(w, r, err, false)
		return
	}
	var c *archive.Capture
	err = h.s.Archive.View(func(rd *archive.Reader) (err error) {
		c, err = resolveAt(rd, target, t)
		return err
	})
	if err != nil {
		h.fail(w, r, wrapf(err, "replay %s at %s", target, t.Format(tsLayout)), false)
		return
	}
	if c == nil {
		h.render(w, r, http.StatusNotFound, "notarchived", notArchived{URL: target.String(), At: t})
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.Redirect(w, r, "/replay/"+c.ID, http.StatusFound)
}

// notArchived is the data of the page answering a link to a URL the
// archive has no capture of.
type notArchived struct {
	URL string
	At  time.Time
}
