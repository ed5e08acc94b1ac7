package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/warc"
)

const testToken = "t0ken"

// testCluster is a coordinator on an archive, its HTTP server and a
// generated world, in process, on miniredis.
type testCluster struct {
	t        *testing.T
	q        *Queue
	redis    *miniredis.Miniredis
	coord    *Coordinator
	srv      *httptest.Server
	a        *archive.Archive
	world    *fixtureworld.World
	resolve  map[string]string
	agencies []seeds.Agency
}

func newTestCluster(t *testing.T, hosts int) *testCluster {
	t.Helper()
	q, m := newTestQueue(t, 3*time.Second)
	a, err := archive.Open(filepath.Join(t.TempDir(), "archive.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	w := fixtureworld.Generate(hosts, 12, 5)
	wsrv, resolve := fixtureworld.Serve(w)
	t.Cleanup(wsrv.Close)
	ags, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatal(err)
	}
	c := &Coordinator{Queue: q, Token: testToken, MaxUpload: 1 << 20, Poll: 20 * time.Millisecond}
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	return &testCluster{t: t, q: q, redis: m, coord: c, srv: srv, a: a, world: w, resolve: resolve, agencies: ags}
}

func (tc *testCluster) crawlConfig(run string) crawler.Config {
	cfg := crawler.DefaultConfig()
	cfg.Delay, cfg.Retries, cfg.Timeout, cfg.Render, cfg.RunID = 0, 0, 5*time.Second, crawler.RenderNever, run
	cfg.Resolve = tc.resolve
	return cfg
}

// harvest runs the coordinator's crawl of run in the background.
func (tc *testCluster) harvest(ctx context.Context, run string) <-chan *crawler.Summary {
	out := make(chan *crawler.Summary, 1)
	go func() {
		sum, err := tc.coord.Crawl(ctx, tc.a, tc.crawlConfig(run), tc.agencies)
		if err != nil {
			tc.t.Errorf("crawl %s: %v", run, err)
		}
		out <- sum
	}()
	for begin := time.Now(); time.Since(begin) < 5*time.Second; time.Sleep(10 * time.Millisecond) {
		if r, jobs, open := tc.coord.Snapshot(); r == run && open && len(jobs) > 0 {
			return out
		}
	}
	tc.t.Fatalf("harvest %s did not start", run)
	return nil
}

// worker runs a worker named name until the returned function is called.
func (tc *testCluster) worker(name string) func() {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := tc.crawlConfig("")
	// One job at a time: this worker's exports and the coordinator's
	// imports share a process here, and gowarc's record options race
	// on a global of github.com/google/uuid.
	cfg.Parallel = 1
	w := &Worker{Queue: tc.q, Name: name, Coordinator: tc.srv.URL, Token: testToken, Crawl: cfg}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			tc.t.Errorf("worker %s: %v", name, err)
		}
	}()
	return func() { cancel(); <-done }
}

// siteWARC crawls the site of agency i into an archive of its own, as a
// worker named worker for run, and returns its WARC export.
func (tc *testCluster) siteWARC(i int, run, worker string) []byte {
	tc.t.Helper()
	dir := tc.t.TempDir()
	sp, err := archive.Open(filepath.Join(dir, "spool.db"), archive.Options{NoSync: true})
	if err != nil {
		tc.t.Fatal(err)
	}
	defer sp.Close()
	cfg := tc.crawlConfig(run)
	cfg.Worker = worker
	c, err := crawler.New(sp, cfg)
	if err != nil {
		tc.t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), tc.agencies[i:i+1]); err != nil {
		tc.t.Fatal(err)
	}
	sum, err := warc.Export(context.Background(), sp, warc.ExportOptions{Dir: filepath.Join(dir, "warc")})
	if err != nil {
		tc.t.Fatal(err)
	}
	var all []byte
	for _, f := range sum.Files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, "warc", f)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			tc.t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func (tc *testCluster) post(job, worker, token string, body []byte) (int, IngestResult) {
	tc.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tc.srv.URL+"/api/ingest?job="+job+"&worker="+worker, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tc.t.Fatal(err)
	}
	defer resp.Body.Close()
	var res IngestResult
	_ = json.NewDecoder(resp.Body).Decode(&res)
	return resp.StatusCode, res
}

