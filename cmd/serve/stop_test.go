package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/harvest"
	"github.com/nianbao/nianbao/seeds"
)

// TestStopIsBoundedByTheGrace: a harvest stage that ignores cancellation
// and a request that never ends do not hold the stop past its grace: the
// request is cut, the run is recorded interrupted (abandoned), and the
// archive is closed or given up on within closeGrace.
func TestStopIsBoundedByTheGrace(t *testing.T) {
	a, err := archive.Open(filepath.Join(t.TempDir(), "archive.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	agencies, err := seeds.Parse(strings.NewReader("http://gaj.example.gov.cn/ 示例局\n"))
	if err != nil {
		t.Fatal(err)
	}
	inCrawl, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	var logs syncBuffer
	log := testLog(&logs)
	h := &harvest.Harvester{Archive: a, Agencies: agencies, Logger: log,
		Crawler: func(context.Context, *archive.Archive, crawler.Config, []seeds.Agency) (*crawler.Summary, error) {
			close(inCrawl)
			<-release // ignores ctx
			return &crawler.Summary{}, nil
		}}
	inRequest := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(inRequest)
		<-release // a request that never ends
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	go http.Get("http://" + ln.Addr().String() + "/")
	ctx, cancel := context.WithCancel(context.Background())
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		h.Loop(ctx, time.Hour)
	}()
	<-inCrawl
	<-inRequest

	start := time.Now()
	abandoned := stop(srv, cancel, loopDone, h, log, 300*time.Millisecond)
	if took := time.Since(start); !abandoned || took > time.Second {
		t.Errorf("stop: abandoned %v after %s, want true within the 300ms grace", abandoned, took)
	}
	runs, err := a.Runs()
	if err != nil || len(runs) != 1 || runs[0].Status != harvest.StatusInterrupted {
		t.Errorf("runs %+v %v, want the harvest recorded interrupted", runs, err)
	}
	start = time.Now()
	closeArchive(a, log, closeGrace)
	if took := time.Since(start); took > closeGrace+100*time.Millisecond {
		t.Errorf("closeArchive took %s", took)
	}
	for _, want := range []string{"requests still running after the grace period are cut", "the harvest did not stop within the grace period; recorded interrupted"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func testLog(buf *syncBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(buf, nil)) }
