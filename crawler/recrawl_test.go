package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
	bolt "go.etcd.io/bbolt"
)

// changedWorld serves a generated world; once changed is set, the report
// list of its first host links one more report, which it serves.
type changedWorld struct {
	w       *fixtureworld.World
	changed atomic.Bool
	extra   atomic.Int64 // requests served by the change itself
}

const (
	newReportPath = "/xxgk/ndbg/202503/t20250301_999.html"
	reportList    = "/xxgk/ndbg/index.html"
)

func (cw *changedWorld) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	host := strings.Split(r.Host, ":")[0]
	if !cw.changed.Load() || host != fixtureworld.GenHost(0) || (r.URL.Path != reportList && r.URL.Path != newReportPath) {
		cw.w.Handler().ServeHTTP(rw, r)
		return
	}
	cw.extra.Add(1)
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Path == newReportPath {
		fmt.Fprint(rw, `<html><head><title>合成000县公安局2025年政府信息公开工作年度报告</title></head><body><h1>合成000县公安局2025年政府信息公开工作年度报告</h1><p>一、总体情况</p></body></html>`)
		return
	}
	body, ok := cw.w.Body("http://" + host + reportList)
	if !ok {
		http.Error(rw, "no list", http.StatusInternalServerError)
		return
	}
	link := `<a href="` + newReportPath + `">合成000县公安局2025年政府信息公开工作年度报告</a>`
	fmt.Fprint(rw, strings.Replace(string(body), "</body>", link+"</body>", 1))
}

// recrawlPath says which requests a re-crawl of an unchanged generated
// world may make: robots.txt, the seeds (home pages), the list pages and
// their paging; never a news article or a report.
func recrawlPath(p string) string {
	switch {
	case p == "/robots.txt":
		return "robots"
	case p == "/" || p == "/index.html":
		return "seed"
	case p == reportList:
		return "report list"
	case strings.HasPrefix(p, "/news/index"):
		return "news list"
	}
	return ""
}

// TestRecrawlUnchanged crawls a generated world twice: the second crawl
// revalidates only seeds and list pages, reads no archived body back (the
// links records answer), and finds the same reports; a third crawl after
// the report list changed archives the new report.
func TestRecrawlUnchanged(t *testing.T) {
	cw := &changedWorld{w: fixtureworld.Generate(3, 80, 11)}
	ags := worldAgencies(t, cw.w)
	srv := httptest.NewServer(cw)
	defer srv.Close()
	resolve := map[string]string{}
	for _, h := range cw.w.Hosts() {
		resolve[h] = strings.TrimPrefix(srv.URL, "http://")
	}
	a := openArchive(t, filepath.Join(t.TempDir(), "recrawl.db"))
	defer a.Close()
	crawl := func() (*Crawler, *Summary, []fixtureworld.Request) {
		t.Helper()
		before := len(cw.w.Requests())
		c, err := New(a, worldConfig(resolve))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := c.Run(context.Background(), ags)
		if err != nil {
			t.Fatal(err)
		}
		return c, sum, cw.w.Requests()[before:]
	}
	c1, first, reqs1 := crawl()
	if first.NewCaptures == 0 {
		t.Fatal("first crawl archived nothing")
	}
	c2, second, reqs2 := crawl()
	kinds := map[string]int{}
	for _, r := range reqs2 {
		k := recrawlPath(r.Path)
		if k == "" {
			t.Errorf("re-crawl requested %s%s", r.Host, r.Path)
		}
		kinds[k]++
	}
	t.Logf("first crawl %d requests, re-crawl %d: %v", len(reqs1), len(reqs2), kinds)
	for _, k := range []string{"robots", "seed", "report list", "news list"} {
		if kinds[k] == 0 {
			t.Errorf("re-crawl did not revalidate any %s", k)
		}
	}
	if n := c2.bodyReads.Load(); n != 0 {
		t.Errorf("re-crawl read %d archived bodies back", n)
	}
	if c2.unparsed.Load() == 0 {
		t.Error("re-crawl parsed every unchanged 200 again")
	}
	// what the archive answers for is completed in memory (expand.go):
	// only the items that make a request go through the frontier
	if taken := c2.taken.Load(); taken > int64(len(reqs2)) || c2.expanded.Load() == 0 {
		t.Errorf("re-crawl took %d items from the frontier for %d requests, answered %d in memory", taken, len(reqs2), c2.expanded.Load())
	}
	// the errors are the robots.txt denials of the search page, recorded on every run
	if second.NewCaptures != 0 || second.Errors != first.Errors {
		t.Errorf("re-crawl of an unchanged world: %d new captures, %d errors (first crawl %d)", second.NewCaptures, second.Errors, first.Errors)
	}
	if got, want := reportsOf(t, a), len(cw.w.Expected()); got != want {
		t.Errorf("%d reports archived, want %d", got, want)
	}
	// each archived report met again is counted once (expand looks
	// before it takes an item, and counts only what it takes)
	if r1, r2 := c1.Stats().Reports, c2.Stats().Reports; r2 != r1 {
		t.Errorf("re-crawl counted %d reports, the first crawl %d", r2, r1)
	}

	cw.changed.Store(true)
	c3, third, _ := crawl()
	caps, _ := a.ByURL("http://" + fixtureworld.GenHost(0) + newReportPath)
	if len(caps) != 1 || caps[0].Role != archive.RoleReport {
		t.Errorf("new report behind the changed list: %d captures %+v", len(caps), caps)
	}
	if third.NewCaptures != 2 || cw.extra.Load() != 2 { // the list and the report
		t.Errorf("changed crawl: %d new captures, %d changed requests; want 2 and 2", third.NewCaptures, cw.extra.Load())
	}
	if n := c3.bodyReads.Load(); n != 0 {
		t.Errorf("changed crawl read %d archived bodies back", n)
	}
}

