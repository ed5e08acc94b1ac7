package harvest

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

// TestRunRealStagesOverFixtureWorld harvests the default fixture world
// twice with the real crawler, extractor and audit: the first run lists
// every expected URL as new, stores reports and audits them (the audit is
// stored with the run); the second parses no report again and stores no
// new one.
func TestRunRealStagesOverFixtureWorld(t *testing.T) {
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	w.SetLogger(slog.New(slog.DiscardHandler))
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	agencies, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatal(err)
	}
	a := openArchive(t)
	cfg := crawler.DefaultConfig()
	cfg.Delay = 0
	cfg.Resolve = resolve
	var results []*ExtractResult
	h := &Harvester{Archive: a, Agencies: agencies, Crawl: cfg, From: 2020, To: 2024,
		Logger: slog.New(slog.DiscardHandler),
		Now:    func() time.Time { return time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC) },
		Extractor: func(ctx context.Context, a *archive.Archive, log *slog.Logger) (*ExtractResult, error) {
			res, err := realExtract(ctx, a, log)
			results = append(results, res)
			return res, err
		}}

	r1, err := h.Run(context.Background())
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	isNew := map[string]bool{}
	for _, u := range r1.New {
		isNew[u] = true
	}
	for _, e := range w.Expected() {
		if !isNew[e.URL] {
			t.Errorf("first run New lacks %s %s", e.Role, e.URL)
		}
	}
	stored := 0
	if err := a.View(func(rd *archive.Reader) error {
		return rd.EachReport(func(string, []byte) error { stored++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	if r1.NewReports == 0 || r1.NewReports != stored {
		t.Errorf("first run new reports %d, %d stored", r1.NewReports, stored)
	}
	snap := h.Audit()
	if snap == nil || snap.RunID != r1.ID {
		t.Fatalf("audit after the first run: %+v", snap)
	}
	entries := snap.Entries
	if len(entries) != len(agencies)*5 {
		t.Errorf("%d audit entries, want %d", len(entries), len(agencies)*5)
	}
	found := 0
	for _, e := range entries {
		if (e.Status == "on_time" || e.Status == "late") && e.CaptureID != "" {
			found++
		}
	}
	if found == 0 {
		t.Errorf("audit found no report: %+v", entries)
	}

	if got := results[0].Parsed; got != stored {
		t.Errorf("first run parsed %d reports, %d stored", got, stored)
	}
	r2, err := h.Run(context.Background())
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if r2.NewReports != 0 || results[1].Parsed != 0 {
		t.Errorf("second run stored %d new reports, parsed %d; want none", r2.NewReports, results[1].Parsed)
	}
	if r2.Errors > r1.Errors {
		t.Errorf("second run errors %d > first run's %d: failures of the first counted again", r2.Errors, r1.Errors)
	}
	var stored1, stored2 *audit.Snapshot
	if err := a.View(func(rd *archive.Reader) error {
		var err error
		if stored1, _, err = audit.OfRun(rd, r1.ID); err != nil {
			return err
		}
		stored2, _, err = audit.Latest(rd)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if stored1 == nil || len(stored1.Entries) != len(entries) || stored2 == nil || stored2.RunID != r2.ID {
		t.Errorf("stored audits: run %s %+v, latest %+v", r1.ID, stored1, stored2)
	}
	for _, u := range r2.New {
		if isNew[u] {
			t.Errorf("second run lists %s again", u)
		}
	}
}
