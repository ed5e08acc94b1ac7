package e2e

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkClusterMakespan measures the makespan of a cluster harvest of
// a politeness-bound world (16 sites of 20 pages, -delay 50ms) with 1, 2
// and 4 workers (-parallel 1 each) on this machine, from the workers'
// start to the harvest recorded done. Run it with
//
//	go test -run '^$' -bench ClusterMakespan -benchtime 1x ./e2e/
func BenchmarkClusterMakespan(b *testing.B) {
	const delay = 50 * time.Millisecond
	bin := buildCommands(b, "serve", "crawl")
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			for range b.N {
				cw := newClusterWorld(b, 16, 20, 4)
				c := startCluster(b, bin, cw, delay)
				began := time.Now()
				for i := range n {
					c.worker(fmt.Sprintf("w%d", i+1))
				}
				run := c.harvested(5 * time.Minute)
				took := time.Since(began)
				c.stopAll()
				b.ReportMetric(took.Seconds(), "makespan_s")
				b.ReportMetric(float64(run.Pages)/took.Seconds(), "pages/s")
			}
		})
	}
}
