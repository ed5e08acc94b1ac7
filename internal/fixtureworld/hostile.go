package fixtureworld

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Hosts of the Hostile world.
const (
	// HostileHost serves the misbehaving endpoints and one report.
	HostileHost = "hostile.example.gov.cn"
	// HostileOffsite is where /offsite redirects; it must never be fetched.
	HostileOffsite = "offsite.example.com"
)

// Sizes of the Hostile endpoints.
const (
	HugeSize       = 200 << 20                          // bytes /huge streams
	BombMember     = 1 << 20                            // uncompressed bytes of one gzip member of /bomb
	BombMembers    = 4096                               // members: /bomb inflates to 4 GiB
	BinarySize     = 1 << 20                            // bytes of /binary
	SlowDelay      = 60 * time.Second                   // how long /slow waits
	HostileReport  = "/xxgk/ndbg/2024/t20240125_1.html" // path of the one report
	hostileAgency  = "示例市公安局"
	hostileYear    = 2023
	retryAfterSecs = 1
)

// Hostile returns one host whose index links to misbehaving endpoints and,
// last, to one real report page (HostileReport, in Expected):
//
//	/flaky     500 on the first request, then 200
//	/throttle  429 with Retry-After: 1 on the first request, then 200
//	/slow      waits SlowDelay before answering (ends early when the client goes away)
//	/huge      streams HugeSize bytes of '0' as text/html, no Content-Length
//	/bomb      Content-Encoding: gzip, ~4 MB of concatenated gzip members
//	           (built once, streamed) that inflate to 4 GiB of zeros
//	/binary    random bytes served as text/html
//	/offsite   302 to http://offsite.example.com/ (Forbidden)
//	/private/index.html  disallowed by robots.txt (Forbidden)
func Hostile() *World {
	w := newWorld()
	s := w.newSite(HostileHost, hostileAgency)
	w.seeds = "# hostile fixture world (internal/fixtureworld.Hostile)\nhttp://" + HostileHost + "/   " + hostileAgency + "   department\n"
	s.robots("User-agent: *\nDisallow: /private/\n")
	s.forbid("/private/index.html")
	s.html("/private/index.html", "<html><body>private</body></html>")
	links := [][3]string{
		{"/flaky", "不稳定页面", ""}, {"/throttle", "限流页面", ""}, {"/slow", "慢速页面", ""},
		{"/huge", "超大页面", ""}, {"/bomb", "压缩炸弹", ""}, {"/binary", "二进制页面", ""},
		{"/offsite", "站外跳转", ""}, {"/private/index.html", "内部页面", ""},
		{HostileReport, "示例市公安局2023年政府信息公开工作年度报告", "2024-01-25"},
	}
	s.html("/", s.page(hostileAgency, nil, nil, listItems(links)))
	ok := func(name string) *resource {
		h := http.Header{}
		h.Set("Content-Type", "text/html; charset=utf-8")
		return &resource{header: h, body: []byte("<html><head><title>" + name + "</title></head><body><p>" + name + "：第二次请求成功。</p><a href=\"/\">首页</a></body></html>\n")}
	}
	flaky := ok("flaky")
	flaky.serve = func(rw http.ResponseWriter, r *http.Request, hits int) {
		if hits == 0 {
			http.Error(rw, "internal error", http.StatusInternalServerError)
			return
		}
		serveStatic(rw, r, flaky)
	}
	w.pages[s.host+"/flaky"] = flaky
	throttle := ok("throttle")
	throttle.serve = func(rw http.ResponseWriter, r *http.Request, hits int) {
		if hits == 0 {
			rw.Header().Set("Retry-After", strconv.Itoa(retryAfterSecs))
			http.Error(rw, "too many requests", http.StatusTooManyRequests)
			return
		}
		serveStatic(rw, r, throttle)
	}
	w.pages[s.host+"/throttle"] = throttle
	w.pages[s.host+"/slow"] = &resource{serve: func(rw http.ResponseWriter, r *http.Request, _ int) {
		t := time.NewTimer(SlowDelay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = rw.Write([]byte("<html><body>slow</body></html>"))
	}}
	w.pages[s.host+"/huge"] = &resource{serve: func(rw http.ResponseWriter, r *http.Request, _ int) {
		rw.Header().Set("Content-Type", "text/html")
		buf := bytes.Repeat([]byte{'0'}, 64<<10)
		for n := 0; n < HugeSize; n += len(buf) {
			if r.Context().Err() != nil {
				return
			}
			if _, err := rw.Write(buf); err != nil {
				return
			}
		}
	}}
	var (
		bombOnce   sync.Once
		bombMember []byte
	)
	w.pages[s.host+"/bomb"] = &resource{serve: func(rw http.ResponseWriter, r *http.Request, _ int) {
		bombOnce.Do(func() { bombMember = gzipZeros(BombMember) })
		rw.Header().Set("Content-Type", "text/html")
		rw.Header().Set("Content-Encoding", "gzip")
		for i := 0; i < BombMembers; i++ {
			if r.Context().Err() != nil {
				return
			}
			if _, err := rw.Write(bombMember); err != nil {
				return
			}
		}
	}}
	bin := make([]byte, BinarySize)
	rnd := rand.New(rand.NewPCG(11, 13))
	for i := range bin {
		bin[i] = byte(rnd.Uint32())
	}
	s.raw("/binary", "text/html; charset=utf-8", bin)
	w.pages[s.host+"/offsite"] = &resource{serve: func(rw http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(rw, r, "http://"+HostileOffsite+"/", http.StatusFound)
	}}
	off := w.newSite(HostileOffsite, "站外网站")
	off.html("/", off.page("站外网站", nil, nil, "<p>off-scope</p>"))
	off.forbid("/")

	rep := newSynthReport(rand.New(rand.NewPCG(17, 19)), hostileAgency, hostileYear, "2024-01-25", nil, nil)
	s.html(HostileReport, s.articlePage(rep.Title(), rep.Published, "政府信息公开年报", nil, "<div class=\"content\">\n"+rep.BodyHTML()+"</div>\n"))
	s.expect(HostileReport, "report", hostileAgency, hostileYear)
	return w
}

// gzipZeros returns one gzip member that inflates to n zero bytes.
func gzipZeros(n int) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		panic(fmt.Sprintf("fixtureworld: gzip: %v", err))
	}
	zero := make([]byte, 64<<10)
	for left := n; left > 0; left -= len(zero) {
		_, _ = zw.Write(zero[:min(left, len(zero))])
	}
	_ = zw.Close()
	return buf.Bytes()
}
