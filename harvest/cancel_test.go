package harvest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

// reportCrawl archives the report pages of a generated world (hosts × 4
// reports) as new captures, without HTTP: a crawl stage that leaves the
// extraction a lot to do.
func reportCrawl(w *fixtureworld.World) CrawlFunc {
	return func(ctx context.Context, a *archive.Archive, cfg crawler.Config, _ []seeds.Agency) (*crawler.Summary, error) {
		sum := &crawler.Summary{}
		for _, e := range w.Expected() {
			body, _ := w.Body(e.URL)
			c := &archive.Capture{URL: e.URL, Status: 200, ContentType: "text/html; charset=utf-8", Role: archive.RoleReport,
				Agency: e.Agency, RunID: cfg.RunID, FetchedAt: time.Now().UTC()}
			if err := a.Put(c, body, string(body)); err != nil {
				return sum, err
			}
			sum.Pages++
			sum.NewCaptures++
			sum.New = append(sum.New, c.ID)
		}
		return sum, ctx.Err()
	}
}

// TestCancelStopsEveryStage cancels a harvest in the middle of each stage
// and checks that Run returns within a second, recorded interrupted during
// that stage: a crawl against a server that answers after a minute, and an
// extraction of hundreds of reports (which the next harvest completes).
func TestCancelStopsEveryStage(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // answers after a minute, or when the client gives up
		case <-time.After(time.Minute):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	big := fixtureworld.Generate(150, 10, 3) // 600 report pages
	tests := []struct {
		name  string
		stage string
		setup func(h *Harvester, cancel context.CancelFunc)
	}{
		{"crawl against a slow server", "crawl", func(h *Harvester, cancel context.CancelFunc) {
			h.Agencies = agenciesFor(t)
			h.Crawl.Resolve = map[string]string{"gaj.harvest.test": strings.TrimPrefix(slow.URL, "http://")}
			h.Crawl.Timeout = time.Minute
			go func() {
				time.Sleep(300 * time.Millisecond) // the robots.txt request is in flight
				cancel()
			}()
		}},
		{"extraction of 600 reports", "extract", func(h *Harvester, cancel context.CancelFunc) {
			h.Crawler = reportCrawl(big)
			h.Extractor = func(ctx context.Context, a *archive.Archive, log *slog.Logger) (*ExtractResult, error) {
				go func() {
					for storedReports(t, a) < 5 {
						time.Sleep(time.Millisecond)
					}
					cancel()
				}()
				return realExtract(ctx, a, log)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := openArchive(t)
			cfg := crawler.DefaultConfig()
			cfg.Delay, cfg.Retries = 0, 0
			h := &Harvester{Archive: a, Agencies: agenciesFor(t), Crawl: cfg, Logger: slog.New(slog.DiscardHandler), Auditor: noAudit}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tc.setup(h, cancel)
			cancelled := make(chan time.Time, 1)
			go func() {
				<-ctx.Done()
				cancelled <- time.Now()
			}()
			run, err := h.Run(ctx)
			took := time.Since(<-cancelled)
			if !errors.Is(err, context.Canceled) || run == nil || run.Status != StatusInterrupted ||
				!strings.Contains(err.Error(), "interrupted during "+tc.stage) {
				t.Fatalf("run %+v, err %v; want interrupted during %s", run, err, tc.stage)
			}
			if took > time.Second {
				t.Errorf("Run returned %s after the cancel, want < 1s", took)
			}
			t.Logf("returned %s after the cancel", took.Round(time.Millisecond))
			if tc.stage == "extract" {
				n := storedReports(t, a)
				if n == 0 || n >= len(big.Expected()) || run.NewReports != n {
					t.Errorf("interrupted extraction stored %d reports (run says %d) of %d; want some, not all", n, run.NewReports, len(big.Expected()))
				}
				// The next harvest extracts the rest.
				h.Crawler, h.Extractor = fakeCrawl(nil, nil, nil), nil
				next, err := h.Run(context.Background())
				if err != nil || next.NewReports != len(big.Expected())-n {
					t.Errorf("next harvest %+v %v, want the %d reports left", next, err, len(big.Expected())-n)
				}
			}
		})
	}
}

// TestAbandonRecordsTheRunInterrupted: a stage that does not stop in time
// is abandoned; the run is recorded interrupted at once and its own end,
// when the stage finally returns, is not recorded over it.
func TestAbandonRecordsTheRunInterrupted(t *testing.T) {
	a := openArchive(t)
	inCrawl, release := make(chan struct{}), make(chan struct{})
	stuck := func(ctx context.Context, a *archive.Archive, cfg crawler.Config, _ []seeds.Agency) (*crawler.Summary, error) {
		close(inCrawl)
		<-release // ignores ctx
		return &crawler.Summary{Pages: 1}, nil
	}
	h := &Harvester{Archive: a, Agencies: agenciesFor(t), Logger: slog.New(slog.DiscardHandler), Crawler: stuck,
		Extractor: (&recordingExtractor{}).extract, Auditor: noAudit}
	if r, err := h.Abandon(); r != nil || err != nil {
		t.Errorf("Abandon with no run: %+v %v", r, err)
	}
	done := make(chan *archive.Run)
	go func() {
		r, _ := h.Run(context.Background())
		done <- r
	}()
	<-inCrawl
	ab, err := h.Abandon()
	if err != nil || ab == nil || ab.Status != StatusInterrupted || ab.Ended.IsZero() {
		t.Fatalf("Abandon = %+v %v", ab, err)
	}
	runs, err := a.Runs()
	if err != nil || len(runs) != 1 || runs[0].Status != StatusInterrupted {
		t.Fatalf("recorded after Abandon: %+v %v", runs, err)
	}
	close(release)
	r := <-done
	if r.Status != StatusDone {
		t.Errorf("the run itself ended %q", r.Status)
	}
	runs, err = a.Runs()
	if err != nil || len(runs) != 1 || runs[0].Status != StatusInterrupted || !runs[0].Ended.Equal(ab.Ended) {
		t.Errorf("recorded after the stage returned: %+v %v, want the abandoned record kept", runs, err)
	}
}

// TestAuditStageStopsOnCancel: the real audit stage's report walk stops
// with ctx's error once ctx is cancelled.
func TestAuditStageStopsOnCancel(t *testing.T) {
	w := fixtureworld.Generate(3, 10, 3)
	a := openArchive(t)
	h := &Harvester{Archive: a, Agencies: agenciesFor(t), From: 2021, To: 2024, Now: genNow,
		Logger: slog.New(slog.DiscardHandler), Crawler: reportCrawl(w)}
	if _, err := h.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := &runState{h: h, log: h.logger(), skipped: newSkipSet()}
	if entries, err := s.computeAudit(context.Background(), 2021, 2024, genNow()); err != nil || len(entries) != 4 {
		t.Fatalf("audit: %d entries, %v", len(entries), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.computeAudit(ctx, 2021, 2024, genNow()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled audit: err %v, want context.Canceled", err)
	}
}
