package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
)

// DefaultAttempts is how many deliveries a job gets before it is
// recorded failed.
const DefaultAttempts = 3

// Worker claims jobs from the queue, crawls their sites into a spool
// archive, uploads the result to the coordinator and acknowledges them.
// Set the fields before Run.
type Worker struct {
	Queue *Queue
	// Name names the worker in captures, heartbeats and leases.
	Name string
	// Coordinator is the coordinator's base URL (http://HOST:PORT).
	Coordinator string
	// Token is the coordinator's bearer token.
	Token string
	// Crawl is the crawler configuration; each job's limits apply over it
	// (Limits.Apply), its Parallel is how many jobs run at once.
	Crawl crawler.Config
	// Attempts is how many deliveries a job gets; zero means
	// DefaultAttempts.
	Attempts int
	// SpoolDir holds the jobs' spools; "" is the system's temporary
	// directory.
	SpoolDir string
	// HTTP is the client for the coordinator; nil means one with no
	// overall timeout (uploads may be large).
	HTTP *http.Client
	// Logger receives the worker's log; nil discards it.
	Logger *slog.Logger

	// exportMu serialises the exports of the jobs run at once: gowarc
	// sets a global of github.com/google/uuid (EnableRandPool) whenever
	// it makes a record, which races with another export's reads.
	exportMu sync.Mutex

	mu     sync.Mutex
	active map[string]*ActiveJob
	pages  int
	done   int
}

func (w *Worker) log() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (w *Worker) client() *http.Client {
	if w.HTTP != nil {
		return w.HTTP
	}
	return http.DefaultClient
}

// Run works until ctx is cancelled: Crawl.Parallel jobs at once, a
// heartbeat every third of a lease. A cancelled job is abandoned (its
// lease released, its entry left for another worker); Run then returns
// nil.
func (w *Worker) Run(ctx context.Context) error {
	if w.Name == "" || w.Coordinator == "" || w.Queue == nil {
		return errors.New("worker: name, coordinator and queue are required")
	}
	w.active = map[string]*ActiveJob{}
	n := max(w.Crawl.Parallel, 1)
	var wg sync.WaitGroup
	beatCtx, stopBeat := context.WithCancel(context.WithoutCancel(ctx))
	go w.beatLoop(beatCtx)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx)
		}()
	}
	wg.Wait()
	stopBeat()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	return w.beat(sctx, "stopped")
}

