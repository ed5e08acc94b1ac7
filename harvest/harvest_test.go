package harvest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/testlog"
	"github.com/nianbao/nianbao/seeds"
)

// site is a small government-style site whose pages can be changed
// between crawls.
type site struct {
	host string
	srv  *httptest.Server
	mu   sync.Mutex
	page map[string]string // path → HTML
	hits map[string]int
}

func page(title, body string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `</title></head><body><h1>` + title + `</h1>` + body + `</body></html>`
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{host: "gaj.harvest.test", page: map[string]string{}, hits: map[string]int{}}
	s.page["/"] = page("示例市公安局", `<a href="/zwgk/">政府信息公开</a> <a href="/news/1.html">工作动态</a>`)
	s.page["/zwgk/"] = page("政府信息公开", `<a href="/zwgk/ndbg/">政府信息公开年报</a>`)
	s.page["/news/1.html"] = page("工作动态", `<p>新闻</p>`)
	s.page["/zwgk/ndbg/"] = page("政府信息公开年报", `<ul>
<li><a href="./202301/t20230120_1.html">示例市公安局2022年政府信息公开工作年度报告</a></li>
<li><a href="./202401/t20240118_2.html">示例市公安局2023年政府信息公开工作年度报告</a></li>
</ul>`)
	s.page["/zwgk/ndbg/202301/t20230120_1.html"] = page("示例市公安局2022年政府信息公开工作年度报告", `<p>一、总体情况</p>`)
	s.page["/zwgk/ndbg/202401/t20240118_2.html"] = page("示例市公安局2023年政府信息公开工作年度报告", `<p>一、总体情况</p>`)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, ok := s.page[r.URL.Path]
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) url(path string) string { return "http://" + s.host + path }

func (s *site) set(path, html string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page[path] = html
}

func (s *site) agencies(t *testing.T) []seeds.Agency {
	t.Helper()
	ags, err := seeds.Parse(strings.NewReader(s.url("/") + " 示例市公安局 department\n"))
	if err != nil {
		t.Fatal(err)
	}
	return ags
}

func (s *site) crawlConfig() crawler.Config {
	cfg := crawler.DefaultConfig()
	cfg.Delay = 0
	cfg.Retries = 0
	cfg.Timeout = 5 * time.Second
	cfg.Resolve = map[string]string{s.host: strings.TrimPrefix(s.srv.URL, "http://")}
	return cfg
}

func openArchive(t *testing.T) *archive.Archive {
	t.Helper()
	a, err := archive.Open(filepath.Join(t.TempDir(), "archive.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// syncBuffer is a log buffer safe for concurrent writes.
type syncBuffer = testlog.Buffer

func testLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// recordingExtractor stands for extractrun.Run: every call "extracts" the
// successful, non-revisit captures it has not seen (nor an earlier capture
// of the same URL with the same payload), remembers their IDs, and counts
// one new report per capture with role report.
type recordingExtractor struct {
	mu    sync.Mutex
	seen  map[string]bool // url + digest
	calls [][]string
}

func (r *recordingExtractor) extract(_ context.Context, a *archive.Archive, _ *slog.Logger) (*ExtractResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	res := &ExtractResult{}
	var ids []string
	err := a.View(func(rd *archive.Reader) error {
		err := rd.Each(func(c *archive.Capture) error {
			if c.Error != "" || c.Revisit || c.Digest == "" || r.seen[c.URL+" "+c.Digest] {
				return nil
			}
			r.seen[c.URL+" "+c.Digest] = true
			ids = append(ids, c.ID)
			if c.Role == archive.RoleReport {
				res.NewReports++
			}
			return nil
		})
		res.Skipped = rd.Skipped()
		return err
	})
	r.calls = append(r.calls, ids)
	return res, err
}

func (r *recordingExtractor) last() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		return nil
	}
	return r.calls[len(r.calls)-1]
}

func (r *recordingExtractor) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

func urlsOf(t *testing.T, a *archive.Archive, ids []string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		c, err := a.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.URL)
	}
	sort.Strings(out)
	return out
}

