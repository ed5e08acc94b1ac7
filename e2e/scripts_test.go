package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// The script world: agencies whose reports no anchor of a static page
// leads to. Codes are valid unified social credit codes.
const (
	codeDRC = "11330100002482061X" // 示范县发展和改革局, given in the seeds
	codeEdu = "11220100MB1507524C" // 示范县教育局, read from its page
)

// scriptWorld is the world and the report URLs it must yield, by agency.
type scriptWorld struct {
	*world
	reports map[string][]string // agency → report URLs
	bodies  map[string][]byte   // report URL → its bytes
}

func (sw *scriptWorld) report(agency, host, uri string, year int) {
	title := fmt.Sprintf("%s%d年政府信息公开工作年度报告", agency, year)
	body := []byte(chrome(title, "", fmt.Sprintf(`<h1>%s</h1><div class="info">发布日期：%d-01-20</div><p>一、总体情况</p>`, title, year+1)))
	sw.add(host, uri, "text/html; charset=utf-8", body)
	sw.reports[agency] = append(sw.reports[agency], "http://"+host+uri)
	sw.bodies["http://"+host+uri] = body
}

// hanwebSites are two Zhejiang Hanweb sites whose report column is a
// year selector opening xxgkAnnualReport.jsp by script: one agency's
// code is in the seeds, the other's in the page's info bar.
func (sw *scriptWorld) hanwebSites() {
	const h1, h2 = "www.zjfgw-demo.gov.cn", "www.zjjyj-demo.gov.cn"
	sw.seeds += "http://" + h1 + "/col/col1229001/index.html 示范县发展和改革局 code=" + codeDRC + "\n"
	sw.seeds += "http://" + h2 + "/ 示范县教育局\n"
	sw.page(h1, "/col/col1229001/index.html", "政府信息公开年报", `<h2>政府信息公开年报</h2>
<select id="nbyear" onchange="openNb(this.value)"><option value="">请选择年份</option><option value="2023">2023年</option><option value="2022">2022年</option></select>
<script>var area = top.xxgkArea; function openNb(y){ window.open('/module/xxgk/xxgkAnnualReport.jsp?area=' + area + '&fbtime=' + y); }</script>`)
	sw.page(h2, "/", "示范县教育局", `<a href="/col/col1229101/index.html">政府信息公开</a>`)
	sw.page(h2, "/col/col1229101/index.html", "政府信息公开", `<div class="info">统一社会信用代码：`+codeEdu+`</div>
<a href="javascript:void(0)" id="nb">政府信息公开年报</a><script>
$('#nb').click(function(){ var y = new Date().getFullYear() - 1; for (var i = y; i > y - 5; i--) { $('#years').append('<option>' + i + '</option>'); } });
function go(y){ location.href = 'xxgkAnnualReport.jsp?area=' + $('#area').val() + '&fbtime=' + y; }</script>`)
	sw.report("示范县发展和改革局", h1, "/module/xxgk/xxgkAnnualReport.jsp?area="+codeDRC+"&fbtime=2023", 2023)
	sw.report("示范县发展和改革局", h1, "/module/xxgk/xxgkAnnualReport.jsp?area="+codeDRC+"&fbtime=2022", 2022)
	sw.report("示范县教育局", h2, "/col/col1229101/xxgkAnnualReport.jsp?area="+codeEdu+"&fbtime=2023", 2023)
	// the module answers every other year with an empty page, as Hanweb does
	for _, h := range []string{h1, h2} {
		for _, p := range []string{"/module/xxgk/xxgkAnnualReport.jsp", "/col/col1229101/xxgkAnnualReport.jsp"} {
			sw.dynamic[h+p] = func(rw http.ResponseWriter, r *http.Request) {
				if b, ok := sw.bodies["http://"+h+r.URL.RequestURI()]; ok {
					rw.Header().Set("Content-Type", "text/html; charset=utf-8")
					rw.Write(b)
					return
				}
				rw.Header().Set("Content-Type", "text/html; charset=utf-8")
				rw.Write([]byte(chrome("信息公开年报", "", "<p>暂无年报</p>")))
			}
		}
	}
}

