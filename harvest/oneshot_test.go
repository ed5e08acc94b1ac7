package harvest

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

// genWorld serves a generated world of hosts sites × pages pages (reports
// of 2021–2024 on every host) and returns it with its agencies and a crawl
// configuration routed to it.
func genWorld(t *testing.T, hosts, pages int) (*fixtureworld.World, []seeds.Agency, crawler.Config) {
	t.Helper()
	w := fixtureworld.Generate(hosts, pages, 11)
	w.SetLogger(slog.New(slog.DiscardHandler))
	srv, resolve := fixtureworld.Serve(w)
	t.Cleanup(srv.Close)
	agencies, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatal(err)
	}
	cfg := crawler.DefaultConfig()
	cfg.Delay, cfg.Retries, cfg.Timeout, cfg.Parallel = 0, 0, 5*time.Second, 8
	cfg.Resolve = resolve
	cfg.Logger = slog.New(slog.DiscardHandler)
	return w, agencies, cfg
}

// oneShotCrawl crawls agencies into a as cmd/crawl does: a run of kind
// "crawl" recorded around crawler.Crawler.Run, nothing extracted.
func oneShotCrawl(t *testing.T, a *archive.Archive, cfg crawler.Config, agencies []seeds.Agency) *archive.Run {
	t.Helper()
	run := &archive.Run{Kind: "crawl", Started: time.Now().UTC(), Status: "running"}
	if err := a.PutRun(run); err != nil {
		t.Fatal(err)
	}
	cfg.RunID = run.ID
	c, err := crawler.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), agencies)
	if err != nil {
		t.Fatalf("one-shot crawl: %v", err)
	}
	run.Ended, run.Status, run.Pages, run.NewCaptures = time.Now().UTC(), "done", sum.Pages, sum.NewCaptures
	if err := a.PutRun(run); err != nil {
		t.Fatal(err)
	}
	return run
}

