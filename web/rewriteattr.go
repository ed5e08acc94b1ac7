package web

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
)

// This file rewrites the URL attributes of one start tag in place: it finds
// where each attribute value lies in the tag's raw bytes (scanAttrs follows
// the x/net/html tokenizer's own rules, and its result is checked against
// the tokenizer's attributes) and replaces only the values rewritten.

// urlAttrs are the attributes holding one URL, on any element.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "poster": true,
	"background": true, "lowsrc": true, "dynsrc": true, "xlink:href": true, "manifest": true,
}

// attrSpan is where one attribute lies in a raw start tag.
type attrSpan struct {
	k0, k1 int // the key
	v0, v1 int // the value, between its quotes
	vs, ve int // the value with its quotes
	quote  byte
	hasVal bool
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && isSpace(raw[i]) {
		i++
	}
	return i
}

// scanAttrs returns the attributes of the raw start tag ("<name ...>"), as
// the tokenizer reads them (readTag, readTagAttrKey, readTagAttrVal).
func scanAttrs(raw []byte) []attrSpan {
	n := len(raw)
	i := 2 // '<' and the first byte of the name
	for ; i < n; i++ {
		if isSpace(raw[i]) {
			i++
			break
		}
		if raw[i] == '/' || raw[i] == '>' {
			break
		}
	}
	var spans []attrSpan
	for i = skipSpace(raw, i); i < n && raw[i] != '>'; i = skipSpace(raw, i) {
		var sp attrSpan
		sp.k0 = i
		j := i
		for j < n {
			c := raw[j]
			if (c == '=' && j > sp.k0) || isSpace(c) || c == '/' || c == '>' {
				break
			}
			j++
		}
		sp.k1 = j
		j = scanValue(raw, j, &sp)
		if sp.k1 > sp.k0 {
			spans = append(spans, sp)
		}
		i = j
	}
	return spans
}

// scanValue reads the "=value" after a key ending at j into sp and returns
// where the next attribute starts.
func scanValue(raw []byte, j int, sp *attrSpan) int {
	n := len(raw)
	j = skipSpace(raw, j)
	if j >= n {
		return j
	}
	if raw[j] == '/' {
		return j + 1
	}
	if raw[j] != '=' {
		return j
	}
	j = skipSpace(raw, j+1)
	if j >= n || raw[j] == '>' {
		return j
	}
	sp.vs = j
	if q := raw[j]; q == '"' || q == '\'' {
		sp.quote, sp.v0 = q, j+1
		k := sp.v0
		for k < n && raw[k] != q {
			k++
		}
		sp.v1, sp.ve, sp.hasVal = k, min(k+1, n), true
		return sp.ve
	}
	sp.v0 = j
	k := j
	for k < n && !isSpace(raw[k]) && raw[k] != '>' {
		k++
	}
	sp.v1, sp.ve, sp.hasVal = k, k, true
	return k
}

// lowerASCII lower-cases the ASCII letters of b, as the tokenizer does keys.
func lowerASCII(b []byte) string {
	s := []byte(string(b))
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			s[i] = c + 'a' - 'A'
		}
	}
	return string(s)
}

// tag returns the raw start tag of element name with its URL attributes
// rewritten; z is positioned on the tag (its attributes not yet read).
func (rw *rewriter) tag(raw []byte, name string, hasAttr bool, z *xhtml.Tokenizer) []byte {
	if !hasAttr {
		return raw
	}
	var attrs []xhtml.Attribute
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		attrs = append(attrs, xhtml.Attribute{Key: string(k), Val: string(v)})
	}
	wanted := rw.wantedAttrs(name, attrs)
	if len(wanted) == 0 {
		return raw
	}
	spans := scanAttrs(raw)
	if !sameKeys(raw, spans, attrs) {
		return rw.reserialize(raw, name, attrs, wanted)
	}
	var out []byte
	last := 0
	for _, sp := range spans {
		key := lowerASCII(raw[sp.k0:sp.k1])
		if !sp.hasVal || !wanted[key] {
			continue
		}
		nv, ok := rw.attrValue(name, key, raw[sp.v0:sp.v1])
		if !ok {
			continue
		}
		q := sp.quote
		if q == 0 || key != "style" {
			q = '"' // a rewritten URL value is always double-quoted
		}
		if sp.quote == 0 {
			nv = []byte(strings.ReplaceAll(string(nv), `"`, "&#34;"))
		}
		out = append(out, raw[last:sp.vs]...)
		out = append(out, q)
		out = append(out, nv...)
		out = append(out, q)
		last = sp.ve
	}
	if out == nil {
		return raw
	}
	return append(out, raw[last:]...)
}

