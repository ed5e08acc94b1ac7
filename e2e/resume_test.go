package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// TestUnseenInterrupted stops a crawl of the unseen world after a few
// dozen requests and runs it again: the second run completes it, every
// report is archived exactly once and no report is requested twice.
func TestUnseenInterrupted(t *testing.T) {
	w := buildWorld(t)
	resolve := serve(t, w)
	ags, err := seeds.Parse(strings.NewReader(w.seeds))
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(filepath.Join(t.TempDir(), "resume.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	stops := []int{25, 70}
	for _, stopAt := range stops {
		ctx, cancel := context.WithCancel(context.Background())
		w.mu.Lock()
		w.onRequest = func(n int) {
			if n >= stopAt {
				cancel()
			}
		}
		w.mu.Unlock()
		c, err := crawler.New(a, crawlConfig(resolve))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Run(ctx, ags)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted crawl at %d: %v, want context.Canceled", stopAt, err)
		}
	}
	w.mu.Lock()
	w.onRequest = nil
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := crawler.New(a, crawlConfig(resolve))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, ags); err != nil {
		t.Fatalf("resumed crawl: %v", err)
	}
	asked := map[string]int{}
	for _, q := range w.requests() {
		asked["http://"+q.Host+q.URI]++
	}
	for _, r := range w.reports {
		caps, err := a.ByURL(r.URL)
		if err != nil {
			t.Fatal(err)
		}
		// A request cut by the interruption left no capture and is made
		// again; one that was archived is never made again.
		if asked[r.URL] < 1 || asked[r.URL] > 1+len(stops) || (asked[r.URL] > 1 && len(caps) != 1) {
			t.Errorf("%s requested %d times over the interrupted and resumed crawls, %d captures", r.URL, asked[r.URL], len(caps))
		}
		n := 0
		for _, c := range caps {
			if c.Error == "" && !c.Revisit {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d payload captures, want 1", r.URL, n)
		}
	}
	if hosts, err := a.FrontierHosts(); err != nil || len(hosts) != 0 {
		t.Errorf("frontier left after a complete crawl: %v %v", hosts, err)
	}
}

// TestUnseenPoliteness crawls with a delay: one request at a time per
// host, at least Delay apart, while hosts run in parallel.
func TestUnseenPoliteness(t *testing.T) {
	w := buildWorld(t)
	resolve := serve(t, w)
	ags, err := seeds.Parse(strings.NewReader(w.seeds))
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(filepath.Join(t.TempDir(), "polite.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const delay = 20 * time.Millisecond
	cfg := crawlConfig(resolve)
	cfg.Delay = delay
	cfg.Parallel = len(ags)
	c, err := crawler.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.Run(context.Background(), ags); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	last := map[string]time.Time{}
	most := 0
	perHost := map[string]int{}
	for _, q := range w.requests() {
		if p, ok := last[q.Host]; ok && q.At.Sub(p) < delay-2*time.Millisecond {
			t.Errorf("%s%s only %v after the previous request to the host", q.Host, q.URI, q.At.Sub(p))
		}
		last[q.Host] = q.At
		perHost[q.Host]++
		most = max(most, perHost[q.Host])
	}
	w.mu.Lock()
	for h, n := range w.maxInflight {
		if n > 1 {
			t.Errorf("%s: %d requests at once", h, n)
		}
	}
	w.mu.Unlock()
	// hosts in parallel: their request spans overlap
	first := map[string]time.Time{}
	for _, q := range w.requests() {
		if _, ok := first[q.Host]; !ok {
			first[q.Host] = q.At
		}
	}
	overlaps := 0
	for h, f := range first {
		for h2, f2 := range first {
			if h < h2 && f.Before(last[h2]) && f2.Before(last[h]) {
				overlaps++
			}
		}
	}
	if overlaps == 0 {
		t.Error("no two hosts were crawled at the same time")
	}
	t.Logf("%d requests, busiest host %d, %v", len(w.requests()), most, el)
}
