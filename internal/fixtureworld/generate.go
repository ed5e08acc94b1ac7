package fixtureworld

import (
	"fmt"
	"html"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Shape of a generated host.
const (
	genPerList    = 20   // items per list page
	genFirstYear  = 2021 // reports of genFirstYear..genLastYear on every host
	genLastYear   = 2024
	genFixedPages = 2 // the homepage and the report column
)

// genHost is one generated site.
type genHost struct {
	w      *World
	site   *site
	index  int
	seed   int64
	agency string
	news   int // news articles
	lists  int // news list pages
}

// GenHost returns the host name of generated site i (0-based).
func GenHost(i int) string { return fmt.Sprintf("www.gen%03d.gov.cn", i) }

// Generate returns a deterministic synthetic world of hosts sites with
// pagesPerHost HTML pages each (minimum 10): a homepage, a news column of
// paged lists (20 items a page; plain 下一页 links, or TRS createPageHTML
// paging on every third host) and articles that link to each other, and an
// annual-report column (a Hanweb CDATA list on every fourth host) with one
// report a year for 2021–2024 (in Expected). Pages are built on the fly from (seed, host,
// path), so the world costs no memory per page; the same arguments always
// give the same bytes. Every host also serves /robots.txt (allow all but
// /search/ and Hanweb's /module/web/jpage/; the linked URLs there are in
// Forbidden).
func Generate(hosts, pagesPerHost int, seed int64) *World {
	w := newWorld()
	pagesPerHost = max(pagesPerHost, 10)
	reports := genLastYear - genFirstYear + 1
	// pages = fixed + reports + news + ceil(news/genPerList)
	avail := pagesPerHost - genFixedPages - reports
	news := avail * genPerList / (genPerList + 1)
	for news+(news+genPerList-1)/genPerList < avail {
		news++
	}
	var sb strings.Builder
	sb.WriteString(fmt.Sprintf("# generated fixture world: %d hosts × %d pages, seed %d\n", hosts, pagesPerHost, seed))
	byHost := map[string]*genHost{}
	for i := 0; i < hosts; i++ {
		host := GenHost(i)
		g := &genHost{w: w, index: i, seed: seed, agency: fmt.Sprintf("合成%03d县公安局", i), news: news, lists: (news + genPerList - 1) / genPerList}
		g.site = w.newSite(host, g.agency)
		g.site.nav = `<a href="/">首页</a> <a href="/news/index.html">工作动态</a> <a href="/xxgk/ndbg/index.html">政府信息公开年报</a>`
		byHost[host] = g
		fmt.Fprintf(&sb, "http://%s/   %s   department\n", host, g.agency)
		for y := genFirstYear; y <= genLastYear; y++ {
			g.site.expect(g.reportPath(y), "report", g.agency, y)
		}
		g.site.forbid("/search/index.html?q=nianbao")
		if g.hanweb() {
			g.site.forbid(hanwebProxy)
		}
	}
	w.seeds = sb.String()
	w.gen = func(host, uri string) *resource {
		g := byHost[host]
		if g == nil {
			return nil
		}
		doc, ctype, ok := g.page(uri)
		if !ok {
			return nil
		}
		r := htmlResource(doc, "utf-8")
		if ctype != "" {
			r.header.Set("Content-Type", ctype)
		}
		return r
	}
	return w
}

func (g *genHost) rnd(salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(g.seed), uint64(g.index)<<32|salt))
}

// reportDate is the publication date of the report on year: 10 January
// to 3 February of the next year, so some hosts publish late.
func (g *genHost) reportDate(year int) (y, m, d int) {
	d, m = 10+(g.index+year)%25, 1
	if d > 31 {
		d, m = d-31, 2
	}
	return year + 1, m, d
}

func (g *genHost) reportPath(year int) string {
	y, m, d := g.reportDate(year)
	return fmt.Sprintf("/xxgk/ndbg/%d%02d/t%d%02d%02d_%d.html", y, m, y, m, d, 900000+g.index*10+year-genFirstYear)
}

func (g *genHost) published(year int) string {
	y, m, d := g.reportDate(year)
	return fmt.Sprintf("%d-%02d-%02d", y, m, d)
}

func (g *genHost) newsPath(i int) string {
	return fmt.Sprintf("/news/2024%02d/t_%d.html", 1+i%12, i)
}

func (g *genHost) newsTitle(i int) string {
	t := noiseTitles[(i+g.index)%len(noiseTitles)]
	if strings.Count(t, "%") == 2 {
		return fmt.Sprintf(t, g.agency, 2020+i%5) + "（" + strconv.Itoa(i) + "）"
	}
	return fmt.Sprintf(t, g.agency) + "（" + strconv.Itoa(i) + "）"
}

// trs reports whether the host pages its news like TRS WCM (index_1.html
// is the second page, links only in createPageHTML); else plain 下一页
// links with index_2.html as the second page.
func (g *genHost) trs() bool { return g.index%3 == 1 }

// hanweb reports whether the host lists its reports Hanweb-style, only in
// <script type="text/xml"> CDATA records.
func (g *genHost) hanweb() bool { return g.index%4 == 3 }

func (g *genHost) listPath(p int) string {
	if p == 0 {
		return "/news/index.html"
	}
	if g.trs() {
		return fmt.Sprintf("/news/index_%d.html", p)
	}
	return fmt.Sprintf("/news/index_%d.html", p+1)
}

