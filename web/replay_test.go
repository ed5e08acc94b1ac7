package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/nianbao/nianbao/archive"
)

// The replay site: an archived page whose links and sub-resources are
// archived at several times, a revisit of it, a redirect and a GBK page,
// under an agency of no seeds line (so the fixture's other pages and
// numbers do not change).

const (
	replayHost   = "http://replay.example.gov.cn/"
	replayAgency = "回放测试站"
)

// replayTime is the page's capture time: 2024-01-26 16:00 in China.
var replayTime = time.Date(2024, 1, 26, 8, 0, 0, 0, time.UTC)

// replaySite holds the capture IDs of the replay site.
type replaySite struct {
	page, revisit, logoOld, logoNew, css, bg, news, redirect, gbk string
}

// replayPageHTML is the archived page; live is a live server's URL its
// image, CSS url() and script point at.
func replayPageHTML(live string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><title>回放页</title>
<link rel="stylesheet" href="site.css">
<style>#live-bg { background: url(` + live + `/live-style.png); width: 10px; height: 10px; }</style>
<script src="` + live + `/live.js"></script>
</head><body><h1 id="h">archived replay page</h1>
<img id="logo" src="logo.png" alt="logo"><img id="live-img" src="` + live + `/live.png" alt="live">
<div id="live-bg"></div><div class="bg"></div>
<a id="news" href="news.html" target="_blank">news</a> <a id="old" href="/old.html">old</a> <a id="missing" href="missing.html">missing</a>
<a id="live-link" href="` + live + `/page.html">live</a>
</body></html>`
}

// addReplaySite archives the replay site in f's archive.
func addReplaySite(t testing.TB, f *fixture, live string) *replaySite {
	t.Helper()
	s := &replaySite{}
	put := func(id *string, c *archive.Capture, body []byte) {
		t.Helper()
		c.Agency, c.Role = replayAgency, archive.RoleOther
		if err := f.a.Put(c, body, ""); err != nil {
			t.Fatal(err)
		}
		*id = c.ID
	}
	htmlHeader := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	put(&s.logoOld, &archive.Capture{URL: replayHost + "logo.png", Status: 200, ContentType: "image/png",
		FetchedAt: replayTime.Add(-time.Hour)}, []byte("\x89PNG old logo"))
	put(&s.page, &archive.Capture{URL: replayHost + "index.html", Status: 200, ContentType: "text/html", Charset: "utf-8",
		Header: htmlHeader, FetchedAt: replayTime, Title: "回放页"}, []byte(replayPageHTML(live)))
	put(&s.css, &archive.Capture{URL: replayHost + "site.css", Status: 200, ContentType: "text/css",
		FetchedAt: replayTime.Add(time.Minute)}, []byte(".bg { background: url(bg.png); }"))
	put(&s.bg, &archive.Capture{URL: replayHost + "bg.png", Status: 200, ContentType: "image/png",
		FetchedAt: replayTime.Add(2 * time.Minute)}, []byte("\x89PNG background"))
	put(&s.news, &archive.Capture{URL: replayHost + "news.html", Status: 200, ContentType: "text/html",
		Header: htmlHeader, FetchedAt: replayTime.Add(3 * time.Minute)}, []byte(`<title>news</title><h1 id="h">archived news</h1>`))
	put(&s.redirect, &archive.Capture{URL: replayHost + "old.html", Status: 302, FinalURL: replayHost + "news.html",
		FetchedAt: replayTime.Add(4 * time.Minute)}, nil)
	put(&s.logoNew, &archive.Capture{URL: replayHost + "logo.png", Status: 200, ContentType: "image/png",
		FetchedAt: replayTime.Add(10 * 24 * time.Hour)}, []byte("\x89PNG new logo"))
	// A week later the site answers 304: a revisit with no body and no
	// content type, naming the page's payload.
	page, err := f.a.Get(s.page)
	if err != nil {
		t.Fatal(err)
	}
	put(&s.revisit, &archive.Capture{URL: replayHost + "index.html", Status: http.StatusNotModified, Revisit: true,
		Digest: page.Digest, Header: http.Header{"Etag": {`"v1"`}}, FetchedAt: replayTime.Add(7 * 24 * time.Hour)}, nil)
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(`<html><head><meta charset="gbk"><title>年度报告</title></head>` +
		`<body><p id="t">宁波市公安局2021年政府信息公开工作年度报告</p><a href="附件1.pdf">附件1</a></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	put(&s.gbk, &archive.Capture{URL: replayHost + "gbk.html", Status: 200, ContentType: "text/html", Charset: "gbk",
		Header: http.Header{"Content-Type": {"text/html; charset=GBK"}}, FetchedAt: replayTime}, []byte(gbk))
	return s
}

