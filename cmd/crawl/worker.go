package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nianbao/nianbao/cluster"
	"github.com/nianbao/nianbao/crawler"
)

// workerOptions are the flags of a cluster worker (crawl -worker).
type workerOptions struct {
	enabled                         bool
	redis, coordinator, token, name string
	prefix, spool                   string
	lease                           time.Duration
	attempts                        int
}

func workerFlags(fs *flag.FlagSet) *workerOptions {
	w := &workerOptions{}
	fs.BoolVar(&w.enabled, "worker", false, "be a cluster worker: claim site jobs from -redis, crawl them and upload to -coordinator (no -db, no -seeds)")
	fs.StringVar(&w.redis, "redis", "", "the cluster's Redis, `redis://HOST:PORT/DB` (with -worker)")
	fs.StringVar(&w.coordinator, "coordinator", "", "the coordinator's address, `http://HOST:PORT` (serve -redis)")
	fs.StringVar(&w.token, "token", "", "the coordinator's bearer token (default $NIANBAO_TOKEN)")
	fs.StringVar(&w.name, "name", "", "this worker's name in captures and on the workers page (default HOST-PID)")
	fs.StringVar(&w.prefix, "redis-prefix", cluster.DefaultPrefix, "prefix of the cluster's Redis keys")
	fs.StringVar(&w.spool, "spool", "", "directory of the jobs' spool archives (default: the temporary directory)")
	fs.DurationVar(&w.lease, "lease", cluster.DefaultLease, "how long a site's lease lasts without renewal (renewed every third of it)")
	fs.IntVar(&w.attempts, "attempts", cluster.DefaultAttempts, "deliveries of a job before it is recorded failed")
	return w
}

// run is crawl -worker: it works jobs until ctx is cancelled (SIGINT or
// SIGTERM abandon the jobs in progress, which other workers redo), then
// exits 0. set holds the flags given.
func (w *workerOptions) run(ctx context.Context, cfg crawler.Config, set map[string]bool, stderr io.Writer) int {
	if w.token == "" {
		w.token = os.Getenv("NIANBAO_TOKEN")
	}
	for _, f := range []string{"db", "seeds", "demo"} {
		if set[f] {
			fmt.Fprintf(stderr, "crawl: -%s does not go with -worker: the jobs name the sites and the coordinator keeps the archive\n", f)
			return 1
		}
	}
	switch {
	case w.redis == "" || w.coordinator == "" || w.token == "":
		fmt.Fprintln(stderr, "crawl: -worker needs -redis, -coordinator and -token (or $NIANBAO_TOKEN)")
		return 1
	case w.lease < 3*time.Second || w.attempts < 1:
		fmt.Fprintln(stderr, "crawl: -lease must be at least 3s and -attempts at least 1")
		return 1
	case !strings.HasPrefix(w.coordinator, "http://") && !strings.HasPrefix(w.coordinator, "https://"):
		fmt.Fprintf(stderr, "crawl: -coordinator %q: want http://HOST:PORT\n", w.coordinator)
		return 1
	}
	if w.name == "" {
		host, _ := os.Hostname()
		w.name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	rdb, err := cluster.Dial(ctx, w.redis)
	if err != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return 2
	}
	defer rdb.Close()
	wk := &cluster.Worker{Queue: cluster.NewQueue(rdb, cluster.Keys{Prefix: w.prefix}, w.lease), Name: w.name,
		Coordinator: strings.TrimRight(w.coordinator, "/"), Token: w.token, Crawl: cfg, Attempts: w.attempts,
		SpoolDir: w.spool, Logger: cfg.Logger}
	cfg.Logger.Info("worker started", "name", w.name, "redis", rdb.Options().Addr, "coordinator", w.coordinator, "parallel", cfg.Parallel)
	if err := wk.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "crawl: %v\n", err)
		return 2
	}
	cfg.Logger.Info("worker stopped", "name", w.name)
	return 0
}
