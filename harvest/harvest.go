// Package harvest owns scheduled harvesting: one harvest run crawls the
// agencies' sites, extracts every capture of the archive not yet extracted
// (the run's own, those of one-shot crawls and imports, those left by
// interrupted runs), computes the audit once and stores it with the run,
// and records the run (start, end, pages, new captures, new reports,
// errors, records skipped, and the URLs new since the last completed
// harvest) in the archive. Loop repeats runs on an interval without ever
// overlapping them.
//
// Every composite read of a stage is one archive.View: no stage opens a read
// transaction inside another (bbolt deadlocks on that while a writer grows
// the file). Records that do not decode are passed over and counted
// (Run.Skipped); damage that stops a stage (archive.ErrDamaged) fails the
// run, and the Harvester then refuses further runs (see Damaged).
package harvest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// Kind is the archive.Run kind of a harvest.
const Kind = "harvest"

// Run statuses (archive.RunStatus). A failed run has the status
// archive.FailedStatus(stage, reason), "failed: <stage>: <reason>", and its
// stage and reason in archive.Run's FailedStage and Failure.
const (
	StatusRunning     = archive.RunRunning
	StatusDone        = archive.RunDone
	StatusInterrupted = archive.RunInterrupted
)

// ErrBusy is returned by Run when another run of the same Harvester is in
// progress: runs never overlap.
var ErrBusy = errors.New("harvest: a run is already in progress")

// CrawlFunc crawls agencies into a with cfg; cfg.RunID is the harvest run's
// ID. It has the contract of crawler.Crawler.Run: a cancelled crawl returns
// its summary so far and ctx's error.
type CrawlFunc func(ctx context.Context, a *archive.Archive, cfg crawler.Config, agencies []seeds.Agency) (*crawler.Summary, error)

// ExtractFunc extracts into a (with a.PutReport and a.MarkExtracted) every
// capture not yet extracted, whichever run made it, and says what it did.
// A cancelled extraction returns what it did so far and ctx's error.
type ExtractFunc func(ctx context.Context, a *archive.Archive, log *slog.Logger) (*ExtractResult, error)

// ExtractResult is what an ExtractFunc did.
type ExtractResult struct {
	// Parsed counts the reports parsed (and stored) by this extraction.
	Parsed int
	// NewReports counts the captures that got a report for the first time.
	NewReports int
	// Failed lists the IDs of the report captures that could not be parsed.
	Failed []string
	// Skipped lists the archive records that did not decode.
	Skipped []archive.Skipped
}

// AuditFunc has the signature of audit.Run. The real audit stage reads
// through one view with audit.Compute instead, so that it can be cancelled
// and count the records it skipped.
type AuditFunc func(a *archive.Archive, agencies []seeds.Agency, from, to int, asof time.Time) ([]audit.Entry, error)

// Harvester runs harvests over one archive. Set the exported fields before
// the first Run and do not change them afterwards; a Harvester must not be
// copied after first use.
type Harvester struct {
	// Archive is the archive harvested into, opened for writing.
	Archive *archive.Archive
	// Agencies are the agencies of the seeds file.
	Agencies []seeds.Agency
	// Crawl configures the crawler; RunID is set per run, and a nil Logger
	// is replaced by the Harvester's.
	Crawl crawler.Config
	// From and To are the report years audited; zero To means last year
	// and zero From means To-4.
	From, To int
	// Logger receives the run log; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the audit date (and the default report years); nil means
	// time.Now. Run start and end times are always the wall clock.
	Now func() time.Time

	// Crawler, Extractor and Auditor replace the real stages when set
	// (tests); nil uses crawler.New(…).Run, extractrun.Run and audit.Compute.
	Crawler   CrawlFunc
	Extractor ExtractFunc
	Auditor   AuditFunc

	running sync.Mutex // held while a run is in progress

	mu      sync.Mutex // guards current, snap and damage
	current *archive.Run
	snap    *audit.Snapshot
	damage  error

	recMu  sync.Mutex // serialises the records of a run's progress and end
	closed string     // ID of the last run whose end is recorded
}

func (h *Harvester) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

func (h *Harvester) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// years returns the audited report years with their defaults.
func (h *Harvester) years() (from, to int) {
	return audit.Years(h.From, h.To, h.now())
}

