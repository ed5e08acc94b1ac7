package web

import (
	"net/url"
	"strconv"
	"strings"
)

// gridRowHTML writes the dashboard grid's row of agency a: a <tr> with the
// agency's link and level, then one cell per entry with its status text
// (linked to the report when there is one), its failed rules and its date.
// It writes exactly what html/template makes of the template it replaces
// (gridRowTemplate in grid_test.go, which compares them), escaping as html/template
// does: htmlEscape for text and attribute values, urlNormalize then
// htmlEscape inside a URL attribute.
func gridRowHTML(b *strings.Builder, a AgencyRow) {
	b.WriteString("<tr>\n  <th class=\"agency\"><a href=\"/agency/")
	htmlEscape(b, urlNormalize(url.PathEscape(a.Agency)))
	b.WriteString("\">")
	htmlEscape(b, a.Agency)
	b.WriteString("</a> <span class=\"level\">")
	htmlEscape(b, levelName(a.Level))
	b.WriteString("</span></th>\n  ")
	for _, e := range a.Entries {
		text := statusText(e)
		b.WriteString("<td class=\"st st-")
		htmlEscape(b, e.Status)
		b.WriteString("\" title=\"")
		htmlEscape(b, entryTitle(e))
		b.WriteString("\">\n    ")
		if e.CaptureID != "" {
			b.WriteString("<a href=\"/report/")
			htmlEscape(b, urlNormalize(e.CaptureID))
			b.WriteString("\">")
			htmlEscape(b, text)
			b.WriteString("</a>")
		} else {
			b.WriteString("<span>")
			htmlEscape(b, text)
			b.WriteString("</span>")
		}
		b.WriteString("\n    ")
		if e.FailedChecks > 0 {
			n := strconv.Itoa(e.FailedChecks)
			b.WriteString("<span class=\"fail-mark\" title=\"" + n + " failed validation rules\">⚠ " + n + "</span>")
		}
		b.WriteString("\n    ")
		switch {
		case e.Published != nil:
			b.WriteString("<small>")
			htmlEscape(b, *e.Published)
			b.WriteString("</small>")
		case e.FirstSeen != nil:
			b.WriteString("<small>seen ")
			htmlEscape(b, *e.FirstSeen)
			b.WriteString("</small>")
		}
		b.WriteString("\n  </td>")
	}
	b.WriteString("\n</tr>\n")
}

// htmlEscape writes s escaped as html/template escapes text and quoted
// attribute values: NUL, ", &, ', +, < and > replaced.
func htmlEscape(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(repl)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// urlNormalize is html/template's normalisation of text inside a URL: every
// byte but letters, digits, -._~, the reserved !#$&*+,/:;=?@[] and a valid
// %XX escape is percent-encoded (lower-case hex).
func urlNormalize(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0:
			b.WriteByte(c)
			continue
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