// wantedAttrs returns the keys of attrs that hold URLs on element name.
func (rw *rewriter) wantedAttrs(name string, attrs []xhtml.Attribute) map[string]bool {
	var w map[string]bool
	add := func(k string) {
		if w == nil {
			w = map[string]bool{}
		}
		w[k] = true
	}
	for _, a := range attrs {
		switch {
		case urlAttrs[a.Key], a.Key == "srcset", a.Key == "imagesrcset", a.Key == "ping", a.Key == "style":
			add(a.Key)
		case a.Key == "data" && name == "object":
			add(a.Key)
		case a.Key == "http-equiv" && name == "meta" && strings.EqualFold(strings.TrimSpace(a.Val), "refresh"):
			add("content")
		case a.Key == "target" && leavesFrame(a.Val):
			add(a.Key)
		case a.Key == "srcdoc" && name == "iframe":
			add(a.Key)
		}
	}
	return w
}

// leavesFrame reports whether a link target would open a window or
// navigate the page around the frame (_blank, _new, _top, _parent).
func leavesFrame(target string) bool {
	switch strings.ToLower(strings.TrimSpace(target)) {
	case "_blank", "_new", "_top", "_parent":
		return true
	}
	return false
}

// sameKeys reports whether spans name the attributes the tokenizer read
// (keys lower-cased, the first of duplicates, NUL read as U+FFFD), in the
// same order.
func sameKeys(raw []byte, spans []attrSpan, attrs []xhtml.Attribute) bool {
	seen := map[string]bool{}
	i := 0
	for _, sp := range spans {
		k := lowerASCII(raw[sp.k0:sp.k1])
		if seen[k] {
			continue
		}
		seen[k] = true
		if i >= len(attrs) || attrs[i].Key != strings.ReplaceAll(k, "\x00", "\ufffd") {
			return false
		}
		i++
	}
	return i == len(attrs)
}

// attrValue returns the rewritten value of attribute key of element name,
// escaped for a quoted attribute, from its raw bytes; false when unchanged.
func (rw *rewriter) attrValue(name, key string, raw []byte) ([]byte, bool) {
	if key == "style" {
		out := rw.css(raw, cssInAttr)
		return out, string(out) != string(raw)
	}
	switch key {
	case "target":
		// The sandbox allows no popup and no navigation of the page
		// around the frame: such a link would do nothing.
		return []byte("_self"), true
	case "srcdoc":
		if !isASCII(raw) {
			return nil, false // the frame's document inherits the replay CSP
		}
		out := rw.walk([]byte(html.UnescapeString(string(raw))), maxNoscriptDepth)
		return []byte(html.EscapeString(string(out))), true
	}
	v := rw.value(raw)
	var nv string
	var ok bool
	switch {
	case key == "srcset" || key == "imagesrcset":
		nv, ok = rw.srcset(v)
	case key == "ping":
		nv, ok = rw.urlList(v)
	case key == "content":
		nv, ok = rw.refresh(v)
	case key == "href" && name == "base":
		nv, ok = rw.archivedFrom(rw.doc, v)
	default:
		nv, ok = rw.archived(v)
	}
	if !ok {
		return nil, false
	}
	return []byte(html.EscapeString(nv)), true
}

// reserialize writes the tag anew from the tokenizer's attributes, the
// wanted ones rewritten: the fallback, never expected, for a tag whose raw
// bytes scanAttrs reads otherwise than the tokenizer.
func (rw *rewriter) reserialize(raw []byte, name string, attrs []xhtml.Attribute, wanted map[string]bool) []byte {
	for i, a := range attrs {
		if !wanted[a.Key] {
			continue
		}
		if nv, ok := rw.attrValue(name, a.Key, []byte(html.EscapeString(a.Val))); ok {
			attrs[i].Val = html.UnescapeString(string(nv))
		}
	}
	t := xhtml.Token{Type: xhtml.StartTagToken, Data: name, Attr: attrs}
	if len(raw) >= 2 && raw[len(raw)-2] == '/' {
		t.Type = xhtml.SelfClosingTagToken
	}
	return []byte(t.String())
}
