package fixtureworld

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/nianbao/nianbao/archive"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// site builds the pages of one host of a world.
type site struct {
	w    *World
	host string
	name string // site name in titles and the header
	// gbk encodes pages as GBK; headerCharset puts the charset in the
	// Content-Type header (else only in <meta>).
	gbk, headerCharset bool
	nav                string // header navigation links (HTML)
	// validators are the cache validators of static resources: "etag"
	// (ETag and Last-Modified, the default), "lastmod" (Last-Modified only)
	// or "none" (a dynamic CMS that answers 200 with the same bytes).
	validators string
}

func (w *World) newSite(host, name string) *site {
	w.hosts = append(w.hosts, host)
	return &site{w: w, host: host, name: name, headerCharset: true}
}

// url returns the absolute URL of a path on the site.
func (s *site) url(path string) string { return "http://" + s.host + path }

func (s *site) charset() string {
	if s.gbk {
		return "gb2312"
	}
	return "utf-8"
}

// lastModified is the Last-Modified of every static resource.
const lastModified = "Tue, 25 Jan 2022 08:00:00 GMT"

// raw adds a static resource.
func (s *site) raw(path, contentType string, body []byte) {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	switch s.validators {
	case "none":
	case "lastmod":
		h.Set("Last-Modified", lastModified)
	default:
		sum := sha256.Sum256(body)
		h.Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
		h.Set("Last-Modified", lastModified)
	}
	s.w.pages[s.host+path] = &resource{header: h, body: body}
}

// html adds an HTML page, encoded in the site's charset.
func (s *site) html(path, doc string) {
	body := []byte(doc)
	if s.gbk {
		enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(body)
		if err != nil {
			panic(fmt.Sprintf("fixtureworld: %s%s not encodable as GBK: %v", s.host, path, err))
		}
		body = enc
	}
	ct := "text/html"
	if s.headerCharset {
		ct = "text/html; charset=" + s.charset()
		if s.gbk {
			ct = "text/html; charset=GBK"
		}
	}
	s.raw(path, ct, body)
}

// expect records a report page or attachment the crawl must archive.
func (s *site) expect(path string, role archive.Role, agency string, year int) {
	s.w.expected = append(s.w.expected, Expect{Host: s.host, URL: s.url(path), Role: role, Year: year, Agency: agency})
}

// page wraps content in the site's chrome. meta holds extra <meta> tags
// (name → content); crumbs are breadcrumb links (href, text) pairs.
func (s *site) page(title string, meta [][2]string, crumbs [][2]string, content string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n")
	fmt.Fprintf(&b, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=%s\" />\n", s.charset())
	fmt.Fprintf(&b, "<title>%s</title>\n", html.EscapeString(title))
	fmt.Fprintf(&b, "<meta name=\"SiteName\" content=\"%s\" />\n", s.name)
	for _, m := range meta {
		fmt.Fprintf(&b, "<meta name=\"%s\" content=\"%s\" />\n", m[0], html.EscapeString(m[1]))
	}
	b.WriteString("<link rel=\"stylesheet\" type=\"text/css\" href=\"/images/style.css\" />\n")
	b.WriteString("<script type=\"text/javascript\" src=\"/js/jquery.min.js\"></script>\n")
	b.WriteString("</head>\n<body>\n")
	fmt.Fprintf(&b, "<div class=\"top\"><div class=\"logo\"><a href=\"/\">%s</a></div>\n<div class=\"nav\">%s</div></div>\n", s.name, s.nav)
	if len(crumbs) > 0 {
		b.WriteString("<div class=\"position\">当前位置：")
		for i, c := range crumbs {
			if i > 0 {
				b.WriteString(" &gt; ")
			}
			if c[0] == "" {
				b.WriteString(html.EscapeString(c[1]))
			} else {
				fmt.Fprintf(&b, "<a href=\"%s\">%s</a>", c[0], html.EscapeString(c[1]))
			}
		}
		b.WriteString("</div>\n")
	}
	b.WriteString(content)
	fmt.Fprintf(&b, "\n<div class=\"footer\"><p>主办单位：%s&nbsp;&nbsp;&nbsp;网站标识码：4300000000</p><p>技术支持：某某信息技术有限公司</p></div>\n", s.name)
	b.WriteString("<script type=\"text/javascript\">var _hmt = _hmt || [];</script>\n</body>\n</html>\n")
	return b.String()
}

