package fixtureworld

import (
	"embed"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

//go:embed testdata/sources
var sources embed.FS

func source(name string) (string, error) {
	b, err := sources.ReadFile("testdata/sources/" + name)
	if err != nil {
		return "", fmt.Errorf("fixture source %s: %w", name, err)
	}
	return string(b), nil
}

// Hosts of the Default world.
const (
	HostChangsha = "gaj.changsha.gov.cn"
	HostJiyuan   = "gaj.jiyuan.gov.cn"
	HostXtx      = "www.xtx.gov.cn"
	HostShengsi  = "www.shengsi.gov.cn"
	HostNingbo   = "gaj.ningbo.gov.cn"
	HostHongze   = "www.hongze.gov.cn"
	// Off-scope hosts: linked or redirected to, never to be fetched.
	HostHunan = "www.hunan.gov.cn"
	HostGov   = "www.gov.cn"
)

// Default returns the offline copies of the seed agencies' sites (see
// testdata/README.md): gaj.changsha.gov.cn, gaj.jiyuan.gov.cn,
// www.xtx.gov.cn, www.shengsi.gov.cn, gaj.ningbo.gov.cn, the extra seed
// www.hongze.gov.cn (a report only as PDF) and the off-scope hosts
// www.hunan.gov.cn and www.gov.cn.
func Default() (*World, error) {
	w := newWorld()
	w.seeds = "# fixture world seeds (internal/fixtureworld.Default)\n" +
		"http://gaj.changsha.gov.cn/   长沙市公安局       department\n" +
		"http://gaj.jiyuan.gov.cn/     济源示范区公安局   department\n" +
		"http://www.xtx.gov.cn/        湘潭县公安局       department\n" +
		"http://www.shengsi.gov.cn/    嵊泗县公安局       department\n" +
		"http://gaj.ningbo.gov.cn/     宁波市公安局       department\n" +
		"http://www.hongze.gov.cn/     淮安市洪泽区人民政府 government\n"
	for _, build := range []func(*World) error{buildChangsha, buildJiyuan, buildXtx, buildShengsi, buildNingbo, buildHongze, buildOffscope} {
		if err := build(w); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// assets adds the stylesheet and script every page references.
func (s *site) assets() {
	s.raw("/images/style.css", "text/css", []byte("body{font:14px/1.6 \"Microsoft YaHei\"}.list li{line-height:32px}\n"))
	s.raw("/js/jquery.min.js", "application/javascript", []byte("/*! jQuery stand-in for the fixture world */\n"))
}

// trsPager is the paging script of TRS WCM list pages: the page links
// exist only as createPageHTML arguments.
func trsPager(count, current int) string {
	return `<div class="page"><script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("首页&nbsp;上一页&nbsp;");
  else { document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">首页</a>&nbsp;");
    if(nCurrIndex == 1) document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">上一页</a>&nbsp;");
    else document.write("<a href=\""+_sPageName+"_" + (nCurrIndex-1) + "."+_sPageExt+"\">上一页</a>&nbsp;"); }
  if(nCurrIndex == (_nPageCount-1)) document.write("下一页&nbsp;尾页");
  else { document.write("<a href=\""+_sPageName+"_" + (nCurrIndex+1) + "."+_sPageExt+"\">下一页</a>&nbsp;");
    document.write("<a href=\""+_sPageName+"_" + (_nPageCount-1) + "."+_sPageExt+"\">尾页</a>"); }
}
createPageHTML(` + fmt.Sprintf("%d, %d", count, current) + `, "index", "html");
</script></div>
`
}

// attachmentsBlock renders the 附件 links of an article.
func attachmentsBlock(href, name string) string {
	return fmt.Sprintf("<div class=\"attachments\"><p>附件：<a href=\"%s\" target=\"_blank\">%s</a></p></div>\n", href, html.EscapeString(name))
}

func buildChangsha(w *World) error {
	s := w.newSite(HostChangsha, "长沙市公安局")
	s.assets()
	s.nav = `<a href="/">首页</a> <a href="/jwdt/index.html">警务动态</a> <a href="/xxgk/index.html">政府信息公开</a> <a href="/search/result.html?keyword=nianbao">站内搜索</a>`
	s.robots("User-agent: *\nDisallow: /search/\nDisallow: /hdjl/wsxf/\n")
	s.forbid("/search/result.html?keyword=nianbao")
	s.forbid("/hdjl/wsxf/index.html")
	s.html("/search/result.html?keyword=nianbao", s.page("搜索结果_长沙市公安局", nil, nil,
		`<div class="search"><p>共找到 1 条结果</p><ul><li><a href="/xxgk/fdzdgknr/202201/t20220128_10412345.html">长沙市公安局2021年政府信息公开年报</a></li><li><a href="/hdjl/wsxf/index.html">网上信访</a></li></ul></div>`))
	s.html("/hdjl/wsxf/index.html", s.page("网上信访_长沙市公安局", nil, nil, `<p>网上信访（内部系统）</p>`))

	news := s.noiseArticles("/jwdt/", "警务动态", 10, 2022, [][2]string{{"/", "首页"}, {"/jwdt/index.html", "警务动态"}})
	s.html("/jwdt/index.html", s.page("警务动态_长沙市公安局", nil, [][2]string{{"/", "首页"}, {"", "警务动态"}}, listItems(news)))
	s.html("/", s.page("长沙市公安局", [][2]string{{"Keywords", "长沙公安,政府信息公开"}}, nil,
		"<div class=\"news\"><h3>警务动态</h3>"+listItems(news[:5])+"<a href=\"/jwdt/index.html\">更多&gt;&gt;</a></div>\n"+
			"<div class=\"xxgk\"><a href=\"/xxgk/index.html\">政府信息公开</a> <a href=\"/hdjl/wsxf/index.html\">网上信访</a></div>\n"+
			"<div class=\"links\">友情链接：<a href=\"http://www.gov.cn/\">中国政府网</a></div>\n"))
	s.html("/xxgk/index.html", s.page("政府信息公开_长沙市公安局", nil, [][2]string{{"/", "首页"}, {"", "政府信息公开"}},
		`<ul class="menu"><li><a href="/xxgk/xxgkzn/index.html">政府信息公开指南</a></li><li><a href="/xxgk/fdzdgknr/index.html">法定主动公开内容</a></li></ul>`))
	s.html("/xxgk/xxgkzn/index.html", s.articlePage("长沙市公安局政府信息公开指南", "2021-03-01", "政府信息公开指南", nil,
		"<div class=\"TRS_Editor\"><p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。</p></div>"))

	// 法定主动公开内容: TRS paging over three pages; the report is on the last.
	col := "/xxgk/fdzdgknr/"
	crumbs := [][2]string{{"/", "首页"}, {"/xxgk/index.html", "政府信息公开"}, {"", "法定主动公开内容"}}
	var pages [3][][3]string
	for i := 0; i < 9; i++ {
		month := 9 - i
		path := fmt.Sprintf("./2022%02d/t2022%02d%02d_104%05d.html", month, month, 10+i, 20000+i)
		title := []string{"长沙市公安局2022年度政务公开工作要点", "长沙市公安局关于机动车登记业务调整的通告", "长沙市公安局行政执法公示", "长沙市公安局2022年部门预算", "关于公开征集违法犯罪线索的通告", "长沙市公安局权责清单", "长沙市公安局2021年度法治政府建设情况报告", "长沙市公安局重大行政决策事项目录", "长沙市公安局行政许可事项清单"}[i]
		date := fmt.Sprintf("2022-%02d-%02d", month, 10+i)
		pages[i/3] = append(pages[i/3], [3]string{path, title, date})
		s.html(col+path[2:], s.articlePage(title, date, "法定主动公开内容", crumbs,
			"<div class=\"TRS_Editor\"><p>"+html.EscapeString(title)+"。全文略。</p></div>"))
	}
	const report = "/xxgk/fdzdgknr/202201/t20220128_10412345.html"
	pages[2] = append(pages[2], [3]string{"./202201/t20220128_10412345.html", "长沙市公安局2021年政府信息公开年报", "2022-01-28"})
	for i, items := range pages {
		name := "index.html"
		if i > 0 {
			name = fmt.Sprintf("index_%d.html", i)
		}
		s.html(col+name, s.page("法定主动公开内容_长沙市公安局", [][2]string{{"ColumnName", "法定主动公开内容"}}, crumbs, listItems(items)+trsPager(3, i)))
	}
	// index_1.html answers 500 once, then 200.
	flaky := w.pages[s.host+col+"index_1.html"]
	flaky.serve = func(rw http.ResponseWriter, r *http.Request, hits int) {
		if hits == 0 {
			http.Error(rw, "500 Internal Server Error", http.StatusInternalServerError)
			return
		}
		serveStatic(rw, r, flaky)
	}
	text, err := source("000_058c891ac62dd96d.txt")
	if err != nil {
		return err
	}
	s.html(report, s.articlePage("长沙市公安局2021年政府信息公开年报", "2022-01-28 09:30", "法定主动公开内容", crumbs,
		"<div id=\"zoom\" class=\"TRS_Editor\">\n"+textParas(text)+"</div>\n"))
	s.expect(report, "report", "长沙市公安局", 2021)
	return nil
}

func buildJiyuan(w *World) error {
	s := w.newSite(HostJiyuan, "济源示范区公安局")
	s.validators = "lastmod"
	s.assets()
	s.nav = `<a href="/">首页</a> <a href="/xwzx/index.html">新闻中心</a> <a href="/zwgk/index.html">政务公开</a> <a href="/hdjl/rili.html?date=2022-01-01">活动日历</a> <a href="/zt/a/">专题专栏</a>`
	s.robots("User-agent: *\nDisallow: /admin/\n\nUser-agent: BadBot\nDisallow: /\n")
	s.forbid("/admin/login.html")
	news := s.noiseArticles("/xwzx/", "新闻中心", 12, 2022, [][2]string{{"/", "首页"}, {"/xwzx/index.html", "新闻中心"}})
	s.html("/xwzx/index.html", s.page("新闻中心_济源示范区公安局", nil, [][2]string{{"/", "首页"}, {"", "新闻中心"}}, listItems(news)))
	s.html("/", s.page("济源示范区公安局", nil, nil,
		"<div class=\"news\">"+listItems(news[:6])+"</div>\n<div class=\"login\"><a href=\"/admin/login.html\">后台管理</a></div>\n"))
	s.html("/admin/login.html", s.page("后台登录", nil, nil, "<form>用户名<input name=\"u\"/></form>"))
	s.html("/zwgk/index.html", s.page("政务公开_济源示范区公安局", nil, [][2]string{{"/", "首页"}, {"", "政务公开"}},
		`<ul><li><a href="/zwgk/tzgg/index.html">通知公告</a></li><li><a href="/xwzx/index.html">工作动态</a></li></ul>`))

	// 通知公告: plain 下一页 links over three pages; the report on the third.
	crumbs := [][2]string{{"/", "首页"}, {"/zwgk/index.html", "政务公开"}, {"", "通知公告"}}
	titles := []string{"关于开展电动自行车登记上牌工作的通告", "济源示范区公安局2022年度工作总结", "关于办理出入境证件有关事项的公告", "关于春节期间烟花爆竹禁放的通告", "济源示范区公安局年度统计数据发布", "关于招聘警务辅助人员的公告", "关于规范互联网上网服务场所的通知", "关于户籍业务窗口调整的公告"}
	var items [3][][3]string
	for i, t := range titles {
		date := fmt.Sprintf("2022-%02d-%02d", 12-i, 3+i)
		path := fmt.Sprintf("/zwgk/tzgg/2022%02d/t2022%02d%02d_77%04d.html", 12-i, 12-i, 3+i, i)
		s.html(path, s.articlePage(t, date, "通知公告", crumbs, "<div class=\"wzcon\"><p>"+html.EscapeString(t)+"。特此公告。</p></div>"))
		items[i/3] = append(items[i/3], [3]string{path, t, date})
	}
	const report = "/zwgk/tzgg/202202/t20220215_778899.html"
	items[2] = append(items[2], [3]string{report, "济源示范区公安局2021年政府信息公开工作年度报告", "2022-02-15"})
	names := []string{"index.html", "index_2.html", "index_3.html"}
	for i, it := range items {
		pager := "<div class=\"page\">"
		if i > 0 {
			pager += fmt.Sprintf("<a href=\"%s\">上一页</a> ", names[i-1])
		}
		pager += fmt.Sprintf("<span>第%d页 共3页</span>", i+1)
		if i < 2 {
			pager += fmt.Sprintf(" <a href=\"%s\">下一页</a>", names[i+1])
		}
		pager += "</div>\n"
		s.html("/zwgk/tzgg/"+names[i], s.page("通知公告_济源示范区公安局", nil, crumbs, listItems(it)+pager))
	}
	body, err := source("001_33cbb0de23e7a3a9.body.html")
	if err != nil {
		return err
	}
	s.html(report, s.articlePage("济源示范区公安局2021年政府信息公开工作年度报告", "2022-02-15", "通知公告", crumbs,
		"<div class=\"wzcon\">\n"+body+"</div>\n"))
	s.expect(report, "report", "济源示范区公安局", 2021)

	// Traps: a calendar with next-day links forever, and a relative link
	// that repeats a path segment forever (/zt/a/a/a/...).
	w.gen = chainGen(w.gen, func(host, uri string) *resource {
		if host != HostJiyuan {
			return nil
		}
		if d, ok := strings.CutPrefix(uri, "/hdjl/rili.html?date="); ok {
			day, err := time.Parse("2006-01-02", d)
			if err != nil {
				return nil
			}
			next, prev := day.AddDate(0, 0, 1).Format("2006-01-02"), day.AddDate(0, 0, -1).Format("2006-01-02")
			return htmlResource(s.page("活动日历 "+d, nil, [][2]string{{"/", "首页"}, {"", "活动日历"}},
				fmt.Sprintf("<div class=\"calendar\"><h2>%s</h2><p>当日无活动安排。</p><a href=\"?date=%s\">前一天</a> <a href=\"rili.html?date=%s\">后一天</a></div>", d, prev, next)), "utf-8")
		}
		if strings.HasPrefix(uri, "/zt/a/") && strings.Trim(strings.ReplaceAll(uri[len("/zt/"):], "a/", ""), "") == "" {
			return htmlResource(s.page("专题专栏", nil, [][2]string{{"/", "首页"}, {"", "专题专栏"}},
				"<div class=\"zt\"><p>专题专栏建设中。</p><a href=\"a/\">更多专题</a> <a href=\"/\">返回首页</a></div>"), "utf-8")
		}
		return nil
	})
	return nil
}

// htmlResource is a generated HTML page in UTF-8.
func htmlResource(doc, charset string) *resource {
	h := http.Header{}
	h.Set("Content-Type", "text/html; charset="+charset)
	return &resource{header: h, body: []byte(doc)}
}

// chainGen tries a, then b.
func chainGen(a, b func(host, uri string) *resource) func(host, uri string) *resource {
	if a == nil {
		return b
	}
	return func(host, uri string) *resource {
		if r := a(host, uri); r != nil {
			return r
		}
		return b(host, uri)
	}
}

func buildXtx(w *World) error {
	s := w.newSite(HostXtx, "湘潭县人民政府")
	s.assets()
	s.nav = `<a href="/">首页</a> <a href="/xwzx/index.html">新闻中心</a> <a href="/zwgk/index.html">政府信息公开</a>`
	s.robots("User-agent: *\nDisallow: /print/\n")
	news := s.noiseArticles("/xwzx/", "新闻中心", 12, 2025, [][2]string{{"/", "首页"}, {"/xwzx/index.html", "新闻中心"}})
	s.html("/xwzx/index.html", s.page("新闻中心_湘潭县人民政府", nil, [][2]string{{"/", "首页"}, {"", "新闻中心"}}, listItems(news)))
	s.html("/", s.page("湘潭县人民政府", nil, nil,
		"<div class=\"news\">"+listItems(news[:6])+"</div>\n"+
			"<div class=\"links\">相关链接：<a href=\"http://www.hunan.gov.cn/\">湖南省人民政府</a> <a href=\"/link/go.html?url=hunan\">湖南省政府信息公开</a></div>\n"))
	w.forbidden = append(w.forbidden, "http://"+HostHunan+"/", "http://"+HostHunan+"/hnszf/xxgk/index.html")
	w.pages[s.host+"/link/go.html?url=hunan"] = &resource{serve: func(rw http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(rw, r, "http://"+HostHunan+"/hnszf/xxgk/index.html", http.StatusFound)
	}}
	s.html("/zwgk/index.html", s.page("政府信息公开_湘潭县人民政府", nil, [][2]string{{"/", "首页"}, {"", "政府信息公开"}},
		`<ul class="xxgk"><li><a href="/zwgk/xxgkzn/index.html">政府信息公开指南</a></li><li><a href="/zwgk/xxgkml/index.html">信息公开目录</a></li><li><a href="/zwgk/ysqgk/index.html">依申请公开</a></li></ul>`))
	s.html("/zwgk/xxgkzn/index.html", s.articlePage("湘潭县人民政府信息公开指南", "2024-03-01", "政府信息公开指南", nil, "<p>公开指南全文略。</p>"))
	s.html("/zwgk/ysqgk/index.html", s.page("依申请公开_湘潭县人民政府", nil, nil, "<p>依申请公开受理机构：县政务服务中心。</p>"))
	s.html("/zwgk/xxgkml/index.html", s.page("信息公开目录_湘潭县人民政府", nil, [][2]string{{"/", "首页"}, {"/zwgk/index.html", "政府信息公开"}, {"", "信息公开目录"}},
		`<table class="ml"><tr><td><a href="/zwgk/xxgkml/jgzn/index.html">机构职能</a></td><td><a href="/zwgk/xxgkml/zcwj/index.html">政策文件</a></td></tr><tr><td><a href="/zwgk/xxgkml/czzj/index.html">财政资金</a></td><td><a href="/zwgk/xxgkml/zfxxgknb/index.html">政府信息公开年报</a></td></tr></table>`))
	for _, c := range [][2]string{{"jgzn", "机构职能"}, {"zcwj", "政策文件"}, {"czzj", "财政资金"}} {
		s.html("/zwgk/xxgkml/"+c[0]+"/index.html", s.page(c[1]+"_湘潭县人民政府", nil, nil, listItems([][3]string{{"/zwgk/xxgkml/" + c[0] + "/202501/t20250105_1.html", "湘潭县2025年度" + c[1] + "信息", "2025-01-05"}})))
		s.html("/zwgk/xxgkml/"+c[0]+"/202501/t20250105_1.html", s.articlePage("湘潭县2025年度"+c[1]+"信息", "2025-01-05", c[1], nil, "<p>全文略。</p>"))
	}

	const col = "/zwgk/xxgkml/zfxxgknb/"
	crumbs := [][2]string{{"/", "首页"}, {"/zwgk/index.html", "政府信息公开"}, {"/zwgk/xxgkml/index.html", "信息公开目录"}, {"", "政府信息公开年报"}}
	rnd := rand.New(rand.NewPCG(2, 3))
	edu23 := newSynthReport(rnd, "湘潭县教育局", 2023, "2024-01-25", nil, nil)
	edu24 := newSynthReport(rnd, "湘潭县教育局", 2024, "2025-01-20", &edu23.T3[t3CarriedFw], &[2]int{edu23.Regs[2], edu23.Norms[2]})
	fin24 := newSynthReport(rnd, "湘潭县财政局", 2024, "", nil, nil)
	printLink := func(id string) string {
		s.forbid("/print/?id=" + id)
		return "<div class=\"tools\"><a href=\"/print/?id=" + id + "\">打印本页</a> <a href=\"javascript:window.close()\">关闭窗口</a></div>\n"
	}
	add := func(path string, r *synthReport, id string) {
		s.html(path, s.articlePage(r.Title(), r.Published, "政府信息公开年报", crumbs, "<div class=\"bt_content\">\n"+r.BodyHTML()+"</div>\n"+printLink(id)))
		s.expect(path, "report", r.Agency, r.Year)
	}
	const (
		police   = col + "202501/t20250122_11999001.html"
		docx     = col + "202501/P020250122512345678901.docx"
		eduPath  = col + "202501/t20250120_11998001.html"
		finPath  = col + "202501/t20250126_11999501.html"
		oldPath  = col + "202401/t20240125_11500001.html"
		edu23New = col + "202401/t20240125_11500002.html"
	)
	add(eduPath, edu24, "11998001")
	add(finPath, fin24, "11999501")
	add(edu23New, edu23, "11500002")
	w.pages[s.host+oldPath] = &resource{serve: func(rw http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(rw, r, edu23New, http.StatusMovedPermanently)
	}}
	// The police report only as a DOCX attachment.
	body, err := source("002_c513a80de85e28c5.body.html")
	if err != nil {
		return err
	}
	const policeTitle = "湘潭县公安局2024年政府信息公开工作年度报告"
	doc, err := docxFromHTML(policeTitle, body)
	if err != nil {
		return fmt.Errorf("xtx docx: %w", err)
	}
	s.raw(docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", doc)
	s.html(police, s.articlePage(policeTitle, "2025年01月22日", "政府信息公开年报", crumbs,
		"<div class=\"bt_content\"><p>"+policeTitle+"详见附件。</p></div>\n"+attachmentsBlock("./P020250122512345678901.docx", policeTitle+".docx")+printLink("11999001")))
	s.expect(police, "report", "湘潭县公安局", 2024)
	s.expect(docx, "attachment", "湘潭县公安局", 2024)
	list := [][3]string{
		{"./202501/t20250126_11999501.html", fin24.Title(), ""},
		{"./202501/t20250122_11999001.html", policeTitle, "2025-01-22"},
		{"./202501/t20250120_11998001.html", edu24.Title(), "2025-01-20"},
		{"./202401/t20240125_11500001.html", edu23.Title(), "2024-01-25"},
	}
	s.html(col+"index.html", s.page("政府信息公开年报_湘潭县人民政府", [][2]string{{"ColumnName", "政府信息公开年报"}}, crumbs, listItems(list)))
	return nil
}

// hanwebProxy is the dataproxy URL in a Hanweb list's <nextgroup>; the
// sites disallow /module/web/jpage/ in robots.txt.
const hanwebProxy = "/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=2981&path=/&columnid=1229282851&unitid=7088235&webname=%E5%B5%8A&permissiontype=0"

// hanwebRecords renders a Hanweb (大汉) column list: the items are only
// inside <script type="text/xml"> as CDATA records.
func hanwebRecords(items [][3]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<div id=\"2981\"><script type=\"text/xml\"><datastore>\n<nextgroup><![CDATA[<a href=\"%s\"></a>]]></nextgroup>\n<recordset>\n", hanwebProxy)
	for _, it := range items {
		fmt.Fprintf(&b, "<record><![CDATA[\n<li><a href=\"%s\" target=\"_blank\" title=\"%s\">%s</a><span>%s</span></li>\n]]></record>\n", it[0], html.EscapeString(it[1]), html.EscapeString(it[1]), it[2])
	}
	fmt.Fprintf(&b, "</recordset>\n</datastore></script></div>\n<script language=\"javascript\" src=\"/module/jslib/jquery/jpage/dataproxy.js\"></script>\n")
	return b.String()
}

func buildShengsi(w *World) error {
	s := w.newSite(HostShengsi, "嵊泗县人民政府")
	s.gbk, s.headerCharset = true, false // charset only in <meta>
	s.validators = "none"                // a JSP CMS: no ETag, no Last-Modified
	s.assets()
	s.nav = `<a href="/">首页</a> <a href="/col/col1229282860/index.html">嵊泗要闻</a> <a href="/col/col1229282848/index.html">政府信息公开</a> <a href="/module/search/index.jsp?searchWord=nianbao">搜索</a>`
	s.robots("User-agent: *\nDisallow: /module/search/\nDisallow: /module/web/jpage/\n")
	s.forbid("/module/search/index.jsp?searchWord=nianbao")
	s.forbid(hanwebProxy)

	// News column: the brief's form, one CDATA around all records.
	var newsItems [][3]string
	newsItems = s.noiseArticles("/art/2021/", "嵊泗要闻", 10, 2021, [][2]string{{"/", "首页"}, {"", "嵊泗要闻"}})
	var nb strings.Builder
	nb.WriteString("<div id=\"2982\"><script type=\"text/xml\"><![CDATA[\n")
	for _, it := range newsItems {
		fmt.Fprintf(&nb, "<record><li><a href=\"%s\" title=\"%s\">%s</a><span>%s</span></li></record>\n", it[0], it[1], it[1], it[2])
	}
	nb.WriteString("]]></script></div>\n")
	s.html("/col/col1229282860/index.html", s.page("嵊泗要闻_嵊泗县人民政府", nil, [][2]string{{"/", "首页"}, {"", "嵊泗要闻"}}, nb.String()))
	s.html("/", s.page("嵊泗县人民政府", nil, nil, "<div class=\"yw\"><a href=\"/col/col1229282860/index.html\">嵊泗要闻</a></div><div><a href=\"/col/col1229282848/index.html\">政府信息公开</a></div>\n"))
	s.html("/col/col1229282848/index.html", s.page("政府信息公开_嵊泗县人民政府", nil, [][2]string{{"/", "首页"}, {"", "政府信息公开"}},
		`<ul><li><a href="/col/col1229282849/index.html">政府信息公开目录</a></li><li><a href="/col/col1229282850/index.html">政府信息公开指南</a></li></ul>`))
	s.html("/col/col1229282850/index.html", s.page("政府信息公开指南_嵊泗县人民政府", nil, nil, "<p>指南全文略。</p>"))
	s.html("/col/col1229282849/index.html", s.page("政府信息公开目录_嵊泗县人民政府", nil, [][2]string{{"/", "首页"}, {"/col/col1229282848/index.html", "政府信息公开"}, {"", "政府信息公开目录"}},
		`<ul><li><a href="/col/col1229282852/index.html">政策文件</a></li><li><a href="/col/col1229282851/index.html">政府信息公开年报</a></li></ul>`))
	s.html("/col/col1229282852/index.html", s.page("政策文件_嵊泗县人民政府", nil, nil, hanwebRecords(nil)))

	crumbs := [][2]string{{"/", "首页"}, {"/col/col1229282848/index.html", "政府信息公开"}, {"", "政府信息公开年报"}}
	const (
		police = "/art/2021/1/26/art_1229282851_3689011.html"
		health = "/art/2022/1/20/art_1229282851_3712345.html"
	)
	body, err := source("003_5b5855e3c5339d3b.body.html")
	if err != nil {
		return err
	}
	s.html(police, s.articlePage("嵊泗县公安局2020年度政府信息公开工作年度报告", "2021-01-26", "政府信息公开年报", crumbs,
		"<div id=\"UCAP-CONTENT\">\n"+body+"</div>\n"))
	s.expect(police, "report", "嵊泗县公安局", 2020)
	rnd := rand.New(rand.NewPCG(4, 5))
	h21 := newSynthReport(rnd, "嵊泗县卫生健康局", 2021, "2022-01-20", nil, nil)
	s.html(health, s.articlePage(h21.Title(), h21.Published, "政府信息公开年报", crumbs, "<div id=\"UCAP-CONTENT\">\n"+h21.BodyHTML()+"</div>\n"))
	s.expect(health, "report", h21.Agency, h21.Year)
	s.html("/col/col1229282851/index.html", s.page("政府信息公开年报_嵊泗县人民政府", [][2]string{{"ColumnName", "政府信息公开年报"}}, crumbs,
		hanwebRecords([][3]string{{health, h21.Title(), "2022-01-20"}, {police, "嵊泗县公安局2020年度政府信息公开工作年度报告", "2021-01-26"}})))
	return nil
}

func buildNingbo(w *World) error {
	s := w.newSite(HostNingbo, "宁波市公安局")
	s.gbk = true // charset in the header and the meta
	s.assets()
	s.nav = `<a href="/">首页</a> <a href="/jwzx/index.html">警务资讯</a> <a href="/xxgk/index.html">信息公开</a>`
	s.robots("User-agent: *\nDisallow:\n")
	news := s.noiseArticles("/jwzx/", "警务资讯", 12, 2023, [][2]string{{"/", "首页"}, {"/jwzx/index.html", "警务资讯"}})
	s.html("/jwzx/index.html", s.page("警务资讯_宁波市公安局", nil, [][2]string{{"/", "首页"}, {"", "警务资讯"}}, listItems(news)))
	s.html("/", s.page("宁波市公安局", nil, nil, "<div class=\"news\">"+listItems(news[:6])+"</div>\n"))
	s.html("/xxgk/index.html", s.page("信息公开_宁波市公安局", nil, [][2]string{{"/", "首页"}, {"", "信息公开"}},
		`<ul><li><a href="/xxgk/xxgkzn/index.html">政府信息公开指南</a></li><li><a href="/xxgk/ndbg/index.html">政府信息公开年报</a></li></ul>`))
	s.html("/xxgk/xxgkzn/index.html", s.articlePage("宁波市公安局政府信息公开指南", "2022-06-01", "政府信息公开指南", nil, "<p>指南全文略。</p>"))

	col := "/xxgk/ndbg/"
	crumbs := [][2]string{{"/", "首页"}, {"/xxgk/index.html", "信息公开"}, {"", "政府信息公开年报"}}
	const (
		r21 = "202201/t20220125_1122334.html"
		r22 = "202301/t20230118_2233445.html"
	)
	body, err := source("004_dda7dad8d758c7d1.body.html")
	if err != nil {
		return err
	}
	const t21 = "宁波市公安局2021年度政府信息公开工作年度报告"
	s.html(col+r21, s.articlePage(t21, "2022-01-25", "政府信息公开年报", crumbs, "<div class=\"Custom_UnionStyle\">\n"+body+"</div>\n"))
	s.expect(col+r21, "report", "宁波市公安局", 2021)
	// Synthetic 2022: carried_over equals 2021's carried_forward (all 0 in
	// the real report) and in_force continues 2021 (regulations 0,
	// normative documents 25).
	rnd := rand.New(rand.NewPCG(6, 7))
	rep22 := newSynthReport(rnd, "宁波市公安局", 2022, "2023-01-18", &[7]int{}, &[2]int{0, 25})
	s.html(col+r22, s.articlePage(rep22.Title(), rep22.Published, "政府信息公开年报", crumbs, "<div class=\"Custom_UnionStyle\">\n"+rep22.BodyHTML()+"</div>\n"))
	s.expect(col+r22, "report", "宁波市公安局", 2022)
	s.html(col+"index.html", s.page("政府信息公开年报_宁波市公安局", nil, crumbs,
		listItems([][3]string{{"./" + r22, rep22.Title(), "2023-01-18"}, {"../xxgkzn/index.html", "宁波市公安局政府信息公开指南", "2022-06-01"}})+trsPager(2, 0)))
	s.html(col+"index_1.html", s.page("政府信息公开年报_宁波市公安局", nil, crumbs,
		listItems([][3]string{{"./" + r21, t21, "2022-01-25"}})+trsPager(2, 1)))
	return nil
}

func buildHongze(w *World) error {
	s := w.newSite(HostHongze, "淮安市洪泽区人民政府")
	s.assets()
	s.nav = `<a href="/">首页</a> <a href="/zfxxgk/index.html">政府信息公开</a>`
	// No robots.txt: a 404 allows everything.
	s.html("/", s.page("淮安市洪泽区人民政府", nil, nil, "<div><a href=\"/zfxxgk/index.html\">政府信息公开</a></div>"))
	s.html("/zfxxgk/index.html", s.page("政府信息公开_洪泽区人民政府", nil, nil, `<ul><li><a href="/zfxxgk/ndbg/index.html">政府信息公开工作年度报告</a></li></ul>`))
	const (
		page = "/zfxxgk/ndbg/202401/t20240131_567890.html"
		pdf  = "/zfxxgk/ndbg/202401/P020240131567890.pdf"
	)
	title := "洪泽区人民政府2023年政府信息公开工作年度报告"
	s.html("/zfxxgk/ndbg/index.html", s.page("政府信息公开工作年度报告_洪泽区人民政府", nil, nil, listItems([][3]string{{"202401/t20240131_567890.html", title, "2024-01-31"}})))
	data, err := sources.ReadFile("testdata/sources/hongze_2023.pdf")
	if err != nil {
		return fmt.Errorf("fixture source hongze_2023.pdf: %w", err)
	}
	s.raw(pdf, "application/pdf", data)
	s.html(page, s.articlePage(title, "2024-01-31", "政府信息公开工作年度报告", nil, "<div class=\"content\"><p>"+title+"（PDF）。</p></div>\n"+attachmentsBlock("P020240131567890.pdf", title+".pdf")))
	s.expect(page, "report", "淮安市洪泽区人民政府", 2023)
	s.expect(pdf, "attachment", "淮安市洪泽区人民政府", 2023)
	return nil
}

// buildOffscope adds the off-scope hosts so a wrong fetch is served and
// recorded (their URLs are in Forbidden).
func buildOffscope(w *World) error {
	h := w.newSite(HostHunan, "湖南省人民政府")
	h.html("/", h.page("湖南省人民政府", nil, nil, "<p>湖南省人民政府门户网站</p>"))
	h.html("/hnszf/xxgk/index.html", h.page("政府信息公开_湖南省人民政府", nil, nil, "<p>省政府信息公开</p>"))
	g := w.newSite(HostGov, "中国政府网")
	g.html("/", g.page("中国政府网", nil, nil, "<p>中华人民共和国中央人民政府门户网站</p>"))
	w.forbidden = append(w.forbidden, "http://"+HostGov+"/")
	return nil
}
