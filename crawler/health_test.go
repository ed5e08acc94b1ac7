package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/testlog"
)

// column builds a report column of n reports whose site chrome and items
// link the site's pages absolutely with scheme (the other scheme than the
// seed's, as real CMS templates do).
func column(s *webSite, host, scheme string, n int) []string {
	var items strings.Builder
	var paths []string
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("/xxgk/nb/%d/t%d.html", 2000+i, i)
		paths = append(paths, p)
		title := fmt.Sprintf("测试局%d年政府信息公开工作年度报告", 2000+i)
		fmt.Fprintf(&items, `<li><a href="%s://%s%s">%s</a></li>`, scheme, host, p, title)
		s.page(p, title, `<h1>`+title+`</h1><a href="`+scheme+`://`+host+`/">首页</a>`)
	}
	chrome := fmt.Sprintf(`<a href="%[1]s://%[2]s/">首页</a> <a href="%[1]s://%[2]s/xxgk/">信息公开</a> <a href="%[1]s://%[2]s/xxgk/nb/">政府信息公开年报</a>`, scheme, host)
	s.page("/", "测试局", chrome)
	s.page("/xxgk/", "信息公开", chrome)
	s.page("/xxgk/nb/", "政府信息公开年报", chrome+"<ul>"+items.String()+"</ul>")
	return paths
}

// tlsFailer is a port that speaks plain HTTP where TLS is expected: every
// handshake fails. It counts the connections made to it.
func tlsFailer(t *testing.T) (addr string, conns *atomic.Int32) {
	conns = &atomic.Int32{}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), conns
}

// TestFailingSchemeTwin crawls a report column whose chrome links the
// site's own pages with the scheme that fails at the TLS handshake: from
// an http seed the https links are read as the http pages they twin; from
// an https seed failing at the handshake the crawl goes on over http.
// Either way every report is archived in seconds.
func TestFailingSchemeTwin(t *testing.T) {
	const host = "col.test.gov.cn"
	for _, tc := range []struct{ name, seed, links string }{
		{"http seed, https links", "http://" + host + "/", "https"},
		{"https seed failing", "https://" + host + "/", "https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newWebSite()
			paths := column(s, host, tc.links, 30)
			srv := httptest.NewServer(s)
			defer srv.Close()
			bad, conns := tlsFailer(t)
			cfg := quickConfig()
			cfg.Timeout = 5 * time.Second
			cfg.Retries = 3
			cfg.RetryBackoff = time.Second // a stall would show
			cfg.Resolve = map[string]string{host + ":80": strings.TrimPrefix(srv.URL, "http://"), host + ":443": bad}
			start := time.Now()
			a, sum := crawlOnce(t, cfg, agency(tc.seed, "测试局"))
			took := time.Since(start)
			t.Logf("%d reports in %s, %d connections to the failing https port", len(paths), took, conns.Load())
			if took > 10*time.Second {
				t.Errorf("crawl took %s", took)
			}
			for _, p := range paths {
				caps, _ := a.ByURL("http://" + host + p)
				if len(caps) != 1 || caps[0].Error != "" || caps[0].Role != archive.RoleReport {
					t.Errorf("%s: %+v", p, caps)
				}
			}
			if n := conns.Load(); n > 1 {
				t.Errorf("%d connections to the failing https port, want at most one", n)
			}
			if len(sum.Hosts) != 1 || sum.Hosts[0].Abandoned != "" {
				t.Errorf("host summary %+v", sum.Hosts)
			}
		})
	}
}

// hangingSite answers robots.txt, its home page and its reports, but every
// /dead/ page hangs until the client gives up: a host that stopped
// answering half-way.
func hangingSite(dead int) (*webSite, *atomic.Int32) {
	s := newWebSite()
	hung := &atomic.Int32{}
	var links strings.Builder
	for i := 0; i < dead; i++ {
		fmt.Fprintf(&links, `<a href="/dead/%d.html">新闻%d</a> `, i, i)
		s.handle(fmt.Sprintf("/dead/%d.html", i), func(w http.ResponseWriter, r *http.Request) {
			hung.Add(1)
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		})
	}
	s.page("/", "测试局", `<a href="/nb/2023.html">2023年政府信息公开工作年度报告</a> `+links.String())
	s.page("/nb/2023.html", "测试局2023年政府信息公开工作年度报告", `<h1>测试局2023年政府信息公开工作年度报告</h1>`)
	return s, hung
}

