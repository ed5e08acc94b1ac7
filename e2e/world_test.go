package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// resource is one static response of the world.
type resource struct {
	body   []byte
	ctype  string
	header map[string]string
	mod    time.Time // Last-Modified; zero: the world's modTime
	// session makes the server write a new ;jsessionid= into every .jsp
	// link of the page on each response, as a Java CMS does for a client
	// that sent no cookie.
	session bool
}

var reSessionID = regexp.MustCompile(`(?i);jsessionid=[^/?#;"']*`)

// request is one request the world served.
type request struct {
	Method, Host, URI string
	At                time.Time
}

// wantReport is a report page or attachment the crawl must archive and
// extraction must read.
type wantReport struct {
	URL    string
	Role   archive.Role // "report" or "attachment"
	Agency string
	Year   int
	// Total is Table 3 (七)总计 in the 总计 column; 0 when the URL holds
	// no tables (a page whose report is its attachment).
	Total float64
	// Published is what the report states, "" for none.
	Published string
	// Wrapper marks a page that only shows or links its report's
	// attachment: extraction keeps a page that shows it as a table-less
	// report (template unknown) carrying the page's date; a landing page
	// that links it is no report of its own, and the attachment takes
	// its date when it prints none (dated_by "landing_page").
	Wrapper bool
	// Seed is the seeds agency the crawl files the capture under when it
	// is not Agency (another department's report on a county site).
	Seed string
	// Apps is the whole of Table 3 when known (nil: only Total is checked).
	Apps map[string][7]float64
}

// wantAudit is the audit's expected verdict for one agency-year.
type wantAudit struct {
	Status   string
	DaysLate int
	// Copies is how many other copies the entry must list (0: unchecked).
	Copies int
}

// world is a set of government sites served from one httptest server,
// dispatched on the Host header.
type world struct {
	static  map[string]*resource // "host/requestURI"
	dynamic map[string]http.HandlerFunc
	seeds   string
	reports []wantReport
	audit   map[string]map[int]wantAudit // agency → year → verdict
	// forbidden are URL prefixes ("host/path") the crawl must never ask
	// for: robots-disallowed paths and off-site hosts.
	forbidden []string
	// blocked are URLs linked in scope that robots.txt forbids: the crawl
	// must record them as such without asking for them.
	blocked []string
	modTime time.Time

	mu   sync.Mutex
	reqs []request
	// inflight and maxInflight count concurrent requests per host.
	inflight, maxInflight map[string]int
	// onRequest, when set, is called with the number of requests so far.
	onRequest func(n int)
	// gzip compresses HTML for clients that accept it; gzipped counts
	// the responses it compressed.
	gzip    bool
	gzipped int
}

func newWorld() *world {
	return &world{static: map[string]*resource{}, dynamic: map[string]http.HandlerFunc{},
		audit: map[string]map[int]wantAudit{}, modTime: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)}
}

func (w *world) add(host, uri, ctype string, body []byte) *resource {
	r := &resource{body: body, ctype: ctype}
	w.static[host+uri] = r
	return r
}

func (w *world) page(host, uri, title, body string) {
	w.add(host, uri, "text/html; charset=utf-8", []byte(chrome(title, "", body)))
}

func (w *world) want(agency string, year int, st string, late int) {
	if w.audit[agency] == nil {
		w.audit[agency] = map[int]wantAudit{}
	}
	w.audit[agency][year] = wantAudit{Status: st, DaysLate: late}
}

func (w *world) requests() []request {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]request(nil), w.reqs...)
}

// ServeHTTP records the request and answers from the static map (with
// Last-Modified and conditional requests through http.ServeContent) or a
// dynamic handler.
func (w *world) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	w.mu.Lock()
	w.reqs = append(w.reqs, request{r.Method, host, r.URL.RequestURI(), time.Now()})
	n := len(w.reqs)
	if w.inflight == nil {
		w.inflight, w.maxInflight = map[string]int{}, map[string]int{}
	}
	w.inflight[host]++
	w.maxInflight[host] = max(w.maxInflight[host], w.inflight[host])
	hook := w.onRequest
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.inflight[host]--
		w.mu.Unlock()
	}()
	if hook != nil {
		hook(n)
	}
	w.mu.Lock()
	h := w.dynamic[host+r.URL.Path]
	var res resource
	found := false
	if p := w.static[host+reSessionID.ReplaceAllString(r.URL.RequestURI(), "")]; p != nil {
		res, found = *p, true
	}
	w.mu.Unlock()
	if h != nil {
		h(rw, r)
		return
	}
	if !found {
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", res.ctype)
	for k, v := range res.header {
		rw.Header().Set(k, v)
	}
	mod := res.mod
	if mod.IsZero() {
		mod = w.modTime
	}
	if res.session {
		id := fmt.Sprintf(";jsessionid=%08X%d", n*2654435761, n)
		res.body = bytes.ReplaceAll(res.body, []byte(".jsp?"), []byte(".jsp"+id+"?"))
		mod = time.Now()
	}
	if w.gzip && strings.HasPrefix(res.ctype, "text/html") && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") &&
		r.Header.Get("If-Modified-Since") == "" && r.Header.Get("If-None-Match") == "" {
		// most government servers gzip their pages
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		_, _ = zw.Write(res.body)
		_ = zw.Close()
		w.mu.Lock()
		w.gzipped++
		w.mu.Unlock()
		rw.Header().Set("Content-Encoding", "gzip")
		rw.Header().Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
		rw.Header().Set("Vary", "Accept-Encoding")
		_, _ = rw.Write(zb.Bytes())
		return
	}
	http.ServeContent(rw, r, "", mod, bytes.NewReader(res.body))
}