func TestRunTwiceListsOnlyWhatIsNew(t *testing.T) {
	s := newSite(t)
	a := openArchive(t)
	var logs syncBuffer
	ext := &recordingExtractor{}
	h := &Harvester{
		Archive:   a,
		Agencies:  s.agencies(t),
		Crawl:     s.crawlConfig(),
		From:      2022,
		To:        2023,
		Logger:    testLogger(&logs),
		Now:       func() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) },
		Extractor: ext.extract,
	}
	ctx := context.Background()
	report22 := s.url("/zwgk/ndbg/202301/t20230120_1.html")
	report23 := s.url("/zwgk/ndbg/202401/t20240118_2.html")
	list := s.url("/zwgk/ndbg/")

	// First run: everything served is new.
	r1, err := h.Run(ctx)
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	want1 := []string{s.url("/"), s.url("/news/1.html"), s.url("/zwgk/"), list, report22, report23}
	sort.Strings(want1)
	if !reflect.DeepEqual(r1.New, want1) {
		t.Errorf("first run New = %q, want %q", r1.New, want1)
	}
	if r1.Status != StatusDone || r1.Kind != Kind || r1.ID == "" || r1.Ended.Before(r1.Started) {
		t.Errorf("first run = %+v", r1)
	}
	if r1.NewCaptures != len(want1) || r1.Pages < len(want1) || r1.NewReports != 2 || r1.Errors != 0 {
		t.Errorf("first run counts: pages %d new_captures %d new_reports %d errors %d", r1.Pages, r1.NewCaptures, r1.NewReports, r1.Errors)
	}
	if got := urlsOf(t, a, ext.last()); !reflect.DeepEqual(got, want1) {
		t.Errorf("first run extracted %q, want %q", got, want1)
	}
	if !strings.Contains(logs.String(), "harvest ended: 6 URLs new since the first run, 2 of them report pages or attachments") ||
		!strings.Contains(logs.String(), `new_report_urls="`+report22+" "+report23+`"`) {
		t.Errorf("log lacks the new-URL line:\n%s", logs.String())
	}
	snap := h.Audit()
	if snap == nil || snap.RunID != r1.ID || snap.AsOf != "2024-06-01" || snap.From != 2022 || snap.To != 2023 || len(snap.Entries) != 2 {
		t.Fatalf("audit after the first run = %+v, want run %s as of 2024-06-01, 2022-2023, 2 entries", snap, r1.ID)
	}
	for _, e := range snap.Entries {
		if e.Status != "missing" { // the recording extractor stores no reports
			t.Errorf("audit entry %+v, want missing", e)
		}
	}

	// Second run over an unchanged site: nothing new, nothing extracted.
	calls := ext.count()
	r2, err := h.Run(ctx)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if len(r2.New) != 0 || r2.NewCaptures != 0 || r2.NewReports != 0 || r2.Status != StatusDone {
		t.Errorf("second run = %+v, want nothing new", r2)
	}
	if ext.count() != calls+1 || len(ext.last()) != 0 {
		t.Errorf("second run: %d extractions, last %q; want one extracting nothing", ext.count()-calls, ext.last())
	}
	if !strings.Contains(logs.String(), "harvest ended: nothing new since run "+r1.ID) {
		t.Errorf("log lacks the nothing-new line:\n%s", logs.String())
	}

	// The list page changes: only it is new.
	s.set("/zwgk/ndbg/", strings.Replace(s.page["/zwgk/ndbg/"], "</ul>", "<li>更新于2024年</li></ul>", 1))
	r3, err := h.Run(ctx)
	if err != nil {
		t.Fatalf("third run: %v", err)
	}
	if !reflect.DeepEqual(r3.New, []string{list}) || r3.NewCaptures != 1 {
		t.Errorf("third run New = %q (new captures %d), want only %s", r3.New, r3.NewCaptures, list)
	}

	// A new report appears on the list: the list and the report are new.
	report24 := s.url("/zwgk/ndbg/202501/t20250110_3.html")
	s.set("/zwgk/ndbg/202501/t20250110_3.html", page("示例市公安局2024年政府信息公开工作年度报告", "<p>一、总体情况</p>"))
	s.set("/zwgk/ndbg/", strings.Replace(s.page["/zwgk/ndbg/"], "<ul>", `<ul><li><a href="./202501/t20250110_3.html">示例市公安局2024年政府信息公开工作年度报告</a></li>`, 1))
	r4, err := h.Run(ctx)
	if err != nil {
		t.Fatalf("fourth run: %v", err)
	}
	if want := []string{list, report24}; !reflect.DeepEqual(r4.New, want) || r4.NewReports != 1 {
		t.Errorf("fourth run New = %q new reports %d, want %q and 1", r4.New, r4.NewReports, want)
	}
	if got, want := urlsOf(t, a, ext.last()), []string{list, report24}; !reflect.DeepEqual(got, want) {
		t.Errorf("fourth run extracted %q, want %q", got, want)
	}
	s.mu.Lock()
	if n := s.hits["/zwgk/ndbg/202301/t20230120_1.html"]; n != 1 {
		t.Errorf("archived report fetched %d times over four runs, want 1", n)
	}
	s.mu.Unlock()

	// Every run is recorded, newest first, as the Run returned.
	runs, err := a.Runs()
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 {
		t.Fatalf("%d runs recorded, want 4", len(runs))
	}
	for i, want := range []*archive.Run{r4, r3, r2, r1} {
		got := runs[i]
		if got.ID != want.ID || got.Status != StatusDone || !reflect.DeepEqual(got.New, want.New) || got.NewCaptures != want.NewCaptures || !got.Ended.Equal(want.Ended) {
			t.Errorf("recorded run %d = %+v, want %+v", i, got, want)
		}
	}
	// Captures carry their run's ID.
	caps, err := a.ByURL(report24)
	if err != nil || len(caps) != 1 || caps[0].RunID != r4.ID {
		t.Errorf("captures of %s: %+v %v, want one with run %s", report24, caps, err, r4.ID)
	}
}

