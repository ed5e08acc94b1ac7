// Package harvest owns scheduled harvesting: one harvest run crawls the
// agencies' sites, extracts reports from the captures that are new, audits
// the archive, and records the run (start, end, pages, new captures, new
// reports, errors, and the URLs new since the last run) in the archive.
// Loop repeats runs on an interval without ever overlapping them. The
// package also names the process holding an archive (holder.go) so that
// one-shot commands can say that serve holds it.
package harvest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// Kind is the archive.Run kind of a harvest.
const Kind = "harvest"

// Run statuses. A failed run has the status "failed: <reason>".
const (
	StatusRunning     = "running"
	StatusDone        = "done"
	StatusInterrupted = "interrupted"
	statusFailed      = "failed: "
)

// ErrBusy is returned by Run when another run of the same Harvester is in
// progress: runs never overlap.
var ErrBusy = errors.New("harvest: a run is already in progress")

// CrawlFunc crawls agencies into a with cfg; cfg.RunID is the harvest run's
// ID. It has the contract of crawler.Crawler.Run: a cancelled crawl returns
// its summary so far and ctx's error.
type CrawlFunc func(ctx context.Context, a *archive.Archive, cfg crawler.Config, agencies []seeds.Agency) (*crawler.Summary, error)

// ExtractFunc extracts the reports of the given captures into a (with
// a.PutReport) and says how many reports were stored and how many captures
// failed.
type ExtractFunc func(ctx context.Context, a *archive.Archive, captureIDs []string, log *slog.Logger) (*ExtractResult, error)

// ExtractResult is what an ExtractFunc did.
type ExtractResult struct {
	// NewReports counts reports stored.
	NewReports int
	// Failed counts report captures that could not be parsed.
	Failed int
}

// AuditFunc has the signature of audit.Run.
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
	// (tests); nil uses crawler.New(…).Run, extract.Run and audit.Run.
	Crawler   CrawlFunc
	Extractor ExtractFunc
	Auditor   AuditFunc

	running sync.Mutex // held while a run is in progress

	mu      sync.Mutex // guards current and audit
	current *archive.Run
	entries []audit.Entry
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
	return r, true
}

// Audit returns the audit entries computed by the last run that reached
// the audit stage.
func (h *Harvester) Audit() []audit.Entry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]audit.Entry(nil), h.entries...)
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

