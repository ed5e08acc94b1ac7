package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

func warcArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// smallArchive holds a page, its 304 revisit, a PDF and a 404.
func smallArchive(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "small.db")
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	at := time.Date(2024, 2, 1, 8, 0, 0, 0, time.UTC)
	page := "http://www.example.gov.cn/xxgk/nb/2023.html"
	h := http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Etag": {`"1"`}}
	caps := []struct {
		c    *archive.Capture
		body []byte
	}{
		{&archive.Capture{URL: page, FetchedAt: at, Status: 200, Header: h, Role: archive.RoleReport, Agency: "某区人民政府"},
			[]byte("<html><title>2023年政府信息公开工作年度报告</title></html>")},
		{&archive.Capture{URL: "http://www.example.gov.cn/a.pdf", FetchedAt: at.Add(time.Second), Status: 200,
			Header: http.Header{"Content-Type": {"application/pdf"}}, Role: archive.RoleAttachment}, []byte("%PDF-1.4 not really")},
		{&archive.Capture{URL: "http://www.example.gov.cn/gone.html", FetchedAt: at.Add(2 * time.Second), Status: 404, Error: "HTTP 404 Not Found"}, nil},
	}
	for _, c := range caps {
		if err := a.Put(c.c, c.body, ""); err != nil {
			t.Fatal(err)
		}
	}
	rev := &archive.Capture{URL: page, FetchedAt: at.Add(time.Hour), Status: 304, Header: h, Revisit: true, Digest: caps[0].c.Digest, Role: archive.RoleReport}
	if err := a.Put(rev, nil, ""); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExportImportCommands(t *testing.T) {
	db := smallArchive(t)
	dir := filepath.Join(t.TempDir(), "warc")
	code, stdout, stderr := warcArgs("export", "-db", db, "-warc", dir, "-max-size", "10MB", "-seeds", "/nonexistent/seeds.txt")
	if code != 2 || !strings.Contains(stderr, "seeds file") {
		t.Fatalf("export with a missing -seeds: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = warcArgs("export", "-db", db, "-warc", dir, "-since", "2024-02-01", "-until", "2024-02-01")
	if code != 0 || !strings.Contains(stdout, "exported 4 captures") || !strings.Contains(stdout, "1 revisits") {
		t.Fatalf("export: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "nianbao-*-00001.warc.gz"))
	if len(files) != 1 {
		t.Fatalf("WARC files %v", files)
	}
	if code, _, stderr := warcArgs("export", "-db", db, "-warc", dir); code != 2 || !strings.Contains(stderr, "already holds an export") {
		t.Fatalf("export into a used directory: exit %d, %s", code, stderr)
	}

	fresh := filepath.Join(t.TempDir(), "fresh.db")
	code, stdout, stderr = warcArgs("import", "-db", fresh, "-agency", "某区人民政府", "-warc", files[0])
	if code != 0 || !strings.Contains(stdout, "4 captures added") {
		t.Fatalf("import: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	code, stdout, _ = warcArgs("import", "-db", fresh, "-warc", files[0])
	if code != 0 || !strings.Contains(stdout, "0 captures added") || !strings.Contains(stdout, "4 already there") {
		t.Fatalf("second import: exit %d, %s", code, stdout)
	}

	bad := filepath.Join(t.TempDir(), "bad.warc.gz")
	writeBadWARC(t, bad)
	code, stdout, stderr = warcArgs("import", "-db", fresh, "-warc", files[0], bad)
	if code != 1 || !strings.Contains(stderr, "1 records skipped") || !strings.Contains(stderr, "does not match") {
		t.Fatalf("import of a bad record: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if code, _, stderr := warcArgs("import", "-db", fresh, "-warc", "/nonexistent.warc.gz"); code != 2 || !strings.Contains(stderr, "nonexistent") {
		t.Fatalf("import of a missing file: exit %d, %s", code, stderr)
	}
	if code, _, stderr := warcArgs("import", "-db", fresh); code != 2 || !strings.Contains(stderr, "-warc FILE is required") {
		t.Fatalf("import without files: exit %d, %s", code, stderr)
	}
}

// writeBadWARC writes one response record whose block digest is wrong.
func writeBadWARC(t *testing.T, path string) {
	t.Helper()
	block := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>changed</html>"
	rec := "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n" +
		"WARC-Date: 2024-03-01T00:00:00Z\r\nWARC-Target-URI: http://www.example.gov.cn/bad.html\r\n" +
		"Content-Type: application/http; msgtype=response\r\n" +
		"WARC-Block-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\nContent-Length: " + strconv.Itoa(len(block)) + "\r\n\r\n" + block + "\r\n\r\n"
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(rec))
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