// fakeCrawl archives the given URLs as new captures with the run's ID, or
// returns err after archiving them.
func fakeCrawl(urls []string, body func(u string) string, err error) CrawlFunc {
	return func(ctx context.Context, a *archive.Archive, cfg crawler.Config, _ []seeds.Agency) (*crawler.Summary, error) {
		sum := &crawler.Summary{}
		for _, u := range urls {
			c := &archive.Capture{URL: u, Status: 200, ContentType: "text/html", Role: archive.RoleReport, Agency: "示例市公安局", RunID: cfg.RunID}
			if perr := a.Put(c, []byte(body(u)), body(u)); perr != nil {
				return sum, perr
			}
			sum.Pages++
			sum.NewCaptures++
			sum.New = append(sum.New, c.ID)
		}
		return sum, err
	}
}

func noAudit(*archive.Archive, []seeds.Agency, int, int, time.Time) ([]audit.Entry, error) {
	return nil, nil
}

func agenciesFor(t *testing.T) []seeds.Agency {
	t.Helper()
	ags, err := seeds.Parse(strings.NewReader("http://gaj.harvest.test/ 示例市公安局\n"))
	if err != nil {
		t.Fatal(err)
	}
	return ags
}

func TestRunStatuses(t *testing.T) {
	boom := errors.New("disk on fire")
	blocked := func(ctx context.Context, a *archive.Archive, cfg crawler.Config, ags []seeds.Agency) (*crawler.Summary, error) {
		sum, _ := fakeCrawl([]string{"http://gaj.harvest.test/a.html"}, func(string) string { return "a" }, nil)(ctx, a, cfg, ags)
		<-ctx.Done()
		return sum, ctx.Err()
	}
	tests := []struct {
		name       string
		crawl      CrawlFunc
		extract    ExtractFunc
		audit      AuditFunc
		cancel     bool
		wantStatus archive.RunStatus
		wantErr    error
		wantNew    []string
	}{
		{name: "done", crawl: fakeCrawl([]string{"http://gaj.harvest.test/a.html"}, func(string) string { return "a" }, nil),
			wantStatus: "done", wantNew: []string{"http://gaj.harvest.test/a.html"}},
		{name: "crawl fails", crawl: fakeCrawl(nil, nil, boom), wantStatus: "failed: crawl: disk on fire", wantErr: boom},
		{name: "cancelled mid-crawl", crawl: blocked, cancel: true, wantStatus: "interrupted", wantErr: context.Canceled,
			wantNew: []string{"http://gaj.harvest.test/a.html"}},
		{name: "extract fails", crawl: fakeCrawl([]string{"http://gaj.harvest.test/a.html"}, func(string) string { return "a" }, nil),
			extract: func(context.Context, *archive.Archive, *slog.Logger) (*ExtractResult, error) {
				return &ExtractResult{Failed: []string{"1"}}, boom
			},
			wantStatus: "failed: extract: disk on fire", wantErr: boom, wantNew: []string{"http://gaj.harvest.test/a.html"}},
		{name: "audit fails", crawl: fakeCrawl(nil, nil, nil),
			audit: func(*archive.Archive, []seeds.Agency, int, int, time.Time) ([]audit.Entry, error) {
				return nil, boom
			},
			wantStatus: "failed: audit: disk on fire", wantErr: boom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := openArchive(t)
			ext := &recordingExtractor{}
			h := &Harvester{Archive: a, Agencies: agenciesFor(t), Logger: slog.New(slog.DiscardHandler),
				Crawler: tc.crawl, Extractor: tc.extract, Auditor: tc.audit}
			if h.Extractor == nil {
				h.Extractor = ext.extract
			}
			if h.Auditor == nil {
				h.Auditor = noAudit
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				go func() {
					// Cancel once the run is in progress.
					for {
						if r, ok := h.Current(); ok && r.Status == StatusRunning {
							cancel()
							return
						}
						time.Sleep(time.Millisecond)
					}
				}()
			}
			run, err := h.Run(ctx)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if run.Status != tc.wantStatus {
				t.Errorf("status %q, want %q", run.Status, tc.wantStatus)
			}
			if !reflect.DeepEqual(run.New, tc.wantNew) {
				t.Errorf("New = %q, want %q", run.New, tc.wantNew)
			}
			if run.Ended.IsZero() {
				t.Error("Ended not set")
			}
			runs, err := a.Runs()
			if err != nil || len(runs) != 1 || runs[0].Status != tc.wantStatus || runs[0].ID != run.ID {
				t.Errorf("recorded runs %+v %v", runs, err)
			}
			// A failed run keeps its stage and reason in their own fields
			// too, and as recorded; any other run has neither.
			switch {
			case run.Status.Failed() && (run.Failure == "" || run.Status != archive.FailedStatus(run.FailedStage, run.Failure)):
				t.Errorf("failed run's stage %q and reason %q do not make its status %q", run.FailedStage, run.Failure, run.Status)
			case !run.Status.Failed() && (run.FailedStage != "" || run.Failure != ""):
				t.Errorf("run %q has a failure: %q / %q", run.Status, run.FailedStage, run.Failure)
			}
			if len(runs) == 1 && (runs[0].FailedStage != run.FailedStage || runs[0].Failure != run.Failure) {
				t.Errorf("recorded failure %q / %q, want %q / %q", runs[0].FailedStage, runs[0].Failure, run.FailedStage, run.Failure)
			}
			if _, ok := h.Current(); ok {
				t.Error("Current still set after Run returned")
			}
		})
	}
}

