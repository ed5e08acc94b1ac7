package decode

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

func TestBinary(t *testing.T) {
	utf16, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("<p>年报</p>"))
	for _, tc := range []struct {
		name   string
		body   []byte
		binary bool
	}{
		{"html with NUL", []byte("<!DOCTYPE html>\x00<html><body>x</body></html>"), false},
		{"meta first, NUL later", []byte("<meta charset=gbk>\x00\x01<p>x"), false},
		{"UTF-16BE BOM", utf16, false},
		{"UTF-8 BOM", []byte("\xEF\xBB\xBF\x01<p>x"), false},
		{"gbk text", []byte("\xd2\xbb\xa1\xa2\xd7\xdc\xcc\xe5\xc7\xe9\xbf\xf6\n"), false},
		{"plain text", []byte("一、总体情况\n二、主动公开\f第 2 页"), false},
		{"empty", nil, false},
		{"NULs", append([]byte{0, 0, 0, 1, 0x7f}, bytes.Repeat([]byte{0}, 500)...), true},
		{"PDF", []byte("%PDF-1.4\n\x00\x01\x02"), true},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), true},
		{"gzip", []byte{0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0}, true},
		{"control bytes", []byte("abc\x01\x02def"), true},
	} {
		if got := Binary(tc.body); got != tc.binary {
			t.Errorf("%s: Binary = %v (sniffed %s)", tc.name, got, MediaType(tc.body))
		}
	}
}

func TestMediaType(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "application/pdf"},
		{"html", []byte("<!DOCTYPE html><html><body>x</body></html>"), "text/html"},
		{"text", []byte("一、总体情况\n"), "text/plain"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"nothing", []byte{0, 1, 2, 3}, "application/octet-stream"},
	} {
		if got := MediaType(tc.data); got != tc.want {
			t.Errorf("%s: MediaType = %q, want %q", tc.name, got, tc.want)
		}
	}
}
