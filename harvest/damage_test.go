package harvest

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/archivetest"
	"github.com/nianbao/nianbao/seeds"
)

// TestRunFailsOnDamageAndSuspends: damage met during a harvest fails the
// run with the DamageError's message, Damaged reports it, and later runs
// are refused without writing (Loop only logs that harvests are
// suspended).
func TestRunFailsOnDamageAndSuspends(t *testing.T) {
	tests := []struct {
		name       string
		damage     func(t *testing.T, path string) // damages the closed file
		crawl      CrawlFunc
		wantStatus string // prefix
	}{
		{name: "captures bucket unreadable", damage: func(t *testing.T, path string) { archivetest.ZeroBucketRoot(t, path, "captures") },
			crawl: fakeCrawl(nil, nil, nil), wantStatus: "failed: start: harvest: read runs and captures: archive "},
		{name: "crawl stage meets damage", damage: func(*testing.T, string) {},
			crawl: func(context.Context, *archive.Archive, crawler.Config, []seeds.Agency) (*crawler.Summary, error) {
				return &crawler.Summary{}, &archive.DamageError{Path: "x.db", Detail: "bbolt could not read a page (test)"}
			},
			wantStatus: "failed: crawl: archive x.db is damaged: bbolt could not read a page (test); run `archive check -db x.db`"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, agencies, cfg := genWorld(t, 2, 20)
			path := filepath.Join(t.TempDir(), "archive.db")
			a, err := archive.Open(path, archive.Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			oneShotCrawl(t, a, cfg, agencies)
			a.Close()
			tc.damage(t, path)
			a, err = archive.Open(path, archive.Options{NoSync: true})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer a.Close()
			var logs syncBuffer
			h := &Harvester{Archive: a, Agencies: agencies, Logger: testLogger(&logs), Crawler: tc.crawl, Auditor: noAudit}
			if err := h.Load(); err != nil {
				t.Fatalf("Load: %v (the runs bucket is intact)", err)
			}
			run, err := h.Run(context.Background())
			if !errors.Is(err, archive.ErrDamaged) || run == nil || !strings.HasPrefix(string(run.Status), tc.wantStatus) || !strings.Contains(string(run.Status), "is damaged") {
				t.Fatalf("run %+v, err %v; want status %q… and ErrDamaged", run, err, tc.wantStatus)
			}
			if !errors.Is(h.Damaged(), archive.ErrDamaged) {
				t.Errorf("Damaged() = %v", h.Damaged())
			}
			again, err := h.Run(context.Background())
			if again != nil || !errors.Is(err, archive.ErrDamaged) {
				t.Errorf("run after damage: %+v %v, want refused with ErrDamaged", again, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			h.Loop(ctx, 0)
			if !strings.Contains(logs.String(), "harvest skipped: the archive is damaged") {
				t.Errorf("Loop did not log the suspension:\n%s", logs.String())
			}
			runs, err := a.Runs()
			if err != nil || len(runs) != 2 || runs[0].ID != run.ID || runs[0].Status != run.Status {
				t.Errorf("runs %+v %v, want the crawl run and the one failed harvest", runs, err)
			}
		})
	}
}

// TestLoadOnDamagedRuns: Load reports a damaged runs bucket, which
// Damaged then returns.
func TestLoadOnDamagedRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "archive.db")
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ { // enough runs for the bucket to have a page of its own
		if err := a.PutRun(&archive.Run{Kind: Kind, Status: StatusDone, New: []string{strings.Repeat("http://h/", 10)}}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	archivetest.ZeroBucketRoot(t, path, "runs")
	a, err = archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer a.Close()
	h := &Harvester{Archive: a, Agencies: agenciesFor(t)}
	err = h.Load()
	var de *archive.DamageError
	if !errors.As(err, &de) || de.Path != path || !errors.Is(h.Damaged(), archive.ErrDamaged) {
		t.Errorf("Load: %v; Damaged %v; want a DamageError naming %s", err, h.Damaged(), path)
	}
}
