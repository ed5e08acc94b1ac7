package crawler

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// needBrowser skips a test when no Chromium is installed, unless
// NIANBAO_REQUIRE_BROWSER=1 (CI) makes that a failure.
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := findBrowser(""); err != nil {
		if os.Getenv("NIANBAO_REQUIRE_BROWSER") == "1" {
			t.Fatalf("NIANBAO_REQUIRE_BROWSER=1 but %v", err)
		}
		t.Skipf("skipped: %v", err)
	}
}

// offsite counts the requests that reached a server no crawl may use.
type offsite struct {
	mu   sync.Mutex
	hits []string
}

func (o *offsite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.hits = append(o.hits, r.Host+r.URL.RequestURI())
	o.mu.Unlock()
	w.Write([]byte("/* tracker */"))
}

func (o *offsite) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.hits)
}

// reportPage is a report page as a TRS site serves it.
func reportPage(title string) []byte {
	return []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `</title></head><body><h1>` + title +
		`</h1><div class="info">发布日期: 2024-01-15</div><p>一、总体情况</p></body></html>`)
}

// scriptListSite is a report column whose items come only from a JSON
// API that an external script calls by a URL it builds (no static trace
// of it), with a tracker and a font from other hosts.
func scriptListSite(tracker string) (*webSite, map[string][]byte) {
	s := newWebSite()
	reports := map[string][]byte{
		"/xxgk/ndbg/202401/t20240115_1.html": reportPage("某市统计局2023年政府信息公开工作年度报告"),
		"/xxgk/ndbg/202301/t20230116_2.html": reportPage("某市统计局2022年政府信息公开工作年度报告"),
	}
	s.page("/", "某市统计局", `<a href="/xxgk/">政府信息公开</a>`)
	s.page("/xxgk/", "政府信息公开", `<a href="/xxgk/ndbg/">政府信息公开年报</a>`)
	s.page("/xxgk/ndbg/", "政府信息公开年报", `<h2>政府信息公开年报</h2><ul id="list"></ul>
<link rel="stylesheet" href="`+tracker+`/font.css"><img src="`+tracker+`/pixel.gif">
<script src="`+tracker+`/track.js"></script><script src="/js/nb.js"></script>`)
	s.handle("/js/nb.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		w.Write([]byte(`(function(){var p=['', 'xxgk', 'ndbg', 'data'].join('/')+'.do';var x=new XMLHttpRequest();
x.open('GET',p+'?page=1');x.onload=function(){var d=JSON.parse(x.responseText),ul=document.getElementById('list');
d.rows.forEach(function(r){var li=document.createElement('li'),a=document.createElement('a');a.href=r.u;a.textContent=r.t;li.appendChild(a);ul.appendChild(li);});
var f=new XMLHttpRequest();f.open('GET','` + tracker + `/collect');f.send();};x.send();})();`))
	})
	s.handle("/xxgk/ndbg/data.do", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"rows":[{"t":"某市统计局2023年政府信息公开工作年度报告","u":"/xxgk/ndbg/202401/t20240115_1.html"},` +
			`{"t":"某市统计局2022年政府信息公开工作年度报告","u":"/xxgk/ndbg/202301/t20230116_2.html"}]}`))
	})
	for p, b := range reports {
		s.handle(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(b)
		})
	}
	return s, reports
}

// challengeSite answers every request 412 with a script that sets a
// cookie and reloads, until the cookie comes back.
func challengeSite() (*webSite, map[string][]byte) {
	s := newWebSite()
	reports := map[string][]byte{"/zwgk/nb/2024-01/20240120_1.html": reportPage("某区司法局2023年政府信息公开工作年度报告")}
	gate := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ck, err := r.Cookie("nb_clear"); err != nil || ck.Value != "ok" {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusPreconditionFailed)
				w.Write([]byte(`<html><head><script>document.cookie="nb_clear=ok; path=/";setTimeout(function(){location.reload()},50);</script></head><body></body></html>`))
				return
			}
			h(w, r)
		}
	}
	s.handle("/", gate(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><head><title>某区司法局</title></head><body><a href="/zwgk/nb/">政府信息公开年报</a></body></html>`))
	}))
	s.handle("/zwgk/nb/", gate(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><head><title>政府信息公开年报</title></head><body><a href="/zwgk/nb/2024-01/20240120_1.html">某区司法局2023年政府信息公开工作年度报告</a></body></html>`))
	}))
	for p, b := range reports {
		s.handle(p, gate(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(b)
		}))
	}
	return s, reports
}

