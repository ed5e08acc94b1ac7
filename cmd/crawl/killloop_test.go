package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
)

// TestKillLoop kills one crawl with SIGKILL twenty times, each at a
// random moment a few requests after it restarted, then lets it finish.
// Whatever moment a kill hit (a fetch, a commit, the frontier), the
// archive passes bbolt's check, no URL is captured twice, every report of
// the world is archived byte for byte, and the runs say killed twenty
// times, then done.
func TestKillLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const kills = 20
	w := fixtureworld.Generate(6, 80, 7)
	srv, resolve := slowWorld(w, time.Millisecond)
	defer srv.Close()
	dir := t.TempDir()
	seedsFile := filepath.Join(dir, "seeds.txt")
	if err := os.WriteFile(seedsFile, []byte(w.Seeds()), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "loop.db")
	bin := buildCrawl(t)
	args := append([]string{"-seeds", seedsFile, "-db", db, "-delay", "0", "-parallel", "4", "-timeout", "3s",
		"-retries", "1", "-render", "never"}, resolve...)
	rng := rand.New(rand.NewPCG(11, 7))
	for k := 0; k < kills; k++ {
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// A restarted crawl first reads its frontier; kill it a few
		// requests into its work, and now and then after a random pause.
		waitRequests(t, w, len(w.Requests())+2+rng.IntN(8), cmd, done)
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-done
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("crawl after %d kills: %v\n%s", kills, err, out)
	}
	t.Logf("%d requests in all", len(w.Requests()))
	checkKilledArchive(t, db, w, kills)
}

// checkKilledArchive asserts what TestKillLoop promises of the archive.
func checkKilledArchive(t *testing.T, db string, w *fixtureworld.World, kills int) {
	t.Helper()
	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Check(); err != nil {
		t.Errorf("bbolt check: %v", err)
	}
	count := map[string]int{}
	if err := a.View(func(rd *archive.Reader) error {
		return rd.Each(func(c *archive.Capture) error { count[c.URL]++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	for u, n := range count {
		if n != 1 {
			t.Errorf("%s captured %d times", u, n)
		}
	}
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
	runs, _ := a.Runs()
	killed := 0
	for _, r := range runs {
		if r.Status == "killed" {
			killed++
		}
	}
	if len(runs) != kills+1 || runs[0].Status != "done" || killed != kills {
		t.Errorf("%d runs, %d killed, newest %q; want %d killed then done", len(runs), killed, runs[0].Status, kills)
	}
}
