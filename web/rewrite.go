package web

import (
	"bytes"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
)

// This file rewrites a replayed HTML document so that it stays inside the
// archive, as pywb and the Wayback Machine do: every link and sub-resource
// (href, src, srcset, action, CSS url() in style attributes and <style>,
// meta refresh, <base href>) is resolved against the page's final URL and
// pointed at /replay/at/{timestamp}/{URL}, which serves the archived copy
// nearest the page's capture time or a "not archived" page.
//
// The document is never decoded: it is tokenized as bytes (the syntax of
// HTML is ASCII, and no byte of a GBK, GB18030 or UTF-8 multi-byte
// character is one of < > = " ' / or white space), every token is copied
// byte for byte, and only the values of the attributes rewritten are
// replaced, by ASCII. A non-ASCII URL value is decoded with the page's
// charset to be resolved; the text around it keeps its original bytes.

// replayAtPrefix is the path of the time-addressed replay route.
const replayAtPrefix = "/replay/at/"

// tsLayout is the 14-digit timestamp of /replay/at/ (UTC), as the Wayback
// Machine spells it.
const tsLayout = "20060102150405"

// rewriter maps the URLs of one archived document into the archive.
type rewriter struct {
	// doc is the document's URL (its final URL); base is the URL its
	// relative links resolve against (doc, or its <base href>).
	doc, base *url.URL
	// ts is the timestamp of the document's capture.
	ts string
	// dec decodes non-ASCII attribute values (nil: taken as UTF-8).
	dec *encoding.Decoder
}

// newRewriter returns a rewriter for a document fetched from docURL at t.
func newRewriter(docURL string, t time.Time, dec *encoding.Decoder) (*rewriter, bool) {
	u, err := url.Parse(docURL)
	if err != nil || !u.IsAbs() {
		return nil, false
	}
	return &rewriter{doc: u, base: u, ts: t.UTC().Format(tsLayout), dec: dec}, true
}

// archivedAt is the archive's URL of the capture of abs nearest ts.
func archivedAt(ts string, abs *url.URL) string {
	u := *abs
	frag := u.EscapedFragment()
	u.Fragment, u.RawFragment = "", ""
	s := replayAtPrefix + ts + "/" + uriEncode(u.String())
	if frag != "" {
		s += "#" + uriEncode(frag)
	}
	return s
}

// keptSchemes are the schemes of links left as they are: they fetch nothing
// from a server (and scripts never run in a replay).
var keptSchemes = []string{"javascript:", "data:", "mailto:", "tel:", "sms:", "about:", "blob:"}

// archived returns what ref, a URL as written in the document, becomes:
// the archive's URL of the capture nearest the document's; false when ref
// is left as it is (empty, a fragment, or of a scheme in keptSchemes).
// Every other URL, of any scheme, is pointed into the archive.
func (rw *rewriter) archived(ref string) (string, bool) {
	return rw.archivedFrom(rw.base, ref)
}

func (rw *rewriter) archivedFrom(base *url.URL, ref string) (string, bool) {
	ref = strings.Trim(ref, " \t\n\r\f")
	ref = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(ref)
	if ref == "" || ref[0] == '#' {
		return "", false
	}
	low := strings.ToLower(ref)
	for _, p := range keptSchemes {
		if strings.HasPrefix(low, p) {
			return "", false
		}
	}
	if strings.HasPrefix(low, replayAtPrefix) {
		return "", false // already rewritten
	}
	r, err := url.Parse(strings.ReplaceAll(ref, "\\", "/"))
	if err != nil {
		r, err = url.Parse(uriEncode(ref))
	}
	if err != nil {
		return replayAtPrefix + rw.ts + "/" + uriEncode(ref), true
	}
	return archivedAt(rw.ts, base.ResolveReference(r)), true
}

// value returns an attribute value as written (raw bytes between its
// quotes) as text: decoded with the page's charset when it is not ASCII,
// character references resolved.
func (rw *rewriter) value(raw []byte) string {
	s := string(raw)
	if !isASCII(raw) && rw.dec != nil {
		if d, err := rw.dec.Bytes(raw); err == nil {
			s = string(d)
		}
	}
	return html.UnescapeString(s)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// html returns body with its URLs rewritten.
func (rw *rewriter) html(body []byte) []byte {
	rw.findBase(body)
	return rw.walk(body, 0)
}

// findBase sets base from the document's first <base href>, as browsers
// resolve every URL of the document against it.
func (rw *rewriter) findBase(body []byte) {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			if string(name) != "base" {
				continue
			}
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				if string(k) != "href" {
					continue
				}
				if b, err := rw.doc.Parse(strings.TrimSpace(rw.value(v))); err == nil && b.IsAbs() {
					rw.base = b
				}
				return
			}
		}
	}
}

// maxNoscriptDepth bounds the rewriting of <noscript> contents as HTML
// (a replay runs no script, so a browser shows them).
const maxNoscriptDepth = 2

// walk copies the tokens of body, rewriting start tags, <style> contents
// and <noscript> contents.
func (rw *rewriter) walk(body []byte, depth int) []byte {
	var out bytes.Buffer
	out.Grow(len(body) + len(body)/16)
	z := html.NewTokenizer(bytes.NewReader(body))
	rawIn := ""
	for {
		tt := z.Next()
		raw := z.Raw()
		switch tt {
		case html.ErrorToken:
			out.Write(raw)
			return out.Bytes()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			out.Write(rw.tag(raw, tag, hasAttr, z))
			rawIn = ""
			if tt == html.StartTagToken {
				rawIn = tag
			}
			continue
		case html.TextToken:
			switch {
			case rawIn == "style":
				out.Write(rw.css(raw, cssInStyle))
			case rawIn == "noscript" && depth < maxNoscriptDepth:
				out.Write(rw.walk(raw, depth+1))
			default:
				out.Write(raw)
			}
		default:
			out.Write(raw)
		}
		rawIn = ""
	}
}
