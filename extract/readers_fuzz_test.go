package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smallHTMLSeeds are short pages exercising the HTML reader's branches.
var smallHTMLSeeds = []string{
	`<html><head><meta charset="gbk"><title>某局2021年度报告</title><meta name="PubDate" content="2022-01-20"></head><body><div id="zoom"><p>一、总体情况</p><table><tr><td rowspan=2 colspan=2>a</td><td>1</td></tr><tr><td>2</td></tr></table></div></body></html>`,
	`<table><tr><td><table><tr><td rowspan=3>x</td></tr></table></td><td colspan=0>y</td></tr></table>`,
	`<div class="TRS_Editor"><p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>&nbsp;</td><td>１</td></tr></table></div><div class=info>发布时间：2022-01-01</div>`,
	`<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><h1>报告</h1><p>\xd2\xbb\xa1\xa2</p>`,
}

// checkDoc asserts what every reader promises of a Document.
func checkDoc(t *testing.T, doc *Document) {
	t.Helper()
	if doc == nil {
		t.Fatal("nil document without error")
	}
	for i, b := range doc.Blocks {
		if b.Table == nil {
			continue
		}
		w := len(b.Table[0])
		for _, row := range b.Table {
			if len(row) != w {
				t.Fatalf("block %d: ragged grid (%d and %d cells)", i, w, len(row))
			}
			if len(row) > maxGridWidth {
				t.Fatalf("block %d: %d columns", i, len(row))
			}
		}
	}
}

func addFileSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadHTML: ReadHTML never panics and returns rectangular grids.
func FuzzReadHTML(f *testing.F) {
	// The fixture pages are 60-70 KB: the fuzzer works on their first
	// table instead (large seeds make it crawl).
	files, _ := filepath.Glob("testdata/html/*.html")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(htmlExcerpt(b))
	}
	for _, s := range smallHTMLSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := ReadHTML(b, "")
		if err != nil {
			return
		}
		checkDoc(t, doc)
		sameAsUnstripped(t, b, doc)
		if _, err := ParseDocument(doc, Options{}); err != nil {
			return
		}
	})
}

// fuzzDOCXSeeds builds small Word documents (one with the seed 004
// tables).
func fuzzDOCXSeeds(f *testing.F) [][]byte {
	out := [][]byte{buildDOCX(f, docxBody([]fxItem{{text: "标题", bold: true}, {table: fxTable{
		{c("A", 2, 1), c("B", 1, 2)},
		{c("1", 1, 1), c("2", 1, 1)},
	}}}), "T")}
	seed, err := os.ReadFile("testdata/text/004_dda7dad8d758c7d1.txt")
	if err != nil {
		f.Fatal(err)
	}
	want := loadGolden(f, "004_dda7dad8d758c7d1")
	items := fixtureDoc(string(seed), want, true)
	out = append(out, buildDOCXParts(f, numberedPara("总体情况", 1, 0)+numberedPara("说明", 1, 1)+numberedPara("属于国家秘密", 2, 0), "T",
		map[string]string{"word/numbering.xml": testNumbering}))
	return append(out, buildDOCX(f, docxBody(items[len(items)-8:]), want.Title))
}

// FuzzReadDOCX: ReadDOCX never panics on any bytes.
func FuzzReadDOCX(f *testing.F) {
	for _, b := range fuzzDOCXSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := ReadDOCX(b)
		if err != nil {
			return
		}
		checkDoc(t, doc)
		_, _ = ParseDocument(doc, Options{})
	})
}

// FuzzParse: Sniff and the dispatch to every reader never panic (parse is
// Parse without its last-resort recover), and a report always marshals.
func FuzzParse(f *testing.F) {
	f.Setenv("PATH", f.TempDir()) // no pdftotext: the fuzzer tests our code, not poppler
	for _, s := range smallHTMLSeeds {
		f.Add("a.html", []byte(s))
	}
	for _, b := range fuzzDOCXSeeds(f) {
		f.Add("a.docx", b)
	}
	f.Add("a.xlsx", buildXLSX(f, []fxItem{{text: "某局2021年度政府信息公开工作年度报告", bold: true}, {table: fxTable{{c("规章", 1, 2), c("3", 1, 1)}}}}, "T"))
	f.Add("a.pdf", minimalPDF("Annual report 2021"))
	f.Add("a.mht", []byte("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=\"gb2312\"\r\n\r\n<p>=D2=BB=A1=A2</p><table><tr><td rowspan=3D2>x</td></tr></table>\r\n--b--\r\n"))
	f.Add("a.doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 64)...))
	f.Add("a.txt", []byte("一、本年新收政府信息公开申请数量\t１\t—\t无\t/\t\t1,000\t¥2万元\n"))
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		Sniff(name, b)
		r, err := parse(name, b, Options{})
		if err != nil {
			return
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}

// htmlExcerpt cuts a fixture page to its head and first table (a few KB).
func htmlExcerpt(b []byte) []byte {
	s := string(b)
	head := s
	if i := strings.Index(s, "</head>"); i > 0 {
		head = s[:i+len("</head>")]
	}
	i := strings.Index(s, "<table class=\"MsoNormalTable\"")
	j := strings.Index(s, "</table>")
	if i < 0 || j < i {
		return []byte(head)
	}
	return []byte(head + "<body><div id=\"zoom\">" + s[i:j+len("</table>")] + "</div></body></html>")
}

// FuzzReadPDF: the Go PDF reader never panics or hangs on any bytes (the
// library's panics are turned into errors).
func FuzzReadPDF(f *testing.F) {
	f.Setenv("PATH", f.TempDir()) // no pdftotext
	f.Add(minimalPDF("Annual report 2021"))
	f.Add(minimalPDF("(x) Tj 1 0 0 1 50 50 Tm (y)"))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := ReadPDF(b)
		if err == nil {
			checkDoc(t, doc)
		}
	})
}
