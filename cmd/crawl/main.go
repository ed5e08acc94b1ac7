// Command crawl harvests the annual-report pages of the agencies in a seeds
// file into a bbolt archive, politely and incrementally, and prints a
// summary per agency.
//
//	crawl [-seeds seeds.txt] [-db archive.db] [-delay 1s] [-parallel 64]
//	      [-max-depth 8] [-max-pages 2000] [-refresh] [-timeout 30s]
//	      [-resolve host=127.0.0.1:PORT]... [-strict-tls] [-wait 2s]
//	crawl -demo [-db demo.db]
//
// A crawl interrupted with Ctrl-C (or killed) keeps its frontier in the
// archive; running the same command again resumes it. -demo serves the
// bundled fixture world on loopback and crawls it, without internet.
//
// Exit status: 0 crawl complete, 1 usage error, 2 fatal error (bad seeds,
// archive unusable or in use), 130 interrupted (resumable).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

func main() {
	crawler.SetGCPercent()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// resolveFlag collects repeated -resolve host=ip:port values.
type resolveFlag map[string]string

// String lists the routes as host=addr,….
func (r resolveFlag) String() string {
	var parts []string
	for h, a := range r {
		parts = append(parts, h+"="+a)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// Set adds one host=ip:port route.
func (r resolveFlag) Set(v string) error {
	host, addr, ok := strings.Cut(v, "=")
	host, addr = strings.TrimSpace(host), strings.TrimSpace(addr)
	if !ok || host == "" || addr == "" || !strings.Contains(addr, ":") {
		return fmt.Errorf("want host=ip:port, got %q", v)
	}
	r[strings.ToLower(host)] = addr
	return nil
}

// run is main with its context, streams and exit code explicit for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	def := crawler.DefaultConfig()
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seedsPath := fs.String("seeds", "seeds.txt", "seeds file: one `URL AGENCY [LEVEL]` a line")
	db := fs.String("db", "archive.db", "archive file (demo.db with -demo)")
	delay := fs.Duration("delay", def.Delay, "pause between two requests to the same host")
	parallel := fs.Int("parallel", def.Parallel, "hosts crawled at once")
	maxDepth := fs.Int("max-depth", def.MaxDepth, "maximum link depth from the seed")
	maxPages := fs.Int("max-pages", def.MaxPagesPerHost, "maximum requests per host in one crawl")
	refresh := fs.Bool("refresh", false, "fetch archived report pages and attachments again")
	timeout := fs.Duration("timeout", def.Timeout, "timeout of one request (attachments: 4x)")
	retries := fs.Int("retries", def.Retries, "retries of a 5xx, 429 or network error")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for another process holding the archive")
	demo := fs.Bool("demo", false, "serve the bundled fixture world on loopback and crawl it (offline demo)")
	verbose := fs.Bool("v", false, "log every failure and trap")
	strictTLS := fs.Bool("strict-tls", false, "refuse https servers whose certificate does not verify (by default they are archived and marked tls_verified false)")
	render := fs.String("render", crawler.RenderAuto, "render pages built by script in headless Chromium: `auto` (lists without report links, JS challenges), always or never")
	resolve := resolveFlag{}
	fs.Var(resolve, "resolve", "route a host to an address, `host=ip:port` (repeatable)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the crawl to `FILE` (benchmarks)")
	wo := workerFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: crawl [-seeds FILE] [-db FILE] [-delay D] [-parallel N] [-max-depth N] [-max-pages N] [-refresh] [-timeout D] [-resolve host=ip:port]... [-strict-tls] [-render auto|always|never] [-wait D] | crawl -demo | crawl -worker -redis URL -coordinator http://ADDR -token TOKEN [-name NAME] [crawl flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "crawl: unexpected argument %q\n", fs.Arg(0))
		return 1
	}
	if *parallel < 1 || *maxDepth < 1 || *maxPages < 1 || *delay < 0 || *timeout <= 0 || *retries < 0 {
		fmt.Fprintln(stderr, "crawl: -parallel, -max-depth, -max-pages and -timeout must be positive, -delay and -retries not negative")
		return 1
	}
	if *render != crawler.RenderAuto && *render != crawler.RenderAlways && *render != crawler.RenderNever {
		fmt.Fprintf(stderr, "crawl: -render %q: want auto, always or never\n", *render)
		return 1
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return 1
	}
	defer stopProfile()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg := def
	cfg.Delay, cfg.Parallel, cfg.MaxDepth, cfg.MaxPagesPerHost = *delay, *parallel, *maxDepth, *maxPages
	cfg.Refresh, cfg.Timeout, cfg.Retries = *refresh, *timeout, *retries
	cfg.Resolve = resolve
	cfg.StrictTLS = *strictTLS
	cfg.Render = *render
	cfg.Logger = logger
	if wo.enabled {
		return wo.run(ctx, cfg, set, stderr)
	}

	var agencies []seeds.Agency
	if *demo {
		w, err := fixtureworld.Default()
		if err != nil {
			fmt.Fprintf(stderr, "crawl: demo world: %v\n", err)
			return 2
		}
		srv, res := fixtureworld.Serve(w)
		defer srv.Close()
		for h, a := range res {
			resolve[h] = a
		}
		agencies, err = seeds.Parse(strings.NewReader(w.Seeds()))
		if err != nil {
			fmt.Fprintf(stderr, "crawl: demo seeds: %v\n", err)
			return 2
		}
		if !set["db"] {
			*db = "demo.db"
		}
		if !set["delay"] {
			*delay = 0
		}
		fmt.Fprintf(stdout, "demo: serving %d fixture sites on %s and crawling them into %s\n", len(w.Hosts()), srv.URL, *db)
	} else {
		var err error
		agencies, err = seeds.Load(*seedsPath)
		if err != nil {
			fmt.Fprintf(stderr, "crawl: %v\n", err)
			return 2
		}
		if len(agencies) == 0 {
			fmt.Fprintf(stderr, "crawl: %s lists no agencies\n", *seedsPath)
			return 2
		}
	}

	a, err := archive.Open(*db, archive.Options{Timeout: *wait})
	if err != nil {
		if errors.Is(err, archive.ErrInUse) {
			fmt.Fprintf(stderr, "crawl: %v\ncrawl: another crawl, extract or serve holds %s; wait for it to end (or pass -wait 5m)\n", err, *db)
		} else {
			fmt.Fprintf(stderr, "crawl: %v\n", err)
		}
		return 2
	}
	defer a.Close()

	// A crawl run still "running" while this process holds the file died
	// without recording its end (killed): say so.
	if runs, err := a.Runs(); err == nil {
		for _, r := range runs {
			if r.Kind == "crawl" && r.Status == archive.RunRunning {
				r.Status = "killed"
				if err := a.PutRun(r); err != nil {
					fmt.Fprintf(stderr, "crawl: %v\n", err)
					return 2
				}
			}
		}
	}
	runRec := &archive.Run{Kind: "crawl", Started: time.Now().UTC(), Status: archive.RunRunning}
	if err := a.PutRun(runRec); err != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return 2
	}

	cfg.RunID = runRec.ID
	prog := newProgress(stderr, logger)
	cfg.Progress = prog.update

	c, err := crawler.New(a, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return 2
	}
	start := time.Now()
	sum, err := c.Run(ctx, agencies)
	prog.done()

	runRec.Ended = time.Now().UTC()
	code := 0
	switch {
	case err == nil:
		runRec.Status = archive.RunDone
	case errors.Is(err, context.Canceled):
		runRec.Status = archive.RunInterrupted
		code = 130
	default:
		runRec.Fail("", err.Error()) // status "failed: <reason>": a crawl has no stages
		code = 2
	}
	if sum != nil {
		runRec.Pages, runRec.NewCaptures, runRec.Errors = sum.Pages, sum.NewCaptures, sum.Errors
		runRec.New = sum.NewURLs
		for _, as := range sum.Agencies {
			runRec.NewReports += as.NewReports
		}
		printSummary(stdout, sum, time.Since(start))
		printNothingArchived(stderr, sum)
	}
	if perr := a.PutRun(runRec); perr != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", perr)
		code = 2
	}
	switch code {
	case 130:
		fmt.Fprintf(stderr, "crawl: interrupted; the frontier is saved in %s. Run the same command again to resume:\n  %s\n", *db, resumeCommand(args))
	case 2:
		fmt.Fprintf(stderr, "crawl: %v\n", err)
	}
	if code == 0 && *demo {
		fmt.Fprintf(stdout, "\nlook the archive up with:\n  go run ./cmd/lookup -db %s\n", *db)
	}
	return code
}