// page builds the page at uri; ok false for unknown paths.
func (g *genHost) page(uri string) (doc, ctype string, ok bool) {
	s := g.site
	switch {
	case uri == "/robots.txt":
		return "User-agent: *\nDisallow: /search/\nDisallow: /module/web/jpage/\n", "text/plain; charset=utf-8", true
	case uri == "/" || uri == "/index.html":
		items := make([][3]string, 0, 8)
		for i := 0; i < min(8, g.news); i++ {
			items = append(items, [3]string{g.newsPath(i), g.newsTitle(i), ""})
		}
		return s.page(g.agency, nil, nil, "<div class=\"news\">"+listItems(items)+"</div>\n<a href=\"/search/index.html?q=nianbao\">站内搜索</a>\n"), "", true
	case uri == "/xxgk/ndbg/index.html":
		var items [][3]string
		for y := genLastYear; y >= genFirstYear; y-- {
			items = append(items, [3]string{g.reportPath(y), fmt.Sprintf("%s%d年政府信息公开工作年度报告", g.agency, y), g.published(y)})
		}
		list := listItems(items)
		if g.hanweb() {
			list = hanwebRecords(items)
		}
		return s.page("政府信息公开年报_"+g.agency, nil, [][2]string{{"/", "首页"}, {"", "政府信息公开年报"}}, list), "", true
	case strings.HasPrefix(uri, "/xxgk/ndbg/"):
		for y := genFirstYear; y <= genLastYear; y++ {
			if uri == g.reportPath(y) {
				var prev *[7]int
				var inForce *[2]int
				var r *synthReport
				for yy := genFirstYear; yy <= y; yy++ {
					r = newSynthReport(g.rnd(uint64(yy)), g.agency, yy, g.published(yy), prev, inForce)
					prev, inForce = &r.T3[t3CarriedFw], &[2]int{r.Regs[2], r.Norms[2]}
				}
				return s.articlePage(r.Title(), r.Published, "政府信息公开年报", [][2]string{{"/", "首页"}, {"/xxgk/ndbg/index.html", "政府信息公开年报"}}, "<div class=\"TRS_Editor\">\n"+r.BodyHTML()+"</div>\n"), "", true
			}
		}
	case uri == "/news/index.html" || strings.HasPrefix(uri, "/news/index_"):
		p := 0
		if uri != "/news/index.html" {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(uri, "/news/index_"), ".html"))
			if g.trs() {
				n++
			}
			if err != nil || n < 2 || n > g.lists || uri != g.listPath(n-1) {
				return "", "", false
			}
			p = n - 1
		}
		var items [][3]string
		for i := p * genPerList; i < min((p+1)*genPerList, g.news); i++ {
			items = append(items, [3]string{g.newsPath(i), g.newsTitle(i), fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28)})
		}
		if g.trs() {
			return s.page("工作动态_"+g.agency, nil, [][2]string{{"/", "首页"}, {"", "工作动态"}}, listItems(items)+trsPager(g.lists, p)), "", true
		}
		pager := "<div class=\"page\">"
		if p > 0 {
			pager += fmt.Sprintf("<a href=\"%s\">上一页</a> ", g.listPath(p-1))
		}
		pager += fmt.Sprintf("第%d/%d页", p+1, g.lists)
		if p+1 < g.lists {
			pager += fmt.Sprintf(" <a href=\"%s\">下一页</a>", g.listPath(p+1))
		}
		pager += "</div>\n"
		return s.page("工作动态_"+g.agency, nil, [][2]string{{"/", "首页"}, {"", "工作动态"}}, listItems(items)+pager), "", true
	case strings.HasPrefix(uri, "/news/"):
		i := strings.LastIndex(uri, "/t_")
		if i < 0 {
			return "", "", false
		}
		n, err := strconv.Atoi(strings.TrimSuffix(uri[i+3:], ".html"))
		if err != nil || n < 0 || n >= g.news || uri != g.newsPath(n) {
			return "", "", false
		}
		rnd := g.rnd(1<<20 | uint64(n))
		var b strings.Builder
		b.WriteString("<div class=\"TRS_Editor\">\n")
		for k := 0; k < 3+rnd.IntN(6); k++ {
			fmt.Fprintf(&b, "<p>%s第%d项工作稳步推进，全年完成各类任务%d件，群众满意率%d%%。各单位要认真总结年度工作经验，持续抓好落实。</p>\n", html.EscapeString(g.agency), k+1, rnd.IntN(10000), 90+rnd.IntN(10))
		}
		b.WriteString("</div>\n<div class=\"related\"><h3>相关文章</h3>")
		var rel [][3]string
		for k := 0; k < 3; k++ {
			j := rnd.IntN(g.news)
			rel = append(rel, [3]string{g.newsPath(j), g.newsTitle(j), ""})
		}
		b.WriteString(listItems(rel) + "</div>\n")
		date := fmt.Sprintf("2024-%02d-%02d", 1+n%12, 1+n%28)
		return s.articlePage(g.newsTitle(n), date, "工作动态", [][2]string{{"/", "首页"}, {"/news/index.html", "工作动态"}}, b.String()), "", true
	}
	return "", "", false
}
