package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/seeds"
)

// testSite is a small government site of the kind the crawler meets,
// served for several host names by one handler that logs every request.
type testSite struct {
	mu     sync.Mutex
	reqs   []string // host + request URI
	badUA  []string // User-Agents other than ours
	pages  map[string]func(w http.ResponseWriter, r *http.Request, hit int)
	bodies map[string][]byte // URL → bytes served
	hits   map[string]int
}

const siteHost = "gaj.test.gov.cn"

func gbk(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func newTestSite() *testSite {
	s := &testSite{pages: map[string]func(http.ResponseWriter, *http.Request, int){}, bodies: map[string][]byte{}, hits: map[string]int{}}
	static := func(path, ct string, body []byte, etag bool) {
		s.bodies["http://"+siteHost+path] = body
		s.pages[siteHost+path] = func(w http.ResponseWriter, r *http.Request, _ int) {
			if etag {
				tag := fmt.Sprintf(`"%x"`, len(body))
				w.Header().Set("ETag", tag)
				if r.Header.Get("If-None-Match") == tag {
					w.WriteHeader(http.StatusNotModified)
					return
				}
			}
			w.Header().Set("Content-Type", ct)
			w.Write(body)
		}
	}
	page := func(title, body string) string {
		return `<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>` +
			title + `</title></head><body><div class="nav"><a href="/">首页</a></div>` + body + `</body></html>`
	}
	// Home page in GBK, declared only by <meta charset>.
	static("/", "text/html", gbk(`<html><head><meta charset="gbk"><title>测试市公安局</title></head><body>
<a href="/xxgk/">政府信息公开</a> <a href="/news/">警务要闻</a> <a href="/cal/?month=2024-01">活动日历</a>
<a href="/a/">专题</a> <a href="/private/2018nb.html">2018年政府信息公开工作年度报告</a>
<a href="http://evil.example.com/2021nb.html">2021年政府信息公开工作年度报告</a> <a href="/go">跳转</a>
<a href="/news/big.html">大文件</a> <a href="/news/bomb.html">压缩</a> <a href="/news/bin.html">二进制</a>
</body></html>`), true)
	static("/robots.txt", "text/plain", []byte("User-agent: *\nDisallow: /private/\n"), false)
	static("/private/2018nb.html", "text/html", []byte(page("x", "secret")), false)
	static("/xxgk/", "text/html; charset=utf-8", []byte(page("政府信息公开", `<a href="nb/index.html">政府信息公开年报</a><a href="zn/">公开指南</a>`)), true)
	static("/xxgk/zn/", "text/html; charset=utf-8", []byte(page("公开指南", `<p>指南</p>`)), true)
	static("/xxgk/nb/index.html", "text/html; charset=utf-8", []byte(page("政府信息公开年报", `<ul>
<li><a href="./202201/t20220126_1.html">测试市公安局2021年政府信息公开工作年度报告</a></li>
<li><a href="./202101/t20210120_2.html">测试市公安局2020年政府信息公开年报</a></li>
<li><a href="./202001/t20200110_3.html">召开2020年度工作会议</a></li>
<li><a href="../../files/2022nb.docx">2022年政府信息公开工作年度报告.docx</a></li>
<li><a href="/download.jsp?id=9">2017年政府信息公开工作年度报告.pdf</a></li>
</ul><script>createPageHTML(3, 0, "index", "html");</script>`)), true)
	static("/xxgk/nb/index_1.html", "text/html; charset=utf-8", []byte(page("政府信息公开年报", `
<script type="text/xml"><datastore><recordset>
<record><![CDATA[<li><a href="/art/2020/2/1/art_9_19.html" title="测试市公安局2019年政府信息公开工作年度报告">2019年报</a></li>]]></record>
</recordset></datastore></script><a href="index_2.html">下一页</a>`)), true)
	static("/xxgk/nb/index_2.html", "text/html; charset=utf-8", []byte(page("政府信息公开年报", `<a href="./201901/t20190115_4.html">2018年政府信息公开工作年度报告</a>`)), true)
	report := func(path, title, extra string) {
		static(path, "text/html; charset=utf-8", []byte(page(title, `<h1>`+title+`</h1><table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table>`+extra)), false)
	}
	report("/xxgk/nb/202101/t20210120_2.html", "测试市公安局2020年政府信息公开年报", `<a href="/files/2020nb.pdf">附件</a>`)
	report("/art/2020/2/1/art_9_19.html", "测试市公安局2019年政府信息公开工作年度报告", "")
	report("/xxgk/nb/201901/t20190115_4.html", "2018年政府信息公开工作年度报告", "")
	// The 2021 report is GBK without any declaration, and fails once.
	gbkReport := gbk(`<html><head><title>测试市公安局2021年政府信息公开工作年度报告</title></head><body><h1>测试市公安局2021年政府信息公开工作年度报告</h1><p>一、总体情况</p></body></html>`)
	s.bodies["http://"+siteHost+"/xxgk/nb/202201/t20220126_1.html"] = gbkReport
	s.pages[siteHost+"/xxgk/nb/202201/t20220126_1.html"] = func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 0 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(gbkReport)
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 2000)...)
	s.bodies["http://"+siteHost+"/files/2020nb.pdf"] = pdf
	s.pages[siteHost+"/files/2020nb.pdf"] = func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(pdf)
	}
	// A document behind a download.jsp URL, larger than the page cap.
	bigPDF := append([]byte("%PDF-1.5\n"), bytes.Repeat([]byte("0123456789abcdef"), 100000)...)
	s.bodies["http://"+siteHost+"/download.jsp?id=9"] = bigPDF
	s.pages[siteHost+"/download.jsp"] = func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="2017nb.pdf"`)
		w.Write(bigPDF)
	}
	static("/files/2022nb.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04 docx bytes"), false)
	static("/news/", "text/html; charset=utf-8", []byte(page("警务要闻", `<a href="n1.html">民警走访</a>`)), false)
	static("/news/n1.html", "text/html; charset=utf-8", []byte(page("民警走访", `<p>新闻</p>`)), false)
	// Traps: an endless calendar and a self-nesting directory.
	s.pages[siteHost+"/cal/"] = func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<a href="?month=%s-x">下个月</a>`, r.URL.Query().Get("month"))
	}
	s.pages["*"+siteHost+"/a/"] = func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<a href="a/">更多</a>`)
	}
	// The news column sets a session cookie by redirecting to itself.
	news := s.pages[siteHost+"/news/"]
	s.pages[siteHost+"/news/"] = func(w http.ResponseWriter, r *http.Request, hit int) {
		if _, err := r.Cookie("JSESSIONID"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "abc", Path: "/"})
			http.Redirect(w, r, "/news/", http.StatusFound)
			return
		}
		news(w, r, hit)
	}
	s.pages[siteHost+"/go"] = func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, "http://evil.example.com/", http.StatusFound)
	}
	s.pages[siteHost+"/news/big.html"] = func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "text/html")
		chunk := bytes.Repeat([]byte("<p>x</p>"), 1<<13)
		for i := 0; i < 400; i++ { // 26 MB unless the client stops reading
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	s.pages[siteHost+"/news/bomb.html"] = func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zeros := make([]byte, 1<<20)
		for i := 0; i < 40; i++ { // 40 MB decompressed, 40 times the cap
			if _, err := zw.Write(zeros); err != nil {
				return
			}
		}
		zw.Close()
	}
	static("/news/bin.html", "text/html", append([]byte{0, 0, 0, 1, 0x7f}, bytes.Repeat([]byte{0}, 500)...), false)
	return s
}

func (s *testSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	key := host + r.URL.Path
	s.mu.Lock()
	s.reqs = append(s.reqs, host+r.URL.RequestURI())
	if r.UserAgent() != UserAgent {
		s.badUA = append(s.badUA, r.UserAgent())
	}
	hit := s.hits[key]
	s.hits[key]++
	h := s.pages[key]
	if h == nil && strings.HasPrefix(r.URL.Path, "/a/") {
		h = s.pages["*"+siteHost+"/a/"]
	}
	s.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r, hit)
}

func (s *testSite) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

func (s *testSite) resetRequests() {
	s.mu.Lock()
	s.reqs = nil
	s.mu.Unlock()
}

func testConfig(srv *httptest.Server) Config {
	addr := strings.TrimPrefix(srv.URL, "http://")
	cfg := DefaultConfig()
	cfg.Delay = 0
	cfg.Timeout = 5 * time.Second
	cfg.Retries = 2
	cfg.RetryBackoff = 10 * time.Millisecond
	cfg.MaxRetryAfter = 2 * time.Second
	cfg.MaxBodySize = 1 << 20
	cfg.Resolve = map[string]string{siteHost: addr, "evil.example.com": addr}
	return cfg
}

func openArchive(t *testing.T, path string) *archive.Archive {
	t.Helper()
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCrawlSite(t *testing.T) {
	site := newTestSite()
	srv := httptest.NewServer(site)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "a.db")
	a := openArchive(t, db)
	defer a.Close()
	agencies := []seeds.Agency{mustAgency(t, "http://"+siteHost+"/ 测试市公安局")}

	c, err := New(a, testConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), agencies)
	if err != nil {
		t.Fatalf("run: %v", err)
	}

	// Every report page and attachment archived with the bytes served.
	want := map[string]archive.Role{
		"/xxgk/nb/202201/t20220126_1.html": archive.RoleReport,
		"/xxgk/nb/202101/t20210120_2.html": archive.RoleReport,
		"/art/2020/2/1/art_9_19.html":      archive.RoleReport,
		"/xxgk/nb/201901/t20190115_4.html": archive.RoleReport,
		"/files/2020nb.pdf":                archive.RoleAttachment,
		"/files/2022nb.docx":               archive.RoleAttachment,
		"/download.jsp?id=9":               archive.RoleAttachment,
	}
	for p, role := range want {
		u := "http://" + siteHost + p
		caps, err := a.ByURL(u)
		if err != nil || len(caps) != 1 {
			t.Errorf("%s: %d captures (%v), want 1", u, len(caps), err)
			continue
		}
		cp := caps[0]
		if cp.Error != "" || cp.Role != role || cp.Agency != "测试市公安局" {
			t.Errorf("%s: error %q role %q agency %q; want role %s", u, cp.Error, cp.Role, cp.Agency, role)
		}
		body, err := a.Body(cp.ID)
		if err != nil || !bytes.Equal(body, site.bodies[u]) {
			t.Errorf("%s: archived body differs from the served bytes (%v)", u, err)
		}
	}
	// The GBK report without a declaration is decoded for its text.
	caps, _ := a.ByURL("http://" + siteHost + "/xxgk/nb/202201/t20220126_1.html")
	if len(caps) == 1 {
		if txt, _ := a.Text(caps[0].ID); !strings.Contains(txt, "一、总体情况") {
			t.Errorf("text of the GBK report = %q", txt)
		}
	}
	caps, _ = a.ByURL("http://" + siteHost + "/xxgk/nb/202101/t20210120_2.html")
	if len(caps) == 1 {
		if txt, _ := a.Text(caps[0].ID); !strings.Contains(txt, "信息内容\t本年制发件数\n规章\t0") {
			t.Errorf("table text = %q", txt)
		}
	}
	// The home page's charset comes from <meta charset>.
	caps, _ = a.ByURL("http://" + siteHost + "/")
	if len(caps) != 1 || caps[0].Charset != "gbk" || caps[0].Role != archive.RoleList {
		t.Errorf("home page captures %+v", caps)
	}

	// Nothing off scope, nothing robots.txt disallows; traps bounded.
	cal, nest := 0, 0
	for _, r := range site.requests() {
		if strings.HasPrefix(r, "evil.example.com") || strings.Contains(r, "/private/") {
			t.Errorf("forbidden request %s", r)
		}
		if strings.Contains(r, "/cal/") {
			cal++
		}
		if strings.HasPrefix(r, siteHost+"/a/") {
			nest++
		}
	}
	if cal > 1 || nest > 2 {
		t.Errorf("traps fetched %d calendar and %d nested pages", cal, nest)
	}
	site.mu.Lock()
	if len(site.badUA) > 0 {
		t.Errorf("requests with User-Agent %q", site.badUA)
	}
	site.mu.Unlock()
	if caps, _ := a.ByURL("http://" + siteHost + "/news/n1.html"); len(caps) != 1 {
		t.Errorf("the article behind a cookie redirect was not reached: %d captures", len(caps))
	}
	failures := map[string]string{}
	if err := a.View(func(rd *archive.Reader) error {
		return rd.Each(func(cp *archive.Capture) error {
			if cp.Error != "" {
				failures[strings.TrimPrefix(cp.URL, "http://"+siteHost)] = cp.Error
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	wantFail := map[string]string{
		"/private/2018nb.html": "robots.txt disallows",
		"/go":                  "off scope",
		"/news/big.html":       "body exceeds 1048576 bytes",
		"/news/bomb.html":      "body exceeds 1048576 bytes",
		"/news/bin.html":       "binary payload",
	}
	for p, msg := range wantFail {
		if !strings.Contains(failures[p], msg) {
			t.Errorf("failure of %s = %q, want it to mention %q", p, failures[p], msg)
		}
	}
	if sum.Errors != len(failures) {
		t.Errorf("summary errors %d, archive failures %d: %v", sum.Errors, len(failures), failures)
	}
	if len(sum.Agencies) != 1 || fmt.Sprint(sum.Agencies[0].Years) != "[2017 2018 2019 2020 2021 2022]" {
		t.Errorf("agency summary %+v", sum.Agencies)
	}
	if q, v, _ := a.FrontierCounts(siteHost); q != 0 || v != 0 {
		t.Errorf("frontier left %d queued %d visited after a complete crawl", q, v)
	}

	// Second run: no report page or attachment fetched again; list pages
	// revalidated and recorded as revisits.
	site.resetRequests()
	c2, _ := New(a, testConfig(srv))
	sum2, err := c2.Run(context.Background(), agencies)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range site.requests() {
		for p := range want {
			if r == siteHost+p {
				t.Errorf("second run fetched %s again", r)
			}
		}
	}
	for _, p := range []string{"/", "/xxgk/nb/index.html", "/xxgk/nb/index_1.html"} {
		caps, _ := a.ByURL("http://" + siteHost + p)
		if len(caps) != 2 || !caps[1].Revisit || caps[1].Status != http.StatusNotModified || caps[1].Digest != caps[0].Digest {
			t.Errorf("%s: second capture not a 304 revisit: %+v", p, caps)
		}
	}
	if sum2.NewCaptures != 0 || sum2.Agencies[0].NewReports != 0 {
		t.Errorf("second run: %d new captures, %d new reports", sum2.NewCaptures, sum2.Agencies[0].NewReports)
	}
	if fmt.Sprint(sum2.Agencies[0].Years) != "[2017 2018 2019 2020 2021 2022]" {
		t.Errorf("second run years %v", sum2.Agencies[0].Years)
	}

	// -refresh: report pages and attachments are fetched again; unchanged
	// payloads become revisits.
	site.resetRequests()
	cfg := testConfig(srv)
	cfg.Refresh = true
	c3, _ := New(a, cfg)
	if _, err := c3.Run(context.Background(), agencies); err != nil {
		t.Fatal(err)
	}
	fetched := map[string]bool{}
	for _, r := range site.requests() {
		fetched[r] = true
	}
	for p := range want {
		if !fetched[siteHost+p] {
			t.Errorf("refresh did not fetch %s", p)
		}
		caps, _ := a.ByURL("http://" + siteHost + p)
		if last := caps[len(caps)-1]; len(caps) != 2 || !last.Revisit || last.Digest != caps[0].Digest {
			t.Errorf("%s after refresh: %d captures, last %+v", p, len(caps), last)
		}
	}
	if err := a.Check(); err != nil {
		t.Error(err)
	}
}

func mustAgency(t *testing.T, line string) seeds.Agency {
	t.Helper()
	ags, err := seeds.Parse(strings.NewReader(line + "\n"))
	if err != nil || len(ags) != 1 {
		t.Fatalf("seed %q: %v", line, err)
	}
	return ags[0]
}
