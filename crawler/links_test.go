package crawler

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/archive"
	"golang.org/x/net/html"
)

func TestReportYear(t *testing.T) {
	tests := []struct {
		title string
		want  int
	}{
		{"2021年政府信息公开工作年度报告", 2021},
		{"鄂尔多斯市2018年政府信息公开年度报告", 2018},
		{"长沙市公安局2023年度政府信息公开工作年度报告", 2023},
		{"2019年政府信息公开年报", 2019},
		{"关于印发《2020年政府信息公开工作年度报告》的通知", 2020},
		{"恩格贝生态示范区召开2020年度工作会暨党风廉政建设会议", 0},
		{"关于开展2021年度企业年报公示工作的通知", 0},
		{"政府信息公开年报", 0},
		{"一图读懂示范区2017年重点工作", 0},
		{"图解《2021年政府信息公开工作年度报告》", 0},
		{"", 0},
		{"2021年度企业年度报告公示", 0},
		{"某区2021年法治政府建设年度报告", 0},
		{"2022年统计年报", 0},
		{"2021年度政府信息公开工作年度报告（政务公开）", 2021},
		{"示范区司法局政府信息公开工作年度报告（2023年度）", 2023},
		{"市交通运输局政府信息公开工作年度报告(2022年)", 2022},
		{"政府信息公开工作年度报告 2021", 2021},
		{"政府信息公开年报（2020）", 2020},
		{"２０２２年政府信息公开工作年度报告", 2022},
		{"国家某局2019年政府信息公开工作报告", 2019},
		{"政府信息公开工作年度报告解读（2023年）", 0},
		{"政府信息公开工作年度报告第2023号", 0},
		{"政府信息公开工作年度报告编制说明2021年修订", 0},
	}
	for _, tt := range tests {
		if got := reportYear(tt.title); got != tt.want {
			t.Errorf("reportYear(%q) = %d, want %d", tt.title, got, tt.want)
		}
	}
}

// TestOrdosListPage runs discovery on a real TRS list page saved from the
// web and checks which links it takes for reports against the page's
// hand-made expected.json.
func TestOrdosListPage(t *testing.T) {
	// A copy of ../shared/corpus/L01_ordos_egb_xxgknb_index.{html,expected.json}.
	const dir = "testdata/"
	src, err := os.ReadFile(dir + "L01_ordos_egb_xxgknb_index.html")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Links []struct {
			Href     string `json:"href"`
			Title    string `json:"title"`
			IsReport bool   `json:"is_report"`
			Year     int    `json:"report_year"`
		} `json:"links"`
		Pagination struct {
			Next string `json:"next"`
		} `json:"pagination"`
	}
	b, err := os.ReadFile(dir + "L01_ordos_egb_xxgknb_index.expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://www.ordos.gov.cn/egb/xxgk/xxgknb/index.html")
	text, cs := decode(src, "text/html")
	if cs != "utf-8" {
		t.Errorf("charset = %q, want utf-8", cs)
	}
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	p := parsePage(base, doc)
	found := map[string]Link{}
	for _, l := range p.Links {
		found[l.URL] = l
	}
	for _, e := range exp.Links {
		u, _ := normalize(base, e.Href)
		l, ok := found[u.String()]
		if !ok {
			t.Errorf("link %s (%s) not found", u, e.Title)
			continue
		}
		prio, role, ok := classify(l, u, "list")
		isReport := ok && prio == prioReport && role == "report"
		if isReport != e.IsReport {
			t.Errorf("%s %q: taken for a report = %v, want %v", e.Href, l.Text, isReport, e.IsReport)
		}
		if e.IsReport && reportYear(l.Text) != e.Year {
			t.Errorf("%s: year %d, want %d", e.Href, reportYear(l.Text), e.Year)
		}
	}
	next, _ := normalize(base, exp.Pagination.Next)
	l, ok := found[next.String()]
	if !ok {
		t.Fatalf("next page %s not found", next)
	}
	if prio, role, _ := classify(l, next, "list"); prio != prioList || role != "list" {
		t.Errorf("next page classified %d %q, want list priority", prio, role)
	}
	// Nothing else on the page may pass for a report.
	reports := 0
	for _, l := range p.Links {
		u, _ := url.Parse(l.URL)
		if prio, role, ok := classify(l, u, "list"); ok && prio == prioReport && role == "report" {
			reports++
		}
	}
	want := 0
	for _, e := range exp.Links {
		if e.IsReport {
			want++
		}
	}
	if reports != want {
		t.Errorf("%d links taken for reports, want %d", reports, want)
	}
}

