package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

func TestLookup(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	a, err := archive.Open(db, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("<html><meta charset=gbk>\xc4\xea\xb1\xa8</html>")
	t0 := time.Date(2022, 1, 26, 8, 0, 0, 0, time.UTC)
	for i, c := range []*archive.Capture{
		{URL: "http://a.gov.cn/nb/", FinalURL: "http://a.gov.cn/nb/", FetchedAt: t0, Status: 200, ContentType: "text/html", Charset: "gbk", Role: "list", Agency: "甲局", Header: http.Header{"Etag": {"x"}}},
		{URL: "http://a.gov.cn/nb/", FinalURL: "http://a.gov.cn/nb/", FetchedAt: t0.Add(time.Hour), Status: 304, Role: "list", Agency: "甲局", Revisit: true},
		{URL: "http://a.gov.cn/r.html", FetchedAt: t0.Add(2 * time.Hour), Role: "report", Agency: "甲局", Error: "timeout after 30s"},
	} {
		body := raw
		if i > 0 {
			body = nil
		}
		if i == 1 {
			c.Digest = archive.Digest(raw)
		}
		if err := a.Put(c, body, "年报"); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()

	var out, errb bytes.Buffer
	if code := run([]string{"-db", db}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), out.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "url", "final_url", "fetched_at", "status", "digest", "size", "content_type", "charset", "role", "agency", "revisit", "error"} {
		if _, ok := first[k]; !ok {
			t.Errorf("field %q missing from %s", k, lines[0])
		}
	}
	if first["fetched_at"] != "2022-01-26T08:00:00Z" || first["digest"] != archive.Digest(raw) || first["size"] != float64(len(raw)) || first["revisit"] != false {
		t.Errorf("first capture = %v", first)
	}
	var third map[string]any
	_ = json.Unmarshal([]byte(lines[2]), &third)
	if third["error"] != "timeout after 30s" || third["status"] != float64(0) {
		t.Errorf("failed capture = %v", third)
	}

	out.Reset()
	if code := run([]string{"-db", db, "-url", "http://a.gov.cn/nb/"}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 2 || !strings.Contains(strings.Split(out.String(), "\n")[1], `"revisit":true`) {
		t.Errorf("-url output:\n%s", out.String())
	}

	for _, id := range []string{"1", "2"} {
		out.Reset()
		if code := run([]string{"-db", db, "-raw", id}, &out, &errb); code != 0 || !bytes.Equal(out.Bytes(), raw) {
			t.Errorf("-raw %s = %q (exit %d), want the served bytes", id, out.Bytes(), code)
		}
	}
	out.Reset()
	if code := run([]string{"-db", db, "-text", "1"}, &out, &errb); code != 0 || out.String() != "年报" {
		t.Errorf("-text = %q", out.String())
	}
	errb.Reset()
	if code := run([]string{"-db", db, "-raw", "3"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "capture 3") {
		t.Errorf("-raw of failed capture: exit %d, %s", code, errb.String())
	}
	if code := run([]string{"-db", db, "-raw", "1", "-text", "1"}, &out, &errb); code != 1 {
		t.Errorf("two selectors: exit %d, want 1", code)
	}

	// While a writer holds the file, lookup says so instead of hanging.
	w, err := archive.Open(db, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	errb.Reset()
	if code := run([]string{"-db", db, "-wait", "100ms"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "in use") {
		t.Errorf("locked archive: exit %d, stderr %q", code, errb.String())
	}
}
