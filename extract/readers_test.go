package extract

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

func TestSniff(t *testing.T) {
	zipWith := func(names ...string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range names {
			w, _ := zw.Create(n)
			w.Write([]byte("<x/>"))
		}
		zw.Close()
		return buf.Bytes()
	}
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
	oleWord := append(append([]byte{}, ole...), utf16le("WordDocument")...)
	oleXLS := append(append([]byte{}, ole...), utf16le("Workbook")...)
	gbk, _ := os.ReadFile("testdata/html/004_dda7dad8d758c7d1.html")
	for _, tc := range []struct {
		name string
		file string
		data []byte
		want string
	}{
		{"pdf", "a.bin", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), FormatPDF},
		{"pdf after junk", "a.pdf", []byte("\r\n\r\n%PDF-1.4\n"), FormatPDF},
		{"docx by parts", "download.do", zipWith("[Content_Types].xml", "word/document.xml"), FormatDOCX},
		{"xlsx by parts", "report.docx", zipWith("[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"), FormatXLSX},
		{"zip of other", "a.zip", zipWith("a.txt"), FormatUnknown},
		{"zip other named docx", "a.docx", zipWith("a.txt"), FormatDOCX},
		{"truncated docx", "x", zipWith("word/document.xml")[:40], FormatDOCX},
		{"doc by ext", "a.doc", ole, FormatDOC},
		{"wps by ext", "a.wps", ole, FormatWPS},
		{"xls by ext", "a.xls", ole, FormatXLS},
		{"et by ext", "a.et", ole, FormatET},
		{"ole word stream", "file", oleWord, FormatDOC},
		{"ole workbook stream", "file", oleXLS, FormatXLS},
		{"ole unknown", "file", ole, FormatOLE},
		{"html doctype", "a.txt", []byte("<!DOCTYPE html><html><body>x</body></html>"), FormatHTML},
		{"html bom comment", "x", []byte("\xef\xbb\xbf  <!-- TRS -->\n<div>x</div>"), FormatHTML},
		{"html fragment", "x", []byte("报告\n<p>一</p><table><tr><td>1</td></tr></table>"), FormatHTML},
		{"html fragment by ext", "a.htm", []byte("正文<br>第二行"), FormatHTML},
		{"html starting with a script", "x", []byte("<script>" + strings.Repeat("var a=1;", 2000) + "</script><div>正文</div>"), FormatHTML},
		{"markdown with br", "a.md", []byte("| 规章 | 0<br>1 |\n|---|---|\n"), FormatText},
		{"gbk html", "a", gbk, FormatHTML},
		{"text", "a.html", []byte("一、总体情况\n\t规章\t0\n"), FormatText},
		{"markdown", "a.md", []byte("# 标题\n| a | b |\n|---|---|\n"), FormatText},
		{"gbk text", "a", []byte("\xd2\xbb\xa1\xa2\xd7\xdc\xcc\xe5\xc7\xe9\xbf\xf6\n"), FormatText},
		{"png", "a.html", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), FormatUnknown},
		{"gzip", "a", []byte{0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0}, FormatUnknown},
		{"empty", "a.txt", nil, FormatUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sniff(tc.file, tc.data); got != tc.want {
				t.Errorf("Sniff(%q) = %q, want %q", tc.file, got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...)
	for _, tc := range []struct {
		name string
		data []byte
		want []string
		is   error
	}{
		// Legacy binary files are read (legacy_test.go); a compound-file
		// signature over zeros is a corrupt container, named as such.
		{"a.doc", ole, []string{"a.doc", "as doc", "corrupt compound file"}, errCorruptOLE},
		{"a.wps", ole, []string{"a.wps", "as wps", "corrupt compound file"}, errCorruptOLE},
		{"a.xls", ole, []string{"a.xls", "as xls", "corrupt compound file"}, errCorruptOLE},
		{"a.et", ole, []string{"a.et", "as et", "corrupt compound file"}, errCorruptOLE},
		{"download", ole, []string{"download", "as ole", "unsupported format", "corrupt compound file"}, ErrUnsupportedFormat},
		{"img.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), byte2s("img.png", "not HTML, text, DOCX, PDF or XLSX"), ErrUnsupportedFormat},
		{"empty.html", nil, []string{"empty.html", "empty file"}, nil},
		{"news.html", []byte("<html><body><h1>新闻</h1><p>今天天气很好。</p></body></html>"), []string{"news.html", "(html)"}, ErrNotReport},
		{"bad.docx", []byte("PK\x03\x04\x14\x00garbage"), []string{"bad.docx", "docx"}, nil},
		{"bad.pdf", []byte("%PDF-1.4\ngarbage"), []string{"bad.pdf", "Go reader"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse(tc.name, tc.data, Options{})
			if err == nil {
				t.Fatalf("no error, report %+v", r)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
		})
	}
}

func byte2s(s ...string) []string { return s }

// TestParseText: text and markdown go through ReadText; Source.File is
// set from the name unless the caller set it.
func TestParseText(t *testing.T) {
	data, err := os.ReadFile("testdata/text/004_dda7dad8d758c7d1.txt")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse("004.txt", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	compareCells(t, r, loadGolden(t, "004_dda7dad8d758c7d1"))
	if r.Source.File != "004.txt" {
		t.Errorf("file = %q", r.Source.File)
	}
	r, err = Parse("004.txt", data, Options{Source: report.Source{File: "kept", URL: "http://x/"}})
	if err != nil || r.Source.File != "kept" || r.Source.URL != "http://x/" {
		t.Errorf("source = %+v, %v", r.Source, err)
	}
}

// minimalPDF writes a one-page PDF showing text in Helvetica (no Chinese).
func minimalPDF(text string) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>")
	stream := fmt.Sprintf("BT /F1 12 Tf 72 700 Td (%s) Tj ET", text)
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

func TestReadPDFFallback(t *testing.T) {
	latin := minimalPDF("Annual report 2021")
	text, err := pdfTextGo(latin)
	if err != nil || !strings.Contains(text, "Annual report 2021") {
		t.Fatalf("Go reader on a simple PDF: %q %v", text, err)
	}
	t.Run("no Chinese, no pdftotext", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, err := ReadPDF(latin)
		if err == nil || !strings.Contains(err.Error(), "little Chinese") || !strings.Contains(err.Error(), "poppler-utils poppler-data") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no Chinese in either reader", func(t *testing.T) {
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext not installed")
		}
		_, err := ReadPDF(latin)
		if err == nil || !strings.Contains(err.Error(), "Go reader") || !strings.Contains(err.Error(), "pdftotext") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fallback plumbing", func(t *testing.T) {
		// A stand-in pdftotext that checks its arguments and prints a real
		// pdftotext -layout rendering: the Go reader's text (no Chinese) is
		// rejected, the fallback's is parsed.
		txt, err := filepath.Abs("testdata/corpus/003_hongze_2023.txt")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		script := "#!/bin/sh\n[ \"$1\" = -layout ] && [ \"$2\" = -enc ] && [ \"$3\" = UTF-8 ] && [ -s \"$4\" ] && [ \"$5\" = - ] || exit 9\ncat '" + txt + "'\n"
		if err := os.WriteFile(filepath.Join(dir, "pdftotext"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		doc, err := ReadPDF(latin)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Meta["reader"] != "pdftotext" || !strings.Contains(doc.Meta["reader_note"], "little Chinese") {
			t.Errorf("meta = %v", doc.Meta)
		}
		r, err := Parse("scan.pdf", latin, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkExpected(t, r, loadExpected(t, "testdata/corpus/003_hongze_2023.expected.json"))
		if !strings.Contains(strings.Join(r.Warnings, "\n"), "pdftotext") {
			t.Errorf("no warning names the fallback reader: %v", r.Warnings)
		}
	})
}
