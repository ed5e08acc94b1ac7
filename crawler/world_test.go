package crawler

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

func worldConfig(resolve map[string]string) Config {
	cfg := DefaultConfig()
	cfg.Delay = 0
	cfg.Parallel = 4
	cfg.Timeout = 3 * time.Second
	cfg.Retries = 2
	cfg.RetryBackoff = 20 * time.Millisecond
	cfg.MaxRetryAfter = 2 * time.Second
	cfg.MaxBodySize = 2 << 20
	cfg.MaxAttachmentSize = 8 << 20
	cfg.MaxPagesPerHost = 400
	cfg.Resolve = resolve
	return cfg
}

func worldAgencies(t *testing.T, w *fixtureworld.World) []seeds.Agency {
	t.Helper()
	if strings.TrimSpace(w.Seeds()) == "" {
		t.Fatal("fixture world has no seeds")
	}
	ags, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatalf("world seeds: %v", err)
	}
	if len(ags) == 0 {
		t.Fatal("fixture world has no seeds")
	}
	return ags
}

// checkScope fails for every request the world saw that the crawl must
// never make: Forbidden URLs and hosts that are no seed's.
func checkScope(t *testing.T, w *fixtureworld.World, ags []seeds.Agency) {
	t.Helper()
	forbidden := map[string]bool{}
	for _, f := range w.Forbidden() {
		forbidden[f] = true
	}
	seedHosts := map[string]bool{}
	for _, a := range ags {
		u, _ := url.Parse(a.URL)
		seedHosts[strings.ToLower(u.Hostname())] = true
	}
	for _, r := range w.Requests() {
		u := "http://" + r.Host + r.Path
		if forbidden[u] {
			t.Errorf("fetched forbidden %s", u)
		}
		if !seedHosts[r.Host] {
			t.Errorf("fetched off-scope %s", u)
		}
	}
}

