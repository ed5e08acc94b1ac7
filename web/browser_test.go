package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotPath is where the browser test writes the dashboard screenshot,
// relative to the repository root (the README names it).
const screenshotPath = "docs/screenshots/dashboard.png"

// chromiumPath finds Debian's chromium (or another Chrome build).
func chromiumPath() string {
	if p := os.Getenv("NIANBAO_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requestLog records the paths the test server saw.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) add(p string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paths = append(l.paths, p)
}

func (l *requestLog) count(p string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, x := range l.paths {
		if x == p {
			n++
		}
	}
	return n
}

// TestBrowser drives headless chromium through dashboard → agency → report
// → replay, asserts what a person sees, proves that a script in an archived
// page does not run when replayed (and does run, as a control, when the same
// bytes are served without the sandbox), and writes the dashboard screenshot.
func TestBrowser(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		if os.Getenv("NIANBAO_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium not found and NIANBAO_REQUIRE_BROWSER is set: install Debian's chromium (apt-get install chromium)")
		}
		t.Skip("chromium not found (set NIANBAO_REQUIRE_BROWSER=1 to make this a failure)")
	}
	f := newFixture(t)
	var seen requestLog
	ui := f.srv.Handler()
	mux := http.NewServeMux()
	// The control: the archived bytes served as a plain page of this
	// origin, without the replay's headers. Its script must run, or the
	// replay assertions below would prove nothing.
	mux.HandleFunc("GET /control/evil", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(evilHTML))
	})
	mux.Handle("/", ui)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.add(r.URL.Path)
		mux.ServeHTTP(w, r)
	}))
	defer ts.Close()

	root, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(root,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelCtx()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
	}

	// Dashboard.
	do("open the dashboard", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("table.grid")))
	if got := text("td.st-late"); !strings.Contains(got, "late 15 d") || !strings.Contains(got, "⚠ 2") {
		t.Errorf("宁波 2021 cell shows %q, want late 15 d and ⚠ 2", got)
	}
	if got := text("ul.counts li.st-missing"); got != "21 missing" {
		t.Errorf("missing count shows %q", got)
	}
	if bg := eval(`getComputedStyle(document.querySelector("td.st-late")).backgroundColor`); bg != "rgb(255, 227, 184)" {
		t.Errorf("late cell background %q, want the late colour", bg)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := filepath.Join("..", filepath.FromSlash(screenshotPath))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(shot) < 10_000 || string(shot[1:4]) != "PNG" {
		t.Errorf("screenshot is %d bytes, not a PNG of a page", len(shot))
	}

	// → agency page, by clicking the agency.
	do("click the agency", chromedp.Click(chromedp.CSS("table.grid th.agency a")), chromedp.WaitVisible(chromedp.CSS("table.urls")))
	if got := text("h1"); !strings.HasPrefix(got, "长沙市公安局") {
		t.Errorf("agency page heading %q", got)
	}
	if got := text("table.urls"); !strings.Contains(got, evilURL) || !strings.Contains(got, attachURL) {
		t.Errorf("agency page URLs lack the captured URLs: %q", got)
	}

	// → report page, by clicking the 2021 report.
	do("click the report", chromedp.Click(chromedp.CSS(`a[href="/report/`+f.reports["长沙市公安局"]+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.t3")))
	if got := text(`td[data-cell="new_received.total"]`); got != "30" {
		t.Errorf("长沙 Table 3 本年新收 总计 shows %q, want 30 (the seed's number)", got)
	}
	if got := text(`tr[data-row="normative_documents"]`); !strings.Contains(got, "行政规范性文件") || !strings.Contains(got, "6") {
		t.Errorf("长沙 Table 2 行政规范性文件 row shows %q", got)
	}
	if got := text("h1.title"); got != "长沙市公安局2021年政府信息公开年报" {
		t.Errorf("report title %q", got)
	}

	// → the archived copy of that report, by clicking the replay link.
	do("click replay", chromedp.Click(chromedp.CSS("#replay-link")), chromedp.WaitVisible(chromedp.CSS("pre")))
	if got := eval("document.title"); got != "长沙市公安局2021年政府信息公开年报" {
		t.Errorf("replayed report page title %q", got)
	}

	// A report with failed validation rules: the cell is highlighted with the rule's message.
	do("open the late report from the dashboard", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("table.grid")),
		chromedp.Click(chromedp.CSS("td.st-late a")), chromedp.WaitVisible(chromedp.CSS("table.t3")))
	cell := `td[data-cell="new_received.total"]`
	if got := text(cell + " .v"); got != "43" {
		t.Errorf("宁波 changed cell shows %q, want 43", got)
	}
	if got := eval(`document.querySelector('` + cell + `').className`); !strings.Contains(got, "fail") {
		t.Errorf("failed cell class %q", got)
	}
	if bg := eval(`getComputedStyle(document.querySelector('` + cell + `')).backgroundColor`); bg != "rgb(255, 229, 229)" {
		t.Errorf("failed cell background %q, want the highlight", bg)
	}
	if got := eval(`document.querySelector('` + cell + `').title`); !strings.Contains(got, "T3.balance: total: new_received + carried_over = 48 but total + carried_forward = 47") {
		t.Errorf("failed cell title %q lacks the rule's message", got)
	}
	if got := text("#check-1"); !strings.Contains(got, "T3.balance") {
		t.Errorf("check 1 shows %q", got)
	}

	// The hostile archived page, replayed: its script must not run.
	before := seen.count("/api/runs")
	do("replay the hostile page", chromedp.Navigate(ts.URL+"/replay/"+f.evil), chromedp.WaitReady(chromedp.CSS("#h")), chromedp.Sleep(500*time.Millisecond))
	if got := eval("document.title"); got != "archived title" {
		t.Errorf("replayed page title %q, want it as archived (the script ran?)", got)
	}
	if got := eval("typeof window.pwned"); got != "undefined" {
		t.Errorf("typeof window.pwned = %q: the archived script ran", got)
	}
	if got := text("#h"); got != "archived page" {
		t.Errorf("replayed heading %q", got)
	}
	if got := eval("String(window.origin)"); got != "null" {
		t.Errorf("replayed page origin %q, want the opaque origin null", got)
	}
	if n := seen.count("/api/runs") - before; n != 0 {
		t.Errorf("the server saw %d /api/runs requests from the replayed page", n)
	}

	// Control: the same bytes without the sandbox do run.
	do("open the control page", chromedp.Navigate(ts.URL+"/control/evil"), chromedp.WaitReady(chromedp.CSS("#h")))
	deadline := time.Now().Add(5 * time.Second)
	for seen.count("/api/runs") == before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := eval("document.title"); got != "pwned" {
		t.Errorf("control page title %q: the script did not run even unsandboxed, so the replay check proves nothing", got)
	}
	if seen.count("/api/runs") == before {
		t.Error("the control page's fetch('/api/runs') never reached the server")
	}
}
