package warc_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/warc"
)

// TestWorkerAndRunFilters: a capture's worker goes through export and
// import (Nianbao-Worker); ExportOptions.RunID exports one run's
// captures; ImportOptions.Worker overrides the field and Allow keeps
// records out.
func TestWorkerAndRunFilters(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src.db")
	a := openArchive(t, src)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		url, run, worker string
	}{
		{"http://a.example.gov.cn/", "7", "w1"},
		{"http://a.example.gov.cn/x.html", "7", ""},
		{"http://b.example.gov.cn/", "7", "w2"},
		{"http://a.example.gov.cn/old.html", "base", "w0"},
	} {
		h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
		capt := &archive.Capture{URL: c.url, FinalURL: c.url, FetchedAt: at, Status: 200, Header: h,
			ContentType: h.Get("Content-Type"), RunID: c.run, Worker: c.worker}
		if err := a.Put(capt, []byte("<html><body>"+c.url+"</body></html>"), c.url); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	sum, dir := export(t, src, warc.ExportOptions{RunID: "7"})
	if sum.Captures != 3 {
		t.Fatalf("exported %d captures of run 7, want 3", sum.Captures)
	}
	cases := []struct {
		name string
		opts warc.ImportOptions
		want map[string]string // URL → worker of its capture
	}{
		{"as recorded", warc.ImportOptions{}, map[string]string{
			"http://a.example.gov.cn/": "w1", "http://a.example.gov.cn/x.html": "", "http://b.example.gov.cn/": "w2"}},
		{"uploader named, one site admitted", warc.ImportOptions{Worker: "up",
			Allow: func(u string) bool { return strings.HasPrefix(u, "http://a.") }}, map[string]string{
			"http://a.example.gov.cn/": "up", "http://a.example.gov.cn/x.html": "up"}},
	}
	for _, c := range cases {
		dst := openArchive(t, filepath.Join(t.TempDir(), "dst.db"))
		is, err := warc.Import(context.Background(), dst, warcFiles(t, dir), c.opts)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		err = dst.View(func(r *archive.Reader) error {
			return r.Each(func(cp *archive.Capture) error {
				got[cp.URL] = cp.Worker
				return nil
			})
		})
		dst.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: captures %v, want %v (skipped %v)", c.name, got, c.want, is.Skipped)
		}
		for u, w := range c.want {
			if g, ok := got[u]; !ok || g != w {
				t.Errorf("%s: %s: worker %q (present %v), want %q", c.name, u, g, ok, w)
			}
		}
		if c.opts.Allow != nil && len(is.Skipped) != 1 {
			t.Errorf("%s: skipped %v, want the one record outside", c.name, is.Skipped)
		}
	}
}
