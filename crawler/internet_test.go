package crawler

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

// webSite is a server of the kind the internet has: routes by path,
// every request logged with the authority it was sent to (r.Host, port
// included).
type webSite struct {
	mu     sync.Mutex
	reqs   []string // r.Host + RequestURI
	routes map[string]http.HandlerFunc
}

func newWebSite() *webSite { return &webSite{routes: map[string]http.HandlerFunc{}} }

func (s *webSite) handle(path string, h http.HandlerFunc) { s.routes[path] = h }

// page serves an HTML page; {origin} in it becomes the scheme and
// authority the request was sent to, so absolute links stay on the site
// however it is addressed.
func (s *webSite) page(path, title, body string) {
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		doc := `<!DOCTYPE html><html><head><title>` + title + `</title></head><body>` + body + `</body></html>`
		w.Write([]byte(strings.ReplaceAll(doc, "{origin}", scheme+"://"+r.Host)))
	})
}

func (s *webSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r.Host+r.URL.RequestURI())
	h := s.routes[r.URL.Path]
	s.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

// requested counts the requests whose path (query included) is p, on any
// authority.
func (s *webSite) requested(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if i := strings.IndexByte(r, '/'); i >= 0 && r[i:] == p {
			n++
		}
	}
	return n
}

func (s *webSite) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

// quickConfig is a crawl configuration for test servers on loopback.
func quickConfig() Config {
	cfg := DefaultConfig()
	cfg.Delay = 0
	cfg.Timeout = 2 * time.Second
	cfg.Retries = 1
	cfg.RetryBackoff = 10 * time.Millisecond
	cfg.MaxRetryAfter = time.Second
	cfg.MaxBodySize = 1 << 20
	return cfg
}

func crawlOnce(t *testing.T, cfg Config, ags ...seeds.Agency) (*archive.Archive, *Summary) {
	t.Helper()
	a := openArchive(t, filepath.Join(t.TempDir(), "a.db"))
	t.Cleanup(func() { a.Close() })
	c, err := New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := c.Run(ctx, ags)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	return a, sum
}

func agency(url, name string) seeds.Agency {
	return seeds.Agency{URL: url, Name: name, Level: "department"}
}

