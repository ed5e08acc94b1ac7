package extract

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"strings"

	"github.com/nianbao/nianbao/decode"
)

// Format names returned by Sniff.
const (
	FormatHTML    = "html"
	FormatText    = "text"
	FormatDOCX    = "docx"
	FormatPDF     = "pdf"
	FormatXLSX    = "xlsx"
	FormatXLS     = "xls"
	FormatET      = "et"
	FormatDOC     = "doc"
	FormatWPS     = "wps"
	FormatOLE     = "ole"
	FormatUnknown = "unknown"
)

var (
	magicPDF = []byte("%PDF-")
	magicZip = []byte("PK\x03\x04")
	magicOLE = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Sniff names the format of data by its content: "html" (also for MHTML
// web archives, which ReadHTML unwraps), "text", "docx",
// "pdf", "xlsx", the legacy binary formats "doc", "wps", "xls", "et" (an
// OLE compound file; "ole" when neither the name nor the content says which
// program wrote it), or "unknown". The file name's extension is used only
// as a tie-break where the content allows more than one answer. What is
// binary, and an OLE file's program by its class ID, is WHATWG-style
// sniffing (decode.Binary, decode.MediaType: gabriel-vasile/mimetype); the
// signatures checked first are the field-proven ones the library misses (a
// PDF after junk bytes, a truncated OOXML package, a template fragment).
func Sniff(name string, data []byte) string {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	switch {
	case bytes.Contains(head, magicPDF):
		return FormatPDF
	case bytes.HasPrefix(data, magicZip):
		return sniffZip(ext, data)
	case bytes.HasPrefix(data, magicOLE):
		return sniffOLE(ext, data)
	}
	if decode.Binary(data) {
		return FormatUnknown
	}
	if isMHTML(data) {
		return FormatHTML // a web archive; ReadHTML unwraps it
	}
	if looksHTML(data, ext) {
		return FormatHTML
	}
	if looksText(data) {
		return FormatText
	}
	return FormatUnknown
}

// sniffZip tells a Word from an Excel OOXML package by its part names.
func sniffZip(ext string, data []byte) string {
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		word, xl := false, false
		for _, f := range zr.File {
			switch {
			case f.Name == "word/document.xml" || strings.HasPrefix(f.Name, "word/"):
				word = true
			case f.Name == "xl/workbook.xml" || strings.HasPrefix(f.Name, "xl/"):
				xl = true
			}
		}
		switch {
		case word && !xl:
			return FormatDOCX
		case xl && !word:
			return FormatXLSX
		}
	} else {
		// A truncated archive has no central directory: read the local
		// file headers' names instead.
		word := bytes.Contains(data, []byte("word/"))
		xl := bytes.Contains(data, []byte("xl/"))
		switch {
		case word && !xl:
			return FormatDOCX
		case xl && !word:
			return FormatXLSX
		}
	}
	switch ext {
	case "docx", "docm", "dotx":
		return FormatDOCX
	case "xlsx", "xlsm":
		return FormatXLSX
	}
	return FormatUnknown
}

// sniffOLE names an OLE compound file (legacy Word, Excel, WPS, ET).
func sniffOLE(ext string, data []byte) string {
	switch ext {
	case "doc", "dot":
		return FormatDOC
	case "wps", "wpt":
		return FormatWPS
	case "xls", "xlt":
		return FormatXLS
	case "et", "ett":
		return FormatET
	}
	// the root entry's class ID, as libmagic and mimetype read it
	switch decode.MediaType(data) {
	case "application/msword":
		return FormatDOC
	case "application/vnd.ms-excel":
		return FormatXLS
	}
	switch {
	case bytes.Contains(data, utf16le("WordDocument")):
		return FormatDOC
	case bytes.Contains(data, utf16le("Workbook")), bytes.Contains(data, utf16le("Book")):
		return FormatXLS
	}
	return FormatOLE
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// htmlMarks are tags whose presence near the start makes a document HTML.
var htmlMarks = []string{"<!doctype html", "<html", "<head", "<body", "<meta ", "<title", "<table", "<div", "<p>", "<p ", "<br", "<script", "<style", "<span", "<td", "<tr", "<h1", "<h2", "<a href"}

// looksHTML sniffs markup: a document starting with a tag or comment, or
// with HTML tags in its first few kilobytes.
func looksHTML(data []byte, ext string) bool {
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	lower := asciiLower(bytes.TrimLeft(head, " \t\r\n\f"))
	for _, m := range []string{"<!doctype html", "<html", "<head", "<body", "<!--", "<?xml", "<script", "<meta", "<link", "<style", "<title", "<div", "<table", "<p>", "<p ", "<center", "<form", "<iframe"} {
		if bytes.HasPrefix(lower, []byte(m)) {
			if m == "<?xml" && !bytes.Contains(lower, []byte("<html")) {
				continue
			}
			return true
		}
	}
	n := 0
	for _, m := range htmlMarks {
		if bytes.Contains(lower, []byte(m)) {
			n++
		}
	}
	switch {
	case n >= 3:
		return true
	case n >= 1 && (ext == "html" || ext == "htm" || ext == "shtml" || ext == "xhtml" || ext == "jsp" || ext == "asp" || ext == "aspx" || ext == "php"):
		return true
	}
	return false
}

// looksText reports text decode.Text reads (UTF-8 or GB18030), judged
// on the first 8 KB.
func looksText(data []byte) bool {
	if len(data) > 8192 {
		data = data[:8192]
	}
	return decode.IsText(data)
}

// asciiLower returns a copy of b with ASCII letters lowered and every
// other byte (UTF-8 or GBK alike) left as it is; bytes.ToLower decodes
// runes and is slow on the non-UTF-8 pages sniffing sees.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
