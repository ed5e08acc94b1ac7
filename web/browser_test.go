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

// list returns the paths seen.
func (l *requestLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.paths...)
}

// total is the number of requests seen.
func (l *requestLog) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.paths)
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
// → archived copy, asserts what a person sees (the banner over the replay
// names the capture date), proves that a script in an archived page does
// not run when replayed (and does run, as a control, when the same bytes are
// served without the sandbox), that a replayed page whose image, CSS url()
// and script point at a live server makes no request to it, that its links
// stay in the archive, and that a revisit replays the original page; and
// writes the dashboard screenshot.
func TestBrowser(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		if os.Getenv("NIANBAO_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium not found and NIANBAO_REQUIRE_BROWSER is set: install Debian's chromium (apt-get install chromium)")
		}
		t.Skip("chromium not found (set NIANBAO_REQUIRE_BROWSER=1 to make this a failure)")
	}
	f := newFixture(t)
	// The live web: a server on 127.0.0.1 that the archived replay page's
	// image, CSS url(), script and link point at. It must see no request.
	var live requestLog
	liveTS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		live.add(r.URL.Path)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte("\x89PNG live"))
	}))
	defer liveTS.Close()
	site := addReplaySite(t, f, liveTS.URL)
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
	// The control of the live-server check: the replay page's bytes served
	// plainly must reach the live server, or its silence proves nothing.
	mux.HandleFunc("GET /control/live", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(replayPageHTML(liveTS.URL)))
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

	tb := tab{t, ctx}
	do, text, eval := tb.do, tb.text, tb.eval

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

	// → the archived copy of that report, by clicking its link: the banner
	// over the sandboxed frame, then the replay alone.
	do("click the archived copy", chromedp.Click(chromedp.CSS("#replay-link")), chromedp.WaitVisible(chromedp.CSS("#banner")),
		chromedp.WaitVisible(chromedp.CSS("iframe#replay-frame")))
	if got := text("#banner-notice"); got != "这是档案副本 / archived copy, not the live page" {
		t.Errorf("banner notice %q", got)
	}
	if got := text("#banner-url"); got != seedReports[0].url {
		t.Errorf("banner URL %q", got)
	}
	if got := text("#banner-date"); got != "2025-01-10 10:01 CST" {
		t.Errorf("banner date %q, want the capture's time in China", got)
	}
	if got := eval(`document.querySelector("#replay-frame").getAttribute("sandbox")`); got != "" {
		t.Errorf("frame sandbox attribute %q, want empty (every restriction)", got)
	}
	do("open the replay alone", chromedp.Navigate(ts.URL+"/replay/"+f.reports["长沙市公安局"]), chromedp.WaitVisible(chromedp.CSS("pre")))
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

	browserReplaySite(t, ctx, ts.URL, site, &seen, &live)

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

// browserReplaySite checks the replay of the replay site: its live image,
// CSS url(), script and link reach no live server, its archived image
// loads from the archive, its links open archived copies, and a revisit
// shows the original page under a banner with the revisit's date.
func browserReplaySite(t *testing.T, ctx context.Context, base string, site *replaySite, seen, live *requestLog) {
	t.Helper()
	tb := tab{t, ctx}
	do, text, eval := tb.do, tb.text, tb.eval
	settle := chromedp.Sleep(700 * time.Millisecond)

	// The page under its banner, in the sandboxed frame.
	do("view the replay page", chromedp.Navigate(base+"/view/"+site.page), chromedp.WaitVisible(chromedp.CSS("#replay-frame")), settle)
	if got := text("#banner-date"); got != "2024-01-26 16:00 CST" {
		t.Errorf("banner date %q, want 2024-01-26 16:00 CST", got)
	}
	// The replay alone, rewritten and sandboxed; and its raw bytes, whose
	// live URLs only the CSP holds back.
	do("replay the page", chromedp.Navigate(base+"/replay/"+site.page), chromedp.WaitReady(chromedp.CSS("#h")), settle)
	if got := text("#h"); got != "archived replay page" {
		t.Errorf("replayed heading %q", got)
	}
	if got := eval(`String(document.querySelector("#logo").naturalWidth >= 0 && document.querySelector("#live-img").src)`); !strings.Contains(got, "/replay/at/20240126080000/") {
		t.Errorf("live image src %q is not rewritten into the archive", got)
	}
	if n := seen.count("/replay/" + site.logoOld); n == 0 {
		t.Error("the page's archived image was not loaded from the archive (nearest capture)")
	}
	do("replay the raw bytes", chromedp.Navigate(base+"/replay/"+site.page+"?raw=1"), chromedp.WaitReady(chromedp.CSS("#h")), settle)
	if n := live.total(); n != 0 {
		t.Errorf("the live server saw %d requests from replayed pages: %v", n, live.list())
	}

	// Links stay in the archive: an archived page, a recorded redirect, a
	// page never archived.
	do("follow an archived link", chromedp.Navigate(base+"/replay/"+site.page), chromedp.WaitReady(chromedp.CSS("#news")),
		chromedp.Click(chromedp.CSS("#news")), chromedp.WaitReady(chromedp.CSS("#h")))
	if got := text("#h"); got != "archived news" {
		t.Errorf("after clicking news: %q", got)
	}
	do("follow a link not archived", chromedp.Navigate(base+"/replay/"+site.page), chromedp.WaitReady(chromedp.CSS("#missing")),
		chromedp.Click(chromedp.CSS("#missing")), chromedp.WaitReady(chromedp.CSS("#not-archived-url")))
	if got := text("#not-archived-url"); got != replayHost+"missing.html" {
		t.Errorf("not-archived page names %q", got)
	}
	do("follow a live link", chromedp.Navigate(base+"/replay/"+site.page), chromedp.WaitReady(chromedp.CSS("#live-link")),
		chromedp.Click(chromedp.CSS("#live-link")), chromedp.WaitReady(chromedp.CSS("#not-archived-url")))

	// The revisit: the original page, dated by the revisit.
	do("replay the revisit", chromedp.Navigate(base+"/replay/"+site.revisit), chromedp.WaitReady(chromedp.CSS("#h")))
	if got := text("#h"); got != "archived replay page" {
		t.Errorf("revisit replays %q, want the original page", got)
	}
	if got := eval("document.contentType"); got != "text/html" {
		t.Errorf("revisit replayed as %q, want text/html", got)
	}
	do("view the revisit", chromedp.Navigate(base+"/view/"+site.revisit), chromedp.WaitVisible(chromedp.CSS("#banner-revisit")), settle)
	if got := text("#banner-date"); got != "2024-02-02 16:00 CST" {
		t.Errorf("revisit banner date %q, want 2024-02-02 16:00 CST", got)
	}
	if n := live.total(); n != 0 {
		t.Errorf("the live server saw %d requests: %v", n, live.list())
	}

	// Control: the same bytes served without the replay's headers and
	// rewriting do reach the live server.
	do("open the live control page", chromedp.Navigate(base+"/control/live"), chromedp.WaitReady(chromedp.CSS("#h")))
	deadline := time.Now().Add(5 * time.Second)
	for live.total() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if live.total() == 0 {
		t.Error("the control page made no request to the live server, so the replay's silence proves nothing")
	}
}

// tab drives one browser tab for a test, failing the test on any error.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// do runs steps; what names them in a failure.
func (b tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the trimmed text of the first element matching sel.
func (b tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// eval returns the string a JavaScript expression evaluates to.
func (b tab) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}
