package web_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/benchworld"
	"github.com/nianbao/nianbao/web"
)

// BenchmarkDashboardScale serves the dashboard, /api/dashboard, /api/audit
// and one agency page over archives of 4k and 100k captures
// (benchworld.Prefill, 500 captures and 4 reports per agency), to show
// whether their cost is flat in the size of the archive. Not run by go test
// ./... (a benchmark).
func BenchmarkDashboardScale(b *testing.B) {
	// shown is how many agencies the seeds list (the grid's rows); 0 is
	// every agency of the archive. The 100k archive served with the 8
	// agencies of the 4k one shows what grows with history alone.
	for _, tc := range []struct{ n, shown int }{{4_000, 0}, {100_000, 8}, {100_000, 0}} {
		n := tc.n
		b.Run(fmt.Sprintf("captures=%d/agencies=%d", n, cmp.Or(tc.shown, n/benchworld.PerHost)), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "a.db")
			a, err := archive.Open(path, archive.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			if err := benchworld.Prefill(context.Background(), a, n, 8); err != nil {
				b.Fatal(err)
			}
			if err := a.Close(); err != nil {
				b.Fatal(err)
			}
			if a, err = archive.Open(path, archive.Options{ReadOnly: true}); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { a.Close() })
			agencies := benchworld.PrefillAgencies(n)
			if tc.shown > 0 {
				agencies = agencies[:tc.shown]
			}
			s := &web.Server{Archive: a, Agencies: agencies, From: 2021, To: 2024,
				Now: func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) }}
			h := s.Handler()
			for _, p := range []struct{ name, path string }{{"page", "/"}, {"api", "/api/dashboard"},
				{"audit", "/api/audit"}, {"agency", "/api/agencies/" + agencies[len(agencies)-1].Name}} {
				b.Run(p.name, func(b *testing.B) {
					var size int
					for i := 0; i < b.N; i++ {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.path, nil))
						if rec.Code != http.StatusOK {
							b.Fatalf("GET %s: %d", p.path, rec.Code)
						}
						size = rec.Body.Len()
					}
					b.ReportMetric(float64(size), "B/resp")
				})
			}
		})
	}
}