// chrome wraps a page body in a typical government site's header, nav and
// footer (with links every page repeats).
func chrome(title, head, body string) string {
	return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>` + html.EscapeString(title) + `</title>` + head + `
<link rel="stylesheet" href="/css/style.css"><script src="/js/jquery.min.js"></script></head>
<body><div class="top"><a href="/">首页</a> <a href="http://www.offsite-demo.gov.cn/">中国政府网</a>
<a href="/hdjl/">互动交流</a></div>
` + body + `
<div class="footer">主办单位：本单位 <a href="/wzdt/">网站地图</a> <a href="/lxwm/">联系我们</a> 网站标识码：1234000001</div>
</body></html>`
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("gbk: %v", err)
	}
	return b
}

// buildWorld builds the four sites. Audit years are 2021–2024 as of
// 2025-06-30.
func buildWorld(t *testing.T) *world {
	w := newWorld()
	w.gzip = true
	var seeds strings.Builder
	hanweb(t, w, &seeds)
	trs(t, w, &seeds)
	platform(t, w, &seeds)
	columnSeed(t, w, &seeds)
	gbkSite(t, w, &seeds)
	trailingYear(t, w, &seeds)
	scripted(t, w, &seeds)
	county(t, w, &seeds)
	w.seeds = seeds.String()
	// the off-site host exists so that a request to it would be seen
	w.page("www.offsite-demo.gov.cn", "/", "中国政府网", `<a href="/zhengce/">政策</a>`)
	w.forbidden = append(w.forbidden, "www.offsite-demo.gov.cn/")
	return w
}

const hwHost = "www.hwdemo.gov.cn"

// hanweb is a 大汉 (Hanweb) site: /col/colN/index.html columns whose list
// is a <script type="text/xml"> data store; the rest of the records come
// from /module/web/jpage/dataproxy.jsp as the jpage script asks (GET or
// POST).
func hanweb(t *testing.T, w *world, seeds *strings.Builder) {
	const ag = "示范市人民政府"
	fmt.Fprintf(seeds, "http://%s/ %s government\n", hwHost, ag)
	w.add(hwHost, "/robots.txt", "text/plain", []byte("User-agent: *\nDisallow: /module/search/\nDisallow: /module/xxgk/search.jsp\n"))
	w.forbidden = append(w.forbidden, hwHost+"/module/search/", hwHost+"/module/xxgk/search.jsp")
	w.page(hwHost, "/", ag+"门户网站", `<ul class="nav"><li><a href="/col/col1229000/index.html">政务公开</a></li>
<li><a href="/col/col1229009/index.html">政务服务</a></li></ul>
<form action="/module/search/index.jsp"><input name="searchword"></form>
<a href="/module/search/index.jsp?searchword=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A">年度报告搜索</a>
<div class="news"><h3>政务动态</h3><ul>
<li><a href="/art/2025/1/5/art_1229010_1.html" title="示范市人民政府2024年度工作总结">示范市人民政府2024年度工作总结</a></li>
<li><a href="/art/2025/2/1/art_1229010_2.html">示范市召开2024年政府信息公开工作年度报告编制培训会</a></li>
</ul></div>`)
	w.page(hwHost, "/col/col1229009/index.html", "政务服务", `<p>办事指南</p>`)
	w.page(hwHost, "/col/col1229000/index.html", "政务公开", `<div class="left-menu"><ul>
<li><a href="/col/col1229101/index.html">政府信息公开指南</a></li>
<li><a href="/col/col1229102/index.html">政府信息公开制度</a></li>
<li><a href="/col/col1229103/index.html">法定主动公开内容</a></li>
<li><a href="/col/col1229100/index.html">政府信息公开年报</a></li>
<li><a href="/module/xxgk/search.jsp?infotypeId=0&amp;area=">信息检索</a></li>
</ul></div>`)
	for _, c := range []string{"1229101", "1229102", "1229103"} {
		w.page(hwHost, "/col/col"+c+"/index.html", "栏目", `<p>栏目内容</p>`)
	}
	for _, u := range []string{"/art/2025/1/5/art_1229010_1.html", "/art/2025/2/1/art_1229010_2.html"} {
		w.page(hwHost, u, "政务动态", `<h1>政务动态</h1><p>2024年，全市上下……</p>`)
	}

	// The column's 22 records, newest first; 15 are in the page, the
	// rest come from dataproxy.jsp.
	type rec struct{ url, title, date string }
	var recs []rec
	noise := []string{"示范市2025年政府信息公开工作要点", "示范市2025年部门预算公开", "示范市2024年度财政决算公开",
		"关于召开2024年政府信息公开工作年度报告编制培训会的通知", "示范市人民政府2024年度工作总结",
		"示范市政府信息公开指南（2024年版）", "示范市2024年法治政府建设年度报告", "示范市2024年国民经济和社会发展统计公报",
		"示范市2024年政务公开工作要点", "示范市2024年部门预算公开", "示范市2023年度财政决算公开",
		"示范市2023年度工作总结", "示范市2024年重点民生实事", "示范市2023年度政府信息公开申请办理情况通报",
		"示范市2023年政府信息公开工作要点", "示范市2022年度工作总结", "示范市2022年部门预算公开",
		"示范市2021年度财政决算公开", "示范市2021年度工作总结"}
	nid := 3000
	addNoise := func() {
		title := noise[0]
		noise = noise[1:]
		nid++
		u := fmt.Sprintf("/art/2024/6/1/art_1229100_%d.html", nid)
		w.page(hwHost, u, title, "<h1>"+html.EscapeString(title)+"</h1><p>正文。</p>")
		recs = append(recs, rec{u, title, "2024-06-01"})
	}
	// 2024: dated only by <meta name="PubDate">.
	n24 := loadNumbers(t, "005_huaian_2024.expected.json", 1)
	u24 := "/art/2025/3/28/art_1229100_2001.html"
	w.add(hwHost, u24, "text/html; charset=UTF-8", []byte(chrome(ag+"2024年政府信息公开工作年度报告",
		`<meta name="PubDate" content="2025-03-28 09:30"><meta name="ColumnName" content="政府信息公开年报">`,
		reportBody(ag, 2024, "", n24, styleSpans))))
	recs = append(recs, rec{u24, ag + "2024年政府信息公开工作年度报告", "2025-03-28"})
	for range 14 {
		addNoise()
	}
	// 2023 (late by 10 days) and 2021 are beyond the first 15 records.
	n23 := loadNumbers(t, "005_huaian_2024.expected.json", 2)
	u23 := "/art/2024/4/10/art_1229100_1801.html"
	w.page(hwHost, u23, ag+"2023年政府信息公开工作年度报告", reportBody(ag, 2023, "发布日期：2024-04-10 16:02", n23, styleSpans))
	recs = append(recs, rec{u23, ag + "2023年政府信息公开工作年度报告", "2024-04-10"})
	addNoise()
	addNoise()
	n21 := loadNumbers(t, "005_huaian_2024.expected.json", 3)
	u21 := "/art/2022/3/15/art_1229100_1501.html"
	w.page(hwHost, u21, ag+"2021年政府信息公开工作年度报告", reportBody(ag, 2021, "发布时间：2022-03-15 10:00", n21, styleSpans))
	recs = append(recs, rec{u21, ag + "2021年政府信息公开工作年度报告", "2022-03-15"})
	for len(noise) > 0 && len(recs) < 22 {
		addNoise()
	}
	base := "http://" + hwHost
	w.reports = append(w.reports,
		wantReport{base + u24, "report", ag, 2024, n24.Applications["total"][6], "2025-03-28", false, "", n24.Applications},
		wantReport{base + u23, "report", ag, 2023, n23.Applications["total"][6], "2024-04-10", false, "", n23.Applications},
		wantReport{base + u21, "report", ag, 2021, n21.Applications["total"][6], "2022-03-15", false, "", n21.Applications})
	w.want(ag, 2021, "on_time", 0)
	w.want(ag, 2022, "missing", 0)
	w.want(ag, 2023, "late", 10)
	w.want(ag, 2024, "on_time", 0)

	record := func(r rec) string {
		// Hanweb truncates long titles in the text; the title attribute
		// keeps the full one.
		text := []rune(r.title)
		short := r.title
		if len(text) > 20 {
			short = string(text[:20]) + "..."
		}
		return fmt.Sprintf(`<record><![CDATA[
<li><a href="%s" title="%s" target="_blank">%s</a><span class="bt-data-time">%s</span></li>]]></record>`,
			r.url, html.EscapeString(r.title), html.EscapeString(short), r.date)
	}
	var first strings.Builder
	for _, r := range recs[:15] {
		first.WriteString(record(r))
	}
	total := len(recs)
	w.page(hwHost, "/col/col1229100/index.html", "政府信息公开年报", fmt.Sprintf(`<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col1229000/index.html">政务公开</a> &gt; 政府信息公开年报</div>
<div class="main-list" id="4001"><script type="text/xml"><datastore><totalrecord>%d</totalrecord><recordset>%s</recordset></datastore></script></div>
<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
<script>
$(document).ready(function(){
	$('#4001').jpage({
		dataStore: dataStore,
		totalRecord: %d,
		perPage: 15,
		groupSize: 1,
		proxyUrl: '/module/web/jpage/dataproxy.jsp',
		barPosition: 'bottom',
		ajaxParam: {col:1,appid:1,webid:1,path:'/',columnid:1229100,sourceContentType:1,unitid:'4001',webname:'%s',permissiontype:0}
	});
});
</script>`, total, first.String(), total, ag))

	w.dynamic[hwHost+"/module/web/jpage/dataproxy.jsp"] = func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // query and POST body
		start, err1 := strconv.Atoi(r.Form.Get("startrecord"))
		end, err2 := strconv.Atoi(r.Form.Get("endrecord"))
		rw.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><datastore>`)
		if err1 == nil && err2 == nil && r.Form.Get("columnid") == "1229100" && r.Form.Get("unitid") == "4001" && start >= 1 {
			fmt.Fprintf(&b, "<totalrecord>%d</totalrecord><recordset>", total)
			for i := start; i <= end && i <= total; i++ {
				b.WriteString(record(recs[i-1]))
			}
			b.WriteString("</recordset>")
		} else {
			b.WriteString("<totalrecord>0</totalrecord><recordset></recordset>")
		}
		b.WriteString("</datastore>")
		_, _ = rw.Write([]byte(b.String()))
	}
}