// TestDefaultWorld crawls the fixture copies of the seed agencies' sites:
// every expected report page and attachment is archived with the exact
// bytes served, nothing forbidden or off scope is requested, and a second
// run fetches no report again and revisits the list pages.
func TestDefaultWorld(t *testing.T) {
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	ags := worldAgencies(t, w)
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	a := openArchive(t, filepath.Join(t.TempDir(), "world.db"))
	defer a.Close()

	c, err := New(a, worldConfig(resolve))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), ags)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	t.Logf("first run: %d captures, %d new, %d errors, %d requests", sum.Pages, sum.NewCaptures, sum.Errors, len(w.Requests()))
	checkScope(t, w, ags)
	first := len(w.Requests())
	// Traps (an endless calendar, /zt/a/a/a/…) stay bounded.
	calendar, nested := 0, 0
	for _, r := range w.Requests() {
		if strings.Contains(r.Path, "rili") {
			calendar++
		}
		if strings.Contains(r.Path, "/a/a/") {
			nested++
		}
	}
	if calendar > 2 || nested > 2 {
		t.Errorf("traps: %d calendar and %d nested requests", calendar, nested)
	}
	for _, e := range w.Expected() {
		caps, err := a.ByURL(e.URL)
		if err != nil || len(caps) == 0 {
			t.Errorf("expected %s %s (%d) not archived", e.Role, e.URL, e.Year)
			continue
		}
		cp := caps[len(caps)-1]
		if cp.Error != "" || cp.Role != e.Role {
			t.Errorf("%s: role %q error %q, want role %s", e.URL, cp.Role, cp.Error, e.Role)
		}
		want, ok := w.Body(e.URL)
		got, err := a.Body(cp.ID)
		if !ok || err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: archived bytes differ from served bytes (%d vs %d, %v)", e.URL, len(got), len(want), err)
		}
	}
	// No duplicate captures in one crawl.
	seen := map[string]int{}
	if err := a.View(func(rd *archive.Reader) error {
		return rd.Each(func(cp *archive.Capture) error { seen[cp.URL]++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	for u, n := range seen {
		if n > 1 {
			t.Errorf("%s captured %d times in one crawl", u, n)
		}
	}

	// Second run.
	c2, _ := New(a, worldConfig(resolve))
	sum2, err := c2.Run(context.Background(), ags)
	if err != nil {
		t.Fatalf("second crawl: %v", err)
	}
	reqs := w.Requests()[first:]
	t.Logf("second run: %d captures, %d revisits, %d new, %d requests", sum2.Pages, sum2.Revisits, sum2.NewCaptures, len(reqs))
	expected := map[string]bool{} // host and request URI, whatever the scheme
	for _, e := range w.Expected() {
		if u, err := url.Parse(e.URL); err == nil {
			expected[u.Hostname()+u.RequestURI()] = true
		}
	}
	for _, r := range reqs {
		if expected[r.Host+r.Path] {
			t.Errorf("second run fetched report %s%s again", r.Host, r.Path)
		}
	}
	if n := c2.bodyReads.Load(); n != 0 {
		t.Errorf("second run read %d archived bodies back (the links records should answer)", n)
	}
	// each archived report and attachment met again is counted once
	if r1, r2 := c.Stats().Reports, c2.Stats().Reports; r2 != r1 {
		t.Errorf("second run counted %d reports and attachments, the first %d", r2, r1)
	}
	lists, err := a.ByRole(archive.RoleList)
	if err != nil {
		t.Fatal(err)
	}
	revisits := 0
	for _, cp := range lists {
		if cp.RunID == "" && cp.Revisit {
			revisits++
		}
	}
	if sum2.Revisits == 0 || revisits == 0 {
		t.Errorf("second run recorded %d revisits (%d of list pages)", sum2.Revisits, revisits)
	}
	if sum2.NewCaptures != 0 {
		t.Errorf("second run of an unchanged world made %d new captures: %v", sum2.NewCaptures, sum2.NewURLs)
	}
	checkScope(t, w, ags)
	if err := a.Check(); err != nil {
		t.Error(err)
	}
}

// TestHostileWorld crawls a host of misbehaving endpoints: the crawl
// finishes, each failure is a recorded error, nothing is fetched off scope.
func TestHostileWorld(t *testing.T) {
	w := fixtureworld.Hostile()
	ags := worldAgencies(t, w)
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	a := openArchive(t, filepath.Join(t.TempDir(), "hostile.db"))
	defer a.Close()
	cfg := worldConfig(resolve)
	cfg.Timeout = 2 * time.Second
	c, err := New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	sum, err := c.Run(ctx, ags)
	if err != nil {
		t.Fatalf("hostile crawl did not finish: %v", err)
	}
	t.Logf("hostile: %d captures, %d errors in %s", sum.Pages, sum.Errors, time.Since(start))
	checkScope(t, w, ags)
	if sum.Errors == 0 {
		t.Error("no failure recorded")
	}
	for _, e := range w.Expected() {
		caps, _ := a.ByURL(e.URL)
		if len(caps) == 0 || caps[len(caps)-1].Error != "" {
			t.Errorf("expected %s not archived: %+v", e.URL, caps)
		}
	}
	wantErr := map[string]string{
		"/flaky":              "", // 500 once, then 200
		"/throttle":           "", // 429 with Retry-After, then 200
		"/slow":               "timeout",
		"/huge":               "body exceeds 2097152 bytes",
		"/bomb":               "body exceeds 2097152 bytes",
		"/binary":             "binary payload",
		"/offsite":            "off scope",
		"/private/index.html": "robots.txt disallows",
	}
	for p, msg := range wantErr {
		caps, _ := a.ByURL("http://" + fixtureworld.HostileHost + p)
		if len(caps) != 1 {
			t.Errorf("%s: %d captures, want 1", p, len(caps))
			continue
		}
		cp := caps[0]
		if msg == "" && (cp.Error != "" || cp.Status != 200) {
			t.Errorf("%s: status %d error %q, want a 200 after a retry", p, cp.Status, cp.Error)
		}
		if msg != "" && !strings.Contains(cp.Error, msg) {
			t.Errorf("%s: error %q, want it to mention %q", p, cp.Error, msg)
		}
		if p == "/huge" && (!cp.Truncated || cp.Size != cfg.MaxBodySize) {
			t.Errorf("/huge: truncated %v size %d", cp.Truncated, cp.Size)
		}
	}
	if err := a.View(func(rd *archive.Reader) error {
		return rd.Each(func(cp *archive.Capture) error {
			if cp.Size > cfg.MaxAttachmentSize {
				t.Errorf("%s stored %d bytes, over the cap", cp.URL, cp.Size)
			}
			if cp.Error != "" {
				t.Logf("recorded failure %s: %s", cp.URL, cp.Error)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPriorityUnderBudget gives a crawl of a 200-page generated site a
// budget of 12 requests: report links and report columns come first, so
// every report is still archived and the budget holds.
func TestPriorityUnderBudget(t *testing.T) {
	w := fixtureworld.Generate(1, 200, 7)
	ags := worldAgencies(t, w)
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	a := openArchive(t, filepath.Join(t.TempDir(), "budget.db"))
	defer a.Close()
	cfg := worldConfig(resolve)
	cfg.MaxPagesPerHost = 12
	c, err := New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), ags); err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, r := range w.Requests() {
		if r.Path != "/robots.txt" {
			pages++
		}
	}
	if pages > cfg.MaxPagesPerHost {
		t.Errorf("%d page requests, budget %d", pages, cfg.MaxPagesPerHost)
	}
	if len(w.Expected()) == 0 {
		t.Fatal("generated world expects no reports")
	}
	for _, e := range w.Expected() {
		if caps, _ := a.ByURL(e.URL); len(caps) != 1 || caps[0].Role != e.Role {
			t.Errorf("report %s not archived within the budget", e.URL)
		}
	}
	if q, v, _ := a.FrontierCounts(fixtureworld.GenHost(0)); q != 0 || v != 0 {
		t.Errorf("frontier not reset after the crawl: %d queued, %d visited", q, v)
	}
}

// TestPoliteness checks the per-host delay and per-host concurrency 1 on
// two generated hosts crawled in parallel.
func TestPoliteness(t *testing.T) {
	w := fixtureworld.Generate(2, 10, 3)
	ags := worldAgencies(t, w)
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	a := openArchive(t, filepath.Join(t.TempDir(), "polite.db"))
	defer a.Close()
	cfg := worldConfig(resolve)
	cfg.Delay = 80 * time.Millisecond
	cfg.MaxPagesPerHost = 8
	c, err := New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.Run(context.Background(), ags); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	last := map[string]time.Time{}
	perHost := map[string]int{}
	for _, r := range w.Requests() {
		if prev, ok := last[r.Host]; ok {
			if gap := r.Time.Sub(prev); gap < cfg.Delay-5*time.Millisecond {
				t.Errorf("%s: %s after the previous request, delay %s", r.Host+r.Path, gap, cfg.Delay)
			}
		}
		last[r.Host] = r.Time
		perHost[r.Host]++
		if r.Path == "/robots.txt" && perHost[r.Host] != 1 {
			t.Errorf("%s: robots.txt not the first request", r.Host)
		}
	}
	// The two hosts ran side by side: their requests interleave.
	reqs := w.Requests()
	switches := 0
	for i := 1; i < len(reqs); i++ {
		if reqs[i].Host != reqs[i-1].Host {
			switches++
		}
	}
	if switches < 3 {
		t.Errorf("hosts not crawled in parallel (%d host switches in %d requests, %s)", switches, len(reqs), took)
	}
	for _, r := range w.Requests() {
		if !strings.Contains(w.Seeds(), r.Host) {
			t.Errorf("request to %s", r.Host)
		}
	}
}