func TestScriptLinks(t *testing.T) {
	page := `<html><body>
<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/jpage.jsp?p=2">x</a>]]></nextgroup>
<recordset><record><![CDATA[<li><a href="/art/2022/3/1/art_1_2.html" title="2021年政府信息公开工作年度报告">2021年政府信息公开工...</a><span>2022-03-01</span></li>]]></record>
<record><![CDATA[<li><a href="./t20210115_9.html">2020年政府信息公开年报</a></li>]]></record></recordset></datastore></script>
<script>createPageHTML(3, 0, "index", "shtml");</script>
<a href="/art/2021/1/1/art_2.html">2020年政府信息公开工...</a>
<script>var u = './202101/t20210101_5.html'; window.open("/files/2019年报.pdf");</script>
<a href="index_1.shtml">下一页</a>
<a href="javascript:void(0)">js</a><a href="#top">top</a><a href="mailto:a@b">m</a>
</body></html>`
	base, _ := url.Parse("http://gaj.example.gov.cn/col/nb/index.shtml")
	doc, _ := html.Parse(strings.NewReader(page))
	p := parsePage(base, doc)
	got := map[string]Link{}
	for _, l := range p.Links {
		got[l.URL] = l
	}
	want := map[string]string{
		"http://gaj.example.gov.cn/art/2022/3/1/art_1_2.html":        "2021年政府信息公开工作年度报告",
		"http://gaj.example.gov.cn/col/nb/t20210115_9.html":          "2020年政府信息公开年报",
		"http://gaj.example.gov.cn/col/nb/index_1.shtml":             "",
		"http://gaj.example.gov.cn/col/nb/index_2.shtml":             "第3页",
		"http://gaj.example.gov.cn/art/2021/1/1/art_2.html":          "2020年政府信息公开工...",
		"http://gaj.example.gov.cn/col/nb/202101/t20210101_5.html":   "",
		"http://gaj.example.gov.cn/files/2019%E5%B9%B4%E6%8A%A5.pdf": "",
	}
	for u, text := range want {
		l, ok := got[u]
		if !ok {
			t.Errorf("missing %s; have %v", u, p.Links)
			continue
		}
		if text != "" && l.Text != text {
			t.Errorf("%s text %q, want %q", u, l.Text, text)
		}
	}
	if !got["http://gaj.example.gov.cn/module/jpage.jsp?p=2"].Paging {
		t.Error("Hanweb nextgroup link not marked as paging")
	}
	if !got["http://gaj.example.gov.cn/col/nb/index_1.shtml"].Paging {
		t.Error("下一页 link not marked as paging")
	}
	if len(p.Links) != len(want)+1 { // + the Hanweb nextgroup jsp link
		t.Errorf("%d links, want %d: %v", len(p.Links), len(want)+1, p.Links)
	}
}

func TestCreatePageArgs(t *testing.T) {
	tests := []struct {
		src       string
		total     int
		name, ext string
		ok        bool
	}{
		{`createPageHTML(5, 0, "index", "html");`, 5, "index", "html", true},
		{`createPageHTML('page_div', 7, 1, 'list', 'shtml', 20);`, 7, "list", "shtml", true},
		{`createPageHTML(countPage, currentPage, "index", "html")`, 0, "", "", false},
		{"var currentPage = 0;\nvar countPage = 6;\ncreatePageHTML(countPage, currentPage, \"index\", \"htm\");", 6, "index", "htm", true},
		{"var countPage = \"3\"//共多少页\nvar currentPage = 1;createPageHTML(countPage, currentPage, 'index', 'shtml');", 3, "index", "shtml", true},
		{"countPage = 4;\nfunction f(){ createPageHTML(window.countPage, cur, \"index\", \"html\") }", 0, "", "", false},
		{`createPageHTML(2, 0)`, 0, "", "", false},
		{"function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}\ncreatePageHTML(4, 1, \"index\", \"htm\");", 4, "index", "htm", true},
	}
	for _, tt := range tests {
		total, name, ext, ok := createPageArgs(tt.src)
		if ok != tt.ok || total != tt.total || name != tt.name || ext != tt.ext {
			t.Errorf("createPageArgs(%s) = %d %q %q %v", tt.src, total, name, ext, ok)
		}
	}
}