func resumeCommand(args []string) string {
	parts := []string{"go run ./cmd/crawl"}
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

func printSummary(w io.Writer, sum *crawler.Summary, took time.Duration) {
	fmt.Fprintf(w, "crawl: %d captures in %s (%d new, %d revisits, %d errors)\n",
		sum.Pages, took.Round(time.Millisecond), sum.NewCaptures, sum.Revisits, sum.Errors)
	// The agency goes last: CJK names would break column alignment.
	fmt.Fprintf(w, "%-26s %-28s %5s %6s  %s\n", "HOST", "REPORT YEARS", "NEW", "ERRORS", "AGENCY")
	for _, as := range sum.Agencies {
		years := make([]string, len(as.Years))
		for i, y := range as.Years {
			years[i] = fmt.Sprint(y)
		}
		ys := strings.Join(years, ",")
		if ys == "" {
			ys = "-"
		}
		fmt.Fprintf(w, "%-26s %-28s %5d %6d  %s\n", as.Host, ys, as.NewReports, as.Errors, as.Agency)
	}
	for _, hs := range sum.Hosts {
		// Detail lines start with what they say, not with the host, so
		// the table's first column stays the list of hosts.
		if hs.MovedTo != "" {
			fmt.Fprintf(w, "  seed moved  %s → %s\n", hs.Host, hs.MovedTo)
		}
		if hs.Abandoned != "" {
			fmt.Fprintf(w, "  abandoned   %s for this run (%s); the next run tries again\n", hs.Host, hs.Abandoned)
		}
		if len(hs.Reasons) > 0 {
			fmt.Fprintf(w, "  errors      %s: %s\n", hs.Host, crawler.JoinReasons(hs.Reasons))
		}
	}
}

// printNothingArchived names on w every host from which the crawl archived
// nothing, and why.
func printNothingArchived(w io.Writer, sum *crawler.Summary) {
	for _, hs := range sum.Hosts {
		if hs.Archived > 0 {
			continue
		}
		why := crawler.JoinReasons(hs.Reasons)
		if hs.Abandoned != "" {
			why = strings.TrimSuffix("abandoned: "+hs.Abandoned+"; "+why, "; ")
		}
		if why == "" {
			why = "no URL was fetched"
		}
		fmt.Fprintf(w, "crawl: nothing archived from %s (%s): %s\n", hs.Host, strings.Join(hs.Agencies, ", "), why)
	}
}

// progress shows crawler.Stats: a live line on a terminal, otherwise a
// log line every 10 seconds.
type progress struct {
	w     io.Writer
	log   *slog.Logger
	tty   bool
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgress(w io.Writer, log *slog.Logger) *progress {
	p := &progress{w: w, log: log, last: time.Now()}
	if f, ok := w.(*os.File); ok {
		p.tty = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return p
}

func (p *progress) update(s crawler.Stats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[Kfetched %d  queued %d  reports %d  errors %d  new %d  %.1f pages/s%s",
			s.Fetched, s.Queued, s.Reports, s.Errors, s.New, s.Rate, topErrors(s))
		p.shown = true
		return
	}
	if time.Since(p.last) >= 10*time.Second {
		p.last = time.Now()
		p.log.Info("crawl progress", "fetched", s.Fetched, "queued", s.Queued, "reports", s.Reports,
			"errors", s.Errors, "new", s.New, "pages_per_s", fmt.Sprintf("%.1f", s.Rate),
			"top_errors", strings.Join(s.TopErrors, "; "))
	}
}

// topErrors formats the most frequent failure reasons for the live line.
func topErrors(s crawler.Stats) string {
	if len(s.TopErrors) == 0 {
		return ""
	}
	return "  (" + strings.Join(s.TopErrors, "; ") + ")"
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}