const trsHost = "www.trsdemo.gov.cn"

// trs is a TRS WCM site: .shtml pages, /xxgk/xxgkml/ directory,
// document.write lists, window.open links, createPageHTML paging, a
// GB2312 report page and an endless activity calendar.
func trs(t *testing.T, w *world, seeds *strings.Builder) {
	const ag = "示范市交通运输局"
	fmt.Fprintf(seeds, "http://%s/ %s\n", trsHost, ag)
	w.add(trsHost, "/robots.txt", "text/plain", []byte("User-agent: *\nDisallow: /search/\nDisallow: /xxgk/xxgkml/ndbg/print/\n"))
	w.forbidden = append(w.forbidden, trsHost+"/search/", trsHost+"/xxgk/xxgkml/ndbg/print/")
	w.page(trsHost, "/", ag, `<div class="nav"><a href="./xxgk/">信息公开</a> <a href="./xwdt/">新闻动态</a>
<a href="./hdjl/rili/2025/01/index.shtml">活动日历</a>
<a href="/search/index.jsp?q=%E5%B9%B4%E6%8A%A5">站内搜索</a></div>
<ul><li><a href="./xwdt/202501/t20250105_501.shtml">示范市交通运输局2024年度工作总结</a></li></ul>`)
	w.page(trsHost, "/xwdt/", "新闻动态", `<ul><li><a href="./202501/t20250105_501.shtml">示范市交通运输局2024年度工作总结</a></li>
<li><a href="./202402/t20240210_502.shtml">`+ag+`2023年政府信息公开工作年度报告</a></li></ul>`)
	w.page(trsHost, "/xwdt/202501/t20250105_501.shtml", "示范市交通运输局2024年度工作总结", `<h1>示范市交通运输局2024年度工作总结</h1><p>2024年……</p>`)
	w.page(trsHost, "/xxgk/", "信息公开", `<div class="menu"><a href="./xxgkml/">信息公开目录</a> <a href="./xxgkzn/">信息公开指南</a></div>`)
	w.page(trsHost, "/xxgk/xxgkzn/", "信息公开指南", `<p>指南</p>`)
	w.page(trsHost, "/xxgk/xxgkml/", "信息公开目录", `<div class="tree">
<a href="./ndbg/index.shtml"><img src="/images/ndbg.png" alt="政府信息公开年报"></a>
<a href="./czzj/index.shtml">财政资金</a>
<a href="./ghjh/index.shtml">规划计划</a></div>`)
	w.page(trsHost, "/xxgk/xxgkml/czzj/index.shtml", "财政资金", `<ul>
<li><a href="./202402/t20240201_11.shtml">示范市交通运输局2024年部门预算</a></li>
<li><a href="./202308/t20230801_10.shtml">示范市交通运输局2022年度部门决算</a></li></ul>`)
	w.page(trsHost, "/xxgk/xxgkml/czzj/202402/t20240201_11.shtml", "示范市交通运输局2024年部门预算", `<h1>示范市交通运输局2024年部门预算</h1>`)
	w.page(trsHost, "/xxgk/xxgkml/czzj/202308/t20230801_10.shtml", "示范市交通运输局2022年度部门决算", `<h1>示范市交通运输局2022年度部门决算</h1>`)
	w.page(trsHost, "/xxgk/xxgkml/ghjh/index.shtml", "规划计划", `<ul><li><a href="./202403/t20240301_9.shtml">示范市交通运输局2024年政务公开工作要点</a></li></ul>`)
	w.page(trsHost, "/xxgk/xxgkml/ghjh/202403/t20240301_9.shtml", "示范市交通运输局2024年政务公开工作要点", `<h1>示范市交通运输局2024年政务公开工作要点</h1>`)

	const list = "/xxgk/xxgkml/ndbg/"
	t24, t23, t22 := ag+"2024年政府信息公开工作年度报告", ag+"2023年政府信息公开工作年度报告", ag+"2022年政府信息公开工作年度报告"
	w.page(trsHost, list+"index.shtml", "政府信息公开年报", `<div class="lm">政府信息公开年报</div><ul class="list">
<script type="text/javascript">
var _title = "`+t24+`";
var _url = "./202501/t20250120_3101.shtml";
document.write('<li><a href="' + _url + '" target="_blank" title="' + _title + '">' + _title.substring(0, 16) + '…</a><span>2025-01-20</span></li>');
</script>
<li><a href="javascript:void(0)" onclick="window.open('./202402/t20240205_2901.shtml')" title="`+t23+`">`+string([]rune(t23)[:16])+`…</a><span>2024-02-05</span></li>
<li><a href="./202403/t20240301_2950.shtml">示范市交通运输局2024年政务公开工作要点</a><span>2024-03-01</span></li>
</ul>
<script type="text/javascript">createPageHTML(3, 0, "index", "shtml");</script>`)
	w.page(trsHost, list+"202403/t20240301_2950.shtml", "示范市交通运输局2024年政务公开工作要点", `<h1>示范市交通运输局2024年政务公开工作要点</h1>`)
	w.page(trsHost, list+"index_1.shtml", "政府信息公开年报", `<ul class="list">
<li><a href="./202308/t20230801_2700.shtml" target="_blank">示范市交通运输局2022年度法治政府建设年度报告</a><span>2023-08-01</span></li>
<li><a href="./202302/t20230201_2600.shtml" target="_blank">示范市交通运输局2023年部门预算</a><span>2023-02-01</span></li>
</ul><script type="text/javascript">createPageHTML(3, 1, "index", "shtml");</script>`)
	w.page(trsHost, list+"202308/t20230801_2700.shtml", "示范市交通运输局2022年度法治政府建设年度报告", `<h1>示范市交通运输局2022年度法治政府建设年度报告</h1>`)
	w.page(trsHost, list+"202302/t20230201_2600.shtml", "示范市交通运输局2023年部门预算", `<h1>示范市交通运输局2023年部门预算</h1>`)
	w.page(trsHost, list+"index_2.shtml", "政府信息公开年报", `<ul class="list">
<li><a href="./202301/t20230118_2501.shtml" target="_blank">2022年度政府信息公开工作年度报告</a><span>2023-01-18</span></li>
<li><a href="./202201/t20220125_2401.shtml" target="_blank">2021年度政府信息公开工作年度报告</a><span>2022-01-25</span></li>
</ul><script type="text/javascript">createPageHTML(3, 2, "index", "shtml");</script>`)

	print := func(id string) string {
		return `<div class="tools"><a href="/xxgk/xxgkml/ndbg/print/?id=` + id + `">打印本页</a></div>`
	}
	n24 := loadNumbers(t, "005_huaian_2024.expected.json", 4)
	n23 := loadNumbers(t, "005_huaian_2024.expected.json", 5)
	n22 := loadNumbers(t, "005_huaian_2024.expected.json", 6)
	w.page(trsHost, list+"202501/t20250120_3101.shtml", t24, reportBody(ag, 2024, "发布日期：2025-01-20", n24, styleWord)+print("3101"))
	w.page(trsHost, list+"202402/t20240205_2901.shtml", t23, reportBody(ag, 2023, "发布日期：2024-02-05", n23, styleWord)+print("2901"))
	// 2022: a GB2312 page (the charset only in <meta http-equiv>).
	gb := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>` + t22 + `</title></head><body>` +
		reportBody(ag, 2022, "发布时间：2023-01-18", n22, styleWord) + `</body></html>`
	w.add(trsHost, list+"202301/t20230118_2501.shtml", "text/html", gbk(t, gb))
	// 2021: dated only by <meta name="firstpublishedtime">.
	n21 := loadNumbers(t, "005_huaian_2024.expected.json", 25)
	w.add(trsHost, list+"202201/t20220125_2401.shtml", "text/html; charset=utf-8", []byte(chrome(ag+"2021年政府信息公开工作年度报告",
		`<meta name="firstpublishedtime" content="2022-01-25 15:30:00"><meta name="lastmodifiedtime" content="2022-06-01 09:00:00">`,
		reportBody(ag, 2021, "", n21, styleWord))))
	base := "http://" + trsHost + list
	w.reports = append(w.reports, wantReport{base + "202201/t20220125_2401.shtml", "report", ag, 2021, n21.Applications["total"][6], "2022-01-25", false, "", n21.Applications})
	w.reports = append(w.reports,
		wantReport{base + "202501/t20250120_3101.shtml", "report", ag, 2024, n24.Applications["total"][6], "2025-01-20", false, "", n24.Applications},
		wantReport{base + "202402/t20240205_2901.shtml", "report", ag, 2023, n23.Applications["total"][6], "2024-02-05", false, "", n23.Applications},
		wantReport{base + "202301/t20230118_2501.shtml", "report", ag, 2022, n22.Applications["total"][6], "2023-01-18", false, "", n22.Applications})
	// The 2023 report reposted in the news section five days later: one
	// report with a copy, the earlier date wins.
	w.page(trsHost, "/xwdt/202402/t20240210_502.shtml", t23, reportBody(ag, 2023, "发布日期：2024-02-10", n23, styleSpans))
	w.reports = append(w.reports, wantReport{URL: "http://" + trsHost + "/xwdt/202402/t20240210_502.shtml", Role: "report", Agency: ag, Year: 2023,
		Total: n23.Applications["total"][6], Published: "2024-02-10", Apps: n23.Applications})
	w.want(ag, 2021, "on_time", 0)
	w.want(ag, 2022, "on_time", 0)
	w.want(ag, 2023, "late", 5)
	w.audit[ag][2023] = wantAudit{Status: "late", DaysLate: 5, Copies: 1}
	w.want(ag, 2024, "on_time", 0)

	// An endless calendar: every month links to the next and previous.
	w.dynamic[trsHost+"/hdjl/rili/"] = func(rw http.ResponseWriter, r *http.Request) { http.NotFound(rw, r) }
	cal := func(rw http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // hdjl rili YYYY MM index.shtml
		if len(parts) != 5 {
			http.NotFound(rw, r)
			return
		}
		y, _ := strconv.Atoi(parts[2])
		m, _ := strconv.Atoi(parts[3])
		d := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		nx, pv := d.AddDate(0, 1, 0), d.AddDate(0, -1, 0)
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(rw, "%s", chrome("活动日历", "", fmt.Sprintf(`<h2>%d年%d月</h2>
<a href="/hdjl/rili/%d/%02d/index.shtml">上一月</a> <a href="/hdjl/rili/%d/%02d/index.shtml">下一月</a>`,
			y, m, pv.Year(), int(pv.Month()), nx.Year(), int(nx.Month()))))
	}
	for y := 1990; y <= 2100; y++ {
		for m := 1; m <= 12; m++ {
			w.dynamic[fmt.Sprintf("%s/hdjl/rili/%d/%02d/index.shtml", trsHost, y, m)] = cal
		}
	}
}

const gkHost = "www.gkpt-demo.gov.cn"

// platform is a 政府信息公开平台 site: a 更多>> link from the home page,
// year-only link texts in the 政府信息公开年报 column, ?page=2 paging,
// detail.jsp?id= query URLs, a report page that is only an iframe of its
// PDF, and one with <base href> linking download.jsp?fileId=.
func platform(t *testing.T, w *world, seeds *strings.Builder) {
	const ag = "淮安市洪泽区人民政府"
	fmt.Fprintf(seeds, "http://%s/ %s government\n", gkHost, ag)
	w.add(gkHost, "/robots.txt", "text/plain", []byte("User-agent: *\nDisallow: /admin/\n"))
	w.forbidden = append(w.forbidden, gkHost+"/admin/")
	w.page(gkHost, "/", "洪泽区人民政府", `<div class="login"><a href="/admin/login.jsp">后台登录</a></div>
<div class="block"><div class="bt"><span>政府信息公开年报</span><a class="more" href="/zfxxgk/fdzdgknr/ndbg/">更多&gt;&gt;</a></div>
<ul><li><a href="/xxgk/detail.jsp?id=301" title="洪泽区人民政府2024年政府信息公开工作年度报告">洪泽区人民政府2024年政府信息公开工作年度…</a></li></ul></div>
<div class="block"><div class="bt"><span>通知公告</span><a class="more" href="/tzgg/">更多&gt;&gt;</a></div>
<ul><li><a href="/xxgk/detail.jsp?id=260">洪泽区2024年度部门预算公开</a></li></ul></div>`)
	w.page(gkHost, "/tzgg/", "通知公告", `<ul><li><a href="/xxgk/detail.jsp?id=260">洪泽区2024年度部门预算公开</a></li></ul>`)
	w.page(gkHost, "/xxgk/detail.jsp?id=260", "洪泽区2024年度部门预算公开", `<h1>洪泽区2024年度部门预算公开</h1><p>发布日期：2024-02-01</p>`)
	w.page(gkHost, "/zfxxgk/fdzdgknr/ndbg/", "政府信息公开年报", `<div class="lm-title">政府信息公开年报</div>
<ul class="list">
<li><a href="/xxgk/detail.jsp?id=301" target="_blank">2024年</a><span>2025-03-20</span></li>
<li><a href="/xxgk/detail.jsp?id=290" target="_blank">2024年政府信息公开工作要点</a><span>2024-03-01</span></li>
</ul>
<div class="page">共2页 <a href="?page=2">下一页</a> <a href="?page=2">尾页</a></div>`)
	w.page(gkHost, "/zfxxgk/fdzdgknr/ndbg/?page=2", "政府信息公开年报", `<div class="lm-title">政府信息公开年报</div>
<ul class="list">
<li><a href="/xxgk/detail.jsp?id=201" target="_blank">2023年度</a><span>2024-03-25</span></li>
<li><a href="/uploadfile/2022/03/8d1f0c2ab7e94e1c.docx" target="_blank">2021年度</a><span>2022-03-30</span></li>
</ul>
<div class="page">共2页 <a href="?page=1">上一页</a> <a href="/zfxxgk/fdzdgknr/ndbg/">首页</a></div>`)
	w.page(gkHost, "/zfxxgk/fdzdgknr/ndbg/?page=1", "政府信息公开年报", `<a href="/xxgk/detail.jsp?id=301">2024年</a>`)
	for _, u := range []string{"/", "/zfxxgk/fdzdgknr/ndbg/?page=2", "/zfxxgk/fdzdgknr/ndbg/?page=1", "/tzgg/"} {
		w.static[gkHost+u].session = true
	}
	w.page(gkHost, "/xxgk/detail.jsp?id=290", "2024年政府信息公开工作要点", `<h1>洪泽区2024年政府信息公开工作要点</h1>`)

	pdf24 := readTestdata(t, "004_hongze_2024.pdf")
	pdf23 := readTestdata(t, "003_hongze_2023.pdf")
	name24 := "洪泽区人民政府2024年政府信息公开工作年度报告.pdf"
	p24 := "/uploadfile/2025/03/" + url.PathEscape(name24)
	w.page(gkHost, "/xxgk/detail.jsp?id=301", "洪泽区人民政府2024年政府信息公开工作年度报告",
		`<div class="detail"><h1>洪泽区人民政府2024年政府信息公开工作年度报告</h1><div class="info">发布日期：2025-03-20　来源：区政府办</div>
<iframe src="`+p24+`" width="100%" height="800" frameborder="0"></iframe></div>`)
	w.add(gkHost, p24, "application/pdf", pdf24)
	w.page(gkHost, "/xxgk/detail.jsp?id=201", "洪泽区人民政府2023年政府信息公开工作年度报告",
		`<div class="detail"><h1>洪泽区人民政府2023年政府信息公开工作年度报告</h1>
<p>附件：<a href="download.jsp?fileId=88">洪泽区人民政府2023年政府信息公开工作年度报告.pdf</a></p></div>`)
	// <base href> makes the relative download link resolve under /xxgk/files/.
	r := w.static[gkHost+"/xxgk/detail.jsp?id=201"]
	r.body = bytes.Replace(r.body, []byte("<title>"), []byte(`<base href="http://`+gkHost+`/xxgk/files/"><title>`), 1)
	dl := w.add(gkHost, "/xxgk/files/download.jsp?fileId=88", "application/octet-stream", pdf23)
	dl.header = map[string]string{"Content-Disposition": `attachment; filename="` + url.PathEscape("洪泽区2023年年报.pdf") +
		`"; filename*=UTF-8''` + url.PathEscape("洪泽区2023年年报.pdf")}
	w.reports = append(w.reports,
		wantReport{"http://" + gkHost + p24, "attachment", ag, 2024, 95, "", false, "", loadNumbers(t, "004_hongze_2024.expected.json", 1).Applications},
		wantReport{"http://" + gkHost + "/xxgk/files/download.jsp?fileId=88", "attachment", ag, 2023, 21, "", false, "", loadNumbers(t, "003_hongze_2023.expected.json", 1).Applications},
		wantReport{URL: "http://" + gkHost + "/xxgk/detail.jsp?id=301", Role: "report", Agency: ag, Year: 2024, Published: "2025-03-20", Wrapper: true})
	// 2021: the year-only item links the DOCX itself, under a hashed name.
	n21 := loadNumbers(t, "005_huaian_2024.expected.json", 27)
	w.add(gkHost, "/uploadfile/2022/03/8d1f0c2ab7e94e1c.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		docxReport(t, "洪泽区人民政府", 2021, "", n21))
	w.reports = append(w.reports, wantReport{URL: "http://" + gkHost + "/uploadfile/2022/03/8d1f0c2ab7e94e1c.docx", Role: "attachment",
		Agency: ag, Year: 2021, Total: n21.Applications["total"][6], Apps: n21.Applications})
	w.want(ag, 2021, "undated", 0)
	w.want(ag, 2022, "missing", 0)
	w.want(ag, 2023, "undated", 0)
	// The PDF has no date; the page that shows it says 发布日期：2025-03-20.
	w.want(ag, 2024, "on_time", 0)
}

