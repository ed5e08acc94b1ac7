package crawler

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

// BenchmarkCrawlGenerated crawls a generated 20-host, ~5,000-page world on
// loopback with no delay and reports pages/s and the process's peak RSS
// (which includes the in-process fixture server). scripts/bench.sh runs it.
func BenchmarkCrawlGenerated(b *testing.B) {
	const hosts, perHost = 20, 250
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := fixtureworld.Generate(hosts, perHost, 1)
		ags, err := seeds.Parse(strings.NewReader(w.Seeds()))
		if err != nil || len(ags) != hosts {
			b.Fatalf("generated seeds: %d agencies, %v", len(ags), err)
		}
		srv, resolve := fixtureworld.Serve(w)
		a, err := archive.Open(filepath.Join(b.TempDir(), "bench.db"), archive.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Delay = 0
		cfg.Parallel = hosts
		cfg.MaxPagesPerHost = 2 * perHost
		cfg.MaxDepth = 50
		cfg.Timeout = 10 * time.Second
		cfg.Resolve = resolve
		c, err := New(a, cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		sum, err := c.Run(context.Background(), ags)
		el := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		st := c.Stats()
		for _, e := range w.Expected() {
			if caps, _ := a.ByURL(e.URL); len(caps) == 0 {
				b.Errorf("expected %s not archived", e.URL)
			}
		}
		b.ReportMetric(float64(st.Fetched)/el.Seconds(), "pages/s")
		b.ReportMetric(float64(st.Fetched), "pages")
		b.ReportMetric(float64(sum.Errors), "errors")
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
			b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS_MB")
		}
		a.Close()
		srv.Close()
	}
}
