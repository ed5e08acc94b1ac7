// Package crawler owns discovery and fetching: from each agency's seed URL
// it finds the agency's annual-report pages (政府信息公开工作年度报告) and
// their attachments and records every fetch, raw bytes untouched, in the
// archive.
//
// The design keeps three things apart (as Zeno does):
//
//   - The frontier is persistent: it lives in the archive's bbolt buckets
//     (archive/frontier.go). A URL is claimed when it is enqueued, so it is
//     never fetched twice in one crawl, and an item is completed (marked
//     visited, children enqueued) in one transaction, so a crawl killed with
//     SIGKILL resumes where it stopped. Items come out best priority first:
//     report links, then report list columns, then disclosure paths, then
//     the rest.
//   - One worker per host fetches with its own colly collector (synchronous,
//     so per-host concurrency is 1) and waits Config.Delay between requests;
//     Config.Parallel hosts run at once. Colly builds the requests, applies
//     the User-Agent and timeout and follows redirects through a redirect
//     handler that refuses targets off the seed host or disallowed by
//     robots.txt. Colly's own visited set, robots handling and body reading
//     are not used: colly re-encodes bodies to UTF-8 and truncates silently.
//     Instead a recording http.RoundTripper (recorder) reads each response
//     body itself, up to a size cap, before colly sees it.
//   - The writer turns a fetch into an archive.Capture: raw bytes through
//     archive.Put, text decoded to UTF-8 with golang.org/x/net/html/charset,
//     failures as captures with Error set. Discovery (links.go) parses the
//     decoded page: anchors (named by text, title or an image's alt),
//     Hanweb <script type="text/xml"> CDATA records and the dataproxy.jsp
//     record groups its jpage call asks for (its XML, and <nextgroup>,
//     page the list), TRS createPageHTML paging (literal or variable
//     arguments), quoted URLs in scripts, onclick/data-href links, meta
//     refresh and script location forwards, documents named in viewer
//     queries (viewer.html?file=…), 下一页 links. A charset header the
//     body contradicts yields to the meta tag or the bytes; session ids
//     are dropped from URLs.
//
// Incremental crawls revalidate list pages (and seeds, report columns,
// disclosure paths) with If-None-Match / If-Modified-Since (a 304 or the
// same digest becomes a revisit, no new body) and never fetch an archived
// report page or attachment again unless Config.Refresh; ordinary archived
// pages are not refetched either, their links are read from the archive.
//
// Resume: every host's frontier and visited set stay in the archive until
// the whole Run completes, then they are dropped so the next Run starts
// from the seeds. A Run that finds a frontier left by a killed or
// interrupted crawl continues it; a page captured after it was queued (the
// crash came between archiving it and completing its frontier item) is
// not fetched again, its links are taken from the archive.
package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/seeds"
)

// UserAgent is the honest User-Agent sent with every request.
const UserAgent = "nianbao/0.1 (+https://github.com/nianbao/nianbao; annual-report archive)"

// Config tunes a crawl. DefaultConfig gives polite defaults.
type Config struct {
	// Delay is the pause between two requests to the same host.
	Delay time.Duration
	// Parallel is how many hosts are crawled at once (DefaultParallel).
	Parallel int
	// MaxDepth bounds the link distance from the seed (report links and
	// attachments may go one further).
	MaxDepth int
	// MaxPagesPerHost bounds the requests made to one host in one crawl.
	MaxPagesPerHost int
	// UserAgent replaces the default User-Agent when not empty.
	UserAgent string
	// Timeout bounds one request including its body (attachments get four
	// times as long).
	Timeout time.Duration
	// MaxBodySize caps a page body; MaxAttachmentSize caps an attachment.
	// A longer body is cut, recorded Truncated with an error.
	MaxBodySize, MaxAttachmentSize int64
	// Retries is how many times a 5xx, 429 or network error is retried.
	Retries int
	// RetryBackoff is the first retry's wait, doubled on each retry.
	RetryBackoff time.Duration
	// MaxRetryAfter caps the wait a Retry-After header may ask for.
	MaxRetryAfter time.Duration
	// Refresh fetches report pages and attachments again even when they
	// are archived.
	Refresh bool
	// Resolve routes host names to "ip:port" addresses (tests, offline
	// demo); unlisted hosts resolve normally.
	Resolve map[string]string
	// StrictTLS refuses a server whose certificate cannot be verified
	// (expired, unknown authority even after AIA); by default such a
	// response is archived and its capture marked tls_verified false.
	StrictTLS bool
	// Render says when pages are also rendered in headless Chromium
	// (render.go): RenderAuto, RenderAlways or RenderNever ("" is
	// RenderNever; cmd/crawl defaults to RenderAuto).
	Render string
	// BrowserPath is the Chromium executable; "" looks it up in PATH.
	BrowserPath string
	// RenderTimeout bounds one rendering (default 30s).
	RenderTimeout time.Duration
	// RunID is stored in every capture's RunID.
	RunID string
	// Worker is stored in every capture's Worker: the name of the
	// cluster worker crawling (crawl -worker), "" otherwise.
	Worker string
	// Logger receives progress and failures; nil discards them.
	Logger *slog.Logger
	// Progress, when set, is called about once a second and at the end.
	Progress func(Stats)
}

