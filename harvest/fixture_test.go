package harvest

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

// TestRunRealStagesOverFixtureWorld harvests the default fixture world
// twice with the real crawler, extractor and audit: the first run lists
// every expected URL as new, stores reports and audits them; the second
// extracts only captures it made itself and stores no new report.
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
	var extracted [][]string
	h := &Harvester{Archive: a, Agencies: agencies, Crawl: cfg, From: 2020, To: 2024,
		Logger: slog.New(slog.DiscardHandler),
		Now:    func() time.Time { return time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC) },
		Extractor: func(ctx context.Context, a *archive.Archive, ids []string, log *slog.Logger) (*ExtractResult, error) {
			extracted = append(extracted, ids)
			return realExtract(ctx, a, ids, log)
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
	entries := h.Audit()
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

	calls := len(extracted)
	r2, err := h.Run(context.Background())
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if r2.NewReports != 0 {
		t.Errorf("second run stored %d new reports", r2.NewReports)
	}
	for _, ids := range extracted[calls:] {
		for _, id := range ids {
			c, err := a.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if c.RunID != r2.ID {
				t.Errorf("second run extracted capture %s of run %s", id, c.RunID)
			}
		}
	}
	for _, u := range r2.New {
		if isNew[u] {
			t.Errorf("second run lists %s again", u)
		}
	}
}