// renderConfig is quickConfig rendering in mode, with the names of the
// world resolved to its servers.
func renderConfig(mode string, resolve map[string]string) Config {
	cfg := quickConfig()
	cfg.Render = mode
	cfg.RenderTimeout = 15 * time.Second
	cfg.Resolve = resolve
	return cfg
}

// checkReports asserts every report was archived byte-exact from its own
// raw response (not a rendering).
func checkReports(t *testing.T, a *archive.Archive, origin string, reports map[string][]byte) {
	t.Helper()
	for p, want := range reports {
		caps, err := a.ByURL(origin + p)
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, cp := range caps {
			if cp.Rendered || cp.Error != "" || cp.Digest == "" {
				continue
			}
			got, err := a.BodyByDigest(cp.Digest)
			if err != nil {
				t.Fatal(err)
			}
			ok = ok || bytes.Equal(got, want)
		}
		if !ok {
			t.Errorf("%s%s: not archived byte-exact (%d captures)", origin, p, len(caps))
		}
	}
}

// rendered returns the rendered captures of the archive.
func renderedCaptures(t *testing.T, a *archive.Archive) []*archive.Capture {
	t.Helper()
	var out []*archive.Capture
	if err := a.View(func(rd *archive.Reader) error {
		return rd.Each(func(cp *archive.Capture) error {
			if cp.Rendered {
				out = append(out, cp)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRenderScriptList crawls a column whose items exist only in the
// answer of a JSON API called by an external script: -render auto renders
// the column, archives the document as a rendered second capture, follows
// its links (reports archived byte-exact) and lets nothing reach the
// tracker host, not even through the browser.
func TestRenderScriptList(t *testing.T) {
	needBrowser(t)
	track := &offsite{}
	tsrv := httptest.NewServer(track)
	defer tsrv.Close()
	site, reports := scriptListSite("http://tracker.example.net")
	srv := httptest.NewServer(site)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	cfg := renderConfig(RenderAuto, map[string]string{"tjj.example.gov.cn": addr, "tracker.example.net": strings.TrimPrefix(tsrv.URL, "http://")})
	start := time.Now()
	a, sum := crawlOnce(t, cfg, agency("http://tjj.example.gov.cn/", "某市统计局"))
	t.Logf("crawl took %s: %d pages, years %v", time.Since(start).Round(time.Millisecond), sum.Pages, sum.Agencies[0].Years)
	checkReports(t, a, "http://tjj.example.gov.cn", reports)
	rc := renderedCaptures(t, a)
	found := false
	for _, cp := range rc {
		if cp.URL == "http://tjj.example.gov.cn/xxgk/ndbg/" {
			found = true
			body, _ := a.BodyByDigest(cp.Digest)
			if cp.Status != 200 || cp.Role != archive.RoleList || !bytes.Contains(body, []byte("t20240115_1.html")) {
				t.Errorf("rendered column: status %d role %s, body has the items: %v", cp.Status, cp.Role, bytes.Contains(body, []byte("t20240115_1.html")))
			}
		}
	}
	if !found {
		t.Errorf("no rendered capture of the column; rendered: %d", len(rc))
	}
	raw, _ := a.ByURL("http://tjj.example.gov.cn/xxgk/ndbg/")
	if len(raw) < 2 || raw[0].Rendered {
		t.Errorf("column captures: %d, first rendered %v; want the raw one first", len(raw), len(raw) > 0 && raw[0].Rendered)
	}
	if n := track.count(); n > 0 {
		t.Errorf("the tracker got %d requests: %v", n, track.hits)
	}
	if got := sum.Agencies[0].Years; len(got) != 2 {
		t.Errorf("years = %v, want 2022 and 2023", got)
	}
}

// TestRenderChallenge crawls a site (addressed as 127.0.0.1:PORT) that
// answers 412 with a cookie-setting script until the cookie comes back:
// the rendering passes the challenge, its cookie is handed to the
// crawler, and the report behind it is archived byte-exact.
func TestRenderChallenge(t *testing.T) {
	needBrowser(t)
	site, reports := challengeSite()
	srv := httptest.NewServer(site)
	defer srv.Close()
	a, sum := crawlOnce(t, renderConfig(RenderAuto, nil), agency(srv.URL+"/", "某区司法局"))
	checkReports(t, a, srv.URL, reports)
	caps, _ := a.ByURL(srv.URL + "/")
	if len(caps) < 2 || caps[0].Status != 412 || !caps[len(caps)-1].Rendered || caps[len(caps)-1].Status != 200 {
		for _, cp := range caps {
			t.Logf("seed capture: status %d rendered %v error %q", cp.Status, cp.Rendered, cp.Error)
		}
		t.Errorf("seed: want a 412 capture, then a rendered 200 one")
	}
	if len(sum.Notes) != 0 {
		t.Errorf("notes = %v", sum.Notes)
	}
}

// TestRenderWithoutBrowser crawls the script list with the browser path
// pointing nowhere: auto records the note once and the crawl goes on.
func TestRenderWithoutBrowser(t *testing.T) {
	site, _ := scriptListSite("http://tracker.example.net")
	srv := httptest.NewServer(site)
	defer srv.Close()
	site2, _ := challengeSite()
	srv2 := httptest.NewServer(site2)
	defer srv2.Close()
	cfg := renderConfig(RenderAuto, map[string]string{"tjj.example.gov.cn": strings.TrimPrefix(srv.URL, "http://")})
	cfg.BrowserPath = filepath.Join(t.TempDir(), "no-chromium")
	a, sum := crawlOnce(t, cfg, agency("http://tjj.example.gov.cn/", "某市统计局"), agency(srv2.URL+"/", "某区司法局"))
	if len(sum.Notes) != 1 || !strings.Contains(sum.Notes[0], "not rendered") {
		t.Errorf("notes = %q, want one note that pages were not rendered", sum.Notes)
	}
	if rc := renderedCaptures(t, a); len(rc) != 0 {
		t.Errorf("%d rendered captures without a browser", len(rc))
	}
	if caps, _ := a.ByURL("http://tjj.example.gov.cn/xxgk/ndbg/"); len(caps) != 1 {
		t.Errorf("column: %d captures, want its raw one", len(caps))
	}
}

// TestRenderNever renders nothing and notes nothing.
func TestRenderNever(t *testing.T) {
	site, _ := challengeSite()
	srv := httptest.NewServer(site)
	defer srv.Close()
	a, sum := crawlOnce(t, renderConfig(RenderNever, nil), agency(srv.URL+"/", "某区司法局"))
	if rc := renderedCaptures(t, a); len(rc) != 0 || len(sum.Notes) != 0 {
		t.Errorf("rendered %d, notes %v", len(rc), sum.Notes)
	}
}

func TestBuildsByScript(t *testing.T) {
	for src, want := range map[string]bool{
		`<script src="/js/nb.js"></script>`:                                                           true,
		`<script>$.ajax({url: x})</script>`:                                                           true,
		`<script>document.getElementById('l').appendChild(li)</script>`:                               true,
		`<script src="/js/jquery.min.js"></script><script>var _hmt = [];</script>`:                    false,
		`<script type="text/xml"><![CDATA[<a href="/a.html">x</a>]]></script>`:                        false,
		`<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>`: false,
		`<p>no script</p>`: false,
	} {
		if got := buildsByScript([]byte(src)); got != want {
			t.Errorf("buildsByScript(%q) = %v, want %v", src, got, want)
		}
	}
}