func TestRunResumesKilledRun(t *testing.T) {
	a := openArchive(t)
	// A run killed mid-crawl: recorded running, with two captures, one of
	// them a failure.
	killed := &archive.Run{Kind: Kind, Started: time.Date(2024, 6, 1, 1, 0, 0, 0, time.UTC), Status: StatusRunning}
	if err := a.PutRun(killed); err != nil {
		t.Fatal(err)
	}
	fetched := time.Date(2024, 6, 1, 1, 5, 0, 0, time.UTC)
	ok := &archive.Capture{URL: "http://gaj.harvest.test/r1.html", Status: 200, Role: archive.RoleReport, RunID: killed.ID, FetchedAt: fetched}
	if err := a.Put(ok, []byte("r1"), "r1"); err != nil {
		t.Fatal(err)
	}
	bad := &archive.Capture{URL: "http://gaj.harvest.test/r2.html", Status: 500, Role: archive.RoleReport, RunID: killed.ID, Error: "status 500", FetchedAt: fetched.Add(-time.Minute)}
	if err := a.Put(bad, nil, ""); err != nil {
		t.Fatal(err)
	}
	ext := &recordingExtractor{}
	h := &Harvester{Archive: a, Agencies: agenciesFor(t), Logger: slog.New(slog.DiscardHandler),
		Crawler:   fakeCrawl([]string{"http://gaj.harvest.test/r2.html"}, func(string) string { return "r2" }, nil),
		Extractor: ext.extract, Auditor: noAudit}
	run, err := h.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"http://gaj.harvest.test/r1.html", "http://gaj.harvest.test/r2.html"}
	if !reflect.DeepEqual(run.New, want) {
		t.Errorf("New = %q, want %q (the killed run's capture carried over)", run.New, want)
	}
	if got := urlsOf(t, a, ext.last()); !reflect.DeepEqual(got, want) {
		t.Errorf("extracted %q, want %q", got, want)
	}
	runs, err := a.Runs()
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	if k := runs[1]; k.ID != killed.ID || k.Status != StatusInterrupted || !k.Ended.Equal(fetched) {
		t.Errorf("killed run recorded as %+v, want interrupted ending at its last capture %s", k, fetched)
	}
	// Once a run completed, the killed run's captures are not carried again.
	h.Crawler = fakeCrawl(nil, nil, nil)
	run2, err := h.Run(context.Background())
	if err != nil || len(run2.New) != 0 {
		t.Errorf("next run New = %q, err %v; want nothing", run2.New, err)
	}
}