// storedReports counts the reports stored in a.
func storedReports(t *testing.T, a *archive.Archive) int {
	t.Helper()
	n := 0
	if err := a.View(func(r *archive.Reader) error {
		return r.EachReport(func(string, []byte) error { n++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// genNow is an audit date after every deadline of the generated reports.
func genNow() time.Time { return time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC) }

// TestHarvestExtractsOneShotCrawl crawls a generated world with a one-shot
// crawl (kind "crawl", nothing extracted), then harvests with a crawl stage
// that finds nothing new: the harvest extracts the crawl's reports, counts
// them as its new reports, lists the crawl's URLs as new since the first
// run, and audits them (no agency-year missing); a second harvest finds
// nothing new.
func TestHarvestExtractsOneShotCrawl(t *testing.T) {
	tests := []struct {
		name  string
		crawl CrawlFunc
		stub  bool // the crawl stage archives nothing at all
	}{
		{"crawl stage archives nothing", fakeCrawl(nil, nil, nil), true},
		{"real crawl stage revalidates", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, agencies, cfg := genWorld(t, 3, 30)
			a := openArchive(t)
			oneShotCrawl(t, a, cfg, agencies)
			if n := storedReports(t, a); n != 0 {
				t.Fatalf("%d reports stored before the harvest", n)
			}
			h := &Harvester{Archive: a, Agencies: agencies, Crawl: cfg, From: 2021, To: 2024, Now: genNow,
				Logger: slog.New(slog.DiscardHandler), Crawler: tc.crawl}
			run, err := h.Run(context.Background())
			if err != nil {
				t.Fatalf("harvest: %v", err)
			}
			want := len(w.Expected()) // 3 hosts × 4 years
			if n := storedReports(t, a); n != want || run.NewReports != want {
				t.Errorf("harvest stored %d reports, run new_reports %d; want %d", n, run.NewReports, want)
			}
			if tc.stub && run.NewCaptures != 0 {
				t.Errorf("crawl stage made %d new captures, want 0", run.NewCaptures)
			}
			isNew := map[string]bool{}
			for _, u := range run.New {
				isNew[u] = true
			}
			for _, e := range w.Expected() {
				if !isNew[e.URL] {
					t.Errorf("run New lacks %s, archived by the one-shot crawl", e.URL)
				}
			}
			snap := h.Audit()
			if snap == nil || len(snap.Entries) != want {
				t.Fatalf("audit %+v, want %d entries", snap, want)
			}
			for _, e := range snap.Entries {
				if e.Status != audit.OnTime && e.Status != audit.Late || e.CaptureID == "" {
					t.Errorf("audit %s %d: status %q capture %q, want a report found", e.Agency, e.Year, e.Status, e.CaptureID)
				}
			}

			again, err := h.Run(context.Background())
			if err != nil {
				t.Fatalf("second harvest: %v", err)
			}
			if again.NewReports != 0 || tc.stub && (len(again.New) != 0 || again.Errors != 0) {
				t.Errorf("second harvest = %+v, want nothing new", again)
			}
			for _, u := range again.New { // a real crawl may find a revalidated page changed, never a report
				for _, e := range w.Expected() {
					if u == e.URL {
						t.Errorf("second harvest lists report %s again", u)
					}
				}
			}
		})
	}
}

// TestHarvestListsWhatACrawlArchivedSinceTheLastRun: a harvest completes,
// the site publishes a report, a one-shot crawl archives it, and the next
// harvest (whose crawl stage finds nothing) lists exactly the crawl's new
// and changed URLs as new and extracts only them.
func TestHarvestListsWhatACrawlArchivedSinceTheLastRun(t *testing.T) {
	s := newSite(t)
	a := openArchive(t)
	ext := &recordingExtractor{}
	h := &Harvester{Archive: a, Agencies: s.agencies(t), Crawl: s.crawlConfig(), From: 2022, To: 2023,
		Logger: slog.New(slog.DiscardHandler), Extractor: ext.extract, Auditor: noAudit}
	r1, err := h.Run(context.Background())
	if err != nil || len(r1.New) != 6 {
		t.Fatalf("first harvest: %+v %v", r1, err)
	}

	list := s.url("/zwgk/ndbg/")
	report24 := s.url("/zwgk/ndbg/202501/t20250110_3.html")
	s.set("/zwgk/ndbg/202501/t20250110_3.html", page("示例市公安局2024年政府信息公开工作年度报告", "<p>一、总体情况</p>"))
	s.set("/zwgk/ndbg/", strings.Replace(s.page["/zwgk/ndbg/"], "<ul>", `<ul><li><a href="./202501/t20250110_3.html">示例市公安局2024年政府信息公开工作年度报告</a></li>`, 1))
	cfg := s.crawlConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)
	crawlRun := oneShotCrawl(t, a, cfg, s.agencies(t))

	h.Crawler = fakeCrawl(nil, nil, nil)
	r2, err := h.Run(context.Background())
	if err != nil {
		t.Fatalf("second harvest: %v", err)
	}
	if want := []string{list, report24}; !reflect.DeepEqual(r2.New, want) || r2.NewReports != 1 {
		t.Errorf("second harvest New %q new_reports %d, want %q and 1", r2.New, r2.NewReports, want)
	}
	got := urlsOf(t, a, ext.last())
	if want := []string{list, report24}; !reflect.DeepEqual(got, want) {
		t.Errorf("second harvest extracted %q, want %q", got, want)
	}
	for _, id := range ext.last() {
		if c, err := a.Get(id); err != nil || c.RunID != crawlRun.ID {
			t.Errorf("extracted capture %s: %+v %v, want one of crawl run %s", id, c, err, crawlRun.ID)
		}
	}
	r3, err := h.Run(context.Background())
	if err != nil || len(r3.New) != 0 || r3.NewReports != 0 {
		t.Errorf("third harvest = %+v, %v; want nothing new", r3, err)
	}
}

// TestLoadReadsTheStoredAudit: a new Harvester over an archive harvested
// before answers Audit with the latest stored audit once loaded.
func TestLoadReadsTheStoredAudit(t *testing.T) {
	_, agencies, cfg := genWorld(t, 2, 20)
	path := filepath.Join(t.TempDir(), "archive.db")
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	first := &Harvester{Archive: a, Agencies: agencies, Crawl: cfg, From: 2021, To: 2024, Now: genNow, Logger: slog.New(slog.DiscardHandler)}
	run, err := first.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := first.Audit()
	a.Close()

	a, err = archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := &Harvester{Archive: a, Agencies: agencies, Logger: slog.New(slog.DiscardHandler)}
	if h.Audit() != nil {
		t.Fatal("Audit before Load is not nil")
	}
	if err := h.Load(); err != nil {
		t.Fatal(err)
	}
	got := h.Audit()
	if got == nil || got.RunID != run.ID || got.AsOf != "2025-08-01" || got.From != 2021 || got.To != 2024 ||
		!got.Computed.Equal(want.Computed) || !reflect.DeepEqual(got.Entries, want.Entries) {
		t.Errorf("loaded audit %+v, want the one stored by run %s: %+v", got, run.ID, want)
	}
	statuses := map[string]int{}
	for _, e := range got.Entries {
		statuses[e.Status]++
	}
	if len(got.Entries) != 8 || statuses[audit.Missing] != 0 {
		t.Errorf("loaded audit statuses %v, want 8 entries none missing", statuses)
	}
}

// TestHarvestWhileTheFileGrows runs harvests (survey, new URLs, real
// extraction and audit) while other writers keep growing the file with
// incompressible payloads, so that bbolt remaps it under the harvest's
// reads: a read transaction opened inside another would deadlock here
// (the remap waits for the outer one, the inner one for the remap).
func TestHarvestWhileTheFileGrows(t *testing.T) {
	_, agencies, cfg := genWorld(t, 3, 30)
	a := openArchive(t)
	oneShotCrawl(t, a, cfg, agencies)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var grown atomic.Int64
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				rand.Read(buf)
				c := &archive.Capture{URL: fmt.Sprintf("http://grow.test/%d/%d.bin", w, i), Status: 200, Role: archive.RoleOther}
				if err := a.Put(c, buf, ""); err != nil {
					t.Error(err)
					return
				}
				grown.Add(int64(len(buf)))
			}
		}()
	}
	h := &Harvester{Archive: a, Agencies: agencies, From: 2021, To: 2024, Now: genNow,
		Logger: slog.New(slog.DiscardHandler), Crawler: fakeCrawl(nil, nil, nil)}
	done := make(chan error, 1)
	go func() {
		for i := 0; i < 3; i++ {
			if _, err := h.Run(context.Background()); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("harvests did not finish in 60 s while the file grew: a nested read transaction?")
	}
	close(stop)
	wg.Wait()
	t.Logf("the file grew by %d MiB during 3 harvests", grown.Load()>>20)
	if n := storedReports(t, a); n != 12 {
		t.Errorf("%d reports stored, want 12", n)
	}
}
