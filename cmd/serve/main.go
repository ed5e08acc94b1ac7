// Command serve is nianbao's long-running service: it owns the archive
// (bbolt allows one writer process), harvests on a schedule (crawl, extract
// what is new, audit) and serves the web UI and JSON API from the same
// process.
//
//	serve -db archive.db -seeds seeds.txt -addr 127.0.0.1:8080 [-every 24h]
//	      [-from Y -to Y] [-delay 1s] [-parallel 4] [-resolve host=ip:port]...
//	serve -once ...    one harvest, then exit (for a systemd timer or cron)
//	serve -demo        serve the bundled fixture world on loopback, harvest it
//	                   into demo.db and show it: the offline demo
//
// A harvest runs at start and then every -every. Each run is recorded in the
// archive (/api/runs) with the URLs new since the last run, which are also
// logged. SIGINT or SIGTERM stops serve cleanly: the HTTP server shuts
// down, the harvest in progress is recorded as interrupted, and the archive
// is closed. A serve killed with SIGKILL loses nothing archived; the next
// start resumes the crawl from the frontier kept in the archive.
//
// While serve runs, it names itself in ARCHIVE.holder so that a second serve
// (or a one-shot command) can say who holds the archive. Exit codes: 0 ok,
// 1 usage error, 2 runtime error (archive in use or unusable, bad seeds
// file, cannot listen, a -once harvest that did not complete).
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
	"net/http"
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
	"github.com/nianbao/nianbao/web"
)

