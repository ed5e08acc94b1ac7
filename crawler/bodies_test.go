package crawler

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding/unicode"

	"github.com/nianbao/nianbao/archive"
)

// encode compresses b with a content coding the way servers do.
func encode(t *testing.T, coding string, b []byte) []byte {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw-deflate":
		w, _ = flate.NewWriter(&buf, flate.BestSpeed)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		w, _ = zstd.NewWriter(&buf)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// TestBodiesAsBrowsersRead serves a column whose pages come gzip,
// deflate (zlib and raw), br and zstd coded without being asked, with a
// NUL byte in the first KB, as UTF-16LE with a BOM and UTF-8 with a BOM.
// Each page's links are followed and its text read, and the archive holds
// the bytes exactly as received (gzip, which the crawler asks for, decoded
// by the transport as before).
func TestBodiesAsBrowsersRead(t *testing.T) {
	s := newWebSite()
	served := map[string][]byte{}
	serve := func(path, coding, ct string, body []byte) {
		wire := body
		header := coding
		if coding != "" {
			wire = encode(t, coding, body)
			if coding == "raw-deflate" {
				header = "deflate"
			}
		}
		served[path] = wire
		if coding == "gzip" {
			// asked for by the transport, which undoes it: archived
			// decoded, as it always was
			served[path] = body
		}
		s.handle(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			if header != "" {
				w.Header().Set("Content-Encoding", header)
			}
			w.Write(wire)
		})
	}
	report := func(year string) []byte {
		return []byte(`<html><head><title>测试局` + year + `年政府信息公开工作年度报告</title></head><body><h1>测试局` + year + `年政府信息公开工作年度报告</h1><p>一、总体情况</p></body></html>`)
	}
	var home strings.Builder
	home.WriteString(`<html><head><title>测试局</title></head><body>`)
	pages := []struct{ path, coding, ct, year string }{
		{"/gzip/", "gzip", "text/html; charset=utf-8", "2016"},
		{"/deflate/", "deflate", "text/html; charset=utf-8", "2017"},
		{"/raw-deflate/", "raw-deflate", "text/html; charset=utf-8", "2018"},
		{"/br/", "br", "text/html; charset=utf-8", "2019"},
		{"/zstd/", "zstd", "text/html; charset=utf-8", "2020"},
		{"/nul/", "", "text/html", "2021"},
		{"/utf16/", "", "text/html", "2022"},
		{"/bom8/", "", "text/html; charset=gbk", "2023"},
	}
	for _, p := range pages {
		home.WriteString(`<a href="` + p.path + `">` + p.path + `栏目</a> `)
		col := []byte(`<html><head><title>政府信息公开年报</title></head><body><a href="` + p.path + `nb.html">` + p.year + `年政府信息公开工作年度报告</a></body></html>`)
		switch p.path {
		case "/nul/":
			col = append([]byte("<!DOCTYPE html>\x00"), col...)
		case "/utf16/":
			col, _ = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(col)
		case "/bom8/":
			col = append([]byte("\xEF\xBB\xBF"), col...)
		}
		serve(p.path, p.coding, p.ct, col)
		serve(p.path+"nb.html", p.coding, "text/html; charset=utf-8", report(p.year))
	}
	home.WriteString(`</body></html>`)
	serve("/", "br", "text/html; charset=utf-8", []byte(home.String()))
	srv := httptest.NewServer(s)
	defer srv.Close()
	a, sum := crawlOnce(t, quickConfig(), agency(srv.URL+"/", "测试局"))
	if sum.Errors != 0 {
		t.Errorf("errors: %v", sum.Hosts[0].Reasons)
	}
	for path, wire := range served {
		caps, _ := a.ByURL(srv.URL + path)
		if len(caps) != 1 || caps[0].Error != "" {
			t.Errorf("%s: %+v", path, caps)
			continue
		}
		if got, _ := a.Body(caps[0].ID); !bytes.Equal(got, wire) {
			t.Errorf("%s: archived bytes are not the bytes received", path)
		}
		if strings.HasSuffix(path, "nb.html") {
			if caps[0].Role != archive.RoleReport {
				t.Errorf("%s: role %s", path, caps[0].Role)
			}
			if txt, _ := a.Text(caps[0].ID); !strings.Contains(txt, "一、总体情况") {
				t.Errorf("%s: text %q", path, txt)
			}
		}
	}
}

// TestSniffBinary: a NUL byte or a BOM does not make an HTML page
// binary; random bytes and control-laden payloads stay binary.
func TestSniffBinary(t *testing.T) {
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
		{"NULs", append([]byte{0, 0, 0, 1, 0x7f}, bytes.Repeat([]byte{0}, 500)...), true},
		{"PDF", []byte("%PDF-1.4\n\x00\x01\x02"), true},
		{"plain text", []byte("一、总体情况\n二、主动公开"), false},
	} {
		if got := isBinary(tc.body); got != tc.binary {
			t.Errorf("%s: isBinary = %v", tc.name, got)
		}
	}
}

// TestDecodeContentCapped: a coded body decodes up to the cap only.
func TestDecodeContentCapped(t *testing.T) {
	zeros := make([]byte, 1<<20)
	for _, c := range []string{"gzip", "deflate", "br", "zstd"} {
		out, truncated, err := decodeContent(encode(t, c, zeros), c, 4096)
		if err != nil || !truncated || len(out) != 4096 {
			t.Errorf("%s: %d bytes, truncated %v, %v", c, len(out), truncated, err)
		}
	}
	if _, _, err := decodeContent([]byte("x"), "compress", 10); err == nil {
		t.Error("unknown coding accepted")
	}
	out, _, err := decodeContent(encode(t, "br", encode(t, "gzip", []byte("twice"))), "gzip, br", 100)
	if err != nil || string(out) != "twice" {
		t.Errorf("stacked codings: %q %v", out, err)
	}
}
