package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// xmlText escapes s for an XML text node.
func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// docxBody writes fixture items as WordprocessingML: spans become
// w:gridSpan and w:vMerge restart/continue cells, as Word saves them.
func docxBody(items []fxItem) string {
	var b strings.Builder
	para := func(text string, bold bool) {
		b.WriteString("<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>")
		// Word splits text into runs at formatting changes: split in two.
		rs := []rune(text)
		for _, part := range []string{string(rs[:len(rs)/2]), string(rs[len(rs)/2:])} {
			if part == "" {
				continue
			}
			b.WriteString("<w:r>")
			if bold {
				b.WriteString("<w:rPr><w:b/></w:rPr>")
			}
			fmt.Fprintf(&b, "<w:t xml:space=\"preserve\">%s</w:t></w:r>", xmlText(part))
		}
		b.WriteString("</w:p>")
	}
	for _, it := range items {
		if it.table == nil {
			para(it.text, it.bold)
			continue
		}
		b.WriteString("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid/>")
		type pend struct{ rows, cs int }
		pending := map[int]pend{} // grid column → a vMerge still covering rows below
		for _, row := range it.table {
			b.WriteString("<w:tr>")
			col := 0
			cont := func() {
				for {
					p, ok := pending[col]
					if !ok {
						return
					}
					fmt.Fprintf(&b, "<w:tc><w:tcPr><w:gridSpan w:val=\"%d\"/><w:vMerge/></w:tcPr><w:p/></w:tc>", p.cs)
					if p.rows--; p.rows == 0 {
						delete(pending, col)
					} else {
						pending[col] = p
					}
					col += p.cs
				}
			}
			for _, cl := range row {
				cont()
				b.WriteString("<w:tc><w:tcPr>")
				if cl.cs > 1 {
					fmt.Fprintf(&b, "<w:gridSpan w:val=\"%d\"/>", cl.cs)
				}
				if cl.rs > 1 {
					b.WriteString("<w:vMerge w:val=\"restart\"/>")
					pending[col] = pend{cl.rs - 1, cl.cs}
				}
				b.WriteString("</w:tcPr>")
				if cl.text == "" {
					b.WriteString("<w:p/>")
				} else {
					para(cl.text, false)
				}
				b.WriteString("</w:tc>")
				col += cl.cs
			}
			cont()
			b.WriteString("</w:tr>")
		}
		b.WriteString("</w:tbl>")
	}
	return b.String()
}

// buildDOCX packs a minimal valid .docx with the given body XML and title.
func buildDOCX(t testing.TB, body, title string) []byte {
	t.Helper()
	return buildDOCXParts(t, body, title, nil)
}

