package fixtureworld

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// docxFromHTML builds a minimal but real DOCX (Office Open XML) from a
// Word-export HTML fragment: each <p> becomes a w:p, each <table> a w:tbl
// whose colspan/rowspan become w:gridSpan / w:vMerge. The output is
// deterministic (fixed zip times).
func docxFromHTML(title, fragment string) ([]byte, error) {
	nodes, err := xhtml.ParseFragment(strings.NewReader(fragment), &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return nil, fmt.Errorf("parse fragment: %w", err)
	}
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	doc.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, n := range nodes {
		writeDocxNode(&doc, n)
	}
	doc.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`)

	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>` + html.EscapeString(title) + `</dc:title></cp:coreProperties>`},
		{"word/document.xml", doc.String()},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	mod := time.Date(2025, 1, 22, 9, 0, 0, 0, time.UTC)
	for _, p := range parts {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: mod})
		if err != nil {
			return nil, fmt.Errorf("docx part %s: %w", p.name, err)
		}
		if _, err := f.Write([]byte(p.body)); err != nil {
			return nil, fmt.Errorf("docx part %s: %w", p.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("docx close: %w", err)
	}
	return buf.Bytes(), nil
}

// nodeText is the text of n with white space runs collapsed.
func nodeText(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "\u00a0", " ")), " ")
}

func docxPara(b *strings.Builder, text string) {
	if text == "" {
		b.WriteString("<w:p/>")
		return
	}
	b.WriteString(`<w:p><w:r><w:t xml:space="preserve">`)
	b.WriteString(html.EscapeString(text))
	b.WriteString("</w:t></w:r></w:p>")
}

func writeDocxNode(b *strings.Builder, n *xhtml.Node) {
	if n.Type != xhtml.ElementNode {
		if n.Type == xhtml.TextNode && strings.TrimSpace(n.Data) != "" {
			docxPara(b, strings.TrimSpace(n.Data))
		}
		return
	}
	switch n.DataAtom {
	case atom.Table:
		writeDocxTable(b, n)
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4:
		docxPara(b, nodeText(n))
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			writeDocxNode(b, c)
		}
	}
}

func spanAttr(n *xhtml.Node, name string) int {
	for _, a := range n.Attr {
		if a.Key == name {
			if v, err := strconv.Atoi(strings.TrimSpace(a.Val)); err == nil && v > 0 && v < 100 {
				return v
			}
		}
	}
	return 1
}

// writeDocxTable writes an HTML table as w:tbl: positions covered by a
// rowspan get a w:vMerge continuation cell so every row spans the grid.
func writeDocxTable(b *strings.Builder, table *xhtml.Node) {
	var rows []*xhtml.Node
	var find func(*xhtml.Node)
	find = func(n *xhtml.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != xhtml.ElementNode {
				continue
			}
			if c.DataAtom == atom.Tr {
				rows = append(rows, c)
			} else if c.DataAtom != atom.Table {
				find(c)
			}
		}
	}
	find(table)
	pending := map[int]map[int]int{} // row → col → gridSpan of a vMerge continuation
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
	for r, tr := range rows {
		b.WriteString("<w:tr>")
		col := 0
		cont := func(upto int) {
			for {
				cs, ok := pending[r][col]
				if !ok || (upto >= 0 && col >= upto) {
					return
				}
				fmt.Fprintf(b, `<w:tc><w:tcPr><w:gridSpan w:val="%d"/><w:vMerge/></w:tcPr><w:p/></w:tc>`, cs)
				col += cs
			}
		}
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.Type != xhtml.ElementNode || (td.DataAtom != atom.Td && td.DataAtom != atom.Th) {
				continue
			}
			cont(-1)
			rs, cs := spanAttr(td, "rowspan"), spanAttr(td, "colspan")
			b.WriteString("<w:tc><w:tcPr>")
			if cs > 1 {
				fmt.Fprintf(b, `<w:gridSpan w:val="%d"/>`, cs)
			}
			if rs > 1 {
				b.WriteString(`<w:vMerge w:val="restart"/>`)
				for rr := r + 1; rr < r+rs && rr < len(rows); rr++ {
					if pending[rr] == nil {
						pending[rr] = map[int]int{}
					}
					pending[rr][col] = cs
				}
			}
			b.WriteString("</w:tcPr>")
			var ps []string
			for c := td.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == xhtml.ElementNode && c.DataAtom == atom.P {
					ps = append(ps, nodeText(c))
				}
			}
			if len(ps) == 0 {
				ps = []string{nodeText(td)}
			}
			for _, p := range ps {
				docxPara(b, p)
			}
			b.WriteString("</w:tc>")
			col += cs
		}
		for c := col; c < col+200; c++ {
			if _, ok := pending[r][c]; ok {
				col = c
				cont(-1)
				break
			}
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
}
