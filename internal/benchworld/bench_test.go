package benchworld

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/web"
)

// The compared world: the one of issue 11 (20 hosts on one loopback
// server, delay 0). prefillN is the size of the pre-filled archive.
const (
	worldHosts, worldPerHost = 20, 250
	prefillN                 = 100_000
	prefillWorkers           = 8
)

// served is a generated world on loopback with the flags that reach it.
type served struct {
	w       *fixtureworld.World
	srv     *httptest.Server
	seeds   string // seeds file path
	resolve []string
}

func serveWorld(b *testing.B, dir string) *served {
	b.Helper()
	w := fixtureworld.Generate(worldHosts, worldPerHost, 1)
	srv, resolve := fixtureworld.Serve(w)
	b.Cleanup(srv.Close)
	s := &served{w: w, srv: srv, seeds: filepath.Join(dir, "seeds.txt")}
	if err := os.WriteFile(s.seeds, []byte(w.Seeds()), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, h := range w.Hosts() {
		s.resolve = append(s.resolve, "-resolve", h+"="+resolve[h])
	}
	return s
}

// outcome is one measured process: requests the world served during it,
// wall and CPU time.
type outcome struct {
	pages int
	wall  time.Duration
	cpu   time.Duration
	rssMB float64 // the process's peak resident set
	wrote int64   // bytes the process wrote (write and pwrite calls)
}

func (o outcome) pagesPerSec() float64 { return float64(o.pages) / o.wall.Seconds() }
func (o outcome) cpuPer1000() float64  { return o.cpu.Seconds() * 1000 / float64(o.pages) }

// run runs bin with args, counting the world's requests while it runs.
func (s *served) run(b *testing.B, env []string, bin string, args ...string) outcome {
	b.Helper()
	before := len(s.w.Requests())
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err := cmd.Start()
	var peak float64
	var wrote int64
	if err == nil {
		stop := watchProc(cmd.Process.Pid, &peak, &wrote)
		err = cmd.Wait()
		stop()
	}
	wall := time.Since(start)
	var ee *exec.ExitError
	// wget exits 8 when some request answered an error (the world's 404s).
	if err != nil && !(filepath.Base(bin) == "wget" && asExit(err, &ee) && ee.ExitCode() == 8) {
		b.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, tail(stderr.String()))
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return outcome{pages: len(s.w.Requests()) - before, wall: wall, cpu: cpu, rssMB: peak, wrote: wrote}
}

// watchProc polls the peak resident set (VmHWM, in MB) of process pid
// into *mb and the bytes it wrote (wchar) into *wrote until stop is
// called. The child's rusage cannot say either: Go starts a child with
// vfork, so its ru_maxrss counts the parent's peak too. The last ~20 ms of
// the child's life go unseen.
func watchProc(pid int, mb *float64, wrote *int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	dir := fmt.Sprintf("/proc/%d/", pid)
	field := func(file, name string) (float64, bool) {
		b, err := os.ReadFile(dir + file)
		if err != nil {
			return 0, false
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, name); ok {
				f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
				return f, err == nil
			}
		}
		return 0, false
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, ok := field("status", "VmHWM:"); ok && kb/1024 > *mb {
				*mb = kb / 1024
			}
			if n, ok := field("io", "wchar:"); ok && int64(n) > *wrote {
				*wrote = int64(n)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

func asExit(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*ee = e
	return ok
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// crawl runs the crawl command over the world into db; with
// $NIANBAO_BENCH_CPUPROFILE (a directory) each crawl writes its CPU
// profile there.
func (s *served) crawl(b *testing.B, bin, db string, parallel int) outcome {
	args := append([]string{"-db", db, "-seeds", s.seeds, "-delay", "0", "-parallel", fmt.Sprint(parallel),
		"-max-pages", fmt.Sprint(2 * worldPerHost), "-max-depth", "50", "-timeout", "10s", "-render", "never"}, s.resolve...)
	if dir := os.Getenv("NIANBAO_BENCH_CPUPROFILE"); dir != "" {
		args = append(args, "-cpuprofile", filepath.Join(dir, fmt.Sprintf("crawl-%s-%d.prof", filepath.Base(db), time.Now().UnixNano())))
	}
	return s.run(b, nil, filepath.Join(bin, "crawl"), args...)
}

func fileSize(b *testing.B, path string) int64 {
	b.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// buildCrawl builds the crawl command into a temporary directory and
// returns it, or returns $NIANBAO_BENCH_BIN (a directory holding a crawl
// binary, e.g. one built from another commit to compare against).
func buildCrawl(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("NIANBAO_BENCH_BIN"); dir != "" {
		return dir
	}
	dir := b.TempDir()
	out, err := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "github.com/nianbao/nianbao/cmd/crawl").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

func report(b *testing.B, o outcome, bytes int64) {
	b.ReportMetric(float64(o.pages), "pages")
	b.ReportMetric(o.pagesPerSec(), "pages/s")
	b.ReportMetric(o.cpuPer1000(), "CPU-s/1000pages")
	b.ReportMetric(float64(bytes)/float64(o.pages), "disk-B/page")
	b.ReportMetric(o.wall.Seconds(), "wall-s")
	b.ReportMetric(o.rssMB, "peak-RSS-MB")
	b.ReportMetric(float64(o.wrote)/float64(o.pages), "written-B/page")
}

// BenchmarkWget is one serial wget -r --warc-file (gzip WARC, the tree
// deleted after download) over the world, through the loopback server as
// its HTTP proxy so the generated host names need no DNS.
func BenchmarkWget(b *testing.B) {
	if _, err := exec.LookPath("wget"); err != nil {
		b.Skip("wget not installed")
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		s := serveWorld(b, dir)
		args := []string{"-r", "-l", "inf", "-q", "--delete-after", "-P", filepath.Join(dir, "tree"),
			"--warc-file", filepath.Join(dir, "crawl"), "-e", "robots=on"}
		for _, h := range s.w.Hosts() {
			args = append(args, "http://"+h+"/")
		}
		proxy := "http_proxy=" + s.srv.URL + "/"
		o := s.run(b, []string{proxy, "no_proxy="}, "wget", args...)
		report(b, o, fileSize(b, filepath.Join(dir, "crawl.warc.gz")))
	}
}

// BenchmarkCrawl crawls the world with the crawl command (its real fsyncs)
// into a fresh archive at -parallel 20 and at 4, then crawls
// the unchanged world again into the first archive, twice (the no-change
// re-crawls: their wall time against the first crawl's, and file growth).
func BenchmarkCrawl(b *testing.B) {
	bin := buildCrawl(b)
	for _, parallel := range []int{20, 4} {
		b.Run(fmt.Sprintf("parallel=%d", parallel), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				s := serveWorld(b, dir)
				db := filepath.Join(dir, "a.db")
				o := s.crawl(b, bin, db, parallel)
				size := fileSize(b, db)
				report(b, o, size)
				if parallel != 20 {
					continue
				}
				again := s.crawl(b, bin, db, parallel)
				b.ReportMetric(float64(again.pages), "recrawl-pages")
				b.ReportMetric(again.wall.Seconds()/o.wall.Seconds(), "recrawl-wall-ratio")
				grown := fileSize(b, db)
				b.ReportMetric(float64(grown-size), "recrawl-growth-B")
				// A second no-change re-crawl: the first one's frontier
				// working set was freed, so what the file grows by now is
				// the steady state of a scheduled harvest.
				third := s.crawl(b, bin, db, parallel)
				b.ReportMetric(third.wall.Seconds()/o.wall.Seconds(), "recrawl2-wall-ratio")
				b.ReportMetric(float64(fileSize(b, db)-grown), "recrawl2-growth-B")
			}
		})
	}
}

// TestMain removes the pre-filled archive the benchmarks shared.
func TestMain(m *testing.M) {
	code := m.Run()
	if os.Getenv("NIANBAO_BENCH_PREFILL") == "" {
		os.Remove(prefillPath())
	}
	os.Exit(code)
}

// prefillPath is the pre-filled archive's file: $NIANBAO_BENCH_PREFILL
// when set (kept across runs, to compare builds on one file), else one
// per process, removed at its end.
func prefillPath() string {
	if p := os.Getenv("NIANBAO_BENCH_PREFILL"); p != "" {
		return p
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("nianbao-bench-prefill-%d-%d.db", prefillN, os.Getpid()))
}

// prefilled returns an archive file of prefillN captures, written once
// per process (NoSync: the writes are setup, not measured).
func prefilled(b *testing.B) string {
	b.Helper()
	path := prefillPath()
	if _, err := os.Stat(path); err == nil {
		return path
	}
	a, err := archive.Open(path+".tmp", archive.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := Prefill(context.Background(), a, prefillN, prefillWorkers); err != nil {
		b.Fatal(err)
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
	syncFile(b, path+".tmp") // written without fsync: flush it before anything is measured
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	b.Logf("prefilled %d captures in %v (%d bytes)", prefillN, time.Since(start).Round(time.Millisecond), fileSize(b, path))
	return path
}

func syncFile(b *testing.B, path string) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
}

// copyFile copies from to to and syncs it, so the copy's write-back does
// not compete with the crawl that follows.
func copyFile(b *testing.B, from, to string) {
	b.Helper()
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

// prefillPairs is how many fresh and pre-filled crawls BenchmarkPrefilled
// alternates: on a shared machine one pair's ratio swings by ±30 %.
const prefillPairs = 3

// BenchmarkPrefilled crawls the same world at -parallel 20 into a fresh
// archive and into a copy of a prefillN-capture one, prefillPairs times
// each, alternating, and reports the median pre-filled crawl with the
// ratio of the medians of pages/s (and of CPU per page) to the fresh ones.
func BenchmarkPrefilled(b *testing.B) {
	bin := buildCrawl(b)
	big := prefilled(b)
	for i := 0; i < b.N; i++ {
		var fresh, full []outcome
		var grew []int64
		for j := 0; j < prefillPairs; j++ {
			dir := b.TempDir()
			s := serveWorld(b, dir)
			fresh = append(fresh, s.crawl(b, bin, filepath.Join(dir, "fresh.db"), 20))
			s2 := serveWorld(b, dir)
			db := filepath.Join(dir, "big.db")
			copyFile(b, big, db)
			size := fileSize(b, db)
			full = append(full, s2.crawl(b, bin, db, 20))
			grew = append(grew, fileSize(b, db)-size)
			os.Remove(db)
		}
		f, o := median(fresh), median(full)
		k := slices.IndexFunc(full, func(x outcome) bool { return x == o })
		report(b, o, grew[k])
		b.ReportMetric(f.pagesPerSec(), "fresh-pages/s")
		b.ReportMetric(o.pagesPerSec()/f.pagesPerSec(), "prefilled/fresh")
		b.ReportMetric(medianCPU(full)/medianCPU(fresh), "prefilled/fresh-CPU")
		b.ReportMetric(f.rssMB, "fresh-peak-RSS-MB")
		b.ReportMetric(float64(f.wrote)/float64(f.pages), "fresh-written-B/page")
	}
}

// median returns the outcome of median pages/s.
func median(xs []outcome) outcome {
	s := slices.Clone(xs)
	slices.SortFunc(s, func(a, b outcome) int { return cmp.Compare(a.pagesPerSec(), b.pagesPerSec()) })
	return s[len(s)/2]
}

// medianCPU returns the median CPU per 1,000 pages.
func medianCPU(xs []outcome) float64 {
	c := make([]float64, len(xs))
	for i, o := range xs {
		c[i] = o.cpuPer1000()
	}
	slices.Sort(c)
	return c[len(c)/2]
}

// BenchmarkDashboard serves / and /api/dashboard of web.Server over a
// prefillN-capture archive (ns/op is one request; B/resp its body).
func BenchmarkDashboard(b *testing.B) {
	a, err := archive.Open(prefilled(b), archive.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	s := &web.Server{Archive: a, Agencies: PrefillAgencies(prefillN), From: 2021, To: 2024,
		Now: func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) }}
	h := s.Handler()
	for _, p := range []struct{ name, path string }{{"page", "/"}, {"api", "/api/dashboard"}} {
		path := p.path
		b.Run(p.name, func(b *testing.B) {
			var size int
			for i := 0; i < b.N; i++ {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", path, rec.Code, tail(rec.Body.String()))
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "B/resp")
		})
	}
}