// noRedirect is a client that reports redirects instead of following them.
func noRedirect(ts *httptest.Server) *http.Client {
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// fetch GETs u with c and returns the response and its body.
func fetch(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestReplayRewritesPage: the replayed page's links point at /replay/at/
// with the page's timestamp, and none at the live server.
func TestReplayRewritesPage(t *testing.T) {
	f := newFixture(t)
	const live = "http://127.0.0.1:1"
	s := addReplaySite(t, f, live)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	resp, body := get(t, ts, "GET", "/replay/"+s.page)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("replay page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	const at = "/replay/at/20240126080000/"
	for _, want := range []string{
		`href="` + at + replayHost + `site.css"`, `src="` + at + replayHost + `logo.png"`, `href="` + at + replayHost + `news.html"`,
		`src="` + at + live + `/live.png"`, `url(` + at + live + `/live-style.png)`, `src="` + at + live + `/live.js"`,
		`href="` + at + live + `/page.html"`, "<h1 id=\"h\">archived replay page</h1>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("replayed page lacks %s", want)
		}
	}
	if n := strings.Count(body, `"`+live) + strings.Count(body, `(`+live); n != 0 {
		t.Errorf("replayed page still has %d references to the live server:\n%s", n, body)
	}
	// ?raw=1 and ?download=1 are the bytes exactly as archived.
	want, err := f.a.Body(s.page)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"?raw=1", "?download=1"} {
		resp, body := get(t, ts, "GET", "/replay/"+s.page+q)
		if body != string(want) || resp.Header.Get("Content-Security-Policy") != replayCSP {
			t.Errorf("replay%s: not the archived bytes, or CSP %q", q, resp.Header.Get("Content-Security-Policy"))
		}
	}
	// An archived stylesheet is rewritten too.
	_, css := get(t, ts, "GET", "/replay/"+s.css)
	if css != ".bg { background: url(/replay/at/20240126080100/"+replayHost+"bg.png); }" {
		t.Errorf("replayed CSS %q", css)
	}
}

// TestReplayAt: /replay/at/ redirects to the capture nearest the time that
// has a body, follows recorded redirects, and answers a "not archived" page
// inside the archive for the rest.
func TestReplayAt(t *testing.T) {
	f := newFixture(t)
	s := addReplaySite(t, f, "http://127.0.0.1:1")
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	c := noRedirect(ts)
	tests := []struct {
		name, path string
		code       int
		location   string
	}{
		{"nearest older", "/replay/at/20240126080000/" + replayHost + "logo.png", 302, "/replay/" + s.logoOld},
		{"nearest newer", "/replay/at/20240204000000/" + replayHost + "logo.png", 302, "/replay/" + s.logoNew},
		{"year only", "/replay/at/2030/" + replayHost + "logo.png", 302, "/replay/" + s.logoNew},
		{"revisit is replayable", "/replay/at/20240203080000/" + replayHost + "index.html", 302, "/replay/" + s.revisit},
		{"recorded redirect followed", "/replay/at/20240126080000/" + replayHost + "old.html", 302, "/replay/" + s.news},
		{"https spelling", "/replay/at/20240126080000/https://replay.example.gov.cn/news.html", 302, "/replay/" + s.news},
		{"merged slashes", "/replay/at/20240126080000/http:/replay.example.gov.cn/news.html", 302, "/replay/" + s.news},
		{"host case, default port", "/replay/at/20240126080000/http://REPLAY.example.gov.cn:80/news.html#top", 302, "/replay/" + s.news},
		{"escaped Chinese path of a raw one", "/replay/at/20250110020000/http://gaj.changsha.gov.cn/zfxxgk/ndbg/2022/%E9%99%84%E4%BB%B61.pdf", 302, "/replay/" + f.attach},
		{"failed fetch only", "/replay/at/20250110020000/" + failedURL, 404, ""},
		{"not archived", "/replay/at/20240126080000/" + replayHost + "missing.html", 404, ""},
		{"live server not archived", "/replay/at/20240126080000/http://127.0.0.1:1/live.png", 404, ""},
		{"bad timestamp", "/replay/at/2024013/" + replayHost, 400, ""},
		{"relative URL", "/replay/at/20240126080000/index.html", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := fetch(t, c, ts.URL+tt.path)
			if resp.StatusCode != tt.code {
				t.Fatalf("%s: %d, want %d\n%.500s", tt.path, resp.StatusCode, tt.code, body)
			}
			if got := resp.Header.Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
			if got := resp.Header.Get("Content-Security-Policy"); got != replayCSP {
				t.Errorf("CSP %q, want the replay CSP", got)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if tt.code == 404 && (!strings.Contains(body, "Not archived") || !strings.Contains(body, "未存档")) {
				t.Errorf("404 is not the not-archived page:\n%s", body)
			}
		})
	}
	resp, _ := fetch(t, c, ts.URL+"/replay/at/20240126080000/"+replayHost+"news.html")
	if resp.StatusCode != 302 {
		t.Fatal(resp.Status)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/replay/at/20240126080000/"+replayHost, nil)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != 405 {
		t.Errorf("POST /replay/at/: %v %v", resp, err)
	}
}

// TestReplayRevisit: a 304 revisit without content type replays the page it
// revisits, as HTML, with its own date; links carry the revisit's time.
func TestReplayRevisit(t *testing.T) {
	f := newFixture(t)
	s := addReplaySite(t, f, "http://127.0.0.1:1")
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	resp, body := get(t, ts, "GET", "/replay/"+s.revisit)
	if resp.StatusCode != 200 {
		t.Fatalf("replay revisit: %d %s", resp.StatusCode, body)
	}
	h := resp.Header
	if got := h.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("revisit Content-Type %q, want the original page's", got)
	}
	if got := h.Get("Content-Disposition"); !strings.HasPrefix(got, "inline") {
		t.Errorf("revisit Content-Disposition %q", got)
	}
	revisitAt := replayTime.Add(7 * 24 * time.Hour).Format(http.TimeFormat)
	if h.Get("Memento-Datetime") != revisitAt || h.Get("Last-Modified") != revisitAt {
		t.Errorf("revisit dated %q / %q, want its own date %q", h.Get("Memento-Datetime"), h.Get("Last-Modified"), revisitAt)
	}
	if h.Get("X-Nianbao-Capture") != s.revisit || h.Get("X-Nianbao-Payload-Capture") != s.page {
		t.Errorf("capture headers %q / %q", h.Get("X-Nianbao-Capture"), h.Get("X-Nianbao-Payload-Capture"))
	}
	if !strings.Contains(body, "archived replay page") || !strings.Contains(body, `src="/replay/at/20240202080000/`+replayHost+`logo.png"`) {
		t.Errorf("revisit body is not the original page rewritten at the revisit's time:\n%s", body)
	}
}