// countyPortal is a county portal whose 部门信息公开 directory lists 30
// departments, each with its own columns and reports; one of them is the
// seeded agency.
func (sw *scriptWorld) countyPortal() {
	const h = "www.sfxian-demo.gov.cn"
	const ag = "示范县市场监督管理局"
	sw.seeds += "http://" + h + "/ " + ag + "\n"
	depts := []string{"县发展和改革局", "县教育局", "县科学技术局", "县工业和信息化局", "县民族宗教事务局", "县公安局", "县民政局",
		"县司法局", "县财政局", "县人力资源和社会保障局", "县自然资源局", "县生态环境局", "县住房和城乡建设局", "县交通运输局",
		"县水利局", "县农业农村局", "县商务局", "县文化和旅游局", "县卫生健康委员会", "县退役军人事务局", "县应急管理局", "县审计局",
		"县统计局", "县医疗保障局", "县林业局", "县市场监督管理局", "县信访局", "县城市管理局", "县乡村振兴局", "县数据资源局"}
	sw.page(h, "/", "示范县人民政府", `<a href="/zwgk/">政务公开</a>`)
	sw.page(h, "/zwgk/", "政务公开", `<a href="/zwgk/bmxxgk/">部门信息公开</a>`)
	var dir strings.Builder
	for i, d := range depts {
		fmt.Fprintf(&dir, "<li><a href=\"/zwgk/bmxxgk/bm%02d/\">%s</a></li>\n", i, d)
		col := fmt.Sprintf("/zwgk/bmxxgk/bm%02d/", i)
		sw.page(h, col, d, fmt.Sprintf(`<a href="%sjgzn/">机构职能</a> <a href="%szcwj/">政策文件</a> <a href="%sndbg/">政府信息公开年报</a>`, col, col, col))
		name := "示范" + d
		var list strings.Builder
		for _, y := range []int{2023, 2022} {
			uri := fmt.Sprintf("%sndbg/%d01/t%d0120_%d.html", col, y+1, y+1, i)
			fmt.Fprintf(&list, "<li><a href=\"%s\">%s%d年政府信息公开工作年度报告</a></li>", uri, name, y)
			if name == ag {
				sw.report(ag, h, uri, y)
			} else {
				sw.page(h, uri, name+"年报", "<p>…</p>")
			}
		}
		sw.page(h, col+"ndbg/", "政府信息公开年报", "<ul>"+list.String()+"</ul>")
	}
	sw.page(h, "/zwgk/bmxxgk/", "部门信息公开", "<ul>"+dir.String()+"</ul>")
}

// templateSites are lists built in the browser from a JSON API the page
// names: an avalon ms-repeat list fed by $.ajax (two API pages), and a
// TRS "动静结合" column whose first page is static and whose later pages
// come from list2.trsapi into a Vue template.
func (sw *scriptWorld) templateSites() {
	const av, trs = "www.avalon-demo.gov.cn", "www.fjtrs-demo.gov.cn"
	sw.seeds += "http://" + av + "/xxgk/nb/index.html 示范市统计局\nhttp://" + trs + "/zwgk/zfxxgknb/ 示范市民政局\n"
	sw.page(av, "/xxgk/nb/index.html", "政府信息公开年报", `<ul ms-controller="nblist"><li ms-repeat="el in list"><a ms-attr-href="el.url">{{el.title}}</a></li></ul>
<script>var vm = avalon.define({$id: 'nblist', list: []});
$.ajax({url: '/api/nb/list.do', data: {channelId: 88, page: 1}, dataType: 'json', success: function(d){ vm.list = d.data.list; }});</script>`)
	for page, years := range map[int][]int{1: {2023, 2022}, 2: {2021}} {
		var recs []string
		for _, y := range years {
			uri := fmt.Sprintf("/art/%d/1/20/art_88_%d.html", y+1, y)
			sw.report("示范市统计局", av, uri, y)
			recs = append(recs, fmt.Sprintf(`{"title":"示范市统计局%d年政府信息公开工作年度报告","url":"%s","date":"%d-01-20"}`, y, uri, y+1))
		}
		sw.add(av, fmt.Sprintf("/api/nb/list.do?channelId=88&page=%d", page), "application/json",
			[]byte(`{"code":200,"data":{"totalPage":2,"list":[`+strings.Join(recs, ",")+`]}}`))
	}
	sw.report("示范市民政局", trs, "/zwgk/zfxxgknb/202401/t20240120_5501.html", 2023)
	sw.report("示范市民政局", trs, "/zwgk/zfxxgknb/202301/t20230118_4402.html", 2022)
	sw.page(trs, "/zwgk/zfxxgknb/", "政府信息公开年报", `<div id="app"><ul class="list">
<li><a href="./202401/t20240120_5501.html">示范市民政局2023年政府信息公开工作年度报告</a></li>
<li v-for="d in docs"><a :href="d.DOCPUBURL">{{d.DOCTITLE}}</a></li></ul></div>
<script>new Vue({el: '#app', data: {docs: []}, methods: {load: function(p){ var self = this;
  axios.get('./list2.trsapi', {params: {channelid: 7, page: p}}).then(function(r){ self.docs = r.data.docs; }); }}});
var pageCfg = {url: './list2.trsapi?channelid=7&page=', pageSize: 1};</script>`)
	sw.add(trs, "/zwgk/zfxxgknb/list2.trsapi?channelid=7&page=1", "application/json",
		[]byte(`{"total":2,"pageSize":1,"docs":[{"DOCTITLE":"示范市民政局2023年政府信息公开工作年度报告","DOCPUBURL":"http://`+trs+`/zwgk/zfxxgknb/202401/t20240120_5501.html"}]}`))
	sw.add(trs, "/zwgk/zfxxgknb/list2.trsapi?channelid=7&page=2", "application/json",
		[]byte(`{"total":2,"pageSize":1,"docs":[{"DOCTITLE":"示范市民政局2022年政府信息公开工作年度报告","DOCPUBURL":"http://`+trs+`/zwgk/zfxxgknb/202301/t20230118_4402.html"}]}`))
}

