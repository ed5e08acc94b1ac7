package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/harvest"
	"github.com/nianbao/nianbao/internal/archivetest"
)

// smallArchive writes a closed archive of n captures (with bodies) and
// returns its path.
func smallArchive(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "archive.db")
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		body := strings.Repeat(fmt.Sprintf("<p>page %d</p>", i), 200)
		c := &archive.Capture{URL: fmt.Sprintf("http://gaj.example.gov.cn/news/%d.html", i), Status: 200, Role: archive.RoleList,
			Agency: "示例局", ContentType: "text/html; charset=utf-8", FetchedAt: time.Now().UTC()}
		if err := a.Put(c, []byte(body), body); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func seedsFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "seeds.txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStartOnDamagedArchive: serve (and serve -once) on a damaged file exit
// 2 at once with the DamageError's message, which names the file and the
// commands to run, and no stack trace.
func TestStartOnDamagedArchive(t *testing.T) {
	seeds := seedsFile(t, "http://gaj.example.gov.cn/ 示例局\n")
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		detail string
	}{
		{"truncated", func(t *testing.T, path string) {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, st.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "the file is truncated"},
		{"meta pages zeroed", func(t *testing.T, path string) { archivetest.ZeroMetaPages(t, path) }, "is damaged"},
	}
	for _, tc := range tests {
		for _, mode := range [][]string{nil, {"-once"}} {
			t.Run(tc.name+strings.Join(mode, ""), func(t *testing.T) {
				path := smallArchive(t, 50)
				tc.damage(t, path)
				args := append([]string{"-db", path, "-seeds", seeds, "-addr", "127.0.0.1:0", "-wait", "100ms"}, mode...)
				var out, errb syncBuffer
				start := time.Now()
				code := run(context.Background(), args, &out, &errb)
				msg := errb.String()
				if code != 2 || !strings.HasPrefix(msg, "serve: archive "+path+" is damaged: ") || !strings.Contains(msg, tc.detail) ||
					!strings.Contains(msg, "archive check -db "+path) || !strings.Contains(msg, "archive salvage -db "+path) {
					t.Errorf("exit %d, stderr %q; want 2 and the damage", code, msg)
				}
				if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic") {
					t.Errorf("stderr has a stack trace:\n%s", msg)
				}
				if el := time.Since(start); el > 5*time.Second {
					t.Errorf("took %s", el)
				}
				if _, err := os.Stat(archive.HolderPath(path)); !os.IsNotExist(err) {
					t.Errorf("holder file left: %v", err)
				}
			})
		}
	}
}

// TestDamageDuringHarvestKeepsServing: an archive whose captures bucket
// cannot be read opens (its runs can), so serve starts; its first harvest
// fails with the damage, serve keeps serving, /healthz answers 503
// "damaged" with the message, the next scheduled harvests are skipped
// (nothing more written), and SIGTERM still stops it with exit 0.
func TestDamageDuringHarvestKeepsServing(t *testing.T) {
	path := smallArchive(t, 300)
	archivetest.ZeroBucketRoot(t, path, "captures")
	seeds := seedsFile(t, "http://gaj.example.gov.cn/ 示例局\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-db", path, "-seeds", seeds, "-addr", "127.0.0.1:0", "-every", "200ms"}, &out, &errb)
	}()
	base := waitBase(t, out.String, done)

	deadline := time.Now().Add(20 * time.Second)
	h := waitHealth(t, base, http.StatusServiceUnavailable, deadline, errb.String)
	if h.Status != "damaged" || !strings.Contains(h.Damage, "archive "+path+" is damaged: bbolt could not read a page") ||
		!strings.Contains(h.Damage, "archive check -db "+path) {
		t.Errorf("healthz %+v, want status damaged with the DamageError", h)
	}
	if h.LastRun == nil || !strings.HasPrefix(string(h.LastRun.Status), "failed: start: ") || !strings.Contains(string(h.LastRun.Status), "is damaged") {
		t.Errorf("healthz last run %+v, want the failed harvest", h.LastRun)
	}
	for !strings.Contains(errb.String(), "harvest skipped: the archive is damaged") {
		if time.Now().After(deadline) {
			t.Fatalf("no skipped harvest logged:\n%s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if resp, err := http.Get(base + "healthz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz after the skipped harvest: %v %v", resp, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after stop\n%s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s")
	}
	if strings.Contains(errb.String(), "goroutine ") {
		t.Errorf("log has a stack trace:\n%s", errb.String())
	}
	a, err := archive.Open(path, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	runs, err := a.Runs()
	if err != nil || len(runs) != 1 || runs[0].Kind != harvest.Kind {
		t.Errorf("runs %+v %v, want the one failed harvest (later ones skipped)", runs, err)
	}
}

// waitHealth polls /healthz until it answers with code, and returns the
// answer; it fails t at deadline.
func waitHealth(t *testing.T, base string, code int, deadline time.Time, log func() string) health {
	t.Helper()
	for {
		resp, err := http.Get(base + "healthz")
		if err != nil {
			t.Fatal(err)
		}
		var h health
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == code {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz never answered %d: %+v\n%s", code, h, log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