const zrHost = "zrzyj.sfdemo.gov.cn"

// columnSeed is a department whose seed URL is its report column: 下一页
// paging to index_1.htm, a report page whose report is a DOCX attachment,
// a report dated only in the list, and a print link robots.txt forbids.
func columnSeed(t *testing.T, w *world, seeds *strings.Builder) {
	const ag = "示范市自然资源局"
	fmt.Fprintf(seeds, "http://%s/zwgk/ndbg/ %s department\n", zrHost, ag)
	w.add(zrHost, "/robots.txt", "text/plain", []byte("User-agent: *\nDisallow: /zwgk/ndbg/print/\n\nUser-agent: Baiduspider\nDisallow: /\n"))
	w.forbidden = append(w.forbidden, zrHost+"/zwgk/ndbg/print/")
	const col = "/zwgk/ndbg/"
	w.page(zrHost, col, "政府信息公开年度报告", `<div class="crumb">首页 &gt; 政务公开 &gt; 政府信息公开年度报告</div>
<ul>
<li><a href="./202501/t20250110_77.html">示范市自然资源局2024年政府信息公开工作年度报告</a><span>2025-01-10</span></li>
<li><a href="./202401/t20240125_66.html">示范市自然资源局2023年政府信息公开工作年度报告</a><span>2024-01-25</span></li>
<li><a href="./202312/t20231201_60.html">示范市自然资源局2023年度工作总结</a><span>2023-12-01</span></li>
</ul>
<div class="pages"><span>首页</span> <a href="index_1.htm">下一页</a></div>`)
	w.page(zrHost, col+"index_1.htm", "政府信息公开年度报告", `<ul>
<li><a href="./202302/t20230203_55.html">示范市自然资源局2022年政府信息公开工作年度报告</a><span>2023-02-03</span></li>
<li><a href="./202202/t20220203_44.html">示范市自然资源局2021年政府信息公开工作年度报告</a><span>2022-02-03</span></li>
</ul><div class="pages"><a href="./">上一页</a></div>`)
	w.page(zrHost, col+"202312/t20231201_60.html", "示范市自然资源局2023年度工作总结", `<h1>示范市自然资源局2023年度工作总结</h1>`)
	print := func(id string) string { return `<a href="/zwgk/ndbg/print/?id=` + id + `">打印</a>` }

	n24 := loadNumbers(t, "005_huaian_2024.expected.json", 7)
	n23 := loadNumbers(t, "005_huaian_2024.expected.json", 8)
	n22 := loadNumbers(t, "005_huaian_2024.expected.json", 9)
	docx := docxReport(t, ag, 2024, "2025年1月10日", n24)
	docURL := "/attach/0/" + url.PathEscape("示范市自然资源局2024年年报") + ".docx"
	w.page(zrHost, col+"202501/t20250110_77.html", ag+"2024年政府信息公开工作年度报告",
		`<h1>`+ag+`2024年政府信息公开工作年度报告</h1><p>发布日期：2025-01-10</p><p>详见附件。</p>
<p>附件：<a href="`+docURL+`">`+ag+`2024年政府信息公开工作年度报告.docx</a></p>`+print("77"))
	w.add(zrHost, docURL, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx)
	w.page(zrHost, col+"202401/t20240125_66.html", ag+"2023年政府信息公开工作年度报告", reportBody(ag, 2023, "", n23, styleSpans)+print("66"))
	w.page(zrHost, col+"202302/t20230203_55.html", ag+"2022年政府信息公开工作年度报告", reportBody(ag, 2022, "发布时间：2023-02-03", n22, styleSpans)+print("55"))
	// 2021: a 信息公开 info table, labels and values in separate cells,
	// written (成文) before the deadline, published (发布) after it.
	n21 := loadNumbers(t, "005_huaian_2024.expected.json", 26)
	info := `<table class="xxgk-info">
<tr><td>索引号：</td><td>11330100MB0000000X/2022-00044</td><td>发布机构：</td><td>` + ag + `</td></tr>
<tr><td>成文日期：</td><td>2022-01-28</td><td>发布日期：</td><td>2022-02-03</td></tr>
<tr><td>文号：</td><td></td><td>主题分类：</td><td>综合政务</td></tr>
</table>
`
	w.page(zrHost, col+"202202/t20220203_44.html", ag+"2021年政府信息公开工作年度报告", info+reportBody(ag, 2021, "", n21, styleSpans)+print("44"))
	base := "http://" + zrHost
	w.reports = append(w.reports,
		wantReport{base + docURL, "attachment", ag, 2024, n24.Applications["total"][6], "2025-01-10", false, "", n24.Applications},
		wantReport{URL: base + col + "202501/t20250110_77.html", Role: "report", Agency: ag, Year: 2024, Published: "2025-01-10", Wrapper: true},
		wantReport{base + col + "202401/t20240125_66.html", "report", ag, 2023, n23.Applications["total"][6], "", false, "", n23.Applications},
		wantReport{base + col + "202302/t20230203_55.html", "report", ag, 2022, n22.Applications["total"][6], "2023-02-03", false, "", n22.Applications})
	// (Found here first: extract took the first labelled date, 成文日期;
	// fixed in extract 4e57159.)
	w.reports = append(w.reports, wantReport{URL: base + col + "202202/t20220203_44.html", Role: "report", Agency: ag, Year: 2021,
		Total: n21.Applications["total"][6], Published: "2022-02-03", Apps: n21.Applications})
	w.want(ag, 2021, "late", 3)
	w.want(ag, 2022, "late", 3)
	w.want(ag, 2023, "undated", 0)
	w.want(ag, 2024, "on_time", 0)
}

