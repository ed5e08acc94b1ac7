package crawler

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// TestRobotsRedirectToAnotherHost: robots.txt that redirects to another
// host (a CDN, the provincial platform) applies the rules found there
// (RFC 9309 §2.3.1.2); nothing else is fetched from that host.
func TestRobotsRedirectToAnotherHost(t *testing.T) {
	cdn := newWebSite()
	cdn.handle("/robots/gaj.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /secret/\n"))
	})
	cdnSrv := httptest.NewServer(cdn)
	defer cdnSrv.Close()
	s := newWebSite()
	s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://cdn.example.com/robots/gaj.txt", http.StatusMovedPermanently)
	})
	s.page("/", "测试局", `<a href="/secret/2020nb.html">2020年政府信息公开工作年度报告</a> <a href="/nb/2021.html">2021年政府信息公开工作年度报告</a>`)
	s.page("/nb/2021.html", "测试局2021年政府信息公开工作年度报告", `<h1>测试局2021年政府信息公开工作年度报告</h1>`)
	srv := httptest.NewServer(s)
	defer srv.Close()
	cfg := quickConfig()
	cfg.Resolve = map[string]string{"cdn.example.com": strings.TrimPrefix(cdnSrv.URL, "http://")}
	a, _ := crawlOnce(t, cfg, agency(srv.URL+"/", "测试局"))
	if n := s.requested("/secret/2020nb.html"); n != 0 {
		t.Errorf("disallowed page fetched %d times", n)
	}
	if reqs := cdn.requests(); len(reqs) != 1 {
		t.Errorf("requests to the robots host: %v", reqs)
	}
	if caps, _ := a.ByURL(srv.URL + "/secret/2020nb.html"); len(caps) != 1 || caps[0].Error != "robots.txt disallows" {
		t.Errorf("disallowed page: %+v", caps)
	}
	if caps, _ := a.ByURL(srv.URL + "/nb/2021.html"); len(caps) != 1 || caps[0].Role != archive.RoleReport {
		t.Errorf("allowed report: %+v", caps)
	}
}

// TestCrawlDelay: a Crawl-delay longer than -delay spaces the host's
// requests; one beyond the cap is capped (and logged).
func TestCrawlDelay(t *testing.T) {
	s := newWebSite()
	s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nCrawl-delay: 0.25\n"))
	})
	s.page("/", "测试局", `<a href="/nb/">政府信息公开年报</a>`)
	s.page("/nb/", "政府信息公开年报", `<a href="/nb/2021.html">2021年政府信息公开工作年度报告</a>`)
	s.page("/nb/2021.html", "测试局2021年政府信息公开工作年度报告", `<h1>测试局2021年政府信息公开工作年度报告</h1>`)
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		s.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := quickConfig()
	cfg.Delay = 50 * time.Millisecond
	crawlOnce(t, cfg, agency(srv.URL+"/", "测试局"))
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 4 {
		t.Fatalf("%d requests, want robots.txt and 3 pages", len(times))
	}
	for i := 2; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 240*time.Millisecond {
			t.Errorf("request %d came %s after the previous one; Crawl-delay 0.25 s", i, gap)
		}
	}

	f := &hostFetcher{cfg: cfg, log: slog.New(slog.DiscardHandler), delay: cfg.Delay}
	f.crawlDelay("http://h", time.Hour)
	if f.delay != maxCrawlDelay {
		t.Errorf("Crawl-delay of an hour gives a delay of %s", f.delay)
	}
	f.crawlDelay("http://h", time.Millisecond)
	if f.delay != maxCrawlDelay {
		t.Errorf("a shorter Crawl-delay lowered the delay to %s", f.delay)
	}
}

// TestRobotsRedirectLoop: more than five robots.txt redirects count as no
// robots.txt (allow all), not as an unreachable one.
func TestRobotsRedirectLoop(t *testing.T) {
	s := newWebSite()
	s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/robots.txt?again", http.StatusFound)
	})
	s.page("/", "测试局", `<a href="/nb/2021.html">2021年政府信息公开工作年度报告</a>`)
	s.page("/nb/2021.html", "测试局2021年政府信息公开工作年度报告", "")
	srv := httptest.NewServer(s)
	defer srv.Close()
	_, sum := crawlOnce(t, quickConfig(), agency(srv.URL+"/", "测试局"))
	if sum.Errors != 0 || s.requested("/nb/2021.html") != 1 {
		t.Errorf("errors %v, report requested %d times", sum.Hosts[0].Reasons, s.requested("/nb/2021.html"))
	}
	if n := s.requested("/robots.txt?again"); n != robotsMaxRedirects {
		t.Errorf("%d robots.txt redirects followed, want %d", n, robotsMaxRedirects)
	}
}

// TestSeedMovesToTwin: a seed that redirects to its www. twin adopts it
// (recorded in the capture and the summary); a redirect to any other host
// stays refused.
func TestSeedMovesToTwin(t *testing.T) {
	s := newWebSite()
	s.handle("/", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Host, "www.") {
			http.Redirect(w, r, "http://www.gaj.test.gov.cn/index.html", http.StatusFound)
			return
		}
		http.NotFound(w, r)
	})
	s.page("/index.html", "测试局", `<a href="/nb/2021.html">2021年政府信息公开工作年度报告</a> <a href="/go">跳转</a>`)
	s.page("/nb/2021.html", "测试局2021年政府信息公开工作年度报告", "")
	s.handle("/go", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://www.other.test.gov.cn/", http.StatusFound)
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	cfg := quickConfig()
	cfg.Resolve = map[string]string{"gaj.test.gov.cn": addr, "www.gaj.test.gov.cn": addr, "www.other.test.gov.cn": addr}
	a, sum := crawlOnce(t, cfg, agency("http://gaj.test.gov.cn/", "测试局"))
	seed, _ := a.ByURL("http://gaj.test.gov.cn/")
	if len(seed) != 1 || seed[0].SeedMovedTo != "http://www.gaj.test.gov.cn/index.html" {
		t.Errorf("seed capture %+v", seed)
	}
	if caps, _ := a.ByURL("http://www.gaj.test.gov.cn/nb/2021.html"); len(caps) != 1 || caps[0].Role != archive.RoleReport {
		t.Errorf("report on the twin: %+v", caps)
	}
	if caps, _ := a.ByURL("http://www.gaj.test.gov.cn/go"); len(caps) != 1 || !strings.Contains(caps[0].Error, "off scope") {
		t.Errorf("redirect off scope: %+v", caps)
	}
	if slices.ContainsFunc(s.requests(), func(r string) bool { return strings.HasPrefix(r, "www.other.") }) {
		t.Errorf("fetched off scope: %v", s.requests())
	}
	if sum.Hosts[0].MovedTo != "http://www.gaj.test.gov.cn/index.html" || sum.Agencies[0].MovedTo == "" {
		t.Errorf("summary %+v %+v", sum.Hosts, sum.Agencies)
	}
}
