package fixtureworld

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nianbao/nianbao/seeds"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// get fetches an absolute world URL through srv, sending the world host.
func get(t *testing.T, client *http.Client, addr, url string) *http.Response {
	t.Helper()
	host, uri, ok := splitURL(url)
	if !ok {
		t.Fatalf("bad url %q", url)
	}
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp
}

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDefaultServesExpected(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, resolve := Serve(w)
	defer srv.Close()
	for _, h := range w.Hosts() {
		if resolve[h] == "" {
			t.Errorf("resolve misses %s", h)
		}
	}
	exp := w.Expected()
	if len(exp) != 13 {
		t.Errorf("Expected() has %d entries, want 13", len(exp))
	}
	client := noRedirect()
	for _, e := range exp {
		resp := get(t, client, resolve[e.Host], e.URL)
		body := readAll(t, resp)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", e.URL, resp.StatusCode)
			continue
		}
		want, ok := w.Body(e.URL)
		if !ok || !bytes.Equal(body, want) {
			t.Errorf("%s: served bytes differ from Body() (ok=%v)", e.URL, ok)
		}
		if e.Year < 2019 || e.Agency == "" || (e.Role != "report" && e.Role != "attachment") {
			t.Errorf("bad expect %+v", e)
		}
	}
	// Every expected agency of a report page is attributable: seeds parse.
	ag, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatal(err)
	}
	if len(ag) != 6 {
		t.Fatalf("Seeds() has %d agencies, want 6", len(ag))
	}
	hosts := map[string]bool{}
	for _, a := range ag {
		hosts[a.Host()] = true
	}
	for _, e := range exp {
		if !hosts[e.Host] {
			t.Errorf("expected %s on a host without a seed", e.URL)
		}
	}
	static := map[string]bool{}
	for _, u := range w.URLs() {
		static[u] = true
	}
	for _, e := range exp {
		if !static[e.URL] {
			t.Errorf("URLs() lacks expected %s", e.URL)
		}
	}
	if !static["http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202401/t20240125_11500001.html"] || static["http://gaj.jiyuan.gov.cn/hdjl/rili.html?date=2022-01-01"] {
		t.Error("URLs() should list the redirect and not the generated trap pages")
	}
	if got := len(w.Requests()); got != len(exp) {
		t.Errorf("Requests() recorded %d, want %d", got, len(exp))
	}
}

func TestDefaultPages(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, resolve := Serve(w)
	defer srv.Close()
	client := noRedirect()
	addr := resolve[HostChangsha]
	tests := []struct {
		name, url  string
		status     int
		location   string
		contains   string
		ctypeEqual string
	}{
		{"robots changsha", "http://gaj.changsha.gov.cn/robots.txt", 200, "", "Disallow: /search/", ""},
		{"robots xtx", "http://www.xtx.gov.cn/robots.txt", 200, "", "Disallow: /print/", ""},
		{"no robots hongze", "http://www.hongze.gov.cn/robots.txt", 404, "", "", ""},
		{"trs pager", "http://gaj.changsha.gov.cn/xxgk/fdzdgknr/index.html", 200, "", `createPageHTML(3, 0, "index", "html")`, ""},
		{"trs relative link", "http://gaj.changsha.gov.cn/xxgk/fdzdgknr/index_2.html", 200, "", `href="./202201/t20220128_10412345.html"`, ""},
		{"plain next page", "http://gaj.jiyuan.gov.cn/zwgk/tzgg/index_2.html", 200, "", `<a href="index_3.html">下一页</a>`, ""},
		{"calendar trap", "http://gaj.jiyuan.gov.cn/hdjl/rili.html?date=2031-12-31", 200, "", `rili.html?date=2032-01-01`, ""},
		{"path trap", "http://gaj.jiyuan.gov.cn/zt/a/a/a/a/a/", 200, "", `<a href="a/">`, ""},
		{"path trap other", "http://gaj.jiyuan.gov.cn/zt/a/b/", 404, "", "", ""},
		{"in-scope 301", "http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202401/t20240125_11500001.html", 301, "/zwgk/xxgkml/zfxxgknb/202401/t20240125_11500002.html", "", ""},
		{"off-scope 302", "http://www.xtx.gov.cn/link/go.html?url=hunan", 302, "http://www.hunan.gov.cn/hnszf/xxgk/index.html", "", ""},
		{"hanweb cdata", "http://www.shengsi.gov.cn/col/col1229282851/index.html", 200, "", "<record><![CDATA[", "text/html"},
		{"gbk header", "http://gaj.ningbo.gov.cn/xxgk/ndbg/index_1.html", 200, "", "", "text/html; charset=GBK"},
		{"docx type", "http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202501/P020250122512345678901.docx", 200, "", "", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"pdf", "http://www.hongze.gov.cn/zfxxgk/ndbg/202401/P020240131567890.pdf", 200, "", "%PDF-", "application/pdf"},
		{"unknown host", "http://www.example.com/", 404, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, client, addr, tt.url)
			body := readAll(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.location != "" && resp.Header.Get("Location") != tt.location {
				t.Errorf("Location %q, want %q", resp.Header.Get("Location"), tt.location)
			}
			if !bytes.Contains(body, []byte(tt.contains)) {
				t.Errorf("body lacks %q", tt.contains)
			}
			if tt.ctypeEqual != "" && resp.Header.Get("Content-Type") != tt.ctypeEqual {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.ctypeEqual)
			}
		})
	}
}

