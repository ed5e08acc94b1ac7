package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nianbao/nianbao/archive"
)

// This file finds the capture a rewritten link of a replayed page stands
// for: the capture of a URL nearest a time that replays a payload, as the
// Wayback Machine picks the snapshot nearest the page's own.

// maxRedirects is how many recorded redirects a lookup follows.
const maxRedirects = 5

// replayable reports whether c replays a payload: a 2xx fetch with a body,
// or a revisit naming the payload it found unchanged.
func replayable(c *archive.Capture) bool {
	return c.Digest != "" && (c.Revisit || (c.Status >= 200 && c.Status < 300))
}

// redirected reports whether c is a recorded redirect to another URL.
func redirected(c *archive.Capture) bool {
	return c.Status >= 300 && c.Status < 400 && c.Status != http.StatusNotModified && c.FinalURL != "" && c.FinalURL != c.URL
}

// nearest returns the capture among caps that ok accepts whose fetch time
// is nearest t (the earlier on a tie), or nil.
func nearest(caps []*archive.Capture, t time.Time, ok func(*archive.Capture) bool) *archive.Capture {
	var best *archive.Capture
	var bestD time.Duration
	for _, c := range caps {
		if !ok(c) {
			continue
		}
		d := c.FetchedAt.Sub(t).Abs()
		if best == nil || d < bestD || (d == bestD && c.FetchedAt.Before(best.FetchedAt)) {
			best, bestD = c, d
		}
	}
	return best
}

// resolveAt returns the capture of target nearest t that replays a payload,
// following recorded redirects; nil when the archive has none.
func resolveAt(r *archive.Reader, target *url.URL, t time.Time) (*archive.Capture, error) {
	seen := map[string]bool{}
	u := target
	for range maxRedirects + 1 {
		caps, err := capturesOf(r, u)
		if err != nil {
			return nil, err
		}
		if c := nearest(caps, t, replayable); c != nil {
			return c, nil
		}
		rd := nearest(caps, t, redirected)
		if rd == nil || seen[rd.FinalURL] {
			return nil, nil
		}
		seen[rd.FinalURL] = true
		next, err := u.Parse(rd.FinalURL)
		if err != nil {
			return nil, nil
		}
		u = next
	}
	return nil, nil
}

// capturesOf returns every capture filed under one of the spellings of u
// (urlKeys), each once.
func capturesOf(r *archive.Reader, u *url.URL) ([]*archive.Capture, error) {
	var out []*archive.Capture
	ids := map[string]bool{}
	for _, k := range urlKeys(u) {
		caps, err := r.ByURL(k)
		if err != nil {
			return nil, err
		}
		for _, c := range caps {
			if !ids[c.ID] {
				ids[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// urlKeys returns the spellings under which the crawler may have filed u:
// its canonical form (lower-case scheme and host, no default port, no
// fragment or user, "/" for an empty path, as the crawler normalises
// links), with the path and the query each as given, with non-ASCII
// characters percent-decoded (as a page's raw Chinese link resolves) and
// percent-encoded; then the same under the other of http and https.
func urlKeys(u *url.URL) []string {
	c := *u
	c.Fragment, c.RawFragment, c.User = "", "", nil
	c.Scheme = strings.ToLower(c.Scheme)
	host, port := strings.ToLower(c.Hostname()), c.Port()
	if (c.Scheme == "http" && port == "80") || (c.Scheme == "https" && port == "443") {
		port = ""
	}
	c.Host = host
	if port != "" {
		c.Host = host + ":" + port
	}
	if c.Path == "" {
		c.Path, c.RawPath = "/", ""
	}
	var keys []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			keys = append(keys, s)
		}
	}
	for _, scheme := range []string{c.Scheme, otherScheme(c.Scheme)} {
		if scheme == "" {
			continue
		}
		prefix := scheme + "://" + c.Host
		paths := []string{c.EscapedPath(), iriDecode(c.EscapedPath())}
		queries := []string{c.RawQuery, iriDecode(c.RawQuery), uriEncode(c.RawQuery)}
		for _, p := range paths {
			for _, q := range queries {
				s := prefix + p
				if q != "" || c.ForceQuery {
					s += "?" + q
				}
				add(s)
			}
		}
	}
	return keys
}

// otherScheme is https for http and http for https ("" otherwise).
func otherScheme(s string) string {
	switch s {
	case "http":
		return "https"
	case "https":
		return "http"
	}
	return ""
}

// iriDecode decodes the percent-escapes of s that spell non-ASCII UTF-8
// characters, and those of the path characters ( ) ' ! * that a rewritten
// CSS url() escapes; every other escape stays as it is.
func iriDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '%' {
			b.WriteByte(s[i])
			i++
			continue
		}
		// Collect the run of escapes starting here.
		var run []byte
		j := i
		for j+2 < len(s) && s[j] == '%' && isHex(s[j+1]) && isHex(s[j+2]) {
			run = append(run, unhex(s[j+1])<<4|unhex(s[j+2]))
			j += 3
		}
		if len(run) == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(decodeRun(s[i:j], run))
		i = j
	}
	return b.String()
}

// decodeRun decodes the escaped bytes run (spelled esc) where they are
// valid non-ASCII UTF-8 or one of ( ) ' ! *, re-emitting the rest escaped.
func decodeRun(esc string, run []byte) string {
	var b strings.Builder
	for k := 0; k < len(run); {
		c := run[k]
		if c < utf8.RuneSelf {
			if strings.IndexByte("()'!*", c) >= 0 {
				b.WriteByte(c)
			} else {
				b.WriteString(esc[3*k : 3*k+3])
			}
			k++
			continue
		}
		r, n := utf8.DecodeRune(run[k:])
		if r == utf8.RuneError && n <= 1 {
			b.WriteString(esc[3*k : 3*k+3])
			k++
			continue
		}
		b.Write(run[k : k+n])
		k += n
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// uriEncode percent-encodes the bytes of s that may not stand in a URL as
// is: controls, space, non-ASCII and " < > \ ^ ` { | }.
func uriEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