// archivedPaths is every URL of a successful capture, as path?query, by
// authority.
func archivedPaths(t *testing.T, a *archive.Archive) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	if err := a.View(func(rd *archive.Reader) error {
		return rd.Each(func(cp *archive.Capture) error {
			if cp.Error == "" && cp.Digest != "" {
				u, _ := url.Parse(cp.URL)
				out[authority(u)] = append(out[authority(u)], u.RequestURI())
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// TestPortSeedsCrawlLikeNames serves a generated world of two sites,
// each on its own loopback port, and crawls it twice: once from
// http://127.0.0.1:PORT/ seeds without any -resolve, once by host names.
// Both crawls archive the same pages, every report byte-exact, obey each
// port's robots.txt, and never fetch off scope.
func TestPortSeedsCrawlLikeNames(t *testing.T) {
	w := fixtureworld.Generate(2, 24, 5)
	var ags []seeds.Agency
	hostOf := map[string]string{} // 127.0.0.1:PORT → world host
	for i, h := range w.Hosts() {
		host := h
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			r.Host = host
			w.Handler().ServeHTTP(rw, r)
		}))
		t.Cleanup(srv.Close)
		hostOf[strings.TrimPrefix(srv.URL, "http://")] = host
		ags = append(ags, agency(srv.URL+"/", fmt.Sprintf("合成%03d县公安局", i)))
	}
	a, sum := crawlOnce(t, quickConfig(), ags...)
	for _, hs := range sum.Hosts {
		if hs.Archived == 0 || hs.Abandoned != "" {
			t.Errorf("host %s: archived %d, abandoned %q, errors %v", hs.Host, hs.Archived, hs.Abandoned, hs.Reasons)
		}
	}
	byPort := archivedPaths(t, a)
	for _, e := range w.Expected() {
		eu, _ := url.Parse(e.URL)
		var addr string
		for ad, h := range hostOf {
			if h == eu.Host {
				addr = ad
			}
		}
		caps, err := a.ByURL("http://" + addr + eu.RequestURI())
		if err != nil || len(caps) != 1 || caps[0].Error != "" {
			t.Errorf("%s not archived from %s: %d captures %v", e.URL, addr, len(caps), err)
			continue
		}
		want, _ := w.Body(e.URL)
		if got, _ := a.Body(caps[0].ID); !bytes.Equal(got, want) {
			t.Errorf("%s: archived bytes differ", e.URL)
		}
	}
	checkScope(t, w, worldAgencies(t, w))
	robots := map[string]int{}
	for _, r := range w.Requests() {
		if r.Path == "/robots.txt" {
			robots[r.Host]++
		}
	}
	for _, h := range w.Hosts() {
		if robots[h] != 1 {
			t.Errorf("%s: robots.txt fetched %d times, want once per port", h, robots[h])
		}
	}

	// The same world by names.
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	b, _ := crawlOnce(t, worldConfig(resolve), worldAgencies(t, w)...)
	byName := archivedPaths(t, b)
	for addr, host := range hostOf {
		if got, want := strings.Join(byPort[addr], " "), strings.Join(byName[host], " "); got != want {
			t.Errorf("%s archived\n%s\nby port, but by name\n%s", host, got, want)
		}
	}
}

// TestPortIsAnotherSite crawls two sites on two ports of 127.0.0.1 with
// different robots.txt: each port's rules apply to it alone, and a link
// from one port to the other is not followed.
func TestPortIsAnotherSite(t *testing.T) {
	one, two := newWebSite(), newWebSite()
	s1, s2 := httptest.NewServer(one), httptest.NewServer(two)
	defer s1.Close()
	defer s2.Close()
	one.page("/robots.txt", "", "")
	one.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	two.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /xxgk/secret/\n"))
	})
	one.page("/", "一号局", `<a href="/xxgk/nb/">政府信息公开年报</a> <a href="/private/2020nb.html">2020年政府信息公开工作年度报告</a>
<a href="`+s2.URL+`/xxgk/2021nb.html">2021年政府信息公开工作年度报告</a> <a href="{origin}/xxgk/secret/2019nb.html">2019年政府信息公开工作年度报告</a>`)
	one.page("/xxgk/nb/", "政府信息公开年报", `<a href="{origin}/xxgk/2022nb.html">2022年政府信息公开工作年度报告</a>`)
	one.page("/xxgk/2022nb.html", "一号局2022年政府信息公开工作年度报告", `<h1>一号局2022年政府信息公开工作年度报告</h1>`)
	one.page("/xxgk/secret/2019nb.html", "一号局2019年政府信息公开工作年度报告", `<h1>一号局2019年政府信息公开工作年度报告</h1>`)
	two.page("/", "二号局", `<a href="/xxgk/2021nb.html">2021年政府信息公开工作年度报告</a> <a href="/xxgk/secret/2018nb.html">2018年政府信息公开工作年度报告</a>`)
	two.page("/xxgk/2021nb.html", "二号局2021年政府信息公开工作年度报告", `<h1>二号局2021年政府信息公开工作年度报告</h1>`)
	a, sum := crawlOnce(t, quickConfig(), agency(s1.URL+"/", "一号局"), agency(s2.URL+"/", "二号局"))
	if one.requested("/private/2020nb.html") != 0 || two.requested("/xxgk/secret/2018nb.html") != 0 {
		t.Error("a port's robots.txt was not obeyed")
	}
	if one.requested("/xxgk/secret/2019nb.html") != 1 {
		t.Error("port one fetched by port two's robots.txt rules")
	}
	if one.requested("/xxgk/2021nb.html") != 0 || two.requested("/xxgk/2021nb.html") != 1 {
		t.Errorf("the other port's page was fetched from the wrong site: %v %v", one.requests(), two.requests())
	}
	for _, u := range []string{s1.URL + "/xxgk/2022nb.html", s1.URL + "/xxgk/secret/2019nb.html", s2.URL + "/xxgk/2021nb.html"} {
		if caps, _ := a.ByURL(u); len(caps) != 1 || caps[0].Role != archive.RoleReport {
			t.Errorf("%s: %+v", u, caps)
		}
	}
	if len(sum.Hosts) != 2 || sum.Hosts[0].Host != strings.TrimPrefix(s1.URL, "http://") {
		t.Errorf("hosts %+v", sum.Hosts)
	}
}