func TestFlaky500ThenOK(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, resolve := Serve(w)
	defer srv.Close()
	const u = "http://gaj.changsha.gov.cn/xxgk/fdzdgknr/index_1.html"
	want, ok := w.Body(u)
	if !ok {
		t.Fatal("Body has no flaky page")
	}
	for i, status := range []int{500, 200, 200} {
		resp := get(t, http.DefaultClient, resolve[HostChangsha], u)
		body := readAll(t, resp)
		if resp.StatusCode != status {
			t.Fatalf("request %d: status %d, want %d", i, resp.StatusCode, status)
		}
		if status == 200 && !bytes.Equal(body, want) {
			t.Errorf("request %d: body differs from Body()", i)
		}
	}
}

func TestGBK(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ url, title string }{
		{"http://www.shengsi.gov.cn/art/2021/1/26/art_1229282851_3689011.html", "嵊泗县公安局2020年度政府信息公开工作年度报告"},
		{"http://gaj.ningbo.gov.cn/xxgk/ndbg/202201/t20220125_1122334.html", "宁波市公安局2021年度政府信息公开工作年度报告"},
	} {
		b, ok := w.Body(tt.url)
		if !ok {
			t.Fatalf("no body for %s", tt.url)
		}
		if utf8.Valid(b) {
			t.Errorf("%s: bytes are valid UTF-8, want GBK", tt.url)
		}
		if !bytes.Contains(b, []byte("charset=gb2312")) {
			t.Errorf("%s: no gb2312 meta", tt.url)
		}
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(b)
		if err != nil {
			t.Fatalf("%s: decode GBK: %v", tt.url, err)
		}
		if !strings.Contains(string(dec), tt.title) {
			t.Errorf("%s: decoded page lacks %q", tt.url, tt.title)
		}
	}
	// shengsi: charset only in <meta>.
	res := w.pages[HostShengsi+"/art/2021/1/26/art_1229282851_3689011.html"]
	if ct := res.header.Get("Content-Type"); ct != "text/html" {
		t.Errorf("shengsi Content-Type %q, want bare text/html", ct)
	}
}

func TestDOCX(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	b, ok := w.Body("http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202501/P020250122512345678901.docx")
	if !ok {
		t.Fatal("no docx")
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("open docx: %v", err)
	}
	var doc string
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			x, _ := io.ReadAll(rc)
			rc.Close()
			doc = string(x)
		}
	}
	for _, want := range []string{"湘潭县公安局2024年政府信息公开工作年度报告", "<w:tbl>", `<w:vMerge w:val="restart"/>`, `<w:gridSpan w:val="`, "<w:vMerge/>", "本年新收政府信息公开申请数量"} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if n := strings.Count(doc, "<w:tbl>"); n < 3 {
		t.Errorf("%d tables, want >= 3", n)
	}
	// Every row of every table covers the same grid width.
	for ti, tbl := range strings.Split(doc, "<w:tbl>")[1:] {
		tbl = tbl[:strings.Index(tbl, "</w:tbl>")]
		width := -1
		for ri, tr := range strings.Split(tbl, "<w:tr>")[1:] {
			n := 0
			for _, tc := range strings.Split(tr, "<w:tc>")[1:] {
				span := 1
				if i := strings.Index(tc, `<w:gridSpan w:val="`); i >= 0 && i < strings.Index(tc, "</w:tcPr>") {
					span = int(tc[i+len(`<w:gridSpan w:val="`)] - '0')
					if d := tc[i+len(`<w:gridSpan w:val="`)+1]; d >= '0' && d <= '9' {
						span = span*10 + int(d-'0')
					}
				}
				n += span
			}
			if width < 0 {
				width = n
			} else if n != width {
				t.Errorf("table %d row %d spans %d columns, first row %d", ti, ri, n, width)
			}
		}
	}
	again, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := again.Body("http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202501/P020250122512345678901.docx")
	if !bytes.Equal(b, b2) {
		t.Error("docx is not deterministic")
	}
}

