package web

import (
	"bytes"
	"html"
	"strings"
)

// This file rewrites the URLs of CSS (url() and @import, in <style>, in
// style attributes and in archived stylesheets), of srcset attributes and of
// meta refresh. CSS is rewritten in place like a tag: only the URLs change,
// every other byte (a GBK font name, a comment) is kept.

// cssMode is where CSS text stands.
type cssMode int

const (
	// cssInStyle is the text of a <style> element or a stylesheet.
	cssInStyle cssMode = iota
	// cssInAttr is a style attribute value as written: its quotes may be
	// character references and a URL written into it is HTML-escaped.
	cssInAttr
)

// cssQuotes are the quotes a CSS string may open with, as written.
var (
	cssQuotes     = []string{`"`, `'`}
	cssAttrQuotes = []string{`"`, `'`, "&quot;", "&#34;", "&#x22;", "&#39;", "&#x27;", "&apos;"}
)

// css returns b with the URLs of its url() and @import rewritten.
func (rw *rewriter) css(b []byte, mode cssMode) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); i++ {
		var v0, v1, next int
		switch {
		case hasPrefixFold(b[i:], "url("):
			v0, v1, next = cssURLToken(b, i+4, mode)
		case hasPrefixFold(b[i:], "@import"):
			j := skipSpace(b, i+7)
			if q := quoteAt(b, j, mode); q != "" {
				v0, v1, next = cssString(b, j, q)
			}
		}
		if next == 0 {
			continue
		}
		if nv, ok := rw.cssLink(b[v0:v1], mode); ok {
			out = append(out, b[last:v0]...)
			out = append(out, nv...)
			last = v1
		}
		i = next - 1
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// cssLink returns the rewritten URL written raw in CSS, escaped for mode.
func (rw *rewriter) cssLink(raw []byte, mode cssMode) ([]byte, bool) {
	v := string(raw)
	if mode == cssInAttr {
		v = rw.value(raw)
	} else if !isASCII(raw) && rw.dec != nil {
		if d, err := rw.dec.Bytes(raw); err == nil {
			v = string(d)
		}
	}
	link, ok := rw.archived(v)
	if !ok {
		return nil, false
	}
	// Unquoted url() ends at ')' or white space and a string at its quote.
	link = strings.NewReplacer("(", "%28", ")", "%29", "'", "%27").Replace(link)
	if mode == cssInAttr {
		link = html.EscapeString(link)
	}
	return []byte(link), true
}

// cssURLToken reads the argument of url( starting at i: the span of the URL
// and where the token ends (0 when it is not a complete url()).
func cssURLToken(b []byte, i int, mode cssMode) (v0, v1, next int) {
	i = skipSpace(b, i)
	if q := quoteAt(b, i, mode); q != "" {
		return cssString(b, i, q)
	}
	j := i
	for j < len(b) && b[j] != ')' && !isSpace(b[j]) && b[j] != '"' && b[j] != '\'' {
		j++
	}
	k := skipSpace(b, j)
	if k >= len(b) || b[k] != ')' || j == i {
		return 0, 0, 0
	}
	return i, j, k + 1
}

// cssString reads the string opened by quote q at i: the span of its
// contents and where it ends (0 when it is not closed).
func cssString(b []byte, i int, q string) (v0, v1, next int) {
	v0 = i + len(q)
	end := bytes.Index(b[v0:], []byte(q))
	if end < 0 {
		return 0, 0, 0
	}
	return v0, v0 + end, v0 + end + len(q)
}

// quoteAt returns the quote opening at b[i] ("" for none).
func quoteAt(b []byte, i int, mode cssMode) string {
	qs := cssQuotes
	if mode == cssInAttr {
		qs = cssAttrQuotes
	}
	for _, q := range qs {
		if hasPrefixFold(b[i:], q) {
			return q
		}
	}
	return ""
}

// hasPrefixFold reports whether b starts with the ASCII prefix p, ignoring
// the case of letters.
func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// srcsetCandidate is one image candidate of a srcset.
type srcsetCandidate struct{ url, desc string }

// parseSrcset splits a srcset value into candidates as the HTML standard's
// parser does: a URL runs to white space (trailing commas end it), its
// descriptors to the next comma outside parentheses.
func parseSrcset(v string) []srcsetCandidate {
	var out []srcsetCandidate
	pos := 0
	for {
		for pos < len(v) && (isSpace(v[pos]) || v[pos] == ',') {
			pos++
		}
		if pos >= len(v) {
			return out
		}
		start := pos
		for pos < len(v) && !isSpace(v[pos]) {
			pos++
		}
		c := srcsetCandidate{url: v[start:pos]}
		if strings.HasSuffix(c.url, ",") {
			c.url = strings.TrimRight(c.url, ",")
		} else {
			d, depth := pos, 0
			for ; pos < len(v); pos++ {
				switch v[pos] {
				case '(':
					depth++
				case ')':
					depth = max(depth-1, 0)
				}
				if v[pos] == ',' && depth == 0 {
					break
				}
			}
			c.desc = strings.TrimSpace(v[d:pos])
		}
		out = append(out, c)
	}
}

// srcset returns a srcset value with every candidate's URL rewritten.
func (rw *rewriter) srcset(v string) (string, bool) {
	changed := false
	var parts []string
	for _, c := range parseSrcset(v) {
		u := c.url
		if link, ok := rw.archived(u); ok {
			u, changed = link, true
		}
		if c.desc != "" {
			u += " " + c.desc
		}
		parts = append(parts, u)
	}
	return strings.Join(parts, ", "), changed
}

// urlList returns a space-separated list of URLs (ping) rewritten.
func (rw *rewriter) urlList(v string) (string, bool) {
	fields := strings.Fields(v)
	changed := false
	for i, f := range fields {
		if link, ok := rw.archived(f); ok {
			fields[i], changed = link, true
		}
	}
	return strings.Join(fields, " "), changed
}

// refresh returns the content of a meta refresh ("5; url=page.html") with
// its URL rewritten; false when it names none.
func (rw *rewriter) refresh(v string) (string, bool) {
	i := strings.IndexAny(v, ";,")
	if i < 0 {
		return "", false
	}
	j := i + 1
	for j < len(v) && isSpace(v[j]) {
		j++
	}
	if k := j + 3; hasPrefixFold([]byte(v[j:]), "url") {
		for k < len(v) && isSpace(v[k]) {
			k++
		}
		if k < len(v) && v[k] == '=' {
			for j = k + 1; j < len(v) && isSpace(v[j]); j++ {
			}
		}
	}
	target, quote := v[j:], ""
	if target != "" && (target[0] == '"' || target[0] == '\'') {
		quote = target[:1]
		target = target[1:]
		if k := strings.IndexByte(target, quote[0]); k >= 0 {
			target = target[:k]
		}
	}
	link, ok := rw.archived(target)
	if !ok {
		return "", false
	}
	return v[:j] + quote + link + quote, true
}
