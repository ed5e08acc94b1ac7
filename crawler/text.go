package crawler

import (
	"bytes"
	"mime"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	textdecode "github.com/nianbao/nianbao/decode"
)

// mediaType returns the lower-case media type of a Content-Type value, or
// the sniffed type (decode.MediaType) when the header is missing.
func mediaType(contentType string, body []byte) string {
	if contentType == "" {
		return textdecode.MediaType(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// isHTML reports whether a payload of media type mt (see mediaType) is an
// HTML page worth parsing. An unlabelled or text/plain body is one when
// its first KB holds an <html> tag (NUL bytes ignored, so a UTF-16 page
// counts too).
func isHTML(mt string, body []byte) bool {
	switch mt {
	case "text/html", "application/xhtml+xml":
		return true
	case "", "application/octet-stream", "text/plain":
		return bytes.Contains(bytes.ToLower(asciiHead(body)), []byte("<html"))
	}
	return false
}

// isBinary reports a payload that is not text whatever its Content-Type
// says, by the WHATWG sniffing extract's readers use too (decode.Binary).
func isBinary(body []byte) bool {
	return textdecode.Binary(body)
}

// asciiHead is the first KB of body without NUL bytes: the ASCII of a
// UTF-16 page becomes readable for tag tests.
func asciiHead(body []byte) []byte {
	return bytes.ReplaceAll(head(body, 1024), []byte{0}, nil)
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// decode turns a text payload (an HTML page, a list's XML, any text/*)
// into UTF-8 with the one charset policy of nianbao, decode.HTML, so the
// text the crawler stores is the text every extract reader parses. It
// returns the text and the WHATWG name of the charset it was read as.
func decode(body []byte, contentType string) (string, string) {
	r := textdecode.HTML(body, contentType)
	return string(r.Text), r.Charset
}

// pageText renders a parsed page as plain text: block elements on their
// own lines, each table row as one line of tab-separated cells, scripts,
// styles and navigation chrome dropped.
func pageText(doc *html.Node) string {
	var sb strings.Builder
	var walk func(n *html.Node)
	newline := func() {
		s := sb.String()
		if len(s) > 0 && s[len(s)-1] != '\n' {
			sb.WriteByte('\n')
		}
	}
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			t := strings.Join(strings.Fields(n.Data), " ")
			if t != "" {
				s := sb.String()
				if len(s) > 0 && s[len(s)-1] != '\n' && s[len(s)-1] != '\t' {
					sb.WriteByte(' ')
				}
				sb.WriteString(t)
			}
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Head, atom.Select, atom.Button, atom.Iframe:
				return
			case atom.Table:
				newline()
				tableText(n, &sb)
				newline()
				return
			case atom.Br:
				sb.WriteByte('\n')
				return
			}
		}
		block := n.Type == html.ElementNode && isBlock(n.DataAtom)
		if block {
			newline()
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
		if block {
			newline()
		}
	}
	walk(doc)
	lines := strings.Split(sb.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimLeft(l, " "))
		}
	}
	return strings.Join(out, "\n")
}

func tableText(t *html.Node, sb *strings.Builder) {
	var rows func(n *html.Node)
	rows = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			switch ch.DataAtom {
			case atom.Tr:
				var cells []string
				for td := ch.FirstChild; td != nil; td = td.NextSibling {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						cells = append(cells, strings.ReplaceAll(nodeText(td), "\t", " "))
					}
				}
				if strings.TrimSpace(strings.Join(cells, "")) != "" {
					sb.WriteString(strings.Join(cells, "\t"))
					sb.WriteByte('\n')
				}
			case atom.Table:
				// a nested table is rendered where it stands
				tableText(ch, sb)
			default:
				rows(ch)
			}
		}
	}
	rows(t)
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Li, atom.Ul, atom.Ol,
		atom.Section, atom.Article, atom.Header, atom.Footer, atom.Blockquote, atom.Pre, atom.Dl, atom.Dt,
		atom.Dd, atom.Tr, atom.Form, atom.Center, atom.Hr, atom.Title, atom.Body:
		return true
	}
	return false
}