func TestForbiddenAreLinkedButNotExpected(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Forbidden()) < 8 {
		t.Errorf("Forbidden() = %d URLs, want >= 8", len(w.Forbidden()))
	}
	exp := map[string]bool{}
	for _, e := range w.Expected() {
		exp[e.URL] = true
	}
	for _, f := range w.Forbidden() {
		if exp[f] {
			t.Errorf("%s both expected and forbidden", f)
		}
	}
}

func TestDefaultInProcessCrawl(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	traps := 0
	pages := crawlInProcessSkip(t, w, func(u string) bool {
		// Follow each trap a little: it must keep producing new links.
		if strings.Contains(u, "/hdjl/rili.html") || strings.Contains(u, "/zt/a/") {
			traps++
			return traps > 20
		}
		return false
	})
	for _, e := range w.Expected() {
		if _, ok := pages[e.URL]; !ok {
			t.Errorf("expected %s not reachable from the seeds", e.URL)
		}
	}
	if traps <= 20 {
		t.Errorf("traps produced only %d links", traps)
	}
	forbidden := map[string]bool{}
	for _, f := range w.Forbidden() {
		forbidden[f] = true
	}
	linked := map[string]bool{}
	for _, body := range pages {
		for _, m := range hrefRE.FindAllSubmatch(body, -1) {
			linked[string(m[1])] = true
		}
	}
	// Every forbidden URL is really linked (or redirected to) somewhere,
	// so a crawler that ignores robots.txt or scope would fetch it.
	for f := range forbidden {
		_, uri, _ := splitURL(f)
		if !linked[f] && !linked[uri] && !strings.HasPrefix(f, "http://www.hunan.gov.cn/hnszf/") && !strings.Contains(f, "/module/web/jpage/") {
			t.Errorf("forbidden %s is not linked from any page", f)
		}
	}
	for _, r := range w.Requests() {
		if forbidden["http://"+r.Host+r.Path] {
			t.Errorf("in-process crawl fetched forbidden %s%s", r.Host, r.Path)
		}
	}
	t.Logf("%d pages reachable (traps cut at 20 links), %d expected, %d forbidden", len(pages), len(w.Expected()), len(forbidden))
}

func TestConditionalRequests(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	h := w.Handler()
	do := func(url string, hdr map[string]string) *httptest.ResponseRecorder {
		host, uri, _ := splitURL(url)
		req := httptest.NewRequest(http.MethodGet, uri, nil)
		req.Host = host
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const (
		etagPage    = "http://gaj.changsha.gov.cn/jwdt/index.html"
		lastmodPage = "http://gaj.jiyuan.gov.cn/zwgk/tzgg/index.html"
		nonePage    = "http://www.shengsi.gov.cn/col/col1229282851/index.html"
	)
	first := do(etagPage, nil)
	etag := first.Header().Get("ETag")
	if etag == "" || first.Header().Get("Last-Modified") == "" {
		t.Fatalf("changsha: no validators: %v", first.Header())
	}
	tests := []struct {
		name, url string
		hdr       map[string]string
		status    int
	}{
		{"etag match", etagPage, map[string]string{"If-None-Match": etag}, 304},
		{"etag mismatch", etagPage, map[string]string{"If-None-Match": `"other"`}, 200},
		{"etag beats date", etagPage, map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lastModified}, 200},
		{"lastmod same", lastmodPage, map[string]string{"If-Modified-Since": lastModified}, 304},
		{"lastmod older", lastmodPage, map[string]string{"If-Modified-Since": "Mon, 24 Jan 2022 08:00:00 GMT"}, 200},
		{"no validators", nonePage, map[string]string{"If-Modified-Since": lastModified, "If-None-Match": etag}, 200},
	}
	for _, tt := range tests {
		rec := do(tt.url, tt.hdr)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, rec.Code, tt.status)
		}
		if tt.status == 304 && rec.Body.Len() != 0 {
			t.Errorf("%s: 304 with a body", tt.name)
		}
	}
	if rec := do(lastmodPage, nil); rec.Header().Get("ETag") != "" {
		t.Error("jiyuan has an ETag")
	}
	if rec := do(nonePage, nil); rec.Header().Get("Last-Modified") != "" || rec.Header().Get("ETag") != "" {
		t.Error("shengsi has validators")
	}
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}