const wjHost = "wjw.sfx-demo.gov.cn"

// gbkSite is an ASP.NET-style county site served in GBK (charset only in
// the Content-Type header): the seed redirects to /index.html, lists are
// list.aspx?cid= with numbered page links, a report page links its DOCX
// by a raw Chinese file name with a space under the text 点击下载, and
// dates are written 2025/01/24 and 2023年01月30日.
func gbkSite(t *testing.T, w *world, seeds *strings.Builder) {
	const ag = "示范县卫生健康局"
	fmt.Fprintf(seeds, "http://%s/ %s\n", wjHost, ag)
	w.add(wjHost, "/robots.txt", "text/plain", []byte("User-agent: *\nDisallow: /zwgk/search.aspx\n"))
	w.forbidden = append(w.forbidden, wjHost+"/zwgk/search.aspx")
	w.dynamic[wjHost+"/"] = func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "/index.html", http.StatusFound)
	}
	page := func(uri, title, body string) {
		h := strings.Replace(chrome(title, "", body), `<meta charset="utf-8">`, "", 1)
		w.add(wjHost, uri, "text/html; charset=GBK", gbk(t, h))
	}
	page("/index.html", ag, `<a href="/zwgk/index.html">政务公开</a> <a href="/zwgk/search.aspx?kw=%C4%EA%B1%A8">搜索</a>`)
	page("/zwgk/index.html", "政务公开", `<ul><li><a href="/zwgk/list.aspx?cid=12">政府信息公开年度报告</a></li>
<li><a href="/zwgk/list.aspx?cid=13">财政预决算</a></li></ul>`)
	page("/zwgk/list.aspx?cid=13", "财政预决算", `<ul><li><a href="/zwgk/show.aspx?id=450">示范县卫生健康局2024年度部门预算</a></li>
<li><a href="/zwgk/show.aspx?id=451">示范县卫生健康局2023年度部门决算</a></li></ul>`)
	page("/zwgk/show.aspx?id=450", "示范县卫生健康局2024年度部门预算", `<h1>示范县卫生健康局2024年度部门预算</h1><p>发布时间：2024/02/01</p>`)
	page("/zwgk/show.aspx?id=451", "示范县卫生健康局2023年度部门决算", `<h1>示范县卫生健康局2023年度部门决算</h1><p>发布时间：2024/08/01</p>`)
	t24, t23, t22 := ag+"2024年度政府信息公开工作年度报告", ag+"2023年度政府信息公开工作年度报告", ag+"2022年度政府信息公开工作年度报告"
	page("/zwgk/list.aspx?cid=12", "政府信息公开年度报告", `<table class="list">
<tr><td><a href="show.aspx?id=501">`+t24+`</a></td><td>2025/01/24</td></tr>
<tr><td><a href="show.aspx?id=480">示范县卫生健康局2025年政务公开工作要点</a></td><td>2025/03/01</td></tr>
</table><div class="pager"><span>1</span> <a href="list.aspx?cid=12&amp;page=2">2</a></div>`)
	page("/zwgk/list.aspx?cid=12&page=2", "政府信息公开年度报告", `<table class="list">
<tr><td><a href="show.aspx?id=402">`+t23+`</a></td><td>2024/02/29</td></tr>
<tr><td><a href="show.aspx?id=300">`+t22+`</a></td><td>2023/01/30</td></tr>
<tr><td><a href="show.aspx?id=200">2021年度</a></td><td>2022/01/20</td></tr>
</table><div class="pager"><a href="list.aspx?cid=12&amp;page=1">1</a> <span>2</span></div>`)
	page("/zwgk/list.aspx?cid=12&page=1", "政府信息公开年度报告", `<a href="show.aspx?id=501">`+t24+`</a>`)
	page("/zwgk/show.aspx?id=480", "示范县卫生健康局2025年政务公开工作要点", `<h1>示范县卫生健康局2025年政务公开工作要点</h1>`)

	n24 := loadNumbers(t, "005_huaian_2024.expected.json", 10)
	n23 := loadNumbers(t, "005_huaian_2024.expected.json", 11)
	n22 := loadNumbers(t, "005_huaian_2024.expected.json", 12)
	page("/zwgk/show.aspx?id=501", t24, reportBody(ag, 2024, "发布时间：2025/01/24", n24, styleSpans))
	name := ag + "2023年 年报.docx"
	docPath := "/uploadfiles/202402/" + url.PathEscape(name)
	page("/zwgk/show.aspx?id=402", t23, `<h1>`+t23+`</h1><div class="info">发布时间：2024-02-29</div>
<p>`+ag+`2023年度政府信息公开工作年度报告全文见附件。</p>
<p><a href="/uploadfiles/202402/`+name+`">点击下载</a></p>`)
	w.add(wjHost, docPath, "application/msword", docxReport(t, ag, 2023, "", n23))
	page("/zwgk/show.aspx?id=300", t22, reportBody(ag, 2022, "发布时间：2023年01月30日", n22, styleWord))
	// 2021: a year-only item; the page's title has no year, its text does.
	n21 := loadNumbers(t, "005_huaian_2024.expected.json", 28)
	page("/zwgk/show.aspx?id=200", ag+"政府信息公开工作年度报告", reportBodyTitled(ag+"政府信息公开工作年度报告", ag, 2021, "发布时间：2022/01/20", n21, styleSpans))
	base := "http://" + wjHost
	w.reports = append(w.reports, wantReport{URL: base + "/zwgk/show.aspx?id=200", Role: "report", Agency: ag, Year: 2021,
		Total: n21.Applications["total"][6], Published: "2022-01-20", Apps: n21.Applications})
	w.reports = append(w.reports,
		wantReport{base + "/zwgk/show.aspx?id=501", "report", ag, 2024, n24.Applications["total"][6], "2025-01-24", false, "", n24.Applications},
		wantReport{base + docPath, "attachment", ag, 2023, n23.Applications["total"][6], "", false, "", n23.Applications},
		wantReport{URL: base + "/zwgk/show.aspx?id=402", Role: "report", Agency: ag, Year: 2023, Published: "2024-02-29", Wrapper: true},
		wantReport{base + "/zwgk/show.aspx?id=300", "report", ag, 2022, n22.Applications["total"][6], "2023-01-30", false, "", n22.Applications})
	w.want(ag, 2021, "on_time", 0)
	w.want(ag, 2022, "on_time", 0)
	w.want(ag, 2023, "late", 29)
	w.want(ag, 2024, "on_time", 0)
}

