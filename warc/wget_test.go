package warc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extractrun"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

// corpus is the shared corpus of real reports.
const corpus = "../../shared/corpus"

// reportSite serves a small government site on 127.0.0.1: a home page, a
// report column, a 2023 report as an HTML page (the text of a real one)
// and a 2024 report as a real PDF attachment of its page.
func reportSite(t *testing.T) *httptest.Server {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(corpus, "003_hongze_2023.txt"))
	if err != nil {
		t.Skipf("the shared corpus is not there: %v", err)
	}
	pdf, err := os.ReadFile(filepath.Join(corpus, "004_hongze_2024.pdf"))
	if err != nil {
		t.Skipf("the shared corpus is not there: %v", err)
	}
	page := func(title, body string) []byte {
		return []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `</title></head><body>` + body + `</body></html>`)
	}
	pages := map[string][]byte{
		"/":      page("洪泽区人民政府", `<h1>洪泽区人民政府</h1><ul><li><a href="/xxgk/">政府信息公开</a></li></ul>`),
		"/xxgk/": page("政府信息公开", `<h1>政府信息公开</h1><a href="/xxgk/nb/index.html">政府信息公开年报</a>`),
		"/xxgk/nb/index.html": page("政府信息公开年报", `<h1>政府信息公开年报</h1><ul>`+
			`<li><a href="/xxgk/nb/2023.html">洪泽区人民政府2023年政府信息公开工作年度报告</a></li>`+
			`<li><a href="/xxgk/nb/2024.html">洪泽区人民政府2024年政府信息公开工作年度报告</a></li></ul>`),
		"/xxgk/nb/2023.html": page("洪泽区人民政府2023年政府信息公开工作年度报告",
			`<h1>洪泽区人民政府2023年政府信息公开工作年度报告</h1><pre>`+html.EscapeString(string(text))+`</pre>`),
		"/xxgk/nb/2024.html": page("洪泽区人民政府2024年政府信息公开工作年度报告",
			`<h1>洪泽区人民政府2024年政府信息公开工作年度报告</h1><p>附件：<a href="/xxgk/nb/hongze-2024.pdf">洪泽区人民政府2024年政府信息公开工作年度报告.pdf</a></p>`),
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/xxgk/nb/hongze-2024.pdf" {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write(pdf)
			return
		}
		b, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Last-Modified", "Mon, 05 Feb 2024 08:00:00 GMT")
		w.Write(b)
	}))
}

// reportsOf extracts the archive and returns its reports by URL, as JSON
// without the capture's ID and date.
func reportsOf(t *testing.T, a *archive.Archive) map[string]string {
	t.Helper()
	out := map[string]string{}
	_, err := extractrun.Run(context.Background(), a, extractrun.RunOptions{OnReport: func(r *report.Report) {
		r.Source.CaptureID, r.Source.FetchedAt = "", ""
		b, err := json.Marshal(r)
		if err != nil {
			t.Error(err)
		}
		out[r.Source.URL] = string(b)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportWget imports what `wget -r --warc-file` recorded of a report
// site into a fresh archive: extract then yields the same reports as a
// crawl of the site, and a second import adds no capture.
func TestImportWget(t *testing.T) {
	wget := tool(t, "wget")
	srv := reportSite(t)
	defer srv.Close()
	seedLine := srv.URL + "/ 洪泽区人民政府 government"
	agencies, err := seeds.Parse(strings.NewReader(seedLine))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "site")
	cmd := exec.Command(wget, "-r", "-l", "6", "--no-verbose", "--no-warc-keep-log", "--warc-file="+base,
		"-P", filepath.Join(dir, "mirror"), srv.URL+"/")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wget: %v\n%s", err, out)
	}
	files := []string{base + ".warc.gz"}

	crawled := openArchive(t, filepath.Join(dir, "crawled.db"))
	defer crawled.Close()
	cfg := crawler.DefaultConfig()
	cfg.Delay, cfg.Retries, cfg.Timeout = 0, 0, 10*time.Second
	c, err := crawler.New(crawled, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), agencies); err != nil {
		t.Fatal(err)
	}
	want := reportsOf(t, crawled)
	if len(want) != 2 {
		t.Fatalf("the crawl extracted %d reports, want 2: %v", len(want), keys(want))
	}

	path := filepath.Join(dir, "imported.db")
	in := importInto(t, path, files, agencies)
	t.Logf("wget WARC: %d records, %d captures, %d ignored, skipped %v", in.Records, in.Captures, in.Ignored, in.Skipped)
	if len(in.Skipped) > 0 || in.Captures == 0 {
		t.Fatalf("import: %+v", in)
	}
	imported := openArchive(t, path)
	got := reportsOf(t, imported)
	imported.Close()
	for u, w := range want {
		if got[u] != w {
			t.Errorf("report of %s:\ncrawled:  %.400s\nimported: %.400s", u, w, got[u])
		}
	}
	if len(got) != len(want) {
		t.Errorf("imported reports %v; crawled %v", keys(got), keys(want))
	}
	compareAudits(t, crawled, path, agencies)
	if again := importInto(t, path, files, agencies); again.Captures != 0 || again.Duplicates != in.Captures {
		t.Errorf("second import added %d captures (%d duplicates, want %d)", again.Captures, again.Duplicates, in.Captures)
	}
}

func keys(m map[string]string) string {
	var k []string
	for u := range m {
		k = append(k, u)
	}
	slices.Sort(k)
	return fmt.Sprint(k)
}

// compareAudits audits the crawled archive and the imported one (at path)
// for the site's two report years: the imported captures give the same
// statuses, publication dates and report URLs, and neither year is missing.
func compareAudits(t *testing.T, crawled *archive.Archive, path string, agencies []seeds.Agency) {
	t.Helper()
	asof := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	want, err := audit.Run(crawled, agencies, 2023, 2024, asof)
	if err != nil {
		t.Fatal(err)
	}
	imported := openArchive(t, path)
	defer imported.Close()
	got, err := audit.Run(imported, agencies, 2023, 2024, asof)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) != 2 {
		t.Fatalf("audit of the import: %d entries, of the crawl %d; want 2", len(got), len(want))
	}
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	for i, w := range want {
		g := got[i]
		if g.Status == audit.Missing {
			t.Errorf("audit of the import: %d is missing", g.Year)
		}
		if g.Year != w.Year || g.Status != w.Status || str(g.Published) != str(w.Published) || g.URL != w.URL {
			t.Errorf("audit %d: import %s published %s at %s; crawl %s published %s at %s",
				w.Year, g.Status, str(g.Published), g.URL, w.Status, str(w.Published), w.URL)
		}
	}
}