// browserSites need a browser: a column filled by an external script from
// an API it builds the URL of, and (on 127.0.0.1, no name) a site behind
// a JS cookie challenge.
func (sw *scriptWorld) browserSites(port string) {
	const js = "www.jslist-demo.gov.cn"
	sw.seeds += "http://" + js + "/zwgk/ndbg/ 示范市审计局\nhttp://127.0.0.1:" + port + "/ 示范区司法局\n"
	sw.page(js, "/zwgk/ndbg/", "政府信息公开年报", `<ul id="nb"></ul><img src="http://www.offsite-demo.gov.cn/x.gif"><script src="/js/ndbg-list.js"></script>`)
	sw.add(js, "/js/ndbg-list.js", "application/javascript", []byte(`(function(){var u=['','zwgk','ndbg','items'].join('/')+'.do';
var x=new XMLHttpRequest();x.open('GET',u);x.onload=function(){JSON.parse(x.responseText).forEach(function(r){
var a=document.createElement('a');a.href=r[1];a.textContent=r[0];document.getElementById('nb').appendChild(a);});
new Image().src='http://www.offsite-demo.gov.cn/collect?u='+location.href;};x.send();})();`))
	sw.report("示范市审计局", js, "/zwgk/ndbg/202401/t20240122_91.html", 2023)
	sw.add(js, "/zwgk/ndbg/items.do", "application/json", []byte(`[["示范市审计局2023年政府信息公开工作年度报告","/zwgk/ndbg/202401/t20240122_91.html"]]`))

	const ip = "127.0.0.1"
	sw.report("示范区司法局", ip, "/zwgk/nb/t20240119_7.html", 2023)
	sw.page(ip, "/", "示范区司法局", `<a href="/zwgk/nb/t20240119_7.html">示范区司法局2023年政府信息公开工作年度报告</a>`)
	for _, p := range []string{"/", "/zwgk/nb/t20240119_7.html"} {
		res := sw.static[ip+p]
		sw.dynamic[ip+p] = func(rw http.ResponseWriter, r *http.Request) {
			if ck, err := r.Cookie("__jsl_clearance"); err != nil || ck.Value != "1" {
				rw.Header().Set("Content-Type", "text/html; charset=utf-8")
				rw.WriteHeader(http.StatusPreconditionFailed)
				rw.Write([]byte(`<html><script>document.cookie='__jsl_clearance=1;path=/';location.href=location.pathname;</script></html>`))
				return
			}
			rw.Header().Set("Content-Type", res.ctype)
			rw.Write(res.body)
		}
	}
	for k, b := range sw.bodies {
		if strings.Contains(k, "127.0.0.1/") {
			delete(sw.bodies, k)
			sw.bodies[strings.Replace(k, "127.0.0.1/", "127.0.0.1:"+port+"/", 1)] = b
		}
	}
	ag := sw.reports["示范区司法局"]
	for i, u := range ag {
		ag[i] = strings.Replace(u, "127.0.0.1/", "127.0.0.1:"+port+"/", 1)
	}
}

func browserInstalled() bool {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell"} {
		if _, err := exec.LookPath(n); err == nil {
			return true
		}
	}
	return false
}

