// Command serve is nianbao's long-running service: it owns the archive
// (bbolt allows one writer process), harvests on a schedule (crawl, extract
// everything not yet extracted, audit) and serves the web UI and JSON API
// from the same process.
//
//	serve -db archive.db -seeds seeds.txt -addr 127.0.0.1:8080 [-every 24h]
//	      [-from Y -to Y] [-delay 1s] [-parallel 64] [-resolve host=ip:port]...
//	      [-strict-tls] [-render auto|always|never]
//	serve -once ...    one harvest, then exit (for a systemd timer or cron)
//	serve -demo        serve the bundled fixture world on loopback, harvest it
//	                   into demo.db and show it: the offline demo
//
// A harvest runs at start and then every -every. Each run is recorded in the
// archive (/api/runs) with the URLs new since the last completed run, which
// are also logged, and stores the audit it computed. SIGINT or SIGTERM stops
// serve within 10 seconds: the harvest in progress is cancelled and recorded
// as interrupted, the HTTP server shuts down, and the archive is closed. A
// serve killed with SIGKILL loses nothing archived; the next start resumes
// the crawl from the frontier kept in the archive.
//
// A damaged archive (archive.ErrDamaged) found at start is exit 2 with the
// damage and the commands to run about it. Damage met during a harvest
// fails that run; serve then keeps serving what it can read, says so on
// /healthz, and harvests no more until it is restarted on a repaired file.
//
// While serve runs, it names itself in ARCHIVE.holder so that a second serve
// (or a one-shot command) can say who holds the archive. Exit codes: 0 ok
// (also after SIGINT/SIGTERM, the harvest in progress recorded interrupted),
// 1 usage error, 2 runtime error (archive in use, unusable or damaged, bad
// seeds file, cannot listen, a -once harvest that did not complete).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/harvest"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

func main() {
	crawler.SetGCPercent()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// resolveFlag collects repeatable -resolve host=ip:port values.
type resolveFlag map[string]string

func (r resolveFlag) String() string {
	var parts []string
	for h, a := range r {
		parts = append(parts, h+"="+a)
	}
	return strings.Join(parts, ",")
}

func (r resolveFlag) Set(v string) error {
	host, addr, ok := strings.Cut(v, "=")
	if !ok || host == "" || addr == "" {
		return fmt.Errorf("want host=ip:port, got %q", v)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("want host=ip:port, got %q: %v", v, err)
	}
	r[strings.ToLower(host)] = addr
	return nil
}

// options are serve's flags.
type options struct {
	db, seeds, addr string
	every, wait     time.Duration
	from, to        int
	crawl           crawler.Config
	resolve         resolveFlag
	once, demo      bool
	set             map[string]bool // the flags given
	cluster         clusterOptions  // -redis, -token (cluster.go)
}

// parseFlags parses args; ok is false after a usage error (reported).
func parseFlags(args []string, stderr io.Writer) (o *options, ok bool) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o = &options{crawl: crawler.DefaultConfig(), resolve: resolveFlag{}, set: map[string]bool{}}
	def := o.crawl
	fs.StringVar(&o.db, "db", "archive.db", "archive file (created if missing); serve holds it while it runs")
	fs.StringVar(&o.seeds, "seeds", "seeds.txt", "seeds file: one agency a line, URL NAME [LEVEL]")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address of the web UI and JSON API")
	fs.DurationVar(&o.every, "every", 24*time.Hour, "harvest interval (a harvest also runs at start)")
	fs.IntVar(&o.from, "from", 0, "first report year shown and audited (default: -to minus 4)")
	fs.IntVar(&o.to, "to", 0, "last report year shown and audited (default: last year)")
	fs.DurationVar(&o.crawl.Delay, "delay", def.Delay, "pause between two requests to the same host")
	fs.IntVar(&o.crawl.Parallel, "parallel", def.Parallel, "hosts crawled at once")
	fs.IntVar(&o.crawl.MaxDepth, "max-depth", def.MaxDepth, "link depth limit from the seed")
	fs.IntVar(&o.crawl.MaxPagesPerHost, "max-pages", def.MaxPagesPerHost, "request limit per host per crawl")
	fs.DurationVar(&o.crawl.Timeout, "timeout", def.Timeout, "timeout of one request")
	fs.BoolVar(&o.crawl.StrictTLS, "strict-tls", false, "refuse https servers whose certificate does not verify (by default they are archived and marked tls_verified false)")
	fs.StringVar(&o.crawl.Render, "render", crawler.RenderAuto, "render pages built by script in headless Chromium: `auto` (lists without report links, JS challenges), always or never")
	fs.Var(o.resolve, "resolve", "route a host to ip:port, as host=ip:port (repeatable; tests and the offline demo)")
	fs.BoolVar(&o.once, "once", false, "run one harvest and exit (no web server): for a systemd timer or cron")
	fs.DurationVar(&o.wait, "wait", 2*time.Second, "how long to wait for another process holding the archive")
	o.cluster.flags(fs)
	fs.BoolVar(&o.demo, "demo", false, "serve the bundled fixture world on loopback and harvest it (offline demo; -db defaults to demo.db, -delay to 0)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: serve [-db FILE] [-seeds FILE] [-addr HOST:PORT] [-every 24h] [-from Y -to Y] [-delay 1s] [-parallel 64] [-resolve host=ip:port]... [-strict-tls] [-render auto|always|never] [-once] [-redis redis://HOST:PORT/DB -token TOKEN] | serve -demo")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, false
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
	case o.every < 0 || o.crawl.Parallel <= 0 || o.crawl.Delay < 0:
		fmt.Fprintln(stderr, "serve: -every and -delay must not be negative and -parallel must be positive")
	case o.from != 0 && o.to != 0 && o.from > o.to:
		fmt.Fprintf(stderr, "serve: -from %d is after -to %d\n", o.from, o.to)
	case o.crawl.Render != crawler.RenderAuto && o.crawl.Render != crawler.RenderAlways && o.crawl.Render != crawler.RenderNever:
		fmt.Fprintf(stderr, "serve: -render %q: want auto, always or never\n", o.crawl.Render)
	case !o.cluster.check(o.once, stderr):
	default:
		return o, true
	}
	return nil, false
}