// articlePage renders an article (report or news): title, info bar with
// the publication date (when non-empty), content.
func (s *site) articlePage(title, published, column string, crumbs [][2]string, content string) string {
	meta := [][2]string{{"ArticleTitle", title}, {"ColumnName", column}}
	info := "<div class=\"info\">"
	if published != "" {
		meta = append(meta, [2]string{"PubDate", published})
		info += "<span>发布时间：" + published + "</span>&nbsp;&nbsp;"
	}
	info += "<span>来源：" + s.name + "</span>&nbsp;&nbsp;<span>字号：[<a href=\"javascript:doZoom(16)\">大</a> <a href=\"javascript:doZoom(14)\">中</a> <a href=\"javascript:doZoom(12)\">小</a>]</span></div>\n"
	body := fmt.Sprintf("<div class=\"article\">\n<h1 class=\"title\">%s</h1>\n%s%s\n</div>\n", html.EscapeString(title), info, content)
	return s.page(title+"_"+s.name, meta, crumbs, body)
}

// listItems renders <li> items of a list column: (href, title, date).
func listItems(items [][3]string) string {
	var b strings.Builder
	b.WriteString("<ul class=\"list\">\n")
	for _, it := range items {
		fmt.Fprintf(&b, "<li><a href=\"%s\" target=\"_blank\" title=\"%s\">%s</a><span class=\"date\">%s</span></li>\n",
			it[0], html.EscapeString(it[1]), html.EscapeString(it[1]), it[2])
	}
	b.WriteString("</ul>\n")
	return b.String()
}

// noiseTitles are news articles of a government site; some mention 年度
// or 年报 in passing and are not annual reports on information disclosure.
var noiseTitles = []string{
	"%s召开%d年度工作总结暨表彰大会",
	"%s部署%d年度政务公开重点工作",
	"%s开展“平安护航”专项行动",
	"%s举办政务公开业务培训班",
	"关于%s%d年度部门预算公开的说明",
	"%s%d年度法治政府建设工作报告",
	"%s全力做好春节期间安全保障工作",
	"%s召开党史学习教育专题会议",
	"%s%d年度统计年报填报工作培训会召开",
	"关于调整%s办公时间的通知",
	"%s%d年度优化营商环境工作情况",
	"%s开展“警营开放日”活动",
}

// noiseArticles adds n news articles under dir and returns their list
// items (newest first). agency names the body; year is the news year.
func (s *site) noiseArticles(dir, column string, n, year int, crumbs [][2]string) [][3]string {
	var items [][3]string
	for i := 0; i < n; i++ {
		t := noiseTitles[i%len(noiseTitles)]
		var title string
		if strings.Count(t, "%") == 2 {
			title = fmt.Sprintf(t, s.name, year-1+(i%2))
		} else {
			title = fmt.Sprintf(t, s.name)
		}
		month := 12 - i%12
		date := fmt.Sprintf("%d-%02d-%02d", year, month, 1+(i*7)%27)
		path := fmt.Sprintf("%s%d%02d/t%d%02d%02d_%d.html", dir, year, month, year, month, 1+(i*7)%27, 5000+i)
		content := "<div class=\"content\">\n" +
			"<p>" + html.EscapeString(date[:4]) + "年" + fmt.Sprint(month) + "月，" + html.EscapeString(s.name) + "围绕年度目标任务，认真落实各项工作部署。会议总结了上一年度工作，分析了当前形势，安排部署了下一阶段重点工作。</p>\n" +
			"<p>会议要求，各单位要进一步提高政治站位，压实工作责任，确保各项工作落地见效。</p>\n</div>\n"
		s.html(path, s.articlePage(title, date, column, crumbs, content))
		items = append(items, [3]string{path, title, date})
	}
	return items
}

// robots adds /robots.txt.
func (s *site) robots(text string) { s.raw("/robots.txt", "text/plain; charset=utf-8", []byte(text)) }

// forbid records a URL of this site that must never be fetched.
func (s *site) forbid(path string) { s.w.forbidden = append(s.w.forbidden, s.url(path)) }

// textParas renders flattened text as one <p> per line (blank → &nbsp;).
func textParas(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			b.WriteString("<p>&nbsp;</p>\n")
			continue
		}
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(line))
	}
	return b.String()
}