const sfjHost = "sfj.sfq-demo.gov.cn"

// trailingYear is a TRS site whose report titles put the year last
// (…年度报告（2023年度）) or in full-width digits, and whose paging call
// takes its numbers from variables: createPageHTML(countPage, currentPage,
// "index", "htm").
func trailingYear(t *testing.T, w *world, seeds *strings.Builder) {
	const ag = "示范区司法局"
	fmt.Fprintf(seeds, "http://%s/ %s\n", sfjHost, ag)
	// A Windows-made robots.txt: BOM, CRLF, a group for this crawler and
	// a wildcard rule.
	w.add(sfjHost, "/robots.txt", "text/plain", []byte("\ufeffUser-agent: *\r\nDisallow: /*?keywords=\r\n\r\nUser-agent: nianbao\r\nDisallow: /zwgk/zfxxgkzn/\r\nDisallow: /*?keywords=\r\n"))
	w.forbidden = append(w.forbidden, sfjHost+"/zwgk/zfxxgkzn/", sfjHost+"/search.jsp?keywords=")
	w.blocked = append(w.blocked, "http://"+sfjHost+"/zwgk/zfxxgkzn/", "http://"+sfjHost+"/search.jsp?keywords=%E5%B9%B4%E6%8A%A5",
		"http://"+trsHost+"/search/index.jsp?q=%E5%B9%B4%E6%8A%A5", "http://"+zrHost+"/zwgk/ndbg/print/?id=55")
	w.page(sfjHost, "/", ag, `<a href="/zwgk/">政务公开</a> <a href="/xwzx/">新闻中心</a> <a href="/search.jsp?keywords=%E5%B9%B4%E6%8A%A5">搜索年报</a>`)
	w.page(sfjHost, "/zwgk/zfxxgkzn/", "政府信息公开指南", `<p>指南</p>`)
	w.page(sfjHost, "/xwzx/", "新闻中心", `<a href="/xwzx/202501/t20250102_1.htm">示范区司法局2024年度工作总结和2025年工作计划</a>`)
	w.page(sfjHost, "/xwzx/202501/t20250102_1.htm", "示范区司法局2024年度工作总结和2025年工作计划", `<h1>示范区司法局2024年度工作总结和2025年工作计划</h1>`)
	w.page(sfjHost, "/zwgk/", "政务公开", `<ul><li><a href="./zfxxgkndbg/">政府信息公开工作年度报告</a></li><li><a href="./zfxxgkzn/">政府信息公开指南</a></li></ul>`)
	w.page(sfjHost, "/zwgk/zfxxgkndbg/", "政府信息公开工作年度报告", `<ul>
<li><a href="./202501/t20250115_9.htm" title="示范区司法局政府信息公开工作年度报告（2024年度）">示范区司法局政府信息公开工作年度报告（2024年度）</a></li>
</ul>
<script>
var currentPage = 0;//所在页从0开始
var countPage = 2//共多少页
createPageHTML(countPage, currentPage, "index", "htm");
</script>`)
	w.page(sfjHost, "/zwgk/zfxxgkndbg/index_1.htm", "政府信息公开工作年度报告", `<ul>
<li><a href="./202402/t20240202_8.htm">示范区司法局政府信息公开工作年度报告（2023年度）</a></li>
<li><a href="./202201/t20220128_5.htm">２０２１年度政府信息公开工作年度报告</a></li>
</ul>
<script>
var currentPage = 1;
var countPage = 2;
createPageHTML(countPage, currentPage, "index", "htm");
</script>`)
	n24 := loadNumbers(t, "005_huaian_2024.expected.json", 13)
	n23 := loadNumbers(t, "005_huaian_2024.expected.json", 14)
	n21 := loadNumbers(t, "005_huaian_2024.expected.json", 15)
	ti24, ti23 := ag+"政府信息公开工作年度报告（2024年度）", ag+"政府信息公开工作年度报告（2023年度）"
	ti21 := ag + "２０２１年度政府信息公开工作年度报告"
	col := "/zwgk/zfxxgkndbg/"
	w.page(sfjHost, col+"202501/t20250115_9.htm", ti24, reportBodyTitled(ti24, ag, 2024, "发布日期：2025-01-15", n24, styleWord))
	w.page(sfjHost, col+"202402/t20240202_8.htm", ti23, reportBodyTitled(ti23, ag, 2023, "发布日期：2024-02-02", n23, styleSpans))
	// A GBK page whose server says UTF-8; its meta tag is right.
	w.add(sfjHost, col+"202201/t20220128_5.htm", "text/html; charset=UTF-8", gbk(t, strings.Replace(
		chrome(ti21, "", reportBodyTitled(ti21, ag, 2021, "发布日期：2022-01-28", n21, styleSpans)),
		`<meta charset="utf-8">`, `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`, 1)))
	base := "http://" + sfjHost + col
	w.reports = append(w.reports,
		wantReport{base + "202501/t20250115_9.htm", "report", ag, 2024, n24.Applications["total"][6], "2025-01-15", false, "", n24.Applications},
		wantReport{base + "202402/t20240202_8.htm", "report", ag, 2023, n23.Applications["total"][6], "2024-02-02", false, "", n23.Applications},
		wantReport{base + "202201/t20220128_5.htm", "report", ag, 2021, n21.Applications["total"][6], "2022-01-28", false, "", n21.Applications})
	w.want(ag, 2021, "on_time", 0)
	w.want(ag, 2022, "missing", 0)
	w.want(ag, 2023, "late", 2)
	w.want(ag, 2024, "on_time", 0)
}

