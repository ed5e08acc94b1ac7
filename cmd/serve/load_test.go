package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/harvest"
	"github.com/nianbao/nianbao/internal/fixtureworld"
)

// Bounds the load test holds serve to.
const (
	maxLatency = 10 * time.Second // every request answered within
	maxStop    = 10 * time.Second // exit after SIGTERM within
)

// latencies records, per endpoint, how many requests were answered and the
// slowest.
type latencies struct {
	mu    sync.Mutex
	count map[string]int
	max   map[string]time.Duration
	bad   []string // failures: errors, unexpected statuses, slow answers
}

func (l *latencies) add(endpoint string, took time.Duration, status int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count[endpoint]++
	l.max[endpoint] = max(l.max[endpoint], took)
	switch {
	case err != nil:
		l.bad = append(l.bad, fmt.Sprintf("%s: %v after %s", endpoint, err, took))
	case status != http.StatusOK:
		l.bad = append(l.bad, fmt.Sprintf("%s: status %d", endpoint, status))
	case took >= maxLatency:
		l.bad = append(l.bad, fmt.Sprintf("%s: answered after %s", endpoint, took))
	}
}

// report logs the count and the slowest answer of every endpoint and fails
// t for every failure recorded (the first ten named).
func (l *latencies) report(t *testing.T, endpoints []string) {
	t.Helper()
	total := 0
	var worst time.Duration
	for _, ep := range endpoints {
		total += l.count[ep]
		worst = max(worst, l.max[ep])
		t.Logf("%-40s %6d requests, max %s", ep, l.count[ep], l.max[ep].Round(time.Millisecond))
		if l.count[ep] == 0 {
			t.Errorf("%s never answered", ep)
		}
	}
	t.Logf("load: %d requests in 20 s from 6 clients, max latency %s", total, worst.Round(time.Millisecond))
	for i, b := range l.bad {
		if i == 10 {
			t.Errorf("… %d more failures", len(l.bad)-i)
			break
		}
		t.Error(b)
	}
}

// poll has one client request the endpoints in turn until ctx ends.
func poll(ctx context.Context, base string, endpoints []string, l *latencies, client *http.Client) {
	for i := 0; ctx.Err() == nil; i++ {
		ep := endpoints[i%len(endpoints)]
		start := time.Now()
		resp, err := client.Get(base + strings.TrimPrefix(ep, "/"))
		status := 0
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
		if ctx.Err() != nil {
			return
		}
		l.add(ep, time.Since(start), status, err)
	}
}

// generatedWorld serves a generated world of hosts × pages pages and
// returns it with a seeds file and the -resolve flags for serve.
func generatedWorld(t *testing.T, hosts, pages int) (*fixtureworld.World, string, []string) {
	t.Helper()
	w := fixtureworld.Generate(hosts, pages, 1)
	w.SetLogger(slog.New(slog.DiscardHandler))
	srv, resolve := fixtureworld.Serve(w)
	t.Cleanup(srv.Close)
	var flags []string
	for h, addr := range resolve {
		flags = append(flags, "-resolve", h+"="+addr)
	}
	return w, seedsFile(t, w.Seeds()), flags
}

// TestLoadWhileHarvesting runs the serve binary on a generated world of
// 2,000 pages (10 sites × 200) harvested every second, while 6 clients poll
// the dashboard, its JSON, the audit, /healthz and an agency page for 20 s:
// every request is answered with 200 in under 10 s. Then SIGTERM, in the
// middle of whatever harvest is running, stops serve within 10 s with exit
// 0, every run recorded done or interrupted.
func TestLoadWhileHarvesting(t *testing.T) {
	if testing.Short() {
		t.Skip("load test (about 40 s)")
	}
	w, seeds, resolve := generatedWorld(t, 10, 200)
	db := filepath.Join(t.TempDir(), "archive.db")
	// No headless browser: the generated world needs none, and the test
	// must not depend on Chromium (TestSIGTERMMidCrawl covers rendering).
	args := append([]string{"-db", db, "-seeds", seeds, "-addr", "127.0.0.1:0", "-every", "1s", "-delay", "0", "-render", "never",
		"-parallel", "10", "-from", "2021", "-to", "2024"}, resolve...)
	p := startServe(t, args...)

	endpoints := []string{"/", "/api/dashboard", "/api/audit", "/healthz", "/agency/" + url.PathEscape("合成003县公安局")}
	l := &latencies{count: map[string]int{}, max: map[string]time.Duration{}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 2 * maxLatency}
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			poll(ctx, p.base, endpoints, l, client)
		}()
	}
	wg.Wait()

	l.report(t, endpoints)

	// Stop in the middle of a harvest, once two have completed.
	deadline := time.Now().Add(30 * time.Second)
	for {
		started, done, took := harvestsLogged(p.stderr.String())
		if done >= 2 && started > done {
			t.Logf("%d harvests completed (took %s), one in progress", done, strings.Join(took, ", "))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d harvests started, %d done 50 s after start\n%s", started, done, tail(p.stderr.String(), 3000))
		}
		time.Sleep(5 * time.Millisecond)
	}
	took, err := p.terminate(t)
	t.Logf("SIGTERM → exit in %s", took.Round(time.Millisecond))
	if err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, tail(p.stderr.String(), 3000))
	}
	if took > maxStop {
		t.Errorf("serve took %s to stop after SIGTERM, want < %s", took, maxStop)
	}
	if !checkRuns(t, db, len(w.Expected())) {
		os.WriteFile("/tmp/serve-load.log", []byte(p.stderr.String()), 0o644)
	}
}

