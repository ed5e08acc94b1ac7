package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
)

// The kill tests' shared steps: a world's seeds on disk, a crawl SIGKILLed
// after some requests, and what every killed-and-resumed archive promises.

// writeSeeds writes w's seeds into dir and returns the file's path.
func writeSeeds(t *testing.T, dir string, w *fixtureworld.World) string {
	t.Helper()
	path := filepath.Join(dir, "seeds.txt")
	if err := os.WriteFile(path, []byte(w.Seeds()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// killAfter starts bin with args, SIGKILLs it pause after the world has
// served n requests in all, and waits for it.
func killAfter(t *testing.T, w *fixtureworld.World, n int, pause time.Duration, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitRequests(t, w, n, cmd, done)
	time.Sleep(pause)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
}

// checkCapturedOnce asserts that a passes bbolt's check and that no URL was
// captured twice among the captures keep selects (every capture when nil).
func checkCapturedOnce(t *testing.T, a *archive.Archive, keep func(*archive.Capture) bool) map[string]int {
	t.Helper()
	if err := a.Check(); err != nil {
		t.Errorf("bbolt check: %v", err)
	}
	count := map[string]int{}
	if err := a.View(func(rd *archive.Reader) error {
		return rd.Each(func(c *archive.Capture) error {
			if keep == nil || keep(c) {
				count[c.URL]++
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	for u, n := range count {
		if n != 1 {
			t.Errorf("%s captured %d times", u, n)
		}
	}
	return count
}

// checkExpected asserts that every report of w has exactly one capture in
// a, without error, holding the bytes the world served.
func checkExpected(t *testing.T, a *archive.Archive, w *fixtureworld.World) {
	t.Helper()
	for _, e := range w.Expected() {
		caps, _ := a.ByURL(e.URL)
		if len(caps) != 1 || caps[0].Error != "" {
			t.Errorf("expected %s: %d captures", e.URL, len(caps))
			continue
		}
		got, _ := a.Body(caps[0].ID)
		want, _ := w.Body(e.URL)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: bytes differ", e.URL)
		}
	}
}