// Run performs one harvest: it records a Run with status "running", crawls
// the agencies, extracts the reports of the captures that are new (and of
// those left by an earlier run that was killed or interrupted), audits the
// archive, and records the Run again as "done", "interrupted" (ctx was
// cancelled) or "failed: <reason>". The returned Run is the one recorded;
// the error is non-nil unless the status is "done". Run returns ErrBusy
// when another Run of h is in progress.
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
	log := h.logger()
	a := h.Archive

	// A run still "running" in the archive was killed: this process holds
	// the archive, so nothing else can be running it.
	prev, carried, err := h.recoverRuns()
	if err != nil {
		return nil, err
	}
	run := &archive.Run{Kind: Kind, Started: time.Now().UTC(), Status: StatusRunning}
	if err := a.PutRun(run); err != nil {
		return nil, fmt.Errorf("harvest: record run start: %w", err)
	}
	h.setCurrent(run)
	defer h.setCurrent(nil)
	log.Info("harvest started", "run", run.ID, "agencies", len(h.Agencies), "carried_over", len(carried))

	finish := func(stage string, err error) (*archive.Run, error) {
		run.Ended = time.Now().UTC()
		switch {
		case err == nil:
			run.Status = StatusDone
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			run.Status = StatusInterrupted
			err = fmt.Errorf("harvest run %s interrupted during %s: %w", run.ID, stage, err)
		default:
			run.Status = statusFailed + stage + ": " + err.Error()
			err = fmt.Errorf("harvest run %s: %s: %w", run.ID, stage, err)
		}
		if perr := a.PutRun(run); perr != nil {
			return run, errors.Join(err, fmt.Errorf("harvest: record run end: %w", perr))
		}
		h.logEnd(run, prev)
		return run, err
	}

	// Crawl.
	cfg := h.Crawl
	cfg.RunID = run.ID
	if cfg.Logger == nil {
		cfg.Logger = log
	}
	crawl := h.Crawler
	if crawl == nil {
		crawl = realCrawl
	}
	sum, cerr := crawl(ctx, a, cfg, h.Agencies)
	var newIDs []string
	if sum != nil {
		run.Pages = sum.Pages
		run.NewCaptures = sum.NewCaptures
		run.Errors = sum.Errors
		newIDs = sum.New
	}
	ids := mergeIDs(carried, newIDs)
	urls, uerr := newURLs(a, ids)
	if uerr != nil && cerr == nil {
		cerr = uerr
	}
	run.New = urls
	h.setCurrent(run)
	if cerr != nil {
		return finish("crawl", cerr)
	}
	if err := a.PutRun(run); err != nil {
		return finish("crawl", fmt.Errorf("record run progress: %w", err))
	}

	// Extract what is new.
	if len(ids) > 0 {
		ext := h.Extractor
		if ext == nil {
			ext = realExtract
		}
		res, err := ext(ctx, a, ids, log)
		if res != nil {
			run.NewReports = res.NewReports
			run.Errors += res.Failed
		}
		h.setCurrent(run)
		if err != nil {
			return finish("extract", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return finish("extract", err)
	}

	// Audit.
	aud := h.Auditor
	if aud == nil {
		aud = audit.Run
	}
	from, to := h.years()
	entries, err := aud(a, h.Agencies, from, to, h.now())
	if err != nil {
		return finish("audit", err)
	}
	h.mu.Lock()
	h.entries = entries
	h.mu.Unlock()
	logAudit(log, run.ID, entries)
	return finish("audit", nil)
}

// logEnd writes the run's end line and what is new since the previous run.
func (h *Harvester) logEnd(run *archive.Run, prev *archive.Run) {
	log := h.logger()
	attrs := []any{"run", run.ID, "status", run.Status, "took", run.Ended.Sub(run.Started).Round(time.Millisecond).String(),
		"pages", run.Pages, "new_captures", run.NewCaptures, "new_reports", run.NewReports, "errors", run.Errors}
	since := "since the first run"
	if prev != nil {
		since = fmt.Sprintf("since run %s (%s)", prev.ID, prev.Started.Format(time.RFC3339))
	}
	if len(run.New) == 0 {
		log.Info("harvest ended: nothing new "+since, attrs...)
		return
	}
	var reports []string
	for _, u := range run.New {
		if st, ok, err := h.Archive.URLState(u); err == nil && ok && (st.Role == archive.RoleReport || st.Role == archive.RoleAttachment) {
			reports = append(reports, u)
		}
	}
	if len(reports) > 0 {
		attrs = append(attrs, "new_report_urls", strings.Join(reports, " "))
	}
	attrs = append(attrs, "new", strings.Join(run.New, " "))
	log.Info(fmt.Sprintf("harvest ended: %d URLs new %s, %d of them report pages or attachments", len(run.New), since, len(reports)), attrs...)
}

// logAudit logs the audit's counts by status and names what is missing or
// late.
func logAudit(log *slog.Logger, runID string, entries []audit.Entry) {
	counts := map[string]int{}
	var missing, late []string
	for _, e := range entries {
		counts[e.Status]++
		switch e.Status {
		case audit.Missing:
			missing = append(missing, fmt.Sprintf("%s %d", e.Agency, e.Year))
		case audit.Late:
			late = append(late, fmt.Sprintf("%s %d (%d days)", e.Agency, e.Year, e.DaysLate))
		}
	}
	statuses := make([]string, 0, len(counts))
	for s := range counts {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	attrs := []any{"run", runID, "agency_years", len(entries)}
	for _, s := range statuses {
		attrs = append(attrs, s, counts[s])
	}
	if len(missing) > 0 {
		attrs = append(attrs, "missing_list", strings.Join(missing, "; "))
	}
	if len(late) > 0 {
		attrs = append(attrs, "late_list", strings.Join(late, "; "))
	}
	log.Info("audit", attrs...)
}

// recoverRuns marks harvest runs left "running" (their process was killed)
// as interrupted, and returns the last completed harvest run and the IDs of
// the new captures made by the unfinished harvest runs since it: their
// reports still have to be extracted and their URLs listed as new.
func (h *Harvester) recoverRuns() (prev *archive.Run, carried []string, err error) {
	a := h.Archive
	runs, err := a.Runs()
	if err != nil {
		return nil, nil, fmt.Errorf("harvest: %w", err)
	}
	unfinished := map[string]*archive.Run{}
	for _, r := range runs { // newest first
		if r.Kind != Kind {
			continue
		}
		if r.Status == StatusDone {
			prev = r
			break
		}
		unfinished[r.ID] = r
	}
	if len(unfinished) == 0 {
		return prev, nil, nil
	}
	last := map[string]time.Time{}
	err = a.View(func(r *archive.Reader) error {
		return r.Each(func(c *archive.Capture) error {
			if _, ok := unfinished[c.RunID]; !ok {
				return nil
			}
			if c.FetchedAt.After(last[c.RunID]) {
				last[c.RunID] = c.FetchedAt
			}
			if c.Error == "" && !c.Revisit && c.Digest != "" {
				carried = append(carried, c.ID)
			}
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("harvest: captures of unfinished runs: %w", err)
	}
	for _, r := range unfinished {
		if r.Status != StatusRunning {
			continue
		}
		r.Status = StatusInterrupted
		if r.Ended.IsZero() {
			r.Ended = last[r.ID]
		}
		if err := a.PutRun(r); err != nil {
			return nil, nil, fmt.Errorf("harvest: mark run %s interrupted: %w", r.ID, err)
		}
		h.logger().Warn("an earlier harvest was killed; marked interrupted, its captures are kept and the crawl resumes", "run", r.ID, "started", r.Started.Format(time.RFC3339))
	}
	return prev, carried, nil
}

// mergeIDs returns the union of two capture ID lists in capture order.
func mergeIDs(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range [][]string{a, b} {
		for _, id := range l {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return idNum(out[i]) < idNum(out[j]) })
	return out
}

func idNum(id string) uint64 {
	n, _ := strconv.ParseUint(id, 10, 64)
	return n
}

// newURLs returns, sorted, the URLs of the given captures that are first
// archived or whose payload changed: a capture that failed, is a revisit,
// or has the digest of the URL's previous successful capture is left out.
func newURLs(a *archive.Archive, ids []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		c, err := a.Get(id)
		if err != nil {
			return nil, fmt.Errorf("new URLs: %w", err)
		}
		if seen[c.URL] || c.Error != "" || c.Revisit || c.Digest == "" {
			continue
		}
		caps, err := a.ByURL(c.URL)
		if err != nil {
			return nil, fmt.Errorf("new URLs: %w", err)
		}
		var before *archive.Capture
		for _, p := range caps {
			if idNum(p.ID) >= idNum(c.ID) {
				break
			}
			if p.Error == "" && p.Digest != "" {
				before = p
			}
		}
		if before != nil && before.Digest == c.Digest {
			continue
		}
		seen[c.URL] = true
		out = append(out, c.URL)
	}
	sort.Strings(out)
	return out, nil
}

// Loop runs a harvest at once and then every interval until ctx is
// cancelled; every <= 0 runs once. Runs never overlap: a tick that arrives
// during a run is taken when it ends. Cancelling ctx stops the run in
// progress, which is recorded as interrupted, and returns.
func (h *Harvester) Loop(ctx context.Context, every time.Duration) {
	log := h.logger()
	once := func() {
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