// harvestsLogged counts the harvests serve's log says started and
// completed, and says how long each completed one took.
func harvestsLogged(log string) (started, done int, took []string) {
	for _, line := range strings.Split(log, "\n") {
		switch {
		case strings.Contains(line, `msg="harvest started"`):
			started++
		case strings.Contains(line, `msg="harvest ended`) && strings.Contains(line, " status=done "):
			done++
			if _, rest, ok := strings.Cut(line, " took="); ok {
				took = append(took, strings.Fields(rest)[0])
			}
		}
	}
	return started, done, took
}

// checkRuns checks the runs recorded in the archive at db after serve
// stopped: every harvest done or interrupted, at least two done, and the
// first done one stored all wantReports reports. It reports whether all
// held.
func checkRuns(t *testing.T, db string, wantReports int) bool {
	t.Helper()
	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	runs, err := a.Runs()
	if err != nil {
		t.Fatal(err)
	}
	ok := true
	done := 0
	sort.Slice(runs, func(i, j int) bool { return runs[i].Started.Before(runs[j].Started) })
	for _, r := range runs {
		switch r.Status {
		case harvest.StatusDone:
			if done == 0 && r.NewReports != wantReports {
				t.Errorf("first completed harvest %s stored %d new reports, want %d", r.ID, r.NewReports, wantReports)
				ok = false
			}
			done++
		case harvest.StatusInterrupted:
		default:
			t.Errorf("run %s left %q", r.ID, r.Status)
			ok = false
		}
	}
	t.Logf("%d runs recorded, %d done; last %s", len(runs), done, runs[len(runs)-1].Status)
	if done < 2 {
		t.Errorf("%d harvests completed, want at least 2", done)
		ok = false
	}
	return ok
}

// terminate sends SIGTERM and returns how long serve took to exit and its
// exit error (nil for exit 0).
func (p *proc) terminate(t *testing.T) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		return time.Since(start), err
	case <-time.After(3 * maxStop):
		t.Fatalf("serve did not exit %s after SIGTERM\n%s", 3*maxStop, tail(p.stderr.String(), 3000))
		return 0, nil
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// slowSite serves a seed page and answers slowPath after a minute (or
// when the client gives up), counting the requests for slowPath.
func slowSite(t *testing.T, seedPage, slowPath string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == slowPath:
			hits.Add(1)
			select {
			case <-time.After(time.Minute):
			case <-r.Context().Done():
			}
		case r.URL.Path == "/" && seedPage != "":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, seedPage)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestSIGTERMMidCrawl: SIGTERM while the crawl waits on a server that
// answers after a minute, in a plain request or in a page a headless
// browser renders (skipped without Chromium), stops serve within 10 s,
// exit 0, the harvest recorded interrupted.
func TestSIGTERMMidCrawl(t *testing.T) {
	tests := []struct {
		name, seedPage, slowPath, render string
	}{
		{"request in flight", "", "/robots.txt", "never"},
		{"rendering in flight", `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开</title></head>` +
			`<body><div id="list"></div><script src="/static/list.js"></script></body></html>`, "/static/list.js", "auto"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.render != "never" && !haveBrowser() {
				t.Skip("no Chromium in PATH")
			}
			srv, hits := slowSite(t, tc.seedPage, tc.slowPath)
			seeds := seedsFile(t, "http://gaj.slow.test/ 慢速局\n")
			db := filepath.Join(t.TempDir(), "archive.db")
			p := startServe(t, "-db", db, "-seeds", seeds, "-addr", "127.0.0.1:0", "-every", "1h", "-timeout", "2m",
				"-render", tc.render, "-resolve", "gaj.slow.test="+strings.TrimPrefix(srv.URL, "http://"))
			deadline := time.Now().Add(30 * time.Second)
			for hits.Load() == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("the crawl never asked for %s\n%s", tc.slowPath, p.stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond)
			took, err := p.terminate(t)
			t.Logf("SIGTERM with %s → exit in %s", tc.name, took.Round(time.Millisecond))
			if err != nil {
				t.Errorf("exit after SIGTERM: %v, want 0\n%s", err, p.stderr.String())
			}
			if took > maxStop {
				t.Errorf("took %s to stop, want < %s", took, maxStop)
			}
			checkInterrupted(t, db)
		})
	}
}

// checkInterrupted checks that the archive at db holds one harvest run,
// recorded interrupted.
func checkInterrupted(t *testing.T, db string) {
	t.Helper()
	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	runs, err := a.Runs()
	if err != nil || len(runs) != 1 || runs[0].Status != harvest.StatusInterrupted || runs[0].Ended.IsZero() {
		t.Errorf("runs %+v %v, want one interrupted harvest", runs, err)
	}
}

// haveBrowser reports whether a Chromium the crawler would use is in PATH.
func haveBrowser() bool {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell"} {
		if _, err := exec.LookPath(name); err == nil {
			return true
		}
	}
	return false
}