// TestReplayHeadersEverywhere: every response under /replay/ carries the
// sandboxing CSP and nosniff, errors included; the view page does not.
func TestReplayHeadersEverywhere(t *testing.T) {
	f := newFixture(t)
	s := addReplaySite(t, f, "http://127.0.0.1:1")
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	c := noRedirect(ts)
	for _, p := range []string{"/replay/" + s.page, "/replay/" + s.revisit, "/replay/" + s.logoOld, "/replay/" + f.attach,
		"/replay/" + f.failed, "/replay/x", "/replay/999999", "/replay/" + s.page + "?download=1",
		"/replay/at/20240126080000/" + replayHost + "logo.png", "/replay/at/20240126080000/" + replayHost + "none.png", "/replay/at/x"} {
		resp, _ := fetch(t, c, ts.URL+p)
		h := resp.Header
		if h.Get("Content-Security-Policy") != replayCSP || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "SAMEORIGIN" {
			t.Errorf("%s (%d): CSP %q, nosniff %q, XFO %q", p, resp.StatusCode, h.Get("Content-Security-Policy"),
				h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"))
		}
	}
	for _, must := range []string{"sandbox", "default-src 'self' data:", "script-src 'none'", "object-src 'none'", "frame-ancestors 'self'"} {
		if !strings.Contains(replayCSP, must) {
			t.Errorf("replay CSP lacks %s", must)
		}
	}
	resp, _ := fetch(t, c, ts.URL+"/view/"+s.page)
	if csp := resp.Header.Get("Content-Security-Policy"); csp != uiCSP {
		t.Errorf("view page CSP %q, want the UI's", csp)
	}
}

// TestReplayAttachment: a PDF replays inline under its name; ?download=1
// makes it an attachment.
func TestReplayAttachment(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	resp, body := get(t, ts, "GET", "/replay/"+f.attach)
	if resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-1.4") {
		t.Errorf("PDF replay: %s", resp.Header.Get("Content-Type"))
	}
	const name = "filename*=utf-8''%E9%99%84%E4%BB%B61.pdf"
	if got := resp.Header.Get("Content-Disposition"); got != "inline; "+name {
		t.Errorf("Content-Disposition %q", got)
	}
	resp, _ = get(t, ts, "GET", "/replay/"+f.attach+"?download=1")
	if got := resp.Header.Get("Content-Disposition"); got != "attachment; "+name {
		t.Errorf("download Content-Disposition %q", got)
	}
}