// Current returns a copy of the run in progress, if any.
func (h *Harvester) Current() (archive.Run, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.current == nil {
		return archive.Run{}, false
	}
	r := *h.current
	r.New = append([]string(nil), r.New...)
	r.Jobs = append([]archive.RunJob(nil), r.Jobs...)
	return r, true
}

func (h *Harvester) setCurrent(r *archive.Run) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r == nil {
		h.current = nil
		return
	}
	c := *r
	h.current = &c
}

// Damaged returns the damage (an error wrapping archive.ErrDamaged) that
// made a run of this Harvester (or Load) fail, or nil. Once the archive is
// known to be damaged, Run refuses to write into it again: check and
// salvage the file, then start a new process.
func (h *Harvester) Damaged() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.damage
}

// noteDamage remembers err when it reports a damaged archive.
func (h *Harvester) noteDamage(err error) {
	if !errors.Is(err, archive.ErrDamaged) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.damage == nil {
		h.damage = err
	}
}

// Run performs one harvest: it records a Run with status "running",
// crawls the agencies, extracts every capture not yet extracted, computes
// the audit and stores it with the run, and records the Run again as
// "done", "interrupted" (ctx was cancelled) or "failed: <stage>: <reason>".
// The returned Run is the one recorded; the error is non-nil unless the
// status is "done". Run returns ErrBusy when another Run of h is in
// progress, and an error wrapping archive.ErrDamaged without running when
// an earlier run met damage.
func (h *Harvester) Run(ctx context.Context) (*archive.Run, error) {
	if h.Archive == nil {
		return nil, errors.New("harvest: nil archive")
	}
	if len(h.Agencies) == 0 {
		return nil, errors.New("harvest: no agencies")
	}
	if !h.running.TryLock() {
		return nil, ErrBusy
	}
	defer h.running.Unlock()
	if err := h.Damaged(); err != nil {
		return nil, fmt.Errorf("harvest: not started, an earlier run found the archive damaged: %w", err)
	}
	s := &runState{h: h, log: h.logger(), skipped: newSkipSet()}
	s.run = &archive.Run{Kind: Kind, Started: time.Now().UTC(), Status: StatusRunning}
	if err := h.Archive.PutRun(s.run); err != nil {
		h.noteDamage(err)
		return nil, fmt.Errorf("harvest: record run start: %w", err)
	}
	h.setCurrent(s.run)
	defer h.setCurrent(nil)

	sv, err := h.survey(ctx, s.run.ID)
	if err != nil {
		return s.finish("start", err)
	}
	s.prev, s.knownFailed = sv.prev, sv.knownFailed
	s.skipped.add(sv.skipped...)
	s.log.Info("harvest started", "run", s.run.ID, "agencies", len(h.Agencies), "carried_over", len(sv.carried))

	if err := s.crawl(ctx, sv.carried); err != nil {
		return s.finish("crawl", err)
	}
	if err := s.extract(ctx); err != nil {
		return s.finish("extract", err)
	}
	if err := s.audit(ctx); err != nil {
		return s.finish("audit", err)
	}
	return s.finish("audit", nil)
}

// runState is one run in progress.
type runState struct {
	h           *Harvester
	log         *slog.Logger
	run         *archive.Run
	prev        *archive.Run    // the last completed harvest before it, or nil
	knownFailed map[string]bool // captures whose extraction had already failed
	skipped     *skipSet
}

// finish records the run's end with the status err gives it (nil: done)
// and logs it. stage names the stage err comes from.
func (s *runState) finish(stage string, err error) (*archive.Run, error) {
	run := s.run
	run.Ended = time.Now().UTC()
	run.Skipped = s.skipped.len()
	switch {
	case err == nil:
		run.Status = StatusDone
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		run.Status = StatusInterrupted
		err = fmt.Errorf("harvest run %s interrupted during %s: %w", run.ID, stage, err)
	default:
		run.Fail(stage, err.Error())
		err = fmt.Errorf("harvest run %s: %s: %w", run.ID, stage, err)
	}
	s.h.setCurrent(run)
	if perr := s.h.record(run, true); perr != nil {
		err = errors.Join(err, fmt.Errorf("harvest: record run end: %w", perr))
	}
	s.h.noteDamage(err) // once the failed run is recorded, so both are seen together
	s.skipped.log(s.log, run.ID, s.h.Archive.Path())
	s.h.logEnd(run, s.prev)
	return run, err
}

