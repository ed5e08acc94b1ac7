package web

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// Concurrency test parameters: enough writes of incompressible bodies that
// the bbolt file grows (and is remapped) several times while the handlers
// read.
const (
	concWriters      = 4
	concPutsEach     = 750 // 3,000 puts in all
	concBodySize     = 4 << 10
	concReaders      = 6
	concRequestLimit = 10 * time.Second
)

// TestConcurrentReadsWhileWriting hits every handler from 6 goroutines while
// writers Put 3,000 captures of 4 KB: bbolt deadlocks a read transaction
// opened inside another while a writer remaps the growing file, so a page
// that nested its reads would hang here. Every request must finish within
// 10 s; a hung one fails the test with a dump of every goroutine.
func TestConcurrentReadsWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	f := newFixture(t)
	s := addReplaySite(t, f, "http://127.0.0.1:1")
	h := f.srv.Handler()
	paths := concurrencyPaths(f, s)
	before := fileSize(t, f.a.Path())

	var writing sync.WaitGroup
	var puts atomic.Int64
	writeErr := make(chan error, concWriters)
	for w := range concWriters {
		writing.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			body := make([]byte, concBodySize)
			for i := range concPutsEach {
				for k := range body {
					body[k] = byte(rng.Uint32())
				}
				c := &archive.Capture{URL: fmt.Sprintf("http://grow.example.gov.cn/w%d/%d.bin", w, i), Status: 200,
					ContentType: "application/octet-stream", Agency: "写入测试局", Role: archive.RoleOther}
				if err := f.a.Put(c, body, ""); err != nil {
					writeErr <- err
					return
				}
				puts.Add(1)
			}
		})
	}
	done := make(chan struct{})
	go func() { writing.Wait(); close(done) }()

	var stats concStats
	var reading sync.WaitGroup
	for g := range concReaders {
		reading.Go(func() {
			for i := g; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				stats.record(t, h, paths[i%len(paths)])
			}
		})
	}
	reading.Wait()
	close(writeErr)
	for err := range writeErr {
		t.Fatalf("put: %v", err)
	}
	after := fileSize(t, f.a.Path())
	t.Logf("%d puts; archive grew from %d KB to %d KB; %d requests served by %d goroutines, max latency %s (%s), %d per path on average",
		puts.Load(), before>>10, after>>10, stats.n.Load(), concReaders, time.Duration(stats.max.Load()), stats.slowest(),
		stats.n.Load()/int64(len(paths)))
	if after < before*8 {
		t.Errorf("the archive grew from %d to %d bytes only: too little to make bbolt remap several times", before, after)
	}
	if stats.n.Load() < int64(len(paths)) {
		t.Errorf("only %d requests served during the writes", stats.n.Load())
	}
}

// concurrencyPaths is every handler of the UI with a request it answers.
func concurrencyPaths(f *fixture, s *replaySite) []concPath {
	cs := f.reports["长沙市公安局"]
	q := url.QueryEscape
	return []concPath{
		{"/", 200}, {"/api/dashboard", 200}, {"/api/audit", 200}, {"/api/audit?from=2021&to=2022&asof=2024-06-01", 200},
		{"/agency/" + url.PathEscape("长沙市公安局"), 200}, {"/api/agencies/" + url.PathEscape("宁波市公安局"), 200},
		{"/report/" + cs, 200}, {"/api/reports/" + f.broken, 200},
		{"/history?url=" + q(noticeURL), 200}, {"/api/history?url=" + q(replayHost+"logo.png"), 200},
		{"/diff?a=" + f.notice1 + "&b=" + f.notice2, 200}, {"/api/diff?a=" + f.notice1 + "&b=" + f.notice2, 200},
		{"/api/runs", 200}, {"/api/captures/" + f.evil, 200},
		{"/view/" + s.page, 200}, {"/view/" + s.revisit, 200}, {"/view/" + f.attach, 200},
		{"/replay/" + s.page, 200}, {"/replay/" + s.revisit, 200}, {"/replay/" + f.attach + "?download=1", 200}, {"/replay/" + s.css, 200},
		{"/replay/at/20240126080000/" + replayHost + "logo.png", 302}, {"/replay/at/20240126080000/" + replayHost + "missing.html", 404},
		{"/report/" + f.evil, 404}, {"/static/style.css", 200},
	}
}

type concPath struct {
	path string
	code int
}

// concStats counts the requests served and keeps the slowest.
type concStats struct {
	n, max atomic.Int64
	mu     sync.Mutex
	slow   string
}

func (st *concStats) slowest() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.slow
}

// record serves one request; a request still running after
// concRequestLimit dumps every goroutine and aborts the test binary (its
// archive could not even be closed).
func (st *concStats) record(t *testing.T, h http.Handler, p concPath) {
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p.path, nil))
		done <- rec.Code
	}()
	select {
	case code := <-done:
		d := time.Since(start)
		st.n.Add(1)
		if code != p.code {
			t.Errorf("GET %s: %d, want %d", p.path, code, p.code)
		}
		for old := st.max.Load(); int64(d) > old; old = st.max.Load() {
			if st.max.CompareAndSwap(old, int64(d)) {
				st.mu.Lock()
				st.slow = p.path
				st.mu.Unlock()
			}
		}
	case <-time.After(concRequestLimit):
		fmt.Fprintf(os.Stderr, "GET %s has not finished after %s: a read deadlocked with the writer. Goroutines:\n", p.path, concRequestLimit)
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		panic(fmt.Sprintf("GET %s hung for %s (goroutine dump above)", p.path, concRequestLimit))
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
