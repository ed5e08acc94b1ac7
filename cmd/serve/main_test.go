package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/harvest"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/internal/testlog"
)

// syncBuffer is a log buffer safe for concurrent writes.
type syncBuffer = testlog.Buffer

// world serves the default fixture world on loopback and returns it with
// a seeds file and the -resolve flags that route its hosts there.
func world(t *testing.T) (*fixtureworld.World, string, []string) {
	t.Helper()
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, resolve := fixtureworld.Serve(w)
	t.Cleanup(srv.Close)
	seedsFile := filepath.Join(t.TempDir(), "seeds.txt")
	if err := os.WriteFile(seedsFile, []byte(w.Seeds()), 0o644); err != nil {
		t.Fatal(err)
	}
	var flags []string
	hosts := make([]string, 0, len(resolve))
	for h := range resolve {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		flags = append(flags, "-resolve", h+"="+resolve[h])
	}
	return w, seedsFile, flags
}

func TestRunUsageErrors(t *testing.T) {
	seedsFile := filepath.Join(t.TempDir(), "seeds.txt")
	if err := os.WriteFile(seedsFile, []byte("http://gaj.example.gov.cn/ 示例局\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "a.db")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown flag", []string{"-nope"}, 1, "flag provided but not defined"},
		{"extra argument", []string{"-db", db, "x"}, 1, `unexpected argument "x"`},
		{"bad resolve", []string{"-resolve", "nohost"}, 1, "want host=ip:port"},
		{"negative interval", []string{"-every", "-1h"}, 1, "must not be negative"},
		{"years reversed", []string{"-from", "2024", "-to", "2020"}, 1, "-from 2024 is after -to 2020"},
		{"bad render", []string{"-render", "sometimes"}, 1, `-render "sometimes": want auto, always or never`},
		{"missing seeds", []string{"-db", db, "-seeds", filepath.Join(t.TempDir(), "none.txt")}, 2, "none.txt"},
		{"cannot listen", []string{"-db", db, "-seeds", seedsFile, "-addr", "256.0.0.1:1"}, 2, "listen on 256.0.0.1:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb syncBuffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errb.String(), tc.code, tc.msg)
			}
		})
	}
}

func TestRunArchiveHeld(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	seedsFile := filepath.Join(t.TempDir(), "seeds.txt")
	if err := os.WriteFile(seedsFile, []byte("http://gaj.example.gov.cn/ 示例局\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// This process holds the archive and names itself as serve would.
	a, err := archive.Open(db, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	release, err := archive.WriteHolder(db, archive.Holder{PID: os.Getpid(), Command: "nianbao serve", Addr: "http://127.0.0.1:9999/"})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	var out, errb syncBuffer
	start := time.Now()
	code := run(context.Background(), []string{"-db", db, "-seeds", seedsFile, "-wait", "200ms", "-addr", "127.0.0.1:0"}, &out, &errb)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	want := fmt.Sprintf("is held by nianbao serve (pid %d, serving http://127.0.0.1:9999/", os.Getpid())
	if !strings.Contains(errb.String(), want) || !strings.Contains(errb.String(), "archive in use") {
		t.Errorf("stderr %q lacks %q", errb.String(), want)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %s to give up", el)
	}
}

// TestRunDemoOnceTwice runs two one-shot harvests of the bundled fixture
// world (-demo -once): the first archives and lists every expected report
// page and attachment and extracts reports, the second lists nothing new.
func TestRunDemoOnceTwice(t *testing.T) {
	w, err := fixtureworld.Default() // the world -demo serves
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "demo.db")
	args := []string{"-demo", "-once", "-render", "never", "-db", db, "-from", "2020", "-to", "2024"}
	var runs []archive.Run
	for i := 0; i < 2; i++ {
		var out, errb syncBuffer
		if code := run(context.Background(), args, &out, &errb); code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i+1, code, errb.String())
		}
		first, rest, _ := strings.Cut(out.String(), "\n")
		if !strings.HasPrefix(first, "demo: serving ") || !strings.HasSuffix(first, "harvesting them into "+db) {
			t.Errorf("run %d: first line %q", i+1, first)
		}
		var r archive.Run
		if err := json.Unmarshal([]byte(rest), &r); err != nil {
			t.Fatalf("run %d stdout %q: %v", i+1, rest, err)
		}
		if r.Status != harvest.StatusDone || r.Kind != harvest.Kind {
			t.Fatalf("run %d = %+v", i+1, r)
		}
		runs = append(runs, r)
		if i == 1 && !strings.Contains(errb.String(), "nothing new since run "+runs[0].ID) {
			t.Errorf("second run log lacks the nothing-new line:\n%s", errb.String())
		}
	}
	newURL := map[string]bool{}
	for _, u := range runs[0].New {
		newURL[u] = true
	}
	for _, e := range w.Expected() {
		if !newURL[e.URL] {
			t.Errorf("first run New lacks expected %s %s", e.Role, e.URL)
		}
	}
	if runs[0].NewReports == 0 {
		t.Errorf("first run extracted no reports: %+v", runs[0])
	}
	// (A page that failed in the first run, e.g. a timeout under load, may
	// be captured in the second; it is then new, but never a URL the first
	// run archived.)
	for _, u := range runs[1].New {
		if newURL[u] {
			t.Errorf("second run lists %s, archived by the first run", u)
		}
	}
	if runs[1].NewReports != 0 {
		t.Errorf("second run = %+v, want no new reports", runs[1])
	}
	if _, err := os.Stat(archive.HolderPath(db)); !os.IsNotExist(err) {
		t.Errorf("holder file left behind: %v", err)
	}
}