// TestReplayGBK: a GBK page replays with its charset and its Chinese bytes
// exactly as archived, its Chinese link rewritten.
func TestReplayGBK(t *testing.T) {
	f := newFixture(t)
	s := addReplaySite(t, f, "http://127.0.0.1:1")
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	resp, body := get(t, ts, "GET", "/replay/"+s.gbk)
	if resp.Header.Get("Content-Type") != "text/html; charset=GBK" {
		t.Errorf("GBK Content-Type %q", resp.Header.Get("Content-Type"))
	}
	text, err := simplifiedchinese.GBK.NewDecoder().String(body)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := simplifiedchinese.GBK.NewEncoder().String("<p id=\"t\">宁波市公安局2021年政府信息公开工作年度报告</p>")
	if !strings.Contains(body, want) {
		t.Error("the GBK bytes of the text changed")
	}
	if !strings.Contains(text, `href="/replay/at/20240126080000/`+replayHost+`%E9%99%84%E4%BB%B61.pdf">附件1</a>`) {
		t.Errorf("GBK page's link not rewritten: %s", text)
	}
}

// TestViewPage: the banner names the URL, the capture date in China time,
// that it is an archived copy, and links history, report, previous and
// next capture; the frame is a sandboxed /replay/.
func TestViewPage(t *testing.T) {
	f := newFixture(t)
	s := addReplaySite(t, f, "http://127.0.0.1:1")
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	resp, body := get(t, ts, "GET", "/view/"+s.page)
	if resp.StatusCode != 200 {
		t.Fatalf("view: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"这是档案副本", "archived copy, not the live page", replayHost + "index.html",
		`<time id="banner-date" datetime="2024-01-26T08:00:00Z">2024-01-26 16:00 CST</time>`,
		`<iframe class="replay" id="replay-frame" sandbox src="/replay/` + s.page + `"`,
		`href="/history?url=http%3a%2f%2freplay.example.gov.cn%2findex.html"`, `href="/view/` + s.revisit + `" rel="next"`,
		`href="/replay/` + s.page + `?download=1"`, "no earlier capture", "(1 of 2)"} {
		if !strings.Contains(body, want) {
			t.Errorf("view page lacks %s", want)
		}
	}
	_, body = get(t, ts, "GET", "/view/"+s.revisit)
	for _, want := range []string{"2024-02-02 16:00 CST", "revisit", "“not modified” (304)", `href="/view/` + s.page + `" rel="prev"`,
		"capture " + s.page + ")", "no later capture", "text/html; charset=utf-8"} {
		if !strings.Contains(body, want) {
			t.Errorf("revisit view page lacks %s", want)
		}
	}
	_, body = get(t, ts, "GET", "/view/"+f.reports["长沙市公安局"])
	if !strings.Contains(body, `href="/report/`+f.reports["长沙市公安局"]+`" id="banner-report"`) {
		t.Error("view page of a report lacks the report link")
	}
	_, body = get(t, ts, "GET", "/view/"+f.attach)
	if !strings.Contains(body, "sandbox src=\"/replay/"+f.attach) || !strings.Contains(body, "download it") {
		t.Error("PDF view page lacks the frame or the download note")
	}
	if resp, _ := get(t, ts, "GET", "/view/"+f.failed); resp.StatusCode != 404 {
		t.Errorf("view of a failed fetch: %d, want 404", resp.StatusCode)
	}
}

func TestFmtCST(t *testing.T) {
	if got := fmtCST(time.Date(2024, 1, 26, 8, 0, 0, 0, time.UTC)); got != "2024-01-26 16:00 CST" {
		t.Errorf("fmtCST = %q", got)
	}
	if got := fmtCST(time.Time{}); got != "—" {
		t.Errorf("fmtCST(zero) = %q", got)
	}
}

func TestURLKeys(t *testing.T) {
	u, _ := url.Parse("HTTP://Gaj.Example.gov.cn:80/a/%E9%99%84.pdf?q=%E5%B9%B4&x=%2F#f")
	keys := urlKeys(u)
	for _, want := range []string{
		"http://gaj.example.gov.cn/a/%E9%99%84.pdf?q=%E5%B9%B4&x=%2F", "http://gaj.example.gov.cn/a/附.pdf?q=年&x=%2F",
		"https://gaj.example.gov.cn/a/%E9%99%84.pdf?q=%E5%B9%B4&x=%2F",
	} {
		found := false
		for _, k := range keys {
			found = found || k == want
		}
		if !found {
			t.Errorf("urlKeys lacks %s: %q", want, keys)
		}
	}
}