// DefaultParallel is how many hosts a crawl takes at once by default.
// Politeness is per host (one request at a time, Delay apart), so a host
// in flight mostly waits: at the default 1 s delay 64 hosts make at most 64
// requests a second, and each costs ~0.3 MB resident on ordinary pages
// (benchworld.BenchmarkHostMemory), ~20 MB for all 64. A crawl of hundreds
// of sites takes hosts-divided-by-64 rounds instead of hosts-divided-by-4.
const DefaultParallel = 64

// GCPercent is the garbage collector's target (as GOGC) a crawling process
// runs with unless $GOGC sets one: a crawl allocates a page's worth of
// short-lived parse trees per fetch, and at Go's default 100 the collector
// took a tenth of its CPU (measured on the bench world: CPU per page −20%,
// peak RSS 74 → 82 MB). Call SetGCPercent from main.
const GCPercent = 200

// SetGCPercent sets GCPercent unless the environment's GOGC is set.
func SetGCPercent() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}

// DefaultConfig returns the polite defaults of cmd/crawl.
func DefaultConfig() Config {
	return Config{
		Delay:             time.Second,
		Parallel:          DefaultParallel,
		MaxDepth:          8,
		MaxPagesPerHost:   2000,
		UserAgent:         UserAgent,
		Timeout:           30 * time.Second,
		MaxBodySize:       10 << 20,
		MaxAttachmentSize: 100 << 20,
		Retries:           3,
		RetryBackoff:      2 * time.Second,
		MaxRetryAfter:     60 * time.Second,
	}
}

// Stats is a progress snapshot.
type Stats struct {
	// Fetched counts requests made (robots.txt excluded).
	Fetched int
	// Queued is how many URLs wait in the frontier.
	Queued int
	// Reports counts report pages and attachments seen this run.
	Reports int
	// Errors counts failure captures.
	Errors int
	// New counts captures with a new payload.
	New int
	// Rate is Fetched per second since the start.
	Rate float64
	// TopErrors are the most frequent failure reasons, "host: reason ×n".
	TopErrors []string
}

// Summary is the result of a crawl.
type Summary struct {
	// Pages counts captures made this run (failures and revisits too).
	Pages       int
	NewCaptures int
	Revisits    int
	Errors      int
	// New holds the IDs of captures with a new payload made this run.
	New []string
	// NewURLs holds their URLs.
	NewURLs []string
	// Agencies has one entry per agency, in seed order (several on a
	// shared host).
	Agencies []AgencySummary
	// Hosts has one entry per site (authority), in seed order.
	Hosts []HostSummary
	// Notes say what the crawl could not do, once each (no browser to
	// render pages built by script).
	Notes []string
	// Jobs are the outcomes of the jobs of a crawl done by cluster
	// workers (package cluster), recorded with the harvest run.
	Jobs []archive.RunJob
}

// AgencySummary is one agency's part of a crawl.
type AgencySummary struct {
	// Host is the authority of the agency's site.
	Agency, Host string
	// Years are the report years found by title (archived before or now).
	Years []int
	// NewReports counts report pages and attachments first archived now.
	NewReports int
	Errors     int
	// MovedTo is where the agency's seed moved, "" when it did not.
	MovedTo string
}

// Crawler crawls agencies into an archive.
type Crawler struct {
	a   *archive.Archive
	cfg Config
	log *slog.Logger
	net *netClient

	mu       sync.Mutex
	stats    Stats
	sum      Summary
	sites    map[string]*site          // by frontier key (authority)
	byAgency map[string]*AgencySummary // by agencyKey
	years    map[string]map[int]bool   // by agencyKey
	started  time.Time
	rend     *renderer // the crawl's headless browser (render.go)

	bodyReads atomic.Int64 // archived bodies read back (pagelinks.go)
	unparsed  atomic.Int64 // unchanged 200s taken without parsing (process.go)
	taken     atomic.Int64 // items taken from the frontier (site.go)
	expanded  atomic.Int64 // items answered in memory, never queued (expand.go)
}

// agencyKey keys an agency's summary: the same agency may be seeded on
// two hosts, and a host may carry many agencies.
func agencyKey(host, agency string) string { return host + "\x00" + agency }