// reportsOf counts the report and attachment URLs archived.
func reportsOf(t *testing.T, a *archive.Archive) int {
	t.Helper()
	urls := map[string]bool{}
	for _, role := range []archive.Role{archive.RoleReport, archive.RoleAttachment} {
		caps, err := a.ByRole(role)
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range caps {
			urls[cp.URL] = true
		}
	}
	return len(urls)
}

// TestRecrawlWithoutLinksRecords re-crawls an archive whose pages have no
// links records (as one written before they existed): the pages the
// archive answers for are parsed from their bodies once, their records are
// stored, and the next re-crawl reads no body.
func TestRecrawlWithoutLinksRecords(t *testing.T) {
	w := fixtureworld.Generate(1, 60, 9)
	ags := worldAgencies(t, w)
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "old.db")
	crawl := func() (*Crawler, []fixtureworld.Request) {
		t.Helper()
		a := openArchive(t, path)
		defer a.Close()
		before := len(w.Requests())
		c, err := New(a, worldConfig(resolve))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(context.Background(), ags); err != nil {
			t.Fatal(err)
		}
		return c, w.Requests()[before:]
	}
	crawl()
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("links")) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c2, reqs2 := crawl()
	if c2.bodyReads.Load() == 0 {
		t.Error("pages without links records were not parsed from their bodies")
	}
	c3, reqs3 := crawl()
	if n := c3.bodyReads.Load(); n != 0 {
		t.Errorf("second re-crawl read %d bodies: the records were not stored", n)
	}
	if len(reqs2) != len(reqs3) {
		t.Errorf("re-crawls made %d and %d requests; want the same", len(reqs2), len(reqs3))
	}
	for _, r := range append(reqs2, reqs3...) {
		if recrawlPath(r.Path) == "" {
			t.Errorf("re-crawl requested %s", r.Path)
		}
	}
}

// TestRecrawlExpandsAsSitesServe re-crawls report columns addressed the
// ways real sites are: by name through -resolve with the chrome linking
// the https twin that fails at the handshake (the archive holds the http
// pages), and by 127.0.0.1:PORT. The second run requests no report again,
// answers the reports in memory, and takes from the frontier only the
// items that make a request.
func TestRecrawlExpandsAsSitesServe(t *testing.T) {
	const name = "col.test.gov.cn"
	for _, tc := range []struct {
		name   string
		byName bool
	}{{"by name, failing https twin", true}, {"by 127.0.0.1:PORT", false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newWebSite()
			srv := httptest.NewServer(s)
			defer srv.Close()
			cfg := quickConfig()
			host, links := strings.TrimPrefix(srv.URL, "http://"), "http"
			if tc.byName {
				bad, _ := tlsFailer(t)
				host, links = name, "https"
				cfg.Resolve = map[string]string{name + ":80": strings.TrimPrefix(srv.URL, "http://"), name + ":443": bad}
			}
			paths := column(s, host, links, 12)
			a := openArchive(t, filepath.Join(t.TempDir(), "a.db"))
			defer a.Close()
			crawl := func() *Crawler {
				t.Helper()
				c, err := New(a, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Run(context.Background(), []seeds.Agency{agency("http://"+host+"/", "测试局")}); err != nil {
					t.Fatal(err)
				}
				return c
			}
			crawl()
			before := len(s.requests())
			c2 := crawl()
			second := s.requests()[before:]
			for _, p := range paths {
				if n := s.requested(p); n != 1 {
					t.Errorf("report %s requested %d times in two runs", p, n)
				}
			}
			if got := c2.expanded.Load(); got < int64(len(paths)) {
				t.Errorf("re-crawl answered %d items in memory, want at least the %d reports", got, len(paths))
			}
			if taken := c2.taken.Load(); taken > int64(len(second)) {
				t.Errorf("re-crawl took %d items from the frontier for %d requests %v", taken, len(second), second)
			}
		})
	}
}
