package benchworld

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/internal/fixtureworld"
)

// The world of BenchmarkHostMemory: many small hosts, crawled with a
// small delay so that -parallel of them are in flight at once.
const memHosts, memPerHost, memDelay = 128, 20, "20ms"

// BenchmarkHostMemory crawls memHosts hosts at -parallel 8 and at
// -parallel memHosts and reports each crawl's peak RSS and the memory one
// more host in flight costs (the difference over the extra hosts).
func BenchmarkHostMemory(b *testing.B) {
	bin := buildCrawl(b)
	for i := 0; i < b.N; i++ {
		rss := map[int]float64{}
		for _, parallel := range []int{8, memHosts} {
			dir := b.TempDir()
			w := fixtureworld.Generate(memHosts, memPerHost, 1)
			srv, resolve := fixtureworld.Serve(w)
			seeds := filepath.Join(dir, "seeds.txt")
			if err := os.WriteFile(seeds, []byte(w.Seeds()), 0o644); err != nil {
				b.Fatal(err)
			}
			s := &served{w: w, srv: srv, seeds: seeds}
			for _, h := range w.Hosts() {
				s.resolve = append(s.resolve, "-resolve", h+"="+strings.TrimPrefix(resolve[h], "http://"))
			}
			args := append([]string{"-db", filepath.Join(dir, "a.db"), "-seeds", seeds, "-delay", memDelay,
				"-parallel", fmt.Sprint(parallel), "-max-pages", fmt.Sprint(2 * memPerHost), "-max-depth", "50",
				"-timeout", "10s", "-render", "never"}, s.resolve...)
			o := s.run(b, nil, filepath.Join(bin, "crawl"), args...)
			srv.Close()
			rss[parallel] = o.rssMB
			b.ReportMetric(o.rssMB, fmt.Sprintf("RSS-MB@%d", parallel))
		}
		b.ReportMetric((rss[memHosts]-rss[8])*1024/float64(memHosts-8), "KB/host")
	}
}