const jyHost = "jyj.sfdemo2.gov.cn"

// scripted is a site whose navigation is script-driven: a 更多 box and
// table rows that open pages from onclick handlers, and a report page
// that shows its DOCX through a document viewer (viewer.html?file=…).
// The 2023 report is published on its deadline day, the 2024 one a day
// late.
func scripted(t *testing.T, w *world, seeds *strings.Builder) {
	const ag = "示范市教育局"
	fmt.Fprintf(seeds, "http://%s/ %s\n", jyHost, ag)
	w.add(jyHost, "/robots.txt", "text/plain", []byte("User-agent: *\nDisallow: /static/office/\n"))
	// The home page forwards by script (a PC/mobile switch).
	w.page(jyHost, "/", ag, `<script>if (/Mobile/.test(navigator.userAgent)) { window.location.href = "/m/"; } else { window.location.href = "/site/"; }</script>`)
	w.page(jyHost, "/m/", ag, `<p>手机版</p>`)
	w.page(jyHost, "/site/", ag, `<div class="box"><div class="hd">政府信息公开年报<div class="more" onclick="window.location.href='/xxgk/ndbg/'">更多</div></div></div>`)
	w.page(jyHost, "/xxgk/ndbg/", "政府信息公开年报", `<table class="list">
<tr onclick="window.open('/xxgk/ndbg/content_1024.html')"><td>`+ag+`2024年政府信息公开工作年度报告</td><td>2025-02-01</td></tr>
<tr onclick="window.open('/xxgk/ndbg/content_1023.html')"><td>`+ag+`2023年政府信息公开工作年度报告</td><td>2024-01-31</td></tr>
<tr onclick="window.open('/xxgk/ndbg/content_1022.html')"><td>`+ag+`2022年政府信息公开工作年度报告</td><td>2023-01-16</td></tr>
<tr onclick="window.open('/xxgk/ndbg/content_1021.html')"><td>`+ag+`政府信息公开工作年度报告</td><td>2022-01-10</td></tr>
<tr onclick="window.open('/xxgk/ndbg/content_1020.html')"><td>`+ag+`2023年度部门决算公开</td><td>2024-08-31</td></tr>
</table>`)
	w.page(jyHost, "/xxgk/ndbg/content_1020.html", ag+"2023年度部门决算公开", `<h1>`+ag+`2023年度部门决算公开</h1>`)
	n24 := loadNumbers(t, "005_huaian_2024.expected.json", 16)
	n23 := loadNumbers(t, "005_huaian_2024.expected.json", 17)
	docPath := "/files/2025/02/" + url.PathEscape("2024年报.docx")
	w.page(jyHost, "/pdfjs/web/viewer.html", "viewer", `<div id="viewer"></div>`)
	w.page(jyHost, "/xxgk/ndbg/content_1024.html", ag+"2024年政府信息公开工作年度报告", `<h1>`+ag+`2024年政府信息公开工作年度报告</h1>
<div class="info">发布日期：2025-02-01</div>
<iframe src="/pdfjs/web/viewer.html?file=`+url.QueryEscape(docPath)+`" width="100%" height="900"></iframe>`)
	w.add(jyHost, docPath, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docxReport(t, ag, 2024, "", n24))
	// Served by a Tomcat that labels every page ISO-8859-1 (the body is UTF-8).
	w.add(jyHost, "/xxgk/ndbg/content_1023.html", "text/html;charset=ISO-8859-1",
		[]byte(strings.Replace(chrome(ag+"2023年政府信息公开工作年度报告", "", reportBody(ag, 2023, "发布日期：2024-01-31", n23, styleWord)), `<meta charset="utf-8">`, "", 1)))
	// 2022: the date stands unlabelled in the article's info line.
	n22 := loadNumbers(t, "005_huaian_2024.expected.json", 24)
	b22 := strings.Replace(reportBody(ag, 2022, "", n22, styleSpans), "</h1>\n",
		"</h1>\n<div class=\"info\"><span class=\"time\">2023-01-16 10:20</span><span>来源：示范市教育局</span><span>浏览次数：1024</span></div>\n", 1)
	w.page(jyHost, "/xxgk/ndbg/content_1022.html", ag+"2022年政府信息公开工作年度报告", b22)
	w.want(ag, 2022, "on_time", 0)
	base := "http://" + jyHost
	w.reports = append(w.reports, wantReport{URL: base + "/xxgk/ndbg/content_1022.html", Role: "report", Agency: ag, Year: 2022,
		Total: n22.Applications["total"][6], Published: "2023-01-16", Apps: n22.Applications})
	w.reports = append(w.reports,
		wantReport{base + docPath, "attachment", ag, 2024, n24.Applications["total"][6], "", false, "", n24.Applications},
		wantReport{URL: base + "/xxgk/ndbg/content_1024.html", Role: "report", Agency: ag, Year: 2024, Published: "2025-02-01", Wrapper: true},
		wantReport{base + "/xxgk/ndbg/content_1023.html", "report", ag, 2023, n23.Applications["total"][6], "2024-01-31", false, "", n23.Applications})
	// 2021: neither the list nor the page names the year; the text does.
	n21 := loadNumbers(t, "005_huaian_2024.expected.json", 29)
	w.page(jyHost, "/xxgk/ndbg/content_1021.html", ag+"政府信息公开工作年度报告", reportBodyTitled(ag+"政府信息公开工作年度报告", ag, 2021, "发布日期：2022-01-10", n21, styleWord))
	w.reports = append(w.reports, wantReport{URL: "http://" + jyHost + "/xxgk/ndbg/content_1021.html", Role: "report", Agency: ag, Year: 2021,
		Total: n21.Applications["total"][6], Published: "2022-01-10", Apps: n21.Applications})
	w.want(ag, 2021, "on_time", 0)
	w.want(ag, 2023, "on_time", 0)
	w.want(ag, 2024, "late", 1)
}

