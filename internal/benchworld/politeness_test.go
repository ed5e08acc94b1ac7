package benchworld

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/fixtureworld"
)

// politeDelay is the -delay of the politeness benchmark, politeHosts and
// politePerHost its world (every host crawled at once: -parallel
// politeHosts).
const (
	politeDelay                = 50 * time.Millisecond
	politeHosts, politePerHost = 20, 250
)

// span is one request as the server saw it: from its arrival to the end
// of its handler.
type span struct {
	path       string
	start, end time.Time
}

// spanLog records every request of a world by host.
type spanLog struct {
	mu     sync.Mutex
	byHost map[string][]span
}

func (l *spanLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		end := time.Now()
		host, _, _ := strings.Cut(r.Host, ":")
		l.mu.Lock()
		l.byHost[host] = append(l.byHost[host], span{r.URL.RequestURI(), start, end})
		l.mu.Unlock()
	})
}

// impolite names the first pair of requests to one host that were closer
// than delay (start to start) or overlapped, "" when there is none.
func impolite(byHost map[string][]span, delay time.Duration) string {
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		ss := byHost[h]
		sort.Slice(ss, func(i, j int) bool { return ss[i].start.Before(ss[j].start) })
		for i := 1; i < len(ss); i++ {
			prev, cur := ss[i-1], ss[i]
			switch gap := cur.start.Sub(prev.start); {
			case cur.start.Before(prev.end):
				return fmt.Sprintf("%s: %s started before %s ended (concurrent)", h, cur.path, prev.path)
			case gap < delay:
				return fmt.Sprintf("%s: %s started %v after %s, less than the delay %v", h, cur.path, gap, prev.path, delay)
			}
		}
	}
	return ""
}

// gapQuantiles formats the 10th, 50th, 90th and 99th percentiles of the
// start-to-start gaps between a host's requests (impolite sorted them).
func gapQuantiles(byHost map[string][]span) string {
	var gaps []time.Duration
	for _, ss := range byHost {
		for i := 1; i < len(ss); i++ {
			gaps = append(gaps, ss[i].start.Sub(ss[i-1].start))
		}
	}
	if len(gaps) == 0 {
		return "none"
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	q := func(p int) time.Duration {
		return gaps[min(len(gaps)-1, len(gaps)*p/100)].Round(100 * time.Microsecond)
	}
	return fmt.Sprintf("p10 %v, p50 %v, p90 %v, p99 %v, max %v", q(10), q(50), q(90), q(99), gaps[len(gaps)-1].Round(time.Millisecond))
}

// TestImpolite checks the benchmark's politeness assertion itself.
func TestImpolite(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	for _, tc := range []struct {
		name  string
		spans []span
		bad   string // a substring of the complaint; "" when polite
	}{
		{"polite", []span{{"/a", at(0), at(5)}, {"/b", at(50), at(52)}, {"/c", at(100), at(101)}}, ""},
		{"unsorted polite", []span{{"/c", at(100), at(101)}, {"/a", at(0), at(5)}}, ""},
		{"too close", []span{{"/a", at(0), at(5)}, {"/b", at(49), at(52)}}, "less than the delay"},
		{"concurrent", []span{{"/a", at(0), at(80)}, {"/b", at(60), at(70)}}, "concurrent"},
	} {
		got := impolite(map[string][]span{"h": tc.spans}, 50*time.Millisecond)
		if (tc.bad == "") != (got == "") || !strings.Contains(got, tc.bad) {
			t.Errorf("%s: impolite = %q, want %q", tc.name, got, tc.bad)
		}
	}
}

// BenchmarkPoliteness crawls a world of politeHosts hosts with -delay
// politeDelay, every host at once, and reports the makespan against the
// ideal: the busiest host's requests × the delay. It fails if two
// requests to one host came closer than the delay or overlapped.
func BenchmarkPoliteness(b *testing.B) {
	bin := buildCrawl(b)
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		w := fixtureworld.Generate(politeHosts, politePerHost, 1)
		log := &spanLog{byHost: map[string][]span{}}
		srv := httptest.NewServer(log.wrap(w.Handler()))
		seeds := filepath.Join(dir, "seeds.txt")
		if err := os.WriteFile(seeds, []byte(w.Seeds()), 0o644); err != nil {
			b.Fatal(err)
		}
		s := &served{w: w, srv: srv, seeds: seeds}
		for _, h := range w.Hosts() {
			s.resolve = append(s.resolve, "-resolve", h+"="+strings.TrimPrefix(srv.URL, "http://"))
		}
		args := append([]string{"-db", filepath.Join(dir, "a.db"), "-seeds", seeds, "-delay", politeDelay.String(),
			"-parallel", fmt.Sprint(politeHosts), "-max-pages", fmt.Sprint(2 * politePerHost), "-max-depth", "50",
			"-timeout", "10s", "-render", "never"}, s.resolve...)
		o := s.run(b, nil, filepath.Join(bin, "crawl"), args...)
		srv.Close()
		log.mu.Lock()
		busiest := 0
		for _, ss := range log.byHost {
			busiest = max(busiest, len(ss))
		}
		bad := impolite(log.byHost, politeDelay)
		b.Logf("start-to-start gaps within a host: %s", gapQuantiles(log.byHost))
		log.mu.Unlock()
		if bad != "" {
			b.Fatalf("impolite crawl: %s", bad)
		}
		ideal := time.Duration(busiest) * politeDelay
		b.ReportMetric(float64(o.pages), "pages")
		b.ReportMetric(o.wall.Seconds(), "makespan-s")
		b.ReportMetric(ideal.Seconds(), "ideal-s")
		b.ReportMetric(o.wall.Seconds()/ideal.Seconds(), "makespan/ideal")
	}
}