func TestNewURLs(t *testing.T) {
	a := openArchive(t)
	put := func(u, body string, mod func(*archive.Capture)) string {
		t.Helper()
		c := &archive.Capture{URL: u, Status: 200, Role: archive.RoleList}
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		if mod != nil {
			mod(c)
		}
		if err := a.Put(c, b, body); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	first := put("http://h/first", "x", nil)
	sameOld := put("http://h/same", "s", nil)
	sameNew := put("http://h/same", "s", nil)
	changedOld := put("http://h/changed", "c1", nil)
	changedNew := put("http://h/changed", "c2", nil)
	failed := put("http://h/failed", "", func(c *archive.Capture) { c.Status = 0; c.Error = "timeout" })
	afterFailOld := put("http://h/afterfail", "f", nil)
	put("http://h/afterfail", "", func(c *archive.Capture) { c.Status = 500; c.Error = "status 500" })
	afterFailNew := put("http://h/afterfail", "f", nil)
	revisit := put("http://h/revisit", "", func(c *archive.Capture) { c.Status = 304; c.Revisit = true })
	rendered := func(c *archive.Capture) { c.Rendered = true }
	put("http://h/rendered", "served", nil)
	firstRendering := put("http://h/rendered", "built", rendered)
	servedAgain := put("http://h/rendered", "served", nil)
	renderedChanged := put("http://h/rendered", "built again", rendered)
	onlyRendered := put("http://h/only-rendered", "built", rendered)
	tests := []struct {
		name string
		ids  []string
		want []string
	}{
		{"first capture", []string{first}, []string{"http://h/first"}},
		{"same digest again", []string{sameNew}, nil},
		{"same digest both in run", []string{sameOld, sameNew}, []string{"http://h/same"}},
		{"changed", []string{changedNew}, []string{"http://h/changed"}},
		{"failure", []string{failed}, nil},
		{"same digest after a failure", []string{afterFailNew}, nil},
		{"first after nothing", []string{afterFailOld}, []string{"http://h/afterfail"}},
		{"revisit", []string{revisit}, nil},
		{"first rendering of a served page", []string{firstRendering}, nil},
		{"served again, same as the last served", []string{servedAgain}, nil},
		{"rendering changed", []string{renderedChanged}, []string{"http://h/rendered"}},
		{"rendering of a URL never served", []string{onlyRendered}, []string{"http://h/only-rendered"}},
		{"several, sorted", []string{changedOld, first, changedNew}, []string{"http://h/changed", "http://h/first"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped, err := newURLs(a, tc.ids)
			if err != nil || len(skipped) != 0 {
				t.Fatalf("skipped %v, err %v", skipped, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("newURLs = %q, want %q", got, tc.want)
			}
		})
	}
	if _, _, err := newURLs(a, []string{"999"}); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("unknown ID: err %v, want ErrNotFound", err)
	}
}

func TestLoopNeverOverlapsAndStopsCleanly(t *testing.T) {
	a := openArchive(t)
	var active, maxActive, runs atomic.Int32
	started := make(chan struct{}, 100)
	crawl := func(ctx context.Context, a *archive.Archive, cfg crawler.Config, _ []seeds.Agency) (*crawler.Summary, error) {
		n := active.Add(1)
		defer active.Add(-1)
		for {
			m := maxActive.Load()
			if n <= m || maxActive.CompareAndSwap(m, n) {
				break
			}
		}
		runs.Add(1)
		started <- struct{}{}
		select { // a crawl longer than the interval
		case <-time.After(30 * time.Millisecond):
			return &crawler.Summary{}, nil
		case <-ctx.Done():
			return &crawler.Summary{}, ctx.Err()
		}
	}
	h := &Harvester{Archive: a, Agencies: agenciesFor(t), Logger: slog.New(slog.DiscardHandler), Crawler: crawl,
		Extractor: (&recordingExtractor{}).extract, Auditor: noAudit}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		h.Loop(ctx, 5*time.Millisecond)
		close(done)
	}()
	for i := 0; i < 3; i++ {
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("loop did not start runs")
		}
	}
	// Concurrent Run calls are refused while the loop runs.
	if _, err := h.Run(ctx); err != nil && !errors.Is(err, ErrBusy) {
		t.Errorf("concurrent Run: %v", err)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Loop did not return after cancel")
	}
	if m := maxActive.Load(); m != 1 {
		t.Errorf("%d runs at once, want 1", m)
	}
	recorded, err := a.Runs()
	if err != nil {
		t.Fatal(err)
	}
	if len(recorded) < 3 {
		t.Fatalf("%d runs recorded, want at least 3", len(recorded))
	}
	for _, r := range recorded[1:] {
		if r.Status != StatusDone {
			t.Errorf("run %s status %q, want done", r.ID, r.Status)
		}
	}
	// The run in progress at cancel is recorded interrupted (or done if it
	// had just finished); never left running.
	if s := recorded[0].Status; s != StatusInterrupted && s != StatusDone {
		t.Errorf("last run status %q, want interrupted", s)
	}
}

