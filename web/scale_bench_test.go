package web_test

import (
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
// (benchworld.Prefill), to show whether their cost is flat in the size of
// the archive. Not run by go test ./... (a benchmark).
func BenchmarkDashboardScale(b *testing.B) {
	for _, n := range []int{4_000, 100_000} {
		b.Run(fmt.Sprintf("captures=%d", n), func(b *testing.B) {
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