// buildDOCXParts is buildDOCX with more archive members (numbering.xml…).
func buildDOCXParts(t testing.TB, body, title string, extra map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `<w:sectPr/></w:body></w:document>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` + xmlText(title) + `</dc:title><dc:creator>admin</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2022-01-10T08:00:00Z</dcterms:created></cp:coreProperties>`},
	}
	for name, data := range extra {
		files = append(files, struct{ name, data string }{name, data})
	}
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDOCXSeeds writes each seed as a Word document (official table layout
// with gridSpan/vMerge, Table 3 split in two for some) and expects every
// cell of the golden files through Parse.
func TestDOCXSeeds(t *testing.T) {
	for name, st := range htmlStyles {
		t.Run(name, func(t *testing.T) {
			seed, err := os.ReadFile(filepath.Join("testdata", "text", name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			want := loadGolden(t, name)
			data := buildDOCX(t, docxBody(fixtureDoc(string(seed), want, st.split)), want.Title)
			if got := Sniff("attachment.bin", data); got != FormatDOCX {
				t.Fatalf("Sniff = %q, want docx", got)
			}
			r, err := Parse(name+".docx", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			compareCells(t, r, want)
			// the file's creation date is not a publication date
			if fmt.Sprint(deref(r.Published)) != fmt.Sprint(deref(want.Published)) {
				t.Errorf("published = %v, want %v", deref(r.Published), deref(want.Published))
			}
		})
	}
}

// TestReadDOCXGrid checks span expansion on a small table.
func TestReadDOCXGrid(t *testing.T) {
	items := []fxItem{{text: "标题", bold: true}, {table: fxTable{
		{c("A", 2, 1), c("B", 1, 2)},
		{c("b1", 1, 1), c("b2", 1, 1)},
		{c("x", 1, 1), c("y", 1, 1), c("z", 1, 1)},
	}}}
	doc, err := ReadDOCX(buildDOCX(t, docxBody(items), "T"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "T" || doc.Meta["reader"] != "docx" || doc.Meta["docx.created"] == "" {
		t.Errorf("title/meta: %q %v", doc.Title, doc.Meta)
	}
	if len(doc.Blocks) != 2 || doc.Blocks[0].Text != "标题" {
		t.Fatalf("blocks: %+v", doc.Blocks)
	}
	want := [][]Cell{
		{{"A", false}, {"B", false}, {"B", true}},
		{{"A", true}, {"b1", false}, {"b2", false}},
		{{"x", false}, {"y", false}, {"z", false}},
	}
	if fmt.Sprint(doc.Blocks[1].Table) != fmt.Sprint(want) {
		t.Errorf("grid\ngot  %v\nwant %v", doc.Blocks[1].Table, want)
	}
}

func TestReadDOCXErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not zip", []byte("PK\x03\x04garbage"), "open archive"},
		{"no document", func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("word/styles.xml")
			w.Write([]byte("<x/>"))
			zw.Close()
			return buf.Bytes()
		}(), "word/document.xml: missing"},
		{"bomb", func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("word/document.xml")
			w.Write([]byte("<w:document><w:body><w:p><w:r><w:t>"))
			chunk := bytes.Repeat([]byte("a"), 1<<20)
			for range 65 {
				w.Write(chunk)
			}
			zw.Close()
			return buf.Bytes()
		}(), "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadDOCX(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if tc.name == "no document" && !errors.Is(err, errNoPart) {
				t.Errorf("not errNoPart: %v", err)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

const testNumbering = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>`

func numberedPara(text string, numID, lvl int) string {
	return fmt.Sprintf(`<w:p><w:pPr><w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%d"/></w:numPr></w:pPr><w:r><w:t>%s</w:t></w:r></w:p>`, lvl, numID, xmlText(text))
}

// TestReadDOCXNumbering: Word list numbers (一、 （一） 1.) are not in the
// text runs; the reader writes them from numbering.xml.
func TestReadDOCXNumbering(t *testing.T) {
	body := numberedPara("总体情况", 1, 0) + numberedPara("主动公开", 1, 1) + numberedPara("依申请公开", 1, 1) +
		numberedPara("主动公开政府信息情况", 1, 0) + numberedPara("说明", 1, 1) + numberedPara("属于国家秘密", 2, 0) +
		numberedPara("其他法律行政法规禁止公开", 2, 0) + numberedPara("", 1, 0) + `<w:p><w:r><w:t>正文</w:t></w:r></w:p>`
	doc, err := ReadDOCX(buildDOCXParts(t, body, "T", map[string]string{"word/numbering.xml": testNumbering}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range doc.Blocks {
		got = append(got, b.Text)
	}
	want := []string{"一、总体情况", "（一）主动公开", "（二）依申请公开", "二、主动公开政府信息情况", "（一）说明", "1.属于国家秘密", "2.其他法律行政法规禁止公开", "正文"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("blocks\ngot  %q\nwant %q", got, want)
	}
}

// TestDOCXNumberedHeadings: seed 000 with its part headings as a Word
// list (the numbers only in numbering.xml) parses to the golden cells and
// keeps its sections.
func TestDOCXNumberedHeadings(t *testing.T) {
	name := "000_058c891ac62dd96d"
	seed, err := os.ReadFile(filepath.Join("testdata", "text", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := loadGolden(t, name)
	var b strings.Builder
	converted := 0
	for _, it := range fixtureDoc(string(seed), want, true) {
		rs := []rune(it.text)
		if len(rs) > 2 && len(rs) <= 24 && strings.ContainsRune("一二三四五六七", rs[0]) && rs[1] == '、' {
			b.WriteString(numberedPara(string(rs[2:]), 1, 0))
			converted++
			continue
		}
		b.WriteString(docxBody([]fxItem{it}))
	}
	if converted != 6 {
		t.Fatalf("%d headings made a list, want 6", converted)
	}
	r, err := Parse(name+".docx", buildDOCXParts(t, b.String(), want.Title, map[string]string{"word/numbering.xml": testNumbering}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	compareCells(t, r, want)
	if r.Sections.Problems != want.Sections.Problems || r.Sections.Other != want.Sections.Other {
		t.Errorf("sections differ:\nproblems %q\nwant     %q\nother %q\nwant  %q", firstRunes(r.Sections.Problems, 30), firstRunes(want.Sections.Problems, 30), r.Sections.Other, want.Sections.Other)
	}
}