// record stores run. A run whose end is already recorded (by Abandon) is
// not recorded again.
func (h *Harvester) record(run *archive.Run, end bool) error {
	h.recMu.Lock()
	defer h.recMu.Unlock()
	if h.closed == run.ID {
		return nil
	}
	if end {
		h.closed = run.ID
	}
	return h.Archive.PutRun(run)
}

// Abandon records the run in progress, if any, as interrupted now and
// returns it: for a caller that stops and cannot wait any longer for the
// run's stage to return (serve's shutdown grace is over). The run's own
// end is then not recorded over it.
func (h *Harvester) Abandon() (*archive.Run, error) {
	h.recMu.Lock()
	defer h.recMu.Unlock()
	cur, ok := h.Current()
	if !ok || h.closed == cur.ID {
		return nil, nil
	}
	cur.Status = StatusInterrupted
	cur.Ended = time.Now().UTC()
	h.closed = cur.ID
	if err := h.Archive.PutRun(&cur); err != nil {
		return &cur, fmt.Errorf("harvest: record run %s interrupted: %w", cur.ID, err)
	}
	return &cur, nil
}

// crawl runs the crawl stage and lists, in run.New, the URLs new since the
// last completed harvest: those of the crawl's new captures and of carried,
// the captures made since then by other runs.
func (s *runState) crawl(ctx context.Context, carried []string) error {
	h, run := s.h, s.run
	cfg := h.Crawl
	cfg.RunID = run.ID
	if cfg.Logger == nil {
		cfg.Logger = s.log
	}
	crawl := h.Crawler
	if crawl == nil {
		crawl = realCrawl
	}
	sum, cerr := crawl(ctx, h.Archive, cfg, h.Agencies)
	var newIDs []string
	if sum != nil {
		run.Pages, run.NewCaptures, run.Errors = sum.Pages, sum.NewCaptures, sum.Errors
		run.Jobs = sum.Jobs
		newIDs = sum.New
	}
	urls, skipped, uerr := newURLs(h.Archive, mergeIDs(carried, newIDs))
	s.skipped.add(skipped...)
	run.New = urls
	h.setCurrent(run)
	if cerr != nil {
		return cerr
	}
	if uerr != nil {
		return uerr
	}
	if err := h.record(run, false); err != nil {
		return fmt.Errorf("record run progress: %w", err)
	}
	return nil
}

// extract runs the extract stage over everything not yet extracted. Only
// failures of captures that had not failed before count as the run's
// errors: a capture that cannot be parsed is tried again at every harvest.
func (s *runState) extract(ctx context.Context) error {
	h, run := s.h, s.run
	ext := h.Extractor
	if ext == nil {
		ext = realExtract
	}
	res, err := ext(ctx, h.Archive, s.log)
	if res != nil {
		run.NewReports = res.NewReports
		again := 0
		for _, id := range res.Failed {
			if s.knownFailed[id] {
				again++
			} else {
				run.Errors++
			}
		}
		if again > 0 {
			s.log.Info("extract: captures that could not be parsed before still cannot be", "run", run.ID, "captures", again)
		}
		s.skipped.add(res.Skipped...)
		h.setCurrent(run)
	}
	if err != nil {
		return err
	}
	return ctx.Err()
}

// Loop runs a harvest at once and then every interval until ctx is
// cancelled; every <= 0 runs once. Runs never overlap: a tick that arrives
// during a run is taken when it ends. Cancelling ctx stops the run in
// progress, which is recorded as interrupted, and returns. Once a run has
// found the archive damaged, the ticks that follow only log that harvests
// are suspended.
func (h *Harvester) Loop(ctx context.Context, every time.Duration) {
	log := h.logger()
	once := func() {
		if err := h.Damaged(); err != nil {
			log.Error("harvest skipped: the archive is damaged; serve keeps serving what it can read, harvests resume after the file is repaired and serve restarted", "err", err)
			return
		}
		run, err := h.Run(ctx)
		if err != nil && ctx.Err() == nil {
			id := ""
			if run != nil {
				id = run.ID
			}
			log.Error("harvest failed", "run", id, "err", err)
		}
	}
	if ctx.Err() != nil {
		return
	}
	once()
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ctx.Err() != nil {
				return
			}
			log.Info("scheduled harvest", "every", every.String())
			once()
		}
	}
}