func TestLoopCancelMarksRunInterrupted(t *testing.T) {
	a := openArchive(t)
	inCrawl := make(chan struct{})
	crawl := func(ctx context.Context, a *archive.Archive, cfg crawler.Config, _ []seeds.Agency) (*crawler.Summary, error) {
		close(inCrawl)
		<-ctx.Done()
		return &crawler.Summary{Pages: 3, Errors: 1}, ctx.Err()
	}
	h := &Harvester{Archive: a, Agencies: agenciesFor(t), Logger: slog.New(slog.DiscardHandler), Crawler: crawl, Auditor: noAudit}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		h.Loop(ctx, time.Hour)
		close(done)
	}()
	<-inCrawl
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Loop did not return after cancel")
	}
	runs, err := a.Runs()
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	if r := runs[0]; r.Status != StatusInterrupted || r.Pages != 3 || r.Errors != 1 || r.Ended.IsZero() {
		t.Errorf("run = %+v, want interrupted with pages 3 errors 1", r)
	}
}

func TestRunRejectsBadHarvester(t *testing.T) {
	a := openArchive(t)
	for name, h := range map[string]*Harvester{
		"nil archive": {Agencies: agenciesFor(t)},
		"no agencies": {Archive: a},
	} {
		if _, err := h.Run(context.Background()); err == nil {
			t.Errorf("%s: Run succeeded", name)
		}
	}
}
