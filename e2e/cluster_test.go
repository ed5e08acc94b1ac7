package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// TestClusterHarvest harvests a generated world of nine sites (three of
// them addressed as 127.0.0.1:PORT) with a coordinator (serve -redis) and
// three workers (crawl -worker) on a real redis-server; one worker is
// SIGKILLed in the middle of a job and a fourth joins. The harvest must
// complete with every page any worker fetched archived exactly once,
// every report extracted, at least two workers named in the captures,
// and no site ever served two requests at once or closer than -delay.
func TestClusterHarvest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the commands and runs a cluster")
	}
	const delay = 80 * time.Millisecond
	cw := newClusterWorld(t, 9, 30, 3)
	bin := buildCommands(t, "serve", "crawl")
	c := startCluster(t, bin, cw, delay)
	began := time.Now()
	for _, n := range []string{"w1", "w2", "w3"} {
		c.worker(n)
	}
	victim, site := c.killMidJob("w1", 5, 20*time.Second)
	t.Logf("killed %s while it crawled %s", victim, site)
	c.worker("w4")
	run := c.harvested(50 * time.Second)
	t.Logf("harvest %s done in %v: %d pages, %d new captures", run.ID, time.Since(began).Round(time.Millisecond), run.Pages, run.NewCaptures)
	c.stopAll()

	checkJobs(t, run, site)
	a, err := archive.Open(c.db(), archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	checkArchivedOnce(t, a, run.ID, cw)
	checkReportsExtracted(t, a, cw)
	checkPolite(t, cw, delay)
}

// killMidJob waits until worker name has fetched at least pages pages of
// a job, SIGKILLs it and returns it with the job's site.
func (c *clusterRun) killMidJob(name string, pages int, limit time.Duration) (string, string) {
	c.t.Helper()
	for begin := time.Now(); time.Since(begin) < limit; time.Sleep(50 * time.Millisecond) {
		o, err := c.overview()
		if err != nil {
			continue
		}
		for _, w := range o.Workers {
			if w.Name == name && len(w.Jobs) > 0 && w.Jobs[0].Pages >= pages {
				if err := c.workers[name].cmd.Process.Signal(syscall.SIGKILL); err != nil {
					c.t.Fatal(err)
				}
				<-c.workers[name].done
				return name, w.Jobs[0].Site
			}
		}
	}
	c.t.Fatalf("worker %s never had %d pages of a job in %v", name, pages, limit)
	return "", ""
}

// checkJobs: every job done, the killed worker's job redone by another.
func checkJobs(t *testing.T, run *archive.Run, killedSite string) {
	t.Helper()
	if len(run.Jobs) != 9 {
		t.Fatalf("run records %d jobs, want 9: %+v", len(run.Jobs), run.Jobs)
	}
	for _, j := range run.Jobs {
		if j.State != "done" {
			t.Errorf("job %s: state %q (%s)", j.ID, j.State, j.Error)
		}
		if j.Site == killedSite {
			if j.Worker == "w1" || j.Attempts < 2 {
				t.Errorf("the killed worker's job %s: worker %s, %d attempts; want another worker's second attempt", j.ID, j.Worker, j.Attempts)
			}
		}
	}
}

// checkArchivedOnce: every URL requested from the world (robots.txt
// aside) has exactly one capture in the run, made by a named worker, and
// at least two workers made captures.
func checkArchivedOnce(t *testing.T, a *archive.Archive, runID string, cw *clusterWorld) {
	t.Helper()
	count := map[string]int{}
	workers := map[string]int{}
	err := a.View(func(r *archive.Reader) error {
		return r.Each(func(c *archive.Capture) error {
			if c.RunID != runID || c.Rendered {
				return nil
			}
			count[c.URL]++
			workers[c.Worker]++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for u, n := range count {
		if n != 1 {
			t.Errorf("%s: %d captures in the run, want 1", u, n)
		}
	}
	for _, q := range cw.requests() {
		if strings.HasPrefix(q.path, "/robots.txt") {
			continue
		}
		if u := "http://" + q.site + q.path; count[u] == 0 {
			t.Errorf("%s was fetched but not archived", u)
		}
	}
	if workers[""] > 0 {
		t.Errorf("%d captures name no worker", workers[""])
	}
	delete(workers, "")
	if len(workers) < 2 {
		t.Errorf("captures name %d workers (%v), want at least 2", len(workers), workers)
	}
	if workers["w1"] > 0 {
		t.Logf("w1 (killed) uploaded %d captures before it died", workers["w1"])
	}
	t.Logf("%d URLs archived once; captures per worker %v", len(count), workers)
}

// checkReportsExtracted: every report of the world was archived and
// extracted into a stored report.
func checkReportsExtracted(t *testing.T, a *archive.Archive, cw *clusterWorld) {
	t.Helper()
	err := a.View(func(r *archive.Reader) error {
		for _, e := range cw.w.Expected() {
			u := strings.Replace(e.URL, "http://"+e.Host+"/", "http://"+cw.site[e.Host]+"/", 1)
			caps, err := r.ByURL(u)
			if err != nil {
				return err
			}
			got := false
			for _, c := range caps {
				got = got || r.HasReport(c.ID)
			}
			if !got {
				t.Errorf("report %s (%s %d): %d captures, none extracted", u, e.Agency, e.Year, len(caps))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkPolite: per site, one request at a time and -delay between the
// starts of two requests, across all workers, the killed one included.
func checkPolite(t *testing.T, cw *clusterWorld, delay time.Duration) {
	t.Helper()
	var prev served
	for _, q := range cw.requests() {
		if prev.site == q.site {
			if q.start.Before(prev.end) {
				t.Errorf("%s began before %s ended", q, prev)
			}
			if gap := q.start.Sub(prev.start); gap < delay-2*time.Millisecond {
				t.Errorf("%s only %v after %s", q, gap, prev)
			}
		}
		prev = q
	}
	cw.mu.Lock()
	defer cw.mu.Unlock()
	for s, n := range cw.overlap {
		if n > 1 {
			t.Errorf("%s: %d requests in flight at once", s, n)
		}
	}
}
