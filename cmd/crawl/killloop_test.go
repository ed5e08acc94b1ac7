package main

import (
	"math/rand/v2"
	"os/exec"
	"path/filepath"
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
	seedsFile := writeSeeds(t, dir, w)
	db := filepath.Join(dir, "loop.db")
	bin := buildCrawl(t)
	args := append([]string{"-seeds", seedsFile, "-db", db, "-delay", "0", "-parallel", "4", "-timeout", "3s",
		"-retries", "1", "-render", "never"}, resolve...)
	rng := rand.New(rand.NewPCG(11, 7))
	for k := 0; k < kills; k++ {
		// A restarted crawl first reads its frontier; kill it a few
		// requests into its work, after a random pause of up to 3 ms.
		pause := time.Duration(rng.IntN(3000)) * time.Microsecond
		killAfter(t, w, len(w.Requests())+2+rng.IntN(8), pause, bin, args...)
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
	checkCapturedOnce(t, a, nil)
	checkExpected(t, a, w)
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