// run is main with its context, streams and exit code made explicit for
// tests; cancelling ctx is SIGINT/SIGTERM.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, ok := parseFlags(args, stderr)
	if !ok {
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	agencies, closeWorld, err := loadAgencies(o, stdout, log)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 2
	}
	defer closeWorld()
	a, err := archive.Open(o.db, archive.Options{Timeout: o.wait})
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		if errors.Is(err, archive.ErrInUse) {
			fmt.Fprintf(stderr, "serve: %s\n", archive.HeldBy(o.db))
		}
		return 2
	}
	defer closeArchive(a, log, closeGrace)

	cfg := o.crawl
	cfg.Resolve = o.resolve
	cfg.Logger = log
	h := &harvest.Harvester{Archive: a, Agencies: agencies, Crawl: cfg, From: o.from, To: o.to, Logger: log}
	if err := h.Load(); err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 2
	}
	closeCluster, err := o.cluster.setup(ctx, h, log)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 2
	}
	defer closeCluster()
	if o.once {
		return runOnce(ctx, h, o.db, stdout, stderr)
	}
	return serve(ctx, o, h, agencies, stdout, stderr, log)
}

// loadAgencies reads the seeds file, or for -demo starts the fixture world
// (closed by the returned function) and takes its seeds.
func loadAgencies(o *options, stdout io.Writer, log *slog.Logger) ([]seeds.Agency, func(), error) {
	if !o.demo {
		agencies, err := seeds.Load(o.seeds)
		return agencies, func() {}, err
	}
	w, err := fixtureworld.Default()
	if err != nil {
		return nil, nil, fmt.Errorf("demo world: %w", err)
	}
	w.SetLogger(log)
	srv, res := fixtureworld.Serve(w)
	for h, addr := range res {
		o.resolve[h] = addr
	}
	agencies, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		srv.Close()
		return nil, nil, fmt.Errorf("demo seeds: %w", err)
	}
	if !o.set["db"] {
		o.db = "demo.db"
	}
	if !o.set["delay"] {
		o.crawl.Delay = 0
	}
	fmt.Fprintf(stdout, "demo: serving %d fixture sites on %s; harvesting them into %s\n", len(w.Hosts()), srv.URL, o.db)
	return agencies, srv.Close, nil
}

// closeGrace bounds the wait for the archive to close at exit: a request
// still reading it (its read transaction open) would hold Close forever.
const closeGrace = 2 * time.Second

// closeArchive closes a, giving up after grace: what was committed is on
// disk either way, and the file lock goes with the process.
func closeArchive(a *archive.Archive, log *slog.Logger, grace time.Duration) {
	done := make(chan error, 1)
	go func() { done <- a.Close() }()
	select {
	case err := <-done:
		if err != nil {
			log.Error("close archive", "err", err)
		}
	case <-time.After(grace):
		log.Warn("the archive is still being read; exiting without waiting (everything committed is on disk)", "archive", a.Path(), "waited", grace.String())
	}
}

// runOnce runs one harvest, prints its record as JSON on stdout, and
// returns 0 when it completed.
func runOnce(ctx context.Context, h *harvest.Harvester, db string, stdout, stderr io.Writer) int {
	release, err := archive.WriteHolder(db, archive.Holder{PID: os.Getpid(), Command: "nianbao serve -once", Since: time.Now().UTC()})
	if err == nil {
		defer release()
	}
	r, err := h.Run(ctx)
	if r != nil {
		b, jerr := json.Marshal(r)
		if jerr == nil {
			fmt.Fprintf(stdout, "%s\n", b)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		if r != nil && r.Status == harvest.StatusInterrupted {
			fmt.Fprintln(stderr, "serve: run serve again to resume the crawl where it stopped")
		}
		return 2
	}
	return 0
}