func TestIngestGuards(t *testing.T) {
	tc := newTestCluster(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := tc.harvest(ctx, "1")
	siteA := crawler.Authority(tc.agencies[0].URL)
	jobA := JobID("1", siteA)
	warcA, warcB := tc.siteWARC(0, "1", "manual"), tc.siteWARC(1, "1", "manual")
	if len(warcA) >= 1<<20 {
		t.Fatalf("the test WARC is %d bytes, over the test's upload limit", len(warcA))
	}
	cases := []struct {
		name, job, token string
		body             []byte
		code             int
		captures         int // -1: some, -2: unchecked
	}{
		{"no token", jobA, "", warcA, http.StatusUnauthorized, 0},
		{"wrong token", jobA, "t0kem", warcA, http.StatusUnauthorized, 0},
		{"no such job", JobID("1", "elsewhere.gov.cn"), testToken, warcA, http.StatusGone, 0},
		{"too large", jobA, testToken, bytes.Repeat([]byte("x"), 1<<20+1), http.StatusRequestEntityTooLarge, 0},
		{"another site's records", jobA, testToken, warcB, http.StatusForbidden, 0},
		{"not WARC", jobA, testToken, []byte("WARC/1.1\r\nthis is not a record\r\n"), http.StatusUnprocessableEntity, 0},
		{"empty", jobA, testToken, nil, http.StatusUnprocessableEntity, 0},
		{"cut short", jobA, testToken, warcA[:len(warcA)/2], http.StatusUnprocessableEntity, -2},
		{"the site's records", jobA, testToken, warcA, http.StatusOK, -1},
		{"again: nothing added", jobA, testToken, warcA, http.StatusOK, 0},
	}
	for _, c := range cases {
		code, res := tc.post(c.job, "manual", c.token, c.body)
		if code != c.code {
			t.Errorf("%s: %d, want %d (%+v)", c.name, code, c.code, res)
			continue
		}
		if c.captures >= 0 && res.Captures != c.captures {
			t.Errorf("%s: %d captures added, want %d", c.name, res.Captures, c.captures)
		}
		if c.captures == -1 && res.Captures == 0 {
			t.Errorf("%s: nothing added", c.name)
		}
	}
	siteB := crawler.Authority(tc.agencies[1].URL)
	err := tc.a.View(func(r *archive.Reader) error {
		return r.Each(func(c *archive.Capture) error {
			if crawler.Authority(c.URL) == siteB {
				t.Errorf("a capture of %s was written through job %s: %s", siteB, jobA, c.URL)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := tc.worker("w")
	sum := <-done
	stop()
	if sum == nil {
		t.Fatal("no summary")
	}
	for _, j := range sum.Jobs {
		want := "w"
		if j.ID == jobA {
			want = "manual"
		}
		if j.State != StateDone || j.Worker != want {
			t.Errorf("job %s: %s by %q, want done by %q", j.ID, j.State, j.Worker, want)
		}
	}
}

// TestIncrementalHarvest: a second cluster harvest revalidates what the
// first archived: no report page is fetched again, and the pages whose
// links were read come from the coordinator's archive.
func TestIncrementalHarvest(t *testing.T) {
	tc := newTestCluster(t, 2)
	stop := tc.worker("w")
	defer stop()
	ctx := context.Background()
	first := <-tc.harvest(ctx, "1")
	if first == nil || first.NewCaptures == 0 {
		t.Fatalf("first harvest archived nothing: %+v", first)
	}
	reports := map[string]bool{}
	for _, e := range tc.world.Expected() {
		u := strings.TrimPrefix(e.URL, "http://"+e.Host)
		reports[e.Host+u] = true
	}
	before := len(tc.world.Requests())
	second := <-tc.harvest(ctx, "2")
	if second == nil || second.Pages == 0 {
		t.Fatalf("second harvest made no capture: %+v", second)
	}
	later := tc.world.Requests()[before:]
	for _, q := range later {
		if reports[q.Host+q.Path] {
			t.Errorf("the second harvest fetched report %s%s again", q.Host, q.Path)
		}
	}
	if second.NewCaptures != 0 {
		t.Errorf("second harvest of an unchanged world: %d new captures, want 0 (revisits)", second.NewCaptures)
	}
	var workers []string
	err := tc.a.View(func(r *archive.Reader) error {
		return r.Each(func(c *archive.Capture) error {
			if c.RunID == "2" && c.Worker != "w" {
				workers = append(workers, c.Worker)
			}
			return nil
		})
	})
	if err != nil || len(workers) > 0 {
		t.Fatalf("captures of run 2 not named by worker w: %v %v", workers, err)
	}
	t.Logf("first harvest %d pages, second %d pages (%d requests, %d revisits)", first.Pages, second.Pages, len(later), second.Revisits)
	tc.checkOverview(second)
}

// checkOverview: /api/workers and /workers show the worker and the jobs
// of the last harvest.
func (tc *testCluster) checkOverview(sum *crawler.Summary) {
	t := tc.t
	var o Overview
	// The heartbeat comes every third of a lease (1 s here).
	for begin := time.Now(); time.Since(begin) < 3*time.Second; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(tc.srv.URL + "/api/workers")
		if err != nil {
			t.Fatal(err)
		}
		o = Overview{}
		err = json.NewDecoder(resp.Body).Decode(&o)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Workers) == 1 && o.Workers[0].Done >= 4 && o.Workers[0].State == "idle" {
			break
		}
	}
	if o.Run != "2" || o.Open || len(o.Jobs) != len(sum.Jobs) {
		t.Errorf("overview: run %q open %v, %d jobs; want run 2 closed with %d jobs", o.Run, o.Open, len(o.Jobs), len(sum.Jobs))
	}
	if len(o.Workers) != 1 || o.Workers[0].Name != "w" || o.Workers[0].Pages == 0 || o.Workers[0].Done < 4 || o.Workers[0].State != "idle" {
		t.Errorf("overview workers %+v; want w idle, with pages and 4 jobs done", o.Workers)
	}
	resp, err := http.Get(tc.srv.URL + "/workers")
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	_, _ = page.ReadFrom(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"<td>w</td>", "<td>" + o.Jobs[0].Site + "</td><td>done</td>", "Jobs of harvest 2"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("/workers lacks %q", want)
		}
	}
}

// TestRedisLostItsData: a Redis restarted empty in the middle of a
// harvest loses the jobs; the coordinator queues them again and the
// harvest completes.
func TestRedisLostItsData(t *testing.T) {
	tc := newTestCluster(t, 2)
	done := tc.harvest(context.Background(), "1")
	for begin := time.Now(); tc.q.rdb.XLen(context.Background(), tc.q.keys.Stream()).Val() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Since(begin) > 5*time.Second {
			t.Fatal("the jobs were not queued")
		}
	}
	tc.redis.FlushAll()
	stop := tc.worker("w")
	defer stop()
	select {
	case sum := <-done:
		if sum == nil || len(sum.Jobs) != 2 {
			t.Fatalf("summary %+v", sum)
		}
		for _, j := range sum.Jobs {
			if j.State != StateDone {
				t.Errorf("job %s: %s", j.ID, j.State)
			}
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the harvest did not complete after Redis lost its jobs")
	}
}