func main() {
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

// shutdownGrace bounds the HTTP server's graceful shutdown.
const shutdownGrace = 10 * time.Second

// run is main with its context, streams and exit code made explicit for
// tests; cancelling ctx is SIGINT/SIGTERM.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "archive.db", "archive file (created if missing); serve holds it while it runs")
	seedsPath := fs.String("seeds", "seeds.txt", "seeds file: one agency a line, URL NAME [LEVEL]")
	addr := fs.String("addr", "127.0.0.1:8080", "address of the web UI and JSON API")
	every := fs.Duration("every", 24*time.Hour, "harvest interval (a harvest also runs at start)")
	from := fs.Int("from", 0, "first report year shown and audited (default: -to minus 4)")
	to := fs.Int("to", 0, "last report year shown and audited (default: last year)")
	def := crawler.DefaultConfig()
	delay := fs.Duration("delay", def.Delay, "pause between two requests to the same host")
	parallel := fs.Int("parallel", def.Parallel, "hosts crawled at once")
	maxDepth := fs.Int("max-depth", def.MaxDepth, "link depth limit from the seed")
	maxPages := fs.Int("max-pages", def.MaxPagesPerHost, "request limit per host per crawl")
	timeout := fs.Duration("timeout", def.Timeout, "timeout of one request")
	resolve := resolveFlag{}
	fs.Var(resolve, "resolve", "route a host to ip:port, as host=ip:port (repeatable; tests and the offline demo)")
	once := fs.Bool("once", false, "run one harvest and exit (no web server): for a systemd timer or cron")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for another process holding the archive")
	demo := fs.Bool("demo", false, "serve the bundled fixture world on loopback and harvest it (offline demo; -db defaults to demo.db, -delay to 0)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: serve [-db FILE] [-seeds FILE] [-addr HOST:PORT] [-every 24h] [-from Y -to Y] [-delay 1s] [-parallel 4] [-resolve host=ip:port]... [-once] | serve -demo")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		return 1
	}
	if *every < 0 || *parallel <= 0 || *delay < 0 {
		fmt.Fprintln(stderr, "serve: -every and -delay must not be negative and -parallel must be positive")
		return 1
	}
	if *from != 0 && *to != 0 && *from > *to {
		fmt.Fprintf(stderr, "serve: -from %d is after -to %d\n", *from, *to)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	var agencies []seeds.Agency
	if *demo {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		w, err := fixtureworld.Default()
		if err != nil {
			fmt.Fprintf(stderr, "serve: demo world: %v\n", err)
			return 2
		}
		w.SetLogger(log)
		srv, res := fixtureworld.Serve(w)
		defer srv.Close()
		for h, addr := range res {
			resolve[h] = addr
		}
		if agencies, err = seeds.Parse(strings.NewReader(w.Seeds())); err != nil {
			fmt.Fprintf(stderr, "serve: demo seeds: %v\n", err)
			return 2
		}
		if !set["db"] {
			*db = "demo.db"
		}
		if !set["delay"] {
			*delay = 0
		}
		fmt.Fprintf(stdout, "demo: serving %d fixture sites on %s; harvesting them into %s\n", len(w.Hosts()), srv.URL, *db)
	} else {
		var err error
		if agencies, err = seeds.Load(*seedsPath); err != nil {
			fmt.Fprintf(stderr, "serve: %v\n", err)
			return 2
		}
	}
	a, err := archive.Open(*db, archive.Options{Timeout: *wait})
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		if errors.Is(err, archive.ErrInUse) {
			fmt.Fprintf(stderr, "serve: %s\n", archive.HeldBy(*db))
		}
		return 2
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close archive", "err", err)
		}
	}()

	cfg := def
	cfg.Delay = *delay
	cfg.Parallel = *parallel
	cfg.MaxDepth = *maxDepth
	cfg.MaxPagesPerHost = *maxPages
	cfg.Timeout = *timeout
	cfg.Resolve = resolve
	cfg.Logger = log
	h := &harvest.Harvester{Archive: a, Agencies: agencies, Crawl: cfg, From: *from, To: *to, Logger: log}

	if *once {
		return runOnce(ctx, h, *db, stdout, stderr)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "serve: listen on %s: %v\n", *addr, err)
		return 2
	}
	base := "http://" + ln.Addr().String() + "/"
	release, err := archive.WriteHolder(*db, archive.Holder{PID: os.Getpid(), Command: "nianbao serve", Addr: base, Since: time.Now().UTC()})
	if err != nil {
		log.Warn("cannot name this process as the archive's holder", "err", err)
		release = func() {}
	}
	defer release()

	ui := &web.Server{Archive: a, Agencies: agencies, From: *from, To: *to, Logger: log}
	srv := &http.Server{
		Handler:           routes(ui.Handler(), h, a),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "nianbao serve: %s (archive %s, %d agencies, harvest every %s)\n", base, *db, len(agencies), *every)
	log.Info("serving", "url", base, "archive", *db, "agencies", len(agencies), "every", every.String())

	hctx, cancelHarvest := context.WithCancel(ctx)
	defer cancelHarvest()
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		h.Loop(hctx, *every)
		if hctx.Err() == nil {
			log.Info("harvest loop ended (-every 0): serving until stopped")
		}
	}()

	code := 0
	select {
	case <-ctx.Done():
		log.Info("stopping: shutting down the web server and interrupting the harvest")
	case err := <-serveErr:
		log.Error("web server stopped", "err", err)
		code = 2
	}
	cancelHarvest()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("web server shutdown", "err", err)
	}
	<-loopDone
	if r, err := lastRun(a); err == nil && r != nil && r.Status == harvest.StatusInterrupted {
		log.Info("the interrupted harvest resumes at the next start", "run", r.ID)
	}
	log.Info("stopped", "archive", *db)
	return code
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

// routes adds /healthz to the web UI's handler.
func routes(ui http.Handler, h *harvest.Harvester, a *archive.Archive) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		type health struct {
			Status  string       `json:"status"`
			Archive string       `json:"archive"`
			Running *archive.Run `json:"running"`
			LastRun *archive.Run `json:"last_run"`
		}
		out := health{Status: "ok", Archive: a.Path()}
		if cur, ok := h.Current(); ok {
			out.Running = &cur
		}
		last, err := lastRun(a)
		code := http.StatusOK
		if err != nil {
			out.Status = "archive unreadable: " + err.Error()
			code = http.StatusServiceUnavailable
		}
		out.LastRun = last
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(out)
	})
	mux.Handle("/", ui)
	return mux
}

// lastRun returns the newest recorded run, or nil.
func lastRun(a *archive.Archive) (*archive.Run, error) {
	runs, err := a.Runs()
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return runs[0], nil
}