// loop claims and works jobs one after another until ctx is done.
func (w *Worker) loop(ctx context.Context) {
	for ctx.Err() == nil {
		d, err := w.Queue.Next(ctx, w.Name, 2*time.Second)
		if err != nil {
			if ctx.Err() == nil {
				w.log().Warn("worker: cannot claim a job; retrying", "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		if d == nil {
			continue
		}
		if err := w.work(ctx, d); err != nil && ctx.Err() == nil {
			w.log().Warn("worker: job not completed; another attempt follows after its lease", "job", d.Job.ID, "attempt", d.Attempts, "err", err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// work handles one delivery: a job already over is acknowledged; one
// delivered too often is recorded failed; otherwise the site's lease is
// taken and the site crawled, uploaded and acknowledged.
func (w *Worker) work(ctx context.Context, d *Delivery) error {
	j := d.Job
	st, found, err := w.Queue.Status(ctx, j.Run, j.ID)
	if err != nil {
		return err
	}
	if found && st.final() {
		return w.Queue.Ack(ctx, d.MsgID)
	}
	attempts := w.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	if d.Attempts > attempts {
		w.log().Error("worker: job failed its attempts", "job", j.ID, "attempts", d.Attempts-1)
		fail := JobStatus{RunJob: archive.RunJob{ID: j.ID, Site: j.Site, State: StateFailed, Worker: st.Worker, Attempts: d.Attempts - 1,
			Error: fmt.Sprintf("not completed in %d attempts; last: %s", d.Attempts-1, st.Error)}}
		if err := w.Queue.SetStatus(ctx, j.Run, fail); err != nil {
			return err
		}
		return w.Queue.Ack(ctx, d.MsgID)
	}
	holder := w.Name + "/" + uuid.NewString()
	ok, err := w.Queue.Acquire(ctx, j.Site, holder)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("site %s is leased by another worker", j.Site)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := w.Queue.Release(rctx, j.Site, holder); err != nil {
			w.log().Warn("worker: release lease", "site", j.Site, "err", err)
		}
	}()
	run := JobStatus{RunJob: archive.RunJob{ID: j.ID, Site: j.Site, State: StateRunning, Worker: w.Name, Attempts: d.Attempts}}
	if err := w.Queue.SetStatus(ctx, j.Run, run); err != nil {
		return err
	}
	jctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		w.holdLease(jctx, cancel, d, holder)
	}()
	err = w.crawlJob(jctx, j)
	cancel(nil)
	<-hbDone
	if err != nil {
		run.Error = err.Error()
		_ = w.Queue.SetStatus(context.WithoutCancel(ctx), j.Run, run)
		return err
	}
	return w.Queue.Ack(ctx, d.MsgID)
}

// errLeaseLost stops a job whose lease another worker may now hold.
var errLeaseLost = errors.New("the site's lease was lost")

// holdLease renews the lease and the claim of d every third of a lease
// until ctx is done; a lost lease cancels the job.
func (w *Worker) holdLease(ctx context.Context, cancel context.CancelCauseFunc, d *Delivery, holder string) {
	t := time.NewTicker(w.Queue.Lease() / 3)
	defer t.Stop()
	renewed := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(renewed) >= w.Queue.Lease() {
			// Redis has been away for a whole lease: the lease may be
			// another worker's by now (a Redis that kept its data).
			w.log().Error("worker: lease not renewed for a whole lease; abandoning the job", "job", d.Job.ID)
			cancel(errLeaseLost)
			return
		}
		ok, err := w.Queue.Renew(ctx, d.Job.Site, holder)
		if err == nil && ok {
			renewed = time.Now()
		}
		if err == nil && !ok {
			w.log().Error("worker: lease lost; abandoning the job", "job", d.Job.ID)
			cancel(errLeaseLost)
			return
		}
		if err == nil {
			err = w.Queue.Touch(ctx, w.Name, d)
		}
		if err != nil && ctx.Err() == nil {
			w.log().Warn("worker: cannot renew the lease (Redis away?); the crawl goes on until the lease would have expired", "job", d.Job.ID, "err", err)
		}
	}
}

// crawlJob crawls j's site into a spool, exports and uploads it.
func (w *Worker) crawlJob(ctx context.Context, j *Job) error {
	dir, err := w.spoolDir(j)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sp, err := archive.Open(filepath.Join(dir, "spool.db"), archive.Options{NoSync: true})
	if err != nil {
		return fmt.Errorf("spool of %s: %w", j.ID, err)
	}
	defer sp.Close()
	if err := w.seedSpool(ctx, sp, j); err != nil {
		return err
	}
	ags, err := j.Seeds()
	if err != nil {
		return err
	}
	cfg := j.Limits.Apply(w.Crawl)
	cfg.Parallel, cfg.RunID, cfg.Worker = 1, j.Run, w.Name
	aj := &ActiveJob{ID: j.ID, Site: j.Site, Since: time.Now().UTC()}
	w.setActive(aj, true)
	defer w.setActive(aj, false)
	cfg.Progress = func(s crawler.Stats) { w.progress(aj, s.Fetched) }
	c, err := crawler.New(sp, cfg)
	if err != nil {
		return fmt.Errorf("crawl %s: %w", j.ID, err)
	}
	w.log().Info("worker: crawling", "job", j.ID, "states", len(j.States), "skip", len(j.Skip))
	sum, err := c.Run(ctx, ags)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			err = cause
		}
		return fmt.Errorf("crawl %s: %w", j.ID, err)
	}
	files, err := w.exportSpool(ctx, sp, j, filepath.Join(dir, "warc"))
	if err != nil {
		return err
	}
	code, msg, err := w.upload(ctx, j, files)
	switch {
	case err != nil:
		return err
	case code == http.StatusGone:
		w.log().Info("worker: the coordinator no longer wants the job (its harvest ended); dropping it", "job", j.ID)
	case code != http.StatusOK:
		return fmt.Errorf("upload %s: coordinator answered %d: %s", j.ID, code, msg)
	default:
		w.log().Info("worker: job uploaded", "job", j.ID, "pages", sum.Pages, "answer", msg)
	}
	w.mu.Lock()
	w.done++
	w.mu.Unlock()
	return nil
}

func (w *Worker) setActive(aj *ActiveJob, on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if on {
		w.active[aj.ID] = aj
	} else {
		delete(w.active, aj.ID)
	}
}

// progress takes a job's fetch count from the crawler's progress.
func (w *Worker) progress(aj *ActiveJob, fetched int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pages += fetched - aj.Pages
	aj.Pages = fetched
}

// beatLoop records a heartbeat every third of a lease until ctx is done.
func (w *Worker) beatLoop(ctx context.Context) {
	t := time.NewTicker(w.Queue.Lease() / 3)
	defer t.Stop()
	for {
		if err := w.beat(ctx, ""); err != nil && ctx.Err() == nil {
			w.log().Warn("worker: heartbeat", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// beat records the worker's heartbeat; state "" means idle or crawling.
func (w *Worker) beat(ctx context.Context, state string) error {
	w.mu.Lock()
	s := WorkerStatus{Name: w.Name, PID: os.Getpid(), Pages: w.pages, Done: w.done, State: state, Jobs: []ActiveJob{}}
	for _, aj := range w.active {
		s.Jobs = append(s.Jobs, *aj)
	}
	w.mu.Unlock()
	s.Host, _ = os.Hostname()
	if s.State == "" {
		s.State = "idle"
		if len(s.Jobs) > 0 {
			s.State = "crawling"
		}
	}
	return w.Queue.Beat(ctx, s)
}
