package extract

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestReadFileRegistry: the entry point picks the registered Reader by
// the sniffed format (an OLE file's by the Content-Type it was served
// with), and refuses formats without one.
func TestReadFileRegistry(t *testing.T) {
	html, err := os.ReadFile("testdata/html/000_058c891ac62dd96d.html")
	if err != nil {
		t.Fatal(err)
	}
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
	for _, tc := range []struct {
		name, file, ct string
		data           []byte
		format         string
		reader         string // doc.Meta["reader"] when read
		err            string
	}{
		{"html", "a.html", "", html, FormatHTML, "html", ""},
		{"text", "a.txt", "", []byte("一、总体情况\n"), FormatText, "", ""},
		{"ole served as msword", "download.do", "application/msword", ole, FormatDOC, "", "read download.do as doc: read doc: corrupt compound file"},
		{"ole served as ms-excel", "download.do", "application/vnd.ms-excel; charset=binary", ole, FormatXLS, "", "read download.do as xls: read xls: corrupt compound file"},
		{"ole unnamed", "download.do", "application/octet-stream", ole, FormatOLE, "", "read download.do as ole: read ole: unsupported format: corrupt compound file"},
		{"png", "a.png", "", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), FormatUnknown, "", "not HTML, text, DOCX, PDF or XLSX"},
		{"empty", "a.txt", "", nil, FormatUnknown, "", "empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, format, err := ReadFile(context.Background(), tc.file, tc.data, tc.ct)
			if format != tc.format {
				t.Errorf("format = %q, want %q", format, tc.format)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.file) {
					t.Fatalf("err = %v, want %q naming %s", err, tc.err, tc.file)
				}
				if tc.format == FormatUnknown && len(tc.data) > 0 {
					if !errors.Is(err, ErrUnsupportedFormat) {
						t.Errorf("err = %v, not ErrUnsupportedFormat", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Meta["reader"] != tc.reader || len(doc.Blocks) == 0 {
				t.Errorf("reader %q, %d blocks", doc.Meta["reader"], len(doc.Blocks))
			}
		})
	}
}

// TestReadersCoverFormats: every format Sniff names has a Reader.
func TestReadersCoverFormats(t *testing.T) {
	for _, f := range []string{FormatHTML, FormatText, FormatDOCX, FormatPDF, FormatXLSX, FormatDOC, FormatWPS, FormatOLE, FormatXLS, FormatET} {
		if _, ok := readers[f]; !ok {
			t.Errorf("%s: no reader", f)
		}
	}
}
