package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
)

func TestUsageAndFatalErrors(t *testing.T) {
	dir := t.TempDir()
	seedsFile := filepath.Join(dir, "seeds.txt")
	os.WriteFile(seedsFile, []byte("http://127.0.0.1:1/ 测试局\n"), 0o644)
	badSeeds := filepath.Join(dir, "bad.txt")
	os.WriteFile(badSeeds, []byte("not-a-url\n"), 0o644)
	db := filepath.Join(dir, "a.db")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown flag", []string{"-nope"}, 1, "flag provided but not defined"},
		{"bad resolve", []string{"-resolve", "x"}, 1, "want host=ip:port"},
		{"extra arg", []string{"x"}, 1, "unexpected argument"},
		{"missing seeds", []string{"-seeds", filepath.Join(dir, "none.txt"), "-db", db}, 2, "none.txt"},
		{"bad seeds", []string{"-seeds", badSeeds, "-db", db}, 2, "line 1"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errb)
		if code != tt.code || !strings.Contains(errb.String(), tt.msg) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, errb.String(), tt.code, tt.msg)
		}
	}
	// An archive held by another process (here: this one) is a clear
	// error, not a hang.
	a, err := archive.Open(db, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out, errb bytes.Buffer
	start := time.Now()
	code := run(context.Background(), []string{"-seeds", seedsFile, "-db", db, "-wait", "200ms"}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "in use") || time.Since(start) > 5*time.Second {
		t.Errorf("archive in use: exit %d after %s, stderr %q", code, time.Since(start), errb.String())
	}
}

// slowWorld serves w with a pause per request so a crawl can be killed
// mid-way.
func slowWorld(w *fixtureworld.World, pause time.Duration) (*httptest.Server, []string) {
	h := w.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		time.Sleep(pause)
		h.ServeHTTP(rw, r)
	}))
	addr := strings.TrimPrefix(srv.URL, "http://")
	var args []string
	for _, host := range w.Hosts() {
		args = append(args, "-resolve", host+"="+addr)
	}
	return srv, args
}

func buildCrawl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "crawl")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func waitRequests(t *testing.T, w *fixtureworld.World, n int, cmd *exec.Cmd, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for len(w.Requests()) < n {
		select {
		case err := <-done:
			t.Fatalf("crawl ended before %d requests: %v", n, err)
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("only %d requests after 60s", len(w.Requests()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestKillAndResume kills a crawl with SIGKILL mid-way, runs it again, and
// checks that the archive has every expected capture once, no URL
// captured twice, and passes bbolt's consistency check.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Expected()) == 0 {
		t.Fatal("fixture world is empty")
	}
	srv, resolve := slowWorld(w, 15*time.Millisecond)
	defer srv.Close()
	dir := t.TempDir()
	seedsFile := writeSeeds(t, dir, w)
	db := filepath.Join(dir, "kill.db")
	bin := buildCrawl(t)
	args := append([]string{"-seeds", seedsFile, "-db", db, "-delay", "5ms", "-parallel", "3", "-timeout", "3s", "-retries", "1"}, resolve...)
	killAfter(t, w, 40, 0, bin, args...)
	killedAt := len(w.Requests())

	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("resumed crawl: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "resuming") {
		t.Errorf("second run did not resume:\n%s", out)
	}
	t.Logf("killed after %d requests; %d in all", killedAt, len(w.Requests()))

	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	checkCapturedOnce(t, a, nil)
	checkExpected(t, a, w)
	runs, _ := a.Runs()
	if len(runs) != 2 || runs[0].Status != "done" || runs[1].Status != "killed" {
		for _, r := range runs {
			t.Logf("run %+v", r)
		}
		t.Errorf("runs not recorded as killed then done")
	}
}

// TestInterruptSaysHowToResume stops a crawl with SIGINT: it exits 130,
// says how to resume, and the rerun completes.
func TestInterruptSaysHowToResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Expected()) == 0 {
		t.Fatal("fixture world is empty")
	}
	srv, resolve := slowWorld(w, 15*time.Millisecond)
	defer srv.Close()
	dir := t.TempDir()
	seedsFile := filepath.Join(dir, "seeds.txt")
	os.WriteFile(seedsFile, []byte(w.Seeds()), 0o644)
	db := filepath.Join(dir, "int.db")
	bin := buildCrawl(t)
	args := append([]string{"-seeds", seedsFile, "-db", db, "-delay", "5ms", "-timeout", "3s"}, resolve...)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitRequests(t, w, 20, cmd, done)
	cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("crawl did not stop on SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit code %d, want 130; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Run the same command again to resume") {
		t.Errorf("no resume hint in stderr:\n%s", stderr.String())
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, e := range w.Expected() {
		if caps, _ := a.ByURL(e.URL); len(caps) != 1 {
			t.Errorf("expected %s: %d captures", e.URL, len(caps))
		}
	}
	runs, _ := a.Runs()
	if len(runs) != 2 || runs[1].Status != "interrupted" || runs[0].Status != "done" {
		t.Errorf("runs %+v %+v", runs[0], runs[len(runs)-1])
	}
}

// TestRealSeedsOffline runs the repository's seeds.txt against the fixture
// copies of those sites through -resolve: the command works offline and
// archives every expected report of the seeded hosts.
func TestRealSeedsOffline(t *testing.T) {
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Expected()) == 0 {
		t.Fatal("fixture world is empty")
	}
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "seeds.db")
	args := []string{"-seeds", "../../seeds.txt", "-db", db, "-delay", "0", "-timeout", "3s"}
	for h, addr := range resolve {
		args = append(args, "-resolve", h+"="+addr)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "gaj.ningbo.gov.cn") || !strings.Contains(out.String(), "2021,2022") {
		t.Errorf("summary lacks ningbo's report years:\n%s", out.String())
	}
	seeded := map[string]bool{}
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.Contains(f[0], ".gov.cn") {
			seeded[f[0]] = true
		}
	}
	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	n := 0
	for _, e := range w.Expected() {
		if !seeded[e.Host] {
			continue
		}
		n++
		if caps, _ := a.ByURL(e.URL); len(caps) != 1 || caps[0].Error != "" {
			t.Errorf("%s not archived", e.URL)
		}
	}
	if n == 0 || len(seeded) != 5 {
		t.Errorf("%d seeded hosts in the summary, %d expected reports on them", len(seeded), n)
	}
	runs, _ := a.Runs()
	if len(runs) != 1 || runs[0].Kind != "crawl" || runs[0].Status != "done" || runs[0].NewReports == 0 {
		t.Errorf("run record %+v", runs)
	}
}
