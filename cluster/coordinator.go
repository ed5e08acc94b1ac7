package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// Coordinator runs a harvest's crawl stage through the cluster: its Crawl
// is a harvest.CrawlFunc. Its Handler takes the workers' uploads. Set the
// exported fields before the first Crawl.
type Coordinator struct {
	Queue *Queue
	// Token is the bearer token workers present.
	Token string
	// MaxUpload bounds one upload's size; zero means DefaultMaxUpload.
	MaxUpload int64
	// Poll is how often the job states are read while waiting; zero
	// means 250ms.
	Poll time.Duration
	// Logger receives the harvest's cluster log; nil discards it.
	Logger *slog.Logger

	// importMu serialises the imports of uploads: the archive has one
	// writer anyway, and gowarc sets a global of github.com/google/uuid
	// whenever it reads a record, which races with another import.
	importMu sync.Mutex

	mu  sync.Mutex
	cur *harvestJobs // the harvest in progress, or the last one
}

// harvestJobs are the jobs of one harvest.
type harvestJobs struct {
	a      *archive.Archive
	run    string
	jobs   []*Job
	byID   map[string]*jobEntry
	bodies map[string]bool // digests the jobs' states name
	open   bool            // its crawl stage is waiting for the jobs
}

// jobEntry is one job and what the coordinator knows of it.
type jobEntry struct {
	job    *Job
	mu     sync.Mutex // serialises its uploads
	status JobStatus  // guarded by Coordinator.mu
}

func (c *Coordinator) log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Crawl enqueues one job per site of agencies for the harvest run
// cfg.RunID, waits until every job is done (its upload imported into a)
// or failed, and summarises the captures the run's uploads added. A
// cancelled Crawl returns its summary so far and ctx's error; jobs left
// in the stream are then refused at upload (410) and dropped.
func (c *Coordinator) Crawl(ctx context.Context, a *archive.Archive, cfg crawler.Config, agencies []seeds.Agency) (*crawler.Summary, error) {
	if cfg.RunID == "" {
		return nil, fmt.Errorf("cluster crawl: no run ID")
	}
	jobs, err := BuildJobs(a, agencies, cfg.RunID, LimitsOf(cfg))
	if err != nil {
		return nil, fmt.Errorf("cluster crawl: %w", err)
	}
	hj := &harvestJobs{a: a, run: cfg.RunID, jobs: jobs, byID: map[string]*jobEntry{}, bodies: map[string]bool{}, open: true}
	for _, j := range jobs {
		hj.byID[j.ID] = &jobEntry{job: j, status: JobStatus{RunJob: archive.RunJob{ID: j.ID, Site: j.Site, State: StateQueued}}}
		for _, s := range j.States {
			if s.Digest != "" {
				hj.bodies[s.Digest] = true
			}
		}
	}
	c.mu.Lock()
	c.cur = hj
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		hj.open = false
		c.mu.Unlock()
	}()
	if n, err := c.Queue.DropStale(ctx); err != nil {
		return nil, fmt.Errorf("cluster crawl: %w", err)
	} else if n > 0 {
		c.log().Info("cluster: dropped the jobs an earlier harvest left queued", "jobs", n)
	}
	for _, j := range jobs {
		if err := c.Queue.Enqueue(ctx, j); err != nil {
			return nil, fmt.Errorf("cluster crawl: %w", err)
		}
	}
	c.log().Info("cluster: jobs enqueued", "run", cfg.RunID, "jobs", len(jobs))
	werr := c.wait(ctx, hj)
	sum, err := c.summarize(hj)
	if err != nil {
		return nil, err
	}
	return sum, werr
}

// wait polls the job states until every job is over or ctx is done.
func (c *Coordinator) wait(ctx context.Context, hj *harvestJobs) error {
	poll := c.Poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		states, err := c.Queue.Statuses(ctx, hj.run)
		if err != nil && ctx.Err() == nil {
			// Redis away: keep waiting, the workers wait for it too.
			c.log().Warn("cluster: cannot read the job states; waiting for Redis", "err", err)
		}
		if c.merge(hj, states) {
			return nil
		}
		if err == nil {
			c.requeueLost(ctx, hj, states)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// merge takes the states workers recorded (running, failed, attempts)
// into the coordinator's, which alone knows done, and reports whether
// every job is over.
func (c *Coordinator) merge(hj *harvestJobs, states map[string]JobStatus) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	over := true
	for id, e := range hj.byID {
		if s, ok := states[id]; ok && !e.status.final() {
			if s.State == StateFailed {
				c.log().Warn("cluster: job failed", "job", id, "attempts", s.Attempts, "err", s.Error)
			}
			if s.State != StateDone { // done is the coordinator's to say
				e.status = s
			}
		}
		over = over && e.status.final()
	}
	return over
}

// requeueLost enqueues again the jobs not over whose state Redis no
// longer has (a Redis restarted without its data lost the stream too):
// Enqueue records a job's state before it adds the entry, so a job
// without a state is no longer queued.
func (c *Coordinator) requeueLost(ctx context.Context, hj *harvestJobs, states map[string]JobStatus) {
	for _, j := range hj.jobs {
		c.mu.Lock()
		final := hj.byID[j.ID].status.final()
		c.mu.Unlock()
		if _, ok := states[j.ID]; ok || final {
			continue
		}
		c.log().Warn("cluster: Redis lost a job (restarted without its data?); queueing it again", "job", j.ID)
		if err := c.Queue.Enqueue(ctx, j); err != nil {
			c.log().Warn("cluster: cannot queue the job again; retrying", "job", j.ID, "err", err)
		}
	}
}

// summarize counts the captures of the run (made by the uploads) and
// lists the jobs' outcomes. The run's captures are the newest (this
// process is the archive's one writer): it reads back from the newest to
// the first capture of an earlier run, not the whole archive.
func (c *Coordinator) summarize(hj *harvestJobs) (*crawler.Summary, error) {
	sum := &crawler.Summary{}
	self := archive.IDNum(hj.run)
	err := hj.a.View(func(r *archive.Reader) error {
		return r.EachNewest(func(cp *archive.Capture) (bool, error) {
			if run := archive.IDNum(cp.RunID); run != 0 && run < self {
				return false, nil
			}
			if cp.RunID != hj.run {
				return true, nil
			}
			sum.Pages++
			switch {
			case cp.Error != "":
				sum.Errors++
			case cp.Revisit:
				sum.Revisits++
			case cp.Digest != "":
				sum.NewCaptures++
				sum.New = append(sum.New, cp.ID)
				sum.NewURLs = append(sum.NewURLs, cp.URL)
			}
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cluster crawl: summarise run %s: %w", hj.run, err)
	}
	slices.Reverse(sum.New) // capture order
	slices.Reverse(sum.NewURLs)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, j := range hj.jobs {
		s := hj.byID[j.ID].status
		sum.Jobs = append(sum.Jobs, s.RunJob)
	}
	return sum, nil
}

// current returns the open harvest's entry for job id.
func (c *Coordinator) current(id string) (*harvestJobs, *jobEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil || !c.cur.open {
		return nil, nil
	}
	return c.cur, c.cur.byID[id]
}

// Snapshot returns the jobs of the harvest in progress (or the last
// one), in seed order, and its run ID.
func (c *Coordinator) Snapshot() (run string, jobs []JobStatus, open bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		return "", nil, false
	}
	for _, j := range c.cur.jobs {
		jobs = append(jobs, c.cur.byID[j.ID].status)
	}
	return c.cur.run, jobs, c.cur.open
}
