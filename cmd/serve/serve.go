package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/harvest"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/web"
)

// stopGrace bounds a stop after SIGINT/SIGTERM: the HTTP server's graceful
// shutdown and the harvest's return both get until then (in parallel), and
// the archive's close closeGrace more, so that serve exits within 10 s.
const stopGrace = 7 * time.Second

// serve listens, names this process the archive's holder, harvests on the
// schedule and serves the UI until ctx is cancelled or the server fails.
func serve(ctx context.Context, o *options, h *harvest.Harvester, agencies []seeds.Agency, stdout, stderr io.Writer, log *slog.Logger) int {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "serve: listen on %s: %v\n", o.addr, err)
		return 2
	}
	base := "http://" + ln.Addr().String() + "/"
	release, err := archive.WriteHolder(o.db, archive.Holder{PID: os.Getpid(), Command: "nianbao serve", Addr: base, Since: time.Now().UTC()})
	if err != nil {
		log.Warn("cannot name this process as the archive's holder", "err", err)
		release = func() {}
	}
	defer release()

	a := h.Archive
	ui := &web.Server{Archive: a, Agencies: agencies, From: o.from, To: o.to, Logger: log, Nav: o.cluster.nav()}
	srv := &http.Server{
		Handler:           o.cluster.mount(routes(ui.Handler(), h, a)),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "nianbao serve: %s (archive %s, %d agencies, harvest every %s)\n", base, o.db, len(agencies), o.every)
	log.Info("serving", "url", base, "archive", o.db, "agencies", len(agencies), "every", o.every.String())

	hctx, cancelHarvest := context.WithCancel(ctx)
	defer cancelHarvest()
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		h.Loop(hctx, o.every)
		if hctx.Err() == nil {
			log.Info("harvest loop ended (-every 0): serving until stopped")
		}
	}()

	code := 0
	select {
	case <-ctx.Done():
		log.Info("stopping: interrupting the harvest and shutting down the web server")
	case err := <-serveErr:
		log.Error("web server stopped", "err", err)
		code = 2
	}
	start := time.Now()
	abandoned := stop(srv, cancelHarvest, loopDone, h, log, stopGrace)
	if !abandoned {
		if r, err := lastRun(a); err == nil && r != nil && r.Status == harvest.StatusInterrupted {
			log.Info("the interrupted harvest resumes at the next start", "run", r.ID)
		}
	}
	log.Info("stopped", "archive", o.db, "took", time.Since(start).Round(time.Millisecond).String())
	return code
}

// stop cancels the harvest and shuts the HTTP server down at the same
// time, both bounded by grace: requests still running then are cut, and a
// harvest stage that has not returned is abandoned (its run recorded
// interrupted at once). It reports whether the harvest was abandoned.
func stop(srv *http.Server, cancelHarvest context.CancelFunc, loopDone <-chan struct{}, h *harvest.Harvester, log *slog.Logger, grace time.Duration) (abandoned bool) {
	deadline := time.Now().Add(grace)
	cancelHarvest()
	shut := make(chan struct{})
	go func() {
		defer close(shut)
		sctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("web server: requests still running after the grace period are cut", "err", err, "grace", grace.String())
			srv.Close()
		}
	}()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-loopDone:
	case <-t.C:
		abandoned = true
		r, err := h.Abandon()
		switch {
		case err != nil:
			log.Error("the harvest did not stop within the grace period and cannot be recorded interrupted", "err", err)
		case r != nil:
			log.Warn("the harvest did not stop within the grace period; recorded interrupted, it resumes at the next start", "run", r.ID, "grace", grace.String())
		}
	}
	<-shut
	return abandoned
}

// health is the answer of /healthz.
type health struct {
	// Status is "ok", "damaged" (see Damage) or "archive unreadable: …".
	Status string `json:"status"`
	// Archive is the archive file.
	Archive string `json:"archive"`
	// Damage is the damage a harvest (or the start) met, with the commands
	// to run about it; harvests are suspended until serve is restarted.
	Damage string `json:"damage,omitempty"`
	// Running is the run in progress, if any.
	Running *archive.Run `json:"running"`
	// LastRun is the newest recorded run.
	LastRun *archive.Run `json:"last_run"`
}

// routes adds /healthz to the web UI's handler: 200 when the archive is
// readable and no damage was met, 503 otherwise.
func routes(ui http.Handler, h *harvest.Harvester, a *archive.Archive) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		out := health{Status: "ok", Archive: a.Path()}
		if cur, ok := h.Current(); ok {
			out.Running = &cur
		}
		last, err := lastRun(a)
		out.LastRun = last
		damage := h.Damaged()
		if damage == nil && errors.Is(err, archive.ErrDamaged) {
			damage = err
		}
		code := http.StatusOK
		switch {
		case damage != nil:
			out.Status, out.Damage, code = "damaged", damage.Error(), http.StatusServiceUnavailable
		case err != nil:
			out.Status, code = "archive unreadable: "+err.Error(), http.StatusServiceUnavailable
		}
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