// crawlScripts crawls the world's seeds with cfg and returns the archive
// and the summary.
func crawlScripts(t *testing.T, sw *scriptWorld, cfg crawler.Config) (*archive.Archive, *crawler.Summary) {
	t.Helper()
	ags, err := seeds.Parse(strings.NewReader(sw.seeds))
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(filepath.Join(t.TempDir(), "scripts.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	c, err := crawler.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	sum, err := c.Run(ctx, ags)
	if err != nil {
		t.Fatal(err)
	}
	return a, sum
}

// checkFound asserts every report of the agencies was archived byte-exact
// as a report, and that nothing off scope was asked for.
func checkFound(t *testing.T, sw *scriptWorld, a *archive.Archive, agencies ...string) {
	t.Helper()
	for _, ag := range agencies {
		if len(sw.reports[ag]) == 0 {
			t.Fatalf("no reports for %s", ag)
		}
		for _, u := range sw.reports[ag] {
			caps, err := a.ByURL(u)
			if err != nil {
				t.Fatal(err)
			}
			ok := false
			for _, cp := range caps {
				b, _ := a.BodyByDigest(cp.Digest)
				ok = ok || (!cp.Rendered && cp.Role == archive.RoleReport && cp.Agency == ag && bytes.Equal(b, sw.bodies[u]))
			}
			if !ok {
				t.Errorf("%s: %s not archived byte-exact as its report (%d captures)", ag, u, len(caps))
			}
		}
	}
	for _, r := range sw.requests() {
		if r.Host == "www.offsite-demo.gov.cn" {
			t.Errorf("off scope request: %s%s", r.Host, r.URI)
		}
	}
}

func newScriptWorld(t *testing.T, withBrowserSites bool) (*scriptWorld, map[string]string) {
	sw := &scriptWorld{world: newWorld(), reports: map[string][]string{}, bodies: map[string][]byte{}}
	srv := httptest.NewServer(sw)
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	sw.hanwebSites()
	sw.countyPortal()
	sw.templateSites()
	if withBrowserSites {
		sw.browserSites(addr[strings.LastIndexByte(addr, ':')+1:])
	}
	resolve := map[string]string{"www.offsite-demo.gov.cn": addr}
	for k := range sw.static {
		if h := k[:strings.IndexByte(k, '/')]; h != "127.0.0.1" {
			resolve[h] = addr
		}
	}
	return sw, resolve
}

// TestScriptWorldWithoutBrowser crawls the agencies reachable without a
// browser (Hanweb report modules by seeded and page codes, a department
// column among 30 on a county portal within a budget of 30 pages, avalon
// and TRS/Vue lists whose JSON API the page names) with -render never.
func TestScriptWorldWithoutBrowser(t *testing.T) {
	sw, resolve := newScriptWorld(t, false)
	cfg := crawlConfig(resolve)
	cfg.MaxPagesPerHost = 30
	cfg.Render = crawler.RenderNever
	a, sum := crawlScripts(t, sw, cfg)
	checkFound(t, sw, a, "示范县发展和改革局", "示范县教育局", "示范县市场监督管理局", "示范市统计局", "示范市民政局")
	years := map[string]string{}
	for _, as := range sum.Agencies {
		years[as.Agency] = fmt.Sprint(as.Years)
	}
	if years["示范县发展和改革局"] != "[2022 2023]" || years["示范县教育局"] != "[2023]" || years["示范市统计局"] != "[2021 2022 2023]" {
		t.Errorf("years = %v", years)
	}
	// the module years asked of the second Hanweb site are its ten last
	asked := 0
	for _, r := range sw.requests() {
		if strings.Contains(r.URI, "xxgkAnnualReport.jsp") && strings.Contains(r.URI, "fbtime=") {
			asked++
		}
	}
	if asked != 2+10 {
		t.Errorf("%d module requests, want 2 (the selector's years) + 10", asked)
	}
}

// TestScriptWorldRendered crawls the whole world, browser sites included,
// with -render auto: the script-filled column and the cookie challenge
// need Chromium (CI sets NIANBAO_REQUIRE_BROWSER=1); with the browser
// path pointing nowhere the crawl notes it once and still finds the rest.
func TestScriptWorldRendered(t *testing.T) {
	t.Run("no browser", func(t *testing.T) {
		sw, resolve := newScriptWorld(t, true)
		cfg := crawlConfig(resolve)
		cfg.Render = crawler.RenderAuto
		cfg.BrowserPath = filepath.Join(t.TempDir(), "chromium")
		a, sum := crawlScripts(t, sw, cfg)
		if len(sum.Notes) != 1 {
			t.Errorf("notes = %q, want one", sum.Notes)
		}
		checkFound(t, sw, a, "示范县发展和改革局", "示范县教育局", "示范县市场监督管理局", "示范市统计局", "示范市民政局")
	})
	t.Run("chromium", func(t *testing.T) {
		if !browserInstalled() {
			if os.Getenv("NIANBAO_REQUIRE_BROWSER") == "1" {
				t.Fatal("NIANBAO_REQUIRE_BROWSER=1 but no Chromium in PATH")
			}
			t.Skip("no Chromium in PATH")
		}
		sw, resolve := newScriptWorld(t, true)
		cfg := crawlConfig(resolve)
		cfg.Render = crawler.RenderAuto
		start := time.Now()
		a, sum := crawlScripts(t, sw, cfg)
		t.Logf("crawl with rendering took %s", time.Since(start).Round(time.Millisecond))
		if len(sum.Notes) != 0 {
			t.Errorf("notes = %q", sum.Notes)
		}
		checkFound(t, sw, a, "示范市审计局", "示范区司法局", "示范县发展和改革局", "示范市统计局", "示范市民政局")
	})
}
