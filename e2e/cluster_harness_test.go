package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/cluster"
	"github.com/nianbao/nianbao/internal/fixtureworld"
)

// startRedis starts a redis-server of its own on a free loopback port,
// without persistence, killed at the end of the test. Without
// redis-server the test skips, unless NIANBAO_REQUIRE_REDIS=1 (CI).
func startRedis(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("NIANBAO_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server is not installed and NIANBAO_REQUIRE_REDIS=1 (apt-get install redis-server)")
		}
		t.Skip("redis-server is not installed (apt-get install redis-server)")
	}
	port := freePort(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--daemonize", "no", "--loglevel", "warning")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + port
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if rdb.Ping(context.Background()).Err() == nil {
			return addr
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("redis-server on %s did not answer in 10 s:\n%s", addr, out.String())
		}
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// served is one request the cluster world served: its site, path, and
// when it began and ended.
type served struct {
	site, path string
	start, end time.Time
}

// clusterWorld is a generated world served partly by name (-resolve) on
// one server and partly on servers of their own addressed as
// 127.0.0.1:PORT, with a request log that records overlaps per site.
type clusterWorld struct {
	w       *fixtureworld.World
	seeds   string
	resolve []string          // -resolve flags
	site    map[string]string // generated host → site as seeded
	mu      sync.Mutex
	log     []served
	flying  map[string]int
	overlap map[string]int // most requests in flight at once, per site
}

func newClusterWorld(t testing.TB, hosts, pages, byPort int) *clusterWorld {
	t.Helper()
	cw := &clusterWorld{w: fixtureworld.Generate(hosts, pages, 13), site: map[string]string{},
		flying: map[string]int{}, overlap: map[string]int{}}
	named := httptest.NewServer(cw.handler(nil))
	t.Cleanup(named.Close)
	seedsText := cw.w.Seeds()
	for i := 0; i < hosts; i++ {
		h := fixtureworld.GenHost(i)
		if i >= hosts-byPort {
			host := h
			srv := httptest.NewServer(cw.handler(&host))
			t.Cleanup(srv.Close)
			site := strings.TrimPrefix(srv.URL, "http://")
			cw.site[h] = site
			seedsText = strings.Replace(seedsText, "http://"+h+"/", "http://"+site+"/", 1)
			continue
		}
		cw.site[h] = h
		cw.resolve = append(cw.resolve, "-resolve", h+"="+strings.TrimPrefix(named.URL, "http://"))
	}
	cw.seeds = seedsText
	return cw
}

// handler serves the world; host, when set, is the generated host a
// server addressed by IP and port stands for.
func (cw *clusterWorld) handler(host *string) http.Handler {
	inner := cw.w.Handler()
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		site := strings.ToLower(r.Host)
		if host != nil {
			r.Host = *host
		} else if i := strings.IndexByte(site, ':'); i >= 0 {
			site = site[:i]
		}
		cw.mu.Lock()
		cw.flying[site]++
		cw.overlap[site] = max(cw.overlap[site], cw.flying[site])
		cw.mu.Unlock()
		start := time.Now()
		inner.ServeHTTP(rw, r)
		cw.mu.Lock()
		cw.flying[site]--
		cw.log = append(cw.log, served{site: site, path: r.URL.RequestURI(), start: start, end: time.Now()})
		cw.mu.Unlock()
	})
}

// requests returns the request log, by site then start.
func (cw *clusterWorld) requests() []served {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	out := append([]served(nil), cw.log...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].site != out[j].site {
			return out[i].site < out[j].site
		}
		return out[i].start.Before(out[j].start)
	})
	return out
}

// proc is a command started by the cluster test.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuf
	done chan struct{}
}

// syncBuf is an output buffer safe for the writes of a process.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func start(t testing.TB, name, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(bin, args...), out: &syncBuf{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("output of %s:\n%s", p.name, tail(p.out.String(), 60))
		}
	})
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stop sends SIGTERM and waits (at most 15 s) for the process to exit.
func (p *proc) stop(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Errorf("%s did not stop within 15 s of SIGTERM", p.name)
	}
}

// cluster is a coordinator with its workers over a cluster world.
type clusterRun struct {
	t        testing.TB
	bin, dir string
	cw       *clusterWorld
	redis    string
	addr     string
	token    string
	delay    time.Duration
	serve    *proc
	workers  map[string]*proc
}

func startCluster(t testing.TB, bin string, cw *clusterWorld, delay time.Duration) *clusterRun {
	t.Helper()
	c := &clusterRun{t: t, bin: bin, dir: t.TempDir(), cw: cw, redis: startRedis(t), token: "secret-token-for-the-test",
		delay: delay, workers: map[string]*proc{}}
	seedsFile := filepath.Join(c.dir, "seeds.txt")
	if err := os.WriteFile(seedsFile, []byte(cw.seeds), 0o644); err != nil {
		t.Fatal(err)
	}
	c.addr = "127.0.0.1:" + freePort(t)
	c.serve = start(t, "serve", filepath.Join(bin, "serve"), "-db", c.db(), "-seeds", seedsFile, "-addr", c.addr,
		"-redis", "redis://"+c.redis+"/0", "-token", c.token, "-every", "0", "-delay", delay.String(), "-render", "never")
	for begin := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + c.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return c
		}
		if time.Since(begin) > 20*time.Second {
			t.Fatalf("serve did not listen on %s in 20 s:\n%s", c.addr, c.serve.out.String())
		}
	}
}

func (c *clusterRun) db() string { return filepath.Join(c.dir, "archive.db") }

// worker starts a worker named name.
func (c *clusterRun) worker(name string) *proc {
	args := []string{"-worker", "-redis", "redis://" + c.redis + "/0", "-coordinator", "http://" + c.addr,
		"-token", c.token, "-name", name, "-parallel", "1", "-delay", c.delay.String(), "-lease", "3s",
		"-timeout", "5s", "-retries", "0", "-render", "never"}
	p := start(c.t, name, filepath.Join(c.bin, "crawl"), append(args, c.cw.resolve...)...)
	c.workers[name] = p
	return p
}

// overview reads /api/workers.
func (c *clusterRun) overview() (cluster.Overview, error) {
	var o cluster.Overview
	resp, err := http.Get("http://" + c.addr + "/api/workers")
	if err != nil {
		return o, err
	}
	defer resp.Body.Close()
	return o, json.NewDecoder(resp.Body).Decode(&o)
}

// harvested waits (at most limit) for the harvest to be recorded done
// and returns its run.
func (c *clusterRun) harvested(limit time.Duration) *archive.Run {
	c.t.Helper()
	for begin := time.Now(); time.Since(begin) < limit; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + c.addr + "/healthz")
		if err != nil {
			continue
		}
		var h struct {
			Running *archive.Run `json:"running"`
			LastRun *archive.Run `json:"last_run"`
		}
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if err == nil && h.Running == nil && h.LastRun != nil && h.LastRun.Kind == "harvest" && h.LastRun.Status != "running" {
			if h.LastRun.Status != "done" {
				c.t.Fatalf("harvest ended %q", h.LastRun.Status)
			}
			return h.LastRun
		}
	}
	c.t.Fatalf("the harvest did not complete in %v", limit)
	return nil
}

// stopAll stops the workers and the coordinator.
func (c *clusterRun) stopAll() {
	for _, p := range c.workers {
		select {
		case <-p.done:
		default:
			p.stop(c.t)
		}
	}
	c.serve.stop(c.t)
}

func (s served) String() string {
	return fmt.Sprintf("%s%s at %s", s.site, s.path, s.start.Format("15:04:05.000"))
}