// TestHangingHostAbandoned: after a few consecutive timeouts the host is
// paused once, then abandoned for the run with the reason logged and
// summarised once; twenty dead links cost a few timeouts, not twenty.
func TestHangingHostAbandoned(t *testing.T) {
	s, hung := hangingSite(20)
	srv := httptest.NewServer(s)
	defer srv.Close()
	var logBuf syncBuffer
	cfg := quickConfig()
	cfg.Timeout = 400 * time.Millisecond
	cfg.Retries = 1
	cfg.RetryBackoff = 100 * time.Millisecond
	cfg.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
	start := time.Now()
	a, sum := crawlOnce(t, cfg, agency(srv.URL+"/", "测试局"))
	took := time.Since(start)
	t.Logf("20 dead links: %s, %d requests to them", took, hung.Load())
	if took > 6*time.Second {
		t.Errorf("crawl took %s", took)
	}
	if n := hung.Load(); n > 5 {
		t.Errorf("%d requests to dead links after the host stopped answering", n)
	}
	if caps, _ := a.ByURL(srv.URL + "/nb/2023.html"); len(caps) != 1 || caps[0].Error != "" {
		t.Errorf("report before the dead links: %+v", caps)
	}
	if len(sum.Hosts) != 1 || !strings.Contains(sum.Hosts[0].Abandoned, "consecutive failures") {
		t.Fatalf("host summary %+v", sum.Hosts)
	}
	if n := strings.Count(logBuf.String(), "host abandoned"); n != 1 {
		t.Errorf("abandonment logged %d times:\n%s", n, logBuf.String())
	}
	if !strings.Contains(JoinReasons(sum.Hosts[0].Reasons), "timeout ×") {
		t.Errorf("reasons %v", sum.Hosts[0].Reasons)
	}
}

// TestRetryAfterBeyondCapPostpones: a 503 asking to come back in an hour
// is not retried after the cap; the host is postponed for this run.
func TestRetryAfterBeyondCapPostpones(t *testing.T) {
	s := newWebSite()
	s.page("/", "测试局", `<a href="/busy/2023.html">2023年政府信息公开工作年度报告</a>`)
	s.handle("/busy/2023.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	start := time.Now()
	a, sum := crawlOnce(t, quickConfig(), agency(srv.URL+"/", "测试局"))
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("crawl took %s", took)
	}
	if n := s.requested("/busy/2023.html"); n != 1 {
		t.Errorf("/busy requested %d times", n)
	}
	caps, _ := a.ByURL(srv.URL + "/busy/2023.html")
	if len(caps) != 1 || !strings.Contains(caps[0].Error, "host postponed") {
		t.Errorf("capture %+v", caps)
	}
	if !strings.Contains(sum.Hosts[0].Abandoned, "Retry-After 1h0m0s") {
		t.Errorf("host summary %+v", sum.Hosts[0])
	}
}

// TestErrorClasses: DNS failures, refused connections and failed
// handshakes are not retried; timeouts and resets are.
func TestErrorClasses(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := closed.Addr().String()
	closed.Close()
	_, refused := net.Dial("tcp", addr)
	bad, _ := tlsFailer(t)
	client := &http.Client{Timeout: 2 * time.Second}
	_, handshake := client.Get("https://" + bad + "/")
	tests := []struct {
		err       error
		want      errClass
		transient bool
	}{
		{&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, classDNS, false},
		{refused, classRefused, false},
		{handshake, classHandshake, false},
		{context.DeadlineExceeded, classTimeout, true},
		{fmt.Errorf("read: %w", errors.New("connection reset by peer")), classReset, true},
	}
	for _, tt := range tests {
		k := classifyErr(tt.err)
		if k != tt.want || k.transient() != tt.transient {
			t.Errorf("classifyErr(%v) = %v (transient %v), want %v", tt.err, k, k.transient(), tt.want)
		}
	}
	for status, want := range map[int]bool{404: false, 403: false, 500: true, 503: true, 429: true} {
		if got := classifyStatus(status).transient(); got != want {
			t.Errorf("HTTP %d transient = %v", status, got)
		}
	}
}

// TestOfflineSaysWhy: a crawl whose hosts cannot be reached names the
// reason per host, grouped, and archives nothing.
func TestOfflineSaysWhy(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := closed.Addr().String()
	closed.Close()
	cfg := quickConfig()
	cfg.Resolve = map[string]string{"gone.test.gov.cn": addr}
	_, sum := crawlOnce(t, cfg, agency("http://gone.test.gov.cn/", "甲局"), agency("http://gone.test.gov.cn/xxgk/", "乙局"))
	if len(sum.Hosts) != 1 || sum.Hosts[0].Archived != 0 {
		t.Fatalf("hosts %+v", sum.Hosts)
	}
	if got := JoinReasons(sum.Hosts[0].Reasons); got != "robots.txt unreachable: connection refused ×2" {
		t.Errorf("reasons %q", got)
	}
	if len(sum.Agencies) != 2 || sum.Agencies[1].Agency != "乙局" || sum.Agencies[1].Errors != 1 {
		t.Errorf("agencies %+v", sum.Agencies)
	}
}

// syncBuffer is a log buffer safe for concurrent writes.
type syncBuffer = testlog.Buffer