// New returns a crawler writing to a. Zero fields of cfg take their
// DefaultConfig values.
func New(a *archive.Archive, cfg Config) (*Crawler, error) {
	if a == nil {
		return nil, errors.New("new crawler: nil archive")
	}
	d := DefaultConfig()
	if cfg.Parallel <= 0 {
		cfg.Parallel = d.Parallel
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = d.MaxDepth
	}
	if cfg.MaxPagesPerHost <= 0 {
		cfg.MaxPagesPerHost = d.MaxPagesPerHost
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = d.UserAgent
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = d.Timeout
	}
	if cfg.MaxBodySize <= 0 {
		cfg.MaxBodySize = d.MaxBodySize
	}
	if cfg.MaxAttachmentSize <= 0 {
		cfg.MaxAttachmentSize = d.MaxAttachmentSize
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = d.RetryBackoff
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = d.MaxRetryAfter
	}
	if cfg.Delay < 0 {
		cfg.Delay = 0
	}
	for host, addr := range cfg.Resolve {
		if host == "" || addr == "" {
			return nil, fmt.Errorf("new crawler: bad resolve entry %q=%q", host, addr)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	nc, err := newNetClient(cfg, log)
	if err != nil {
		return nil, fmt.Errorf("new crawler: %w", err)
	}
	return &Crawler{a: a, cfg: cfg, log: log, net: nc}, nil
}

// site is one authority to crawl with the agencies seeded on it, and what
// its worker learns about it as it goes.
type site struct {
	host   string // the frontier key: the first seed's authority
	seeds  []seeds.Agency
	scope  *scope
	health *hostHealth
	canon  *canonicalizer
	report *hostReport // guarded by Crawler.mu
}

func newSite(key, scheme string) *site {
	return &site{host: key, scope: newScope(key, scheme), health: &hostHealth{}, canon: &canonicalizer{}, report: &hostReport{}}
}

// Run crawls the agencies' sites until their frontiers are empty or ctx is
// cancelled. A cancelled crawl returns its summary so far and ctx's error;
// the frontier stays in the archive and the next Run resumes it. Failed
// fetches never stop the crawl; only archive errors do.
func (c *Crawler) Run(ctx context.Context, agencies []seeds.Agency) (*Summary, error) {
	if len(agencies) == 0 {
		return nil, errors.New("crawl: no agencies to crawl")
	}
	sites, index, err := c.planSites(agencies)
	if err != nil {
		return nil, err
	}
	defer c.closeBrowser()
	if resumed, err := c.a.FrontierHosts(); err != nil {
		return nil, fmt.Errorf("crawl: %w", err)
	} else if len(resumed) > 0 {
		c.log.Info("resuming an interrupted crawl", "hosts", strings.Join(resumed, " "))
		if err := c.noteResumedYears(resumed, index); err != nil {
			return nil, fmt.Errorf("crawl: %w", err)
		}
	}

	stopProgress := c.startProgress()
	fatal := c.crawlSites(ctx, sites)
	stopProgress()

	st := c.Stats()
	if c.cfg.Progress != nil {
		c.cfg.Progress(st)
	}
	sum := c.summarize(sites)
	if fatal != nil {
		return &sum, fatal
	}
	if err := ctx.Err(); err != nil {
		return &sum, err
	}
	return &sum, c.resetFrontiers(sites, index)
}

// startProgress reports Stats to cfg.Progress every second, if it is set,
// until the returned function is called (it returns once reporting stopped).
func (c *Crawler) startProgress() (stop func()) {
	if c.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				c.cfg.Progress(c.Stats())
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// crawlSites crawls the sites, cfg.Parallel at a time, and returns the
// first error that is not a cancellation; that error stops the others.
func (c *Crawler) crawlSites(ctx context.Context, sites []*site) error {
	sem := make(chan struct{}, c.cfg.Parallel)
	var wg sync.WaitGroup
	var fatalMu sync.Mutex
	var fatal error
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, s := range sites {
		wg.Add(1)
		go func(s *site) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-wctx.Done():
				return
			}
			defer func() { <-sem }()
			if err := c.crawlSite(wctx, s); err != nil && !errors.Is(err, context.Canceled) {
				fatalMu.Lock()
				if fatal == nil {
					fatal = err
				}
				fatalMu.Unlock()
				cancel()
			}
		}(s)
	}
	wg.Wait()
	return fatal
}

// resetFrontiers empties the frontiers once the crawl is complete, so the
// next one starts from the seeds again: those of the crawled sites, and
// those an earlier crawl left for hosts no longer seeded (not in index).
func (c *Crawler) resetFrontiers(sites []*site, index map[string]*site) error {
	stale, err := c.a.FrontierHosts()
	if err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	for _, h := range stale {
		if index[h] == nil {
			c.log.Info("dropping the frontier of a host no longer seeded", "host", h)
			if err := c.a.ResetFrontierHost(h); err != nil {
				return fmt.Errorf("crawl: %w", err)
			}
		}
	}
	for _, s := range sites {
		if err := c.a.ResetFrontierHost(s.host); err != nil {
			return fmt.Errorf("crawl: %w", err)
		}
	}
	return nil
}

// Stats returns a progress snapshot.
func (c *Crawler) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.TopErrors = c.topErrorsLocked(3)
	if el := time.Since(c.started).Seconds(); el > 0 {
		s.Rate = float64(s.Fetched) / el
	}
	return s
}

// capturedOn reports whether rawURL is in the scope of s.
func capturedOn(rawURL string, s *site) bool {
	u, err := url.Parse(rawURL)
	return err == nil && s.scope.contains(u)
}