const countyHost = "www.sfx-county.gov.cn"

// county is a county government's site that hosts the reports of all its
// departments in one column; only its police bureau is seeded, so the
// other departments' reports are archived but must not count for it.
func county(t *testing.T, w *world, seeds *strings.Builder) {
	const ag = "示范县公安局"
	fmt.Fprintf(seeds, "http://%s/ %s\n", countyHost, ag)
	// no robots.txt: its 404 allows everything
	// The home page only forwards by meta refresh.
	w.add(countyHost, "/", "text/html", []byte(`<html><head><meta http-equiv="refresh" content="0;URL=/portal/index.html"></head><body></body></html>`))
	w.page(countyHost, "/portal/index.html", "示范县人民政府", `<a href="/zwgk/">政务公开</a> <a href="/zwgk/bmxxgk/gaj/">县公安局</a>`)
	w.page(countyHost, "/zwgk/bmxxgk/gaj/", "县公安局信息公开", `<a href="/zwgk/xxgknb/">政府信息公开年报</a>`)
	w.page(countyHost, "/zwgk/", "政务公开", `<a href="/zwgk/xxgknb/">政府信息公开年报</a> <a href="/zwgk/xxgkzn/">政府信息公开指南</a>`)
	type doc struct {
		agency string
		year   int
		date   string
		k      float64
	}
	docs := []doc{
		{"示范县人民政府", 2024, "2025-03-25", 18},
		{"示范县教育局", 2024, "2025-01-20", 19},
		{ag, 2024, "2025-01-22", 20},
		{"示范县教育局", 2023, "2024-01-18", 21},
		{ag, 2023, "2024-02-20", 22},
		{"示范县人民政府", 2022, "2023-03-30", 23},
	}
	var list strings.Builder
	base := "http://" + countyHost
	for i, d := range docs {
		u := fmt.Sprintf("/zwgk/xxgknb/%s/t%s_%d.html", strings.ReplaceAll(d.date[:7], "-", ""), strings.ReplaceAll(d.date, "-", ""), 700+i)
		title := fmt.Sprintf("%s%d年政府信息公开工作年度报告", d.agency, d.year)
		fmt.Fprintf(&list, "<li><a href=\"%s\">%s</a><span>%s</span></li>\n", u, title, d.date)
		n := loadNumbers(t, "005_huaian_2024.expected.json", d.k)
		style := styleSpans
		if d.agency == ag {
			style = styleSplit
		}
		w.page(countyHost, u, title, reportBody(d.agency, d.year, "发布日期："+d.date, n, style))
		wr := wantReport{base + u, "report", d.agency, d.year, n.Applications["total"][6], d.date, false, "", n.Applications}
		if d.agency != ag {
			wr.Seed = ag
		}
		w.reports = append(w.reports, wr)
	}
	w.page(countyHost, "/zwgk/xxgknb/", "政府信息公开年报", "<ul>"+list.String()+"</ul>")
	w.want(ag, 2021, "missing", 0)
	w.want(ag, 2022, "missing", 0)
	w.want(ag, 2023, "late", 20)
	w.want(ag, 2024, "on_time", 0)
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve starts the world and returns the resolve map for every host.
func serve(t *testing.T, w *world) map[string]string {
	t.Helper()
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	hosts := map[string]bool{}
	for k := range w.static {
		hosts[k[:strings.IndexByte(k, '/')]] = true
	}
	resolve := map[string]string{}
	var hs []string
	for h := range hosts {
		resolve[h] = addr
		hs = append(hs, h)
	}
	sort.Strings(hs)
	t.Logf("world hosts: %s at %s", strings.Join(hs, " "), addr)
	return resolve
}