func TestTrap(t *testing.T) {
	tests := []struct {
		u    string
		trap bool
	}{
		{"http://h/xxgk/nb/index_1.html", false},
		{"http://h/2021/01/01/t1.html", false},
		{"http://h/cal/?month=2024-05", true},
		{"http://h/event?date=20240501", true},
		{"http://h/a/b/a/b/a/b/", true},
		{"http://h/x/x/", true},
		{"http://h/list?page=2", false},
		{"http://h/" + strings.Repeat("p", 600), true},
		{"http://h/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15&col=1&appid=1&webid=1&path=%2F&columnid=1229100&sourceContentType=1&unitid=4001&webname=%E7%A4%BA%E8%8C%83%E5%B8%82%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0", false},
		{"http://h/s?" + strings.Repeat("a=1&", 5) + "b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1&o=1&p=1&q=1&r=1", true},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.u)
		if got := trap(u) != ""; got != tt.trap {
			t.Errorf("trap(%s) = %v (%q), want %v", tt.u, got, trap(u), tt.trap)
		}
	}
}

func TestDecodeCharsets(t *testing.T) {
	gbk := []byte{0xd5, 0xfe, 0xb8, 0xae} // 政府 in GBK
	tests := []struct {
		name, ct string
		body     []byte
		wantCS   string
	}{
		{"header", "text/html; charset=GBK", append([]byte("<p>"), gbk...), "gbk"},
		{"meta charset", "text/html", append([]byte(`<meta charset="gb2312"><p>`), gbk...), "gbk"},
		{"meta http-equiv", "text/html", append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=gbk"><p>`), gbk...), "gbk"},
		{"sniffed", "text/html", append([]byte(`<p>`), gbk...), "gb18030"},
		{"utf8", "", []byte("<p>政府"), "utf-8"},
		{"utf8 page labelled latin-1", "text/html;charset=ISO-8859-1", []byte("<html><p>政府信息公开"), "utf-8"},
		{"gbk page labelled utf-8, meta says gb2312", "text/html; charset=UTF-8",
			append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>`), bytes.Repeat(gbk, 20)...), "gbk"},
		{"gbk page labelled utf-8, no meta", "text/html; charset=utf-8", append([]byte(`<p>`), bytes.Repeat(gbk, 20)...), "gb18030"},
		{"utf8 page, meta gbk, header right", "text/html; charset=utf-8", []byte(`<meta charset="gbk"><p>政府`), "utf-8"},
		{"utf8 page labelled gbk", "text/html; charset=gbk", []byte("<p>政府信息公开"), "utf-8"},
		{"utf8 page, meta gb2312, no header", "text/html", []byte(`<meta charset="gb2312"><p>政府信息公开`), "utf-8"},
	}
	for _, tt := range tests {
		got, cs := decode(tt.body, tt.ct)
		if cs != tt.wantCS || !strings.Contains(got, "政府") {
			t.Errorf("%s: decode = %q, %q; want 政府 and %q", tt.name, got, cs, tt.wantCS)
		}
	}
}

func TestPageTextTables(t *testing.T) {
	doc, _ := html.Parse(strings.NewReader(`<html><head><title>T</title><script>var x=1</script></head><body>
<h1>2021年政府信息公开工作年度报告</h1><p>一、总体情况</p>
<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table></body></html>`))
	got := pageText(doc)
	want := "2021年政府信息公开工作年度报告\n一、总体情况\n信息内容\t本年制发件数\n规章\t0"
	if got != want {
		t.Errorf("pageText = %q, want %q", got, want)
	}
}

// TestHanwebDataProxy reads the XML a Hanweb dataproxy.jsp answers with.
func TestHanwebDataProxy(t *testing.T) {
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=2&columnid=7"></a>]]></nextgroup><recordset>
<record><![CDATA[<li><a href="/art/2019/1/2/art_7_1.html" title="2018年政府信息公开工作年度报告">2018年政府信息公开...</a></li>]]></record>
</recordset></datastore>`)
	base, _ := url.Parse("http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?page=1&columnid=7")
	an := analyze(base, body, "text/xml;charset=UTF-8")
	if an.page == nil || len(an.page.Links) != 2 {
		t.Fatalf("links %+v", an.page)
	}
	l := an.page.Links[1]
	if l.URL != "http://www.example.gov.cn/art/2019/1/2/art_7_1.html" || reportYear(l.Text) != 2018 {
		t.Errorf("record link %+v", l)
	}
	if !an.page.Links[0].Paging {
		t.Errorf("next group link %+v not paging", an.page.Links[0])
	}
}

// TestClassifyLinks checks which links discovery follows and how: calendar
// navigation is never followed, reports and lists are.
func TestClassifyLinks(t *testing.T) {
	tests := []struct {
		text, u string
		parent  archive.Role
		ok      bool
		prio    int
	}{
		{"下一月", "http://h/hdjl/rili/2025/02/index.shtml", "other", false, 0},
		{"上一月", "http://h/hdjl/rili/2024/12/index.shtml", "other", false, 0},
		{"« 上一年", "http://h/cal/2023/", "other", false, 0},
		{"后一天", "http://h/cal/2023/01/02/", "other", false, 0},
		{"下一周", "http://h/cal/w/12", "other", false, 0},
		{"下一页", "http://h/xxgk/nb/index_1.html", "list", true, prioList},
		{"2023年政府信息公开工作年度报告", "http://h/a/t1.html", "list", true, prioReport},
		{"政府信息公开年报", "http://h/col/col1229100/index.html", "other", true, prioList},
		{"上月工作简报", "http://h/news/1.html", "other", true, prioOther},
		{"2022年", "http://h/xxgk/detail.jsp?id=3", "list", true, prioReport},
		{"2021年度", "http://h/files/a1b2c3.pdf", "list", true, prioReport},
		{"（2020）", "http://h/files/d4e5.docx", "list", true, prioReport},
		{"2021年度", "http://h/files/a1b2c3.pdf", "other", false, 0},
		{"2022年预算", "http://h/files/ys.pdf", "list", false, 0},
		{"2022年", "http://h/news/2022/", "other", true, prioOther},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.u)
		prio, _, ok := classify(Link{URL: tt.u, Text: tt.text, Paging: reNext.MatchString(tt.text)}, u, tt.parent)
		if ok != tt.ok || (ok && prio != tt.prio) {
			t.Errorf("classify(%q, %s) = %d, %v; want %d, %v", tt.text, tt.u, prio, ok, tt.prio, tt.ok)
		}
	}
}

// TestOnclickAndJpageLinks reads links real CMSs hide in handlers and
// scripts: an anchor opening its page from onclick (TRS lists) and the
// dataproxy.jsp record groups of a Hanweb jpage call.
func TestOnclickAndJpageLinks(t *testing.T) {
	tests := []struct {
		name, page string
		want       []string
		paging     bool
	}{
		{"window.open", `<a href="javascript:void(0)" onclick="window.open('./202402/t20240205_2901.shtml')" title="2023年政府信息公开工作年度报告">2023年政府…</a>`,
			[]string{"http://h.gov.cn/xxgk/ndbg/202402/t20240205_2901.shtml"}, false},
		{"location.href", `<a href="#" onclick="location.href='/art/2023/1/1/art_1_1.html';return false;">2022年年报</a>`,
			[]string{"http://h.gov.cn/art/2023/1/1/art_1_1.html"}, false},
		{"custom opener", `<a href="javascript:;" onclick="openDetail('detail.jsp?id=12')">2022年</a>`,
			[]string{"http://h.gov.cn/xxgk/ndbg/detail.jsp?id=12"}, false},
		{"real href wins", `<a href="/a.html" onclick="window.open('/b.html')">x</a>`,
			[]string{"http://h.gov.cn/a.html"}, false},
		{"no url in handler", `<a href="javascript:void(0)" onclick="toggle(3)">x</a>`, nil, false},
		{"jpage groups", `<div id="4001"><script type="text/xml"><datastore><totalrecord>50</totalrecord><recordset></recordset></datastore></script></div>
<script>$('#4001').jpage({dataStore: d, perPage: 10, groupSize: 2, proxyUrl: '/module/web/jpage/dataproxy.jsp',
 ajaxParam: {col:1, appid:1, webid:"2", path:'/', columnid:1229100, unitid:'4001', webname:'某局', permissiontype:0}});</script>`,
			[]string{
				"http://h.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=20&perpage=10&col=1&appid=1&webid=2&path=%2F&columnid=1229100&unitid=4001&webname=%E6%9F%90%E5%B1%80&permissiontype=0",
				"http://h.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=21&endrecord=40&perpage=10&col=1&appid=1&webid=2&path=%2F&columnid=1229100&unitid=4001&webname=%E6%9F%90%E5%B1%80&permissiontype=0",
				"http://h.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=41&endrecord=50&perpage=10&col=1&appid=1&webid=2&path=%2F&columnid=1229100&unitid=4001&webname=%E6%9F%90%E5%B1%80&permissiontype=0",
			}, true},
		{"row onclick", `<table><tr onclick="javascript:window.location.href='./202301/t20230118_1.html'"><td>2022年政府信息公开工作年度报告</td><td>2023-01-18</td></tr></table>`,
			[]string{"http://h.gov.cn/xxgk/ndbg/202301/t20230118_1.html"}, false},
		{"data-href", `<ul><li data-href="/art/2023/1/18/art_5_1.html">2022年年报</li></ul>`,
			[]string{"http://h.gov.cn/art/2023/1/18/art_5_1.html"}, false},
		{"pdf.js viewer iframe", `<iframe src="/static/pdfjs/web/viewer.html?file=%2Fuploadfile%2F2023%2F%E5%B9%B4%E6%8A%A5.pdf"></iframe>`,
			[]string{"http://h.gov.cn/static/pdfjs/web/viewer.html?file=%2Fuploadfile%2F2023%2F%E5%B9%B4%E6%8A%A5.pdf", "http://h.gov.cn/uploadfile/2023/%E5%B9%B4%E6%8A%A5.pdf"}, false},
		{"viewer relative file", `<a href="/pdfjs/viewer.html?file=../files/a.pdf&amp;page=1">查看</a>`,
			[]string{"http://h.gov.cn/pdfjs/viewer.html?file=../files/a.pdf&page=1", "http://h.gov.cn/files/a.pdf"}, false},
		{"embed and object", `<embed src="/u/2023/nb.pdf" type="application/pdf"><object data="/u/2023/nb.ofd"></object>`,
			[]string{"http://h.gov.cn/u/2023/nb.pdf", "http://h.gov.cn/u/2023/nb.ofd"}, false},
		{"query without document", `<a href="/list.jsp?page=2&amp;col=3">2</a>`, []string{"http://h.gov.cn/list.jsp?page=2&col=3"}, false},
		{"jpage with nextgroup", `<div id="46711"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=63098&unitid=46711&webname=x&permissiontype=0"></a>]]></nextgroup><recordset></recordset></datastore></script></div>
<script>$('#46711').jpage({proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, totalRecord: 20, groupSize: 3});</script>`,
			[]string{
				"http://h.gov.cn/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=63098&unitid=46711&webname=x&permissiontype=0",
				"http://h.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=20&perpage=15&appid=1&webid=1&path=/&columnid=63098&unitid=46711&webname=x&permissiontype=0",
			}, true},
		{"meta refresh", `<html><head><meta http-equiv="Refresh" content="0; URL=/zwgk/index.shtml"></head></html>`,
			[]string{"http://h.gov.cn/zwgk/index.shtml"}, false},
		{"meta refresh quoted", `<meta http-equiv="refresh" content="3;url='../portal/'">`,
			[]string{"http://h.gov.cn/xxgk/portal/"}, false},
		{"meta refresh reload only", `<meta http-equiv="refresh" content="300">`, nil, false},
		{"script location", `<script>if (mobile) {} else { window.location.href = "/pc/"; }</script>`,
			[]string{"http://h.gov.cn/pc/"}, false},
		{"script location.replace", `<script>location.replace('/portal/index')</script>`,
			[]string{"http://h.gov.cn/portal/index"}, false},
		{"script property not location", `<script>var a = obj.location = "x"; mylocation = "/no/";</script>`, nil, false},
		{"jpage without total", `<script>$('#1').jpage({proxyUrl: '/module/web/jpage/dataproxy.jsp'});</script>`, nil, false},
	}
	base, _ := url.Parse("http://h.gov.cn/xxgk/ndbg/index.html")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, _ := html.Parse(strings.NewReader("<html><body>" + tt.page + "</body></html>"))
			p := parsePage(base, doc)
			var got []string
			for _, l := range p.Links {
				got = append(got, l.URL)
				if l.Paging != tt.paging {
					t.Errorf("%s paging %v, want %v", l.URL, l.Paging, tt.paging)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("links\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestIsListTitle(t *testing.T) {
	tests := []struct {
		title string
		want  bool
	}{
		{"政府信息公开年报", true},
		{"政府信息公开工作年度报告", true},
		{"年度报告", true},
		{"示范市2024年法治政府建设年度报告", false},
		{"2022年统计年报", false},
		{"2021年政府信息公开工作年度报告", false},
		{"政府信息公开指南", false},
	}
	for _, tt := range tests {
		if got := isListTitle(tt.title); got != tt.want {
			t.Errorf("isListTitle(%q) = %v, want %v", tt.title, got, tt.want)
		}
	}
}

// TestLinkTexts checks the text a link is named by: its own text, its
// title attribute when the text is cut or empty, an image's alt text.
func TestLinkTexts(t *testing.T) {
	tests := []struct{ page, want string }{
		{`<a href="/a">2022年政府信息公开工作年度报告</a>`, "2022年政府信息公开工作年度报告"},
		{`<a href="/a" title="2022年政府信息公开工作年度报告">2022年政府信息公开工作年度…</a>`, "2022年政府信息公开工作年度报告"},
		{`<a href="/a" title="政府信息公开年报"></a>`, "政府信息公开年报"},
		{`<a href="/a"><img src="/i/nb.png" alt="政府信息公开年报"></a>`, "政府信息公开年报"},
		{`<a href="/a"><span><img src="/i/nb.png" title="年报专栏"></span></a>`, "年报专栏"},
		{`<a href="/a"><img src="/i/x.png"></a>`, ""},
	}
	base, _ := url.Parse("http://h.gov.cn/")
	for _, tt := range tests {
		doc, _ := html.Parse(strings.NewReader(tt.page))
		p := parsePage(base, doc)
		if len(p.Links) != 1 || p.Links[0].Text != tt.want {
			t.Errorf("%s: links %+v, want text %q", tt.page, p.Links, tt.want)
		}
	}
}

func TestNormalizeSessions(t *testing.T) {
	base, _ := url.Parse("http://h.gov.cn/xxgk/list.jsp")
	tests := []struct{ ref, want string }{
		{"detail.jsp;jsessionid=8F2A9C0D1E?id=12", "http://h.gov.cn/xxgk/detail.jsp?id=12"},
		{"/col/ndbg/;JSESSIONID=abc", "http://h.gov.cn/col/ndbg/"},
		{"/list.php?PHPSESSID=5e7f&page=2", "http://h.gov.cn/list.php?page=2"},
		{"/list.php?page=2&sid=9&cid=3", "http://h.gov.cn/list.php?page=2&sid=9&cid=3"}, // sid is often a site id
		{"/show.aspx?id=3&sessionid=x", "http://h.gov.cn/show.aspx?id=3"},
		{"/a.html?sidebar=1", "http://h.gov.cn/a.html?sidebar=1"},
		{"HTTP://H.gov.cn:80/a.html#top", "http://h.gov.cn/a.html"},
	}
	for _, tt := range tests {
		u, ok := normalize(base, tt.ref)
		if !ok || u.String() != tt.want {
			t.Errorf("normalize(%q) = %v, want %s", tt.ref, u, tt.want)
		}
	}
}

func TestPageRole(t *testing.T) {
	tests := []struct {
		name string
		hint archive.Role
		p    *page
		want archive.Role
	}{
		{"report headline", "", &page{Headline: "2022年政府信息公开工作年度报告"}, "report"},
		{"column by title", "", &page{Title: "政府信息公开年报", Links: []Link{{Text: "2022年"}}}, "list"},
		{"column reached as other", "other", &page{Title: "政府信息公开年报"}, "list"},
		{"column by headline", "", &page{Headline: "政府信息公开年度报告", Title: "某局门户网站"}, "list"},
		{"links to reports", "", &page{Title: "某页", Links: []Link{{Text: "2021年政府信息公开年报"}}}, "list"},
		{"plain page", "", &page{Title: "新闻动态"}, "other"},
		{"dated other report", "", &page{Title: "2024年法治政府建设年度报告"}, "other"},
		{"attachment stays", "attachment", &page{Title: "政府信息公开年报"}, "attachment"},
	}
	for _, tt := range tests {
		if got, _ := pageRole(tt.hint, "", tt.p); got != tt.want {
			t.Errorf("%s: pageRole = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestHasReportTables(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t3\t0", true},
		{"一、本年新收政府信息公开申请数量\t1\n二、上年结转政府信息公开申请数量\t0", true},
		{"政府信息公开年报\n2022年政府信息公开工作年度报告\n2021年政府信息公开工作年度报告", false},
		{"关于收到和处理政府信息公开申请情况的说明", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := hasReportTables(tt.text); got != tt.want {
			t.Errorf("hasReportTables(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestPrefiltersAgreeWithRegexps checks that the cheap tests run before
// the title regexps reject only texts the regexps reject.
func TestPrefiltersAgreeWithRegexps(t *testing.T) {
	for _, s := range []string{"", "2021年政府信息公开工…", "2021年政府信息公开工...", "2021 年 政务公开 ..", "2021年政府信息公开工作",
		"政府信息公开…", "上一月", " « 下一年 » ", "前一天", "首页", "下一页", "2021年度报告", "2021年年 报", "２０２１年年报"} {
		if got, want := truncatedReport(s), reTruncated.MatchString(strings.Join(strings.Fields(s), "")); got != want {
			t.Errorf("truncatedReport(%q) = %v, reTruncated says %v", s, got, want)
		}
		if reCalendarNav.MatchString(s) && !strings.ContainsAny(s, "上下前后") {
			t.Errorf("%q is calendar navigation without 上下前后", s)
		}
		if reportKey.in(strings.Join(strings.Fields(halfWidth(s)), "")) && !strings.Contains(s, "报") {
			t.Errorf("%q has a report key without 报", s)
		}
	}
}

// TestWordsAsRegexp checks the literal word lists against the regexp
// alternations they replaced, on texts built from their words, their
// halves and filler, and disclosurePath against reDisPath alone.
func TestWordsAsRegexp(t *testing.T) {
	lists := []struct {
		w     words
		re    string
		index bool // index is used (reportYear): it must find the same span
	}{
		{reportKey, `年度报告|年报|信息公开工作报告`, true},
		{notReport, `召开|会议|工作会|培训|解读|图解|一图读懂|征集|答记者问`, true},
		{discloseKey, `信息公开|政务公开`, true},
		{listKey, `信息公开年报|信息公开年度报告|政府信息公开工作年度报告|年度报告|年报`, false},
		{disclose, `政府信息公开|信息公开|公开目录|政务公开|法定主动公开`, false},
	}
	pieces := []string{"", "2021", "年", "度", "报告", "报", "信息", "公开", "工作", "政府", "目录", "法定主动", "会", "议", "图解", "x"}
	rng := rand.New(rand.NewPCG(3, 5))
	for _, l := range lists {
		re := regexp.MustCompile(l.re)
		for i := 0; i < 20000; i++ {
			var sb strings.Builder
			for j := rng.IntN(7); j >= 0; j-- {
				sb.WriteString(pieces[rng.IntN(len(pieces))])
			}
			s := sb.String()
			if got, want := l.w.in(s), re.MatchString(s); got != want {
				t.Fatalf("%v.in(%q) = %v, regexp %s says %v", l.w, s, got, l.re, want)
			}
			if got, want := l.w.index(s), re.FindStringIndex(s); l.index && !slices.Equal(got, want) {
				t.Fatalf("%v.index(%q) = %v, regexp %s says %v", l.w, s, got, l.re, want)
			}
		}
	}
	segs := []string{"/", "xxgk", "XXGK", "zfxxgk", "nb", "ndbg", "col12", "col", "gkml", "zwgk", "news", "_", ".", "a", "Zfxxgknb", "xxg\u212a"}
	for i := 0; i < 20000; i++ {
		var sb strings.Builder
		for j := rng.IntN(6); j >= 0; j-- {
			sb.WriteString(segs[rng.IntN(len(segs))])
		}
		p := sb.String()
		if got, want := disclosurePath(p), reDisPath.MatchString(p); got != want {
			t.Fatalf("disclosurePath(%q) = %v, reDisPath says %v", p, got, want)
		}
	}
}
