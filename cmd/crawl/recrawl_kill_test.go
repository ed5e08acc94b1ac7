package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
)

// TestKillMidRecrawl crawls a generated world, then kills the no-change
// re-crawl with SIGKILL mid-way (items the archive answered for were
// completed in memory, not yet written) and runs it again: the resumed
// crawl completes, the frontier is reset, the file passes bbolt's check,
// no page is captured more than once per run, and no news article or
// report is fetched again.
func TestKillMidRecrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	w := fixtureworld.Generate(3, 120, 4)
	srv, resolve := slowWorld(w, 10*time.Millisecond)
	defer srv.Close()
	dir := t.TempDir()
	seedsFile := writeSeeds(t, dir, w)
	db := filepath.Join(dir, "recrawl.db")
	bin := buildCrawl(t)
	args := append([]string{"-seeds", seedsFile, "-db", db, "-delay", "0", "-parallel", "3", "-timeout", "3s", "-retries", "1", "-render", "never"}, resolve...)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("first crawl: %v\n%s", err, out)
	}
	first := len(w.Requests())

	killAfter(t, w, first+12, 0, bin, args...)
	killedAt := len(w.Requests())
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("resumed re-crawl: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "resuming") {
		t.Errorf("third run did not resume:\n%s", out)
	}
	t.Logf("first crawl %d requests; re-crawl killed after %d, %d in all", first, killedAt-first, len(w.Requests())-first)
	for _, r := range w.Requests()[first:] {
		if strings.HasPrefix(r.Path, "/news/2") || (strings.HasPrefix(r.Path, "/xxgk/ndbg/") && r.Path != "/xxgk/ndbg/index.html") {
			t.Errorf("re-crawl fetched %s%s again", r.Host, r.Path)
		}
	}

	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, h := range w.Hosts() {
		if q, v, _ := a.FrontierCounts(h); q != 0 || v != 0 {
			t.Errorf("%s: frontier not reset: %d queued, %d visited", h, q, v)
		}
	}
	runs, err := a.Runs()
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs: %d, %v; want the first crawl, the killed re-crawl and its resumption", len(runs), err)
	}
	firstRun := runs[len(runs)-1].ID // newest first
	// captures since the first crawl: the killed re-crawl and its resumption
	again := checkCapturedOnce(t, a, func(c *archive.Capture) bool { return c.RunID != firstRun })
	if len(again) == 0 {
		t.Error("the re-crawl recorded nothing")
	}
	for _, e := range w.Expected() {
		caps, _ := a.ByURL(e.URL)
		if len(caps) != 1 || caps[0].Error != "" {
			t.Errorf("expected %s: %d captures", e.URL, len(caps))
		}
	}
}
