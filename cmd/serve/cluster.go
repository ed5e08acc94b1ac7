package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/nianbao/nianbao/cluster"
	"github.com/nianbao/nianbao/harvest"
	"github.com/nianbao/nianbao/web"
)

// clusterOptions are the flags of a coordinator: with -redis, each
// harvest's crawl stage is done by cluster workers (crawl -worker).
type clusterOptions struct {
	redis, token, prefix string
	maxUpload            int64
	coord                *cluster.Coordinator
}

func (c *clusterOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.redis, "redis", "", "coordinate the crawl through this Redis (`redis://HOST:PORT/DB`): workers (crawl -worker) crawl the sites and upload to /api/ingest")
	fs.StringVar(&c.token, "token", "", "bearer token the workers present (default $NIANBAO_TOKEN); required with -redis")
	fs.StringVar(&c.prefix, "redis-prefix", cluster.DefaultPrefix, "prefix of the cluster's Redis keys")
	fs.Int64Var(&c.maxUpload, "max-upload", cluster.DefaultMaxUpload, "largest upload a worker may send, in bytes")
}

// check validates the cluster flags, reporting on stderr.
func (c *clusterOptions) check(once bool, stderr io.Writer) bool {
	if c.redis == "" {
		return true
	}
	if c.token == "" {
		c.token = os.Getenv("NIANBAO_TOKEN")
	}
	switch {
	case c.token == "":
		fmt.Fprintln(stderr, "serve: -redis needs -token (or $NIANBAO_TOKEN): the workers' uploads are authenticated")
	case once:
		fmt.Fprintln(stderr, "serve: -redis cannot go with -once: the workers upload to the web server; use -every 0 to harvest once and keep serving")
	case c.maxUpload <= 0:
		fmt.Fprintln(stderr, "serve: -max-upload must be positive")
	default:
		return true
	}
	return false
}

// setup connects to Redis and makes h's crawl stage the cluster's; the
// returned function closes the connection.
func (c *clusterOptions) setup(ctx context.Context, h *harvest.Harvester, log *slog.Logger) (func(), error) {
	if c.redis == "" {
		return func() {}, nil
	}
	rdb, err := cluster.Dial(ctx, c.redis)
	if err != nil {
		return nil, err
	}
	c.coord = &cluster.Coordinator{Queue: cluster.NewQueue(rdb, cluster.Keys{Prefix: c.prefix}, 0), Token: c.token,
		MaxUpload: c.maxUpload, Logger: log}
	h.Crawler = c.coord.Crawl
	log.Info("cluster coordinator: harvests are crawled by workers", "redis", rdb.Options().Addr)
	return func() { rdb.Close() }, nil
}

// nav links the workers page from the UI's header when this serve is a
// coordinator.
func (c *clusterOptions) nav() []web.NavLink {
	if c.coord == nil {
		return nil
	}
	return []web.NavLink{{Text: "Workers", Href: "/workers"}}
}

// mount serves the cluster's routes (uploads, the workers page) beside
// next, when this serve is a coordinator.
func (c *clusterOptions) mount(next http.Handler) http.Handler {
	if c.coord == nil {
		return next
	}
	mux := http.NewServeMux()
	c.coord.Register(mux)
	mux.Handle("/", next)
	return mux
}