// TestRunServesUIAndHealth starts serve in-process with a short interval,
// waits through /healthz and /api/runs for the harvest at start and the
// scheduled one after it, checks that the second lists nothing the first
// archived, that the dashboard shows the grid, and stops serve.
func TestRunServesUIAndHealth(t *testing.T) {
	_, seedsFile, resolve := world(t)
	db := filepath.Join(t.TempDir(), "archive.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	args := append([]string{"-db", db, "-seeds", seedsFile, "-addr", "127.0.0.1:0", "-render", "never", "-delay", "0", "-every", "1s", "-from", "2020", "-to", "2024"}, resolve...)
	go func() { done <- run(ctx, args, &out, &errb) }()
	base := waitBase(t, func() string { return out.String() }, done)

	var h struct {
		Status  string       `json:"status"`
		Running *archive.Run `json:"running"`
		LastRun *archive.Run `json:"last_run"`
	}
	getJSON(t, base+"healthz", &h)
	if h.Status != "ok" {
		t.Fatalf("healthz status %q", h.Status)
	}
	var runs []archive.Run
	deadline := time.Now().Add(90 * time.Second)
	for {
		runs = nil // decoding into a filled slice would keep old fields
		getJSON(t, base+"api/runs", &runs)
		if len(runs) >= 2 && runs[len(runs)-2].Status != harvest.StatusRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no second harvest after 90s; runs %+v\n%s", runs, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	first, second := runs[len(runs)-1], runs[len(runs)-2]
	if first.Status != harvest.StatusDone || first.NewReports == 0 || len(first.New) == 0 {
		t.Errorf("first run = %+v", first)
	}
	if second.Status != harvest.StatusDone || second.NewReports != 0 || !second.Started.After(first.Ended.Add(-time.Millisecond)) {
		t.Errorf("second run = %+v (first ended %s)", second, first.Ended)
	}
	archived := map[string]bool{}
	for _, u := range first.New {
		archived[u] = true
	}
	for _, u := range second.New {
		if archived[u] {
			t.Errorf("second run lists %s, archived by the first", u)
		}
	}
	getJSON(t, base+"healthz", &h)
	if h.LastRun == nil || h.LastRun.Kind != harvest.Kind {
		t.Errorf("healthz last run %+v", h.LastRun)
	}
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, `<table class="grid">`) || !strings.Contains(page, "长沙市公安局") ||
		!strings.Contains(page, "st-on_time") {
		t.Errorf("dashboard: %d %.500s", resp.StatusCode, body)
	}
	// The holder file names this process while it serves.
	if hd, ok := archive.ReadHolder(db); !ok || hd.Addr != base || hd.PID != os.Getpid() {
		t.Errorf("holder = %+v %v", hd, ok)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d\n%s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if _, err := os.Stat(archive.HolderPath(db)); !os.IsNotExist(err) {
		t.Errorf("holder file left behind: %v", err)
	}
	if _, err := http.Get(base + "healthz"); err == nil {
		t.Error("web server still answers after stop")
	}
	// Every run is closed: done, or interrupted by the stop.
	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	all, err := a.Runs()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if r.Status != harvest.StatusDone && r.Status != harvest.StatusInterrupted {
			t.Errorf("run %s left %q", r.ID, r.Status)
		}
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// waitBase waits for serve's "nianbao serve: URL" line.
func waitBase(t *testing.T, out func() string, done <-chan int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(out(), "\n") {
			if rest, ok := strings.CutPrefix(line, "nianbao serve: "); ok {
				return strings.Fields(rest)[0]
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before serving", code)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("serve did not start")
	return ""
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// serveBinary builds cmd/serve once per test binary.
func serveBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nianbao-serve-test")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "serve")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// proc is a serve process started by a test.
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	base   string
	done   chan error
}

func startServe(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(serveBinary(t), args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "nianbao serve: "); ok {
				lines <- strings.Fields(rest)[0]
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case p.base = <-lines:
	case err := <-p.done:
		p.done <- err
		t.Fatalf("serve exited before serving: %v\n%s", err, p.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start\n%s", p.stderr.String())
	}
	return p
}

func (p *proc) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not exit\n%s", p.stderr.String())
		return nil
	}
}

// capturesOf returns the number of requests the world served for the
// expected report URLs.
func expectedRequests(w *fixtureworld.World) int {
	want := map[string]bool{}
	for _, e := range w.Expected() {
		want[e.URL] = true
	}
	n := 0
	for _, r := range w.Requests() {
		if want["http://"+r.Host+r.Path] {
			n++
		}
	}
	return n
}

// TestKillMidHarvestLosesNothing kills serve with SIGKILL in the middle of
// its first harvest, restarts it, and checks that the harvest resumes and
// completes with every expected report page and attachment archived
// exactly once, and that the killed run is recorded as interrupted.
func TestKillMidHarvestLosesNothing(t *testing.T) {
	w, seedsFile, resolve := world(t)
	expected := w.Expected()
	if len(expected) < 4 {
		t.Fatalf("fixture world expects only %d URLs", len(expected))
	}
	db := filepath.Join(t.TempDir(), "archive.db")
	args := append([]string{"-db", db, "-seeds", seedsFile, "-addr", "127.0.0.1:0", "-every", "1h", "-render", "never", "-parallel", "2"}, resolve...)

	// First start, slow crawl; kill once some but not all expected URLs
	// have been fetched.
	p := startServe(t, append(args, "-delay", "40ms")...)
	deadline := time.Now().Add(60 * time.Second)
	for expectedRequests(w) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("no expected URL fetched in 60s\n%s", p.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	before := expectedRequests(w)
	if before >= len(expected) {
		t.Fatalf("all %d expected URLs were fetched before the kill; slow the crawl", len(expected))
	}

	// The killed run holds captures and is still recorded "running".
	a, err := archive.Open(db, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := a.Runs()
	if err != nil || len(runs) != 1 || runs[0].Status != harvest.StatusRunning {
		t.Fatalf("runs after kill: %+v %v", runs, err)
	}
	killedID := runs[0].ID
	var archivedBefore []string
	if err := a.View(func(rd *archive.Reader) error {
		return rd.Each(func(c *archive.Capture) error {
			if c.Error == "" {
				archivedBefore = append(archivedBefore, c.URL)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Check(); err != nil {
		t.Errorf("archive check after kill: %v", err)
	}
	a.Close()
	if len(archivedBefore) == 0 {
		t.Fatal("nothing archived before the kill")
	}
	t.Logf("killed after %d captures, %d of %d expected URLs fetched", len(archivedBefore), before, len(expected))

	// Restart: the run resumes and completes.
	p = startServe(t, append(args, "-delay", "0")...)
	var last archive.Run
	deadline = time.Now().Add(90 * time.Second)
	for {
		var runs []archive.Run
		getJSON(t, p.base+"api/runs", &runs)
		if len(runs) == 2 && runs[0].Status != harvest.StatusRunning {
			last = runs[0]
			if runs[1].ID != killedID || runs[1].Status != harvest.StatusInterrupted {
				t.Errorf("killed run recorded as %+v, want interrupted", runs[1])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("resumed harvest did not finish: %+v\n%s", runs, p.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if last.Status != harvest.StatusDone {
		t.Fatalf("resumed run = %+v\n%s", last, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "an earlier harvest was killed") {
		t.Errorf("restart log does not mention the killed run:\n%s", p.stderr.String())
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.wait(t); err != nil {
		t.Errorf("serve exit after SIGTERM: %v\n%s", err, p.stderr.String())
	}

	a, err = archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Check(); err != nil {
		t.Errorf("archive check: %v", err)
	}
	newURL := map[string]bool{}
	for _, u := range last.New {
		newURL[u] = true
	}
	for _, e := range expected {
		caps, err := a.ByURL(e.URL)
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for _, c := range caps {
			if c.Error == "" && c.Status == 200 {
				ok++
			}
		}
		if ok != 1 {
			t.Errorf("%s %s: %d successful captures, want exactly 1 (%d in all)", e.Role, e.URL, ok, len(caps))
			continue
		}
		// What the killed run archived is listed as new by the run that
		// completed its harvest.
		if !newURL[e.URL] {
			t.Errorf("resumed run's New lacks %s", e.URL)
		}
		if body, ok := w.Body(e.URL); ok {
			got, err := a.Body(caps[len(caps)-1].ID)
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("%s: archived body differs from what was served (%v)", e.URL, err)
			}
		}
	}
	// Nothing archived before the kill was lost, and the resumed harvest
	// did not fetch an expected URL archived before the kill again.
	requests := map[string]int{}
	for _, r := range w.Requests() {
		requests["http://"+r.Host+r.Path]++
	}
	isExpected := map[string]bool{}
	for _, e := range expected {
		isExpected[e.URL] = true
	}
	keptBefore := 0
	for _, u := range archivedBefore {
		caps, err := a.ByURL(u)
		if err != nil || len(caps) == 0 {
			t.Errorf("%s archived before the kill is gone (%v)", u, err)
		}
		if isExpected[u] {
			keptBefore++
		}
		if isExpected[u] && requests[u] != 1 {
			t.Errorf("%s archived before the kill was requested %d times, want 1", u, requests[u])
		}
	}
	t.Logf("%d expected URLs were archived before the kill and not fetched again", keptBefore)
	var reports int
	if err := a.View(func(rd *archive.Reader) error {
		return rd.EachReport(func(string, []byte) error { reports++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	if reports == 0 || last.NewReports == 0 {
		t.Errorf("no reports extracted after resume (stored %d, run %+v)", reports, last)
	}
}

// TestSecondServeAndGracefulStop starts serve, checks that a second serve
// on the same archive exits 2 naming the first, then stops the first with
// SIGTERM in the middle of its harvest.
func TestSecondServeAndGracefulStop(t *testing.T) {
	w, seedsFile, resolve := world(t)
	db := filepath.Join(t.TempDir(), "archive.db")
	args := append([]string{"-db", db, "-seeds", seedsFile, "-addr", "127.0.0.1:0", "-every", "1h", "-render", "never", "-delay", "50ms"}, resolve...)
	p := startServe(t, args...)

	second := exec.Command(serveBinary(t), append(args, "-wait", "200ms")...)
	var errb bytes.Buffer
	second.Stderr = &errb
	err := second.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("second serve: %v, want exit 2", err)
	}
	want := fmt.Sprintf("held by nianbao serve (pid %d, serving %s", p.cmd.Process.Pid, p.base)
	if !strings.Contains(errb.String(), want) {
		t.Errorf("second serve stderr %q lacks %q", errb.String(), want)
	}

	deadline := time.Now().Add(60 * time.Second)
	for expectedRequests(w) < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no expected URL fetched in 60s\n%s", p.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.wait(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr.String())
	}
	a, err := archive.Open(db, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	runs, err := a.Runs()
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	if r := runs[0]; r.Status != harvest.StatusInterrupted || r.Ended.IsZero() || r.Pages == 0 {
		t.Errorf("run after SIGTERM = %+v, want interrupted with pages", r)
	}
	if !strings.Contains(p.stderr.String(), "resumes at the next start") {
		t.Errorf("stop log lacks the resume hint:\n%s", p.stderr.String())
	}
	if _, err := os.Stat(archive.HolderPath(db)); !os.IsNotExist(err) {
		t.Errorf("holder file left behind: %v", err)
	}
}
