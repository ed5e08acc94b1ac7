package crawler

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/archive"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	textdecode "github.com/nianbao/nianbao/decode"
)

// Link is a URL found on a page, with the text that named it.
type Link struct {
	URL  string
	Text string
	// Paging is set for list paging (下一页, createPageHTML pages).
	Paging bool
}

// Priorities of frontier items; lower is fetched first.
const (
	prioReport     = 0 // a report page or its attachment
	prioList       = 1 // a report list column or its next page
	prioDisclosure = 2 // a 政府信息公开 path
	prioOther      = 4
)

var attachmentExt = map[string]bool{".pdf": true, ".doc": true, ".docx": true, ".wps": true,
	".xls": true, ".xlsx": true, ".et": true, ".ofd": true}

// skipExt are links never worth a request.
var skipExt = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".bmp": true,
	".css": true, ".js": true, ".ico": true, ".svg": true, ".swf": true, ".mp4": true, ".mp3": true,
	".flv": true, ".avi": true, ".zip": true, ".rar": true, ".7z": true, ".exe": true, ".apk": true,
	".ppt": true, ".pptx": true, ".txt": true, ".xml": true, ".json": true, ".woff": true, ".ttf": true}

// isAttachment reports whether u names a document attachment.
func isAttachment(u *url.URL) bool {
	return attachmentExt[strings.ToLower(path.Ext(u.Path))]
}

var (
	reYear    = regexp.MustCompile(`((?:19|20)\d{2})\s*年`)
	reportKey = words{"年度报告", "年报", "信息公开工作报告"}
	// Titles that mention a year and 年报/年度报告 without being an
	// information-disclosure report: meetings, readings of a report…
	notReport = words{"召开", "会议", "工作会", "培训", "解读", "图解", "一图读懂", "征集", "答记者问"}
	// …and other annual reports, unless the title says 信息公开:
	// enterprise filings, statistics, budgets, rule-of-law reports.
	otherReport = words{"企业", "工商", "个体", "合作社", "公示", "统计", "财务", "决算", "预算", "法治", "社会信用", "环境", "审计", "安全生产", "社会责任", "质量"}
	discloseKey = words{"信息公开", "政务公开"}
	// A truncated link text that may name a report: 2021年政府信息公开工…
	reTruncated = regexp.MustCompile(`(?:19|20)\d{2}.*(?:信息公开|政务公开).*(?:…|\.\.\.|\.\.)$`)
	// A column named for the reports (信息公开年报, …工作年度报告: every
	// such name holds one of these).
	listKey = words{"年度报告", "年报"}
	// A link text naming the disclosure section (政府信息公开 holds 信息公开).
	disclose  = words{"信息公开", "公开目录", "政务公开", "法定主动公开"}
	reDisPath = regexp.MustCompile(`(?i)(^|/)(xxgk|zwgk|gkml|zfxxgk|xxgkml|xxgknb|gknb|zfxxgkml|zfxxgknb|xxgkzd|ndbg|nb|col\d+|zfxxgkzl)(/|$|_|\.)`)
	// disPathLit: every path reDisPath matches holds one of these
	// (lower-cased), so a path without any is not tried.
	disPathLit = []string{"xxgk", "zwgk", "gkml", "nb", "ndbg", "col"}
	// Calendar navigation (上一月, 下一年, 前一天…) leads through an
	// endless sequence of dates, never to a report.
	reCalendarNav = regexp.MustCompile(`^\s*[<«‹]*\s*(上|下|前|后)(一)?(个)?(日|天|周|星期|月|年|季度?)\s*[>»›]*\s*$`)
	reNext        = regexp.MustCompile(`^\s*(下一页|下页|后一页|尾页|末页|>>|>|›|»)\s*$`)
	rePageFile    = regexp.MustCompile(`(?i)(^|/)(index|list|default)_\d+\.s?html?$`)
)

// reportYear returns the report year named by a title like
// 2021年政府信息公开工作年度报告 (or …年度报告（2021年度）, with the year
// in brackets after it), or 0 when the title is no such report.
func reportYear(title string) int {
	// Every report key (reportKey) has 报; most link texts have none.
	if !strings.Contains(title, "报") {
		return 0
	}
	t := strings.Join(strings.Fields(halfWidth(title)), "")
	if t == "" || !reportKey.in(t) || notReport.in(t) {
		return 0
	}
	if !discloseKey.in(t) && otherReport.in(t) {
		return 0
	}
	key := reportKey.index(t)
	m := reYear.FindStringSubmatchIndex(t)
	if m == nil {
		// 2021年度 is matched above by 年; also accept "2021政府信息公开…年报".
		m = reYearDigits.FindStringSubmatchIndex(t)
		if m == nil {
			return 0
		}
	}
	// The year must come before the 年报/年度报告 it qualifies, or follow
	// it in brackets: 政府信息公开工作年度报告（2022年度）.
	if m[2] > key[0] {
		if a := reYearAfter.FindStringSubmatch(t[key[1]:]); a != nil {
			y, _ := strconv.Atoi(a[1])
			return y
		}
		return 0
	}
	y, _ := strconv.Atoi(t[m[2]:m[3]])
	return y
}

var (
	reYearDigits = regexp.MustCompile(`((?:19|20)\d{2})`)
	reYearAfter  = regexp.MustCompile(`^[(（\[【〔<《:：\-—]*((?:19|20)\d{2})\s*(?:年度|年)?[)）\]】〕>》]?$`)
)

// halfWidth turns full-width digits, letters and punctuation (２０２１)
// into ASCII (decode.FoldWidth), keeping （）： that the title patterns
// match as they are.
func halfWidth(s string) string {
	return textdecode.FoldWidth(s, "（）：")
}

// truncatedReport reports whether a link text is cut short after naming
// a year and 信息公开/政务公开 (reTruncated); the regexp runs only on texts
// that end in an ellipsis.
func truncatedReport(name string) bool {
	t := strings.Join(strings.Fields(name), "")
	if !strings.HasSuffix(t, "…") && !strings.HasSuffix(t, "..") {
		return false
	}
	return reTruncated.MatchString(t)
}

// isListTitle reports whether a link names a report list column
// (政府信息公开年报) rather than one report.
func isListTitle(t string) bool {
	t = strings.Join(strings.Fields(t), "")
	// A column name carries no year: 2024年法治政府建设年度报告 is a
	// document, not a list.
	return t != "" && len([]rune(t)) <= 24 && listKey.in(t) && reportYear(t) == 0 && !notReport.in(t) &&
		!reYearDigits.MatchString(halfWidth(t))
}

// normalize resolves ref against base and returns the canonical absolute
// URL: lower-case scheme and host, no default port, no fragment.
func normalize(base *url.URL, ref string) (*url.URL, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") {
		return nil, false
	}
	low := strings.ToLower(ref)
	for _, p := range []string{"javascript:", "mailto:", "tel:", "data:", "about:", "ftp:"} {
		if strings.HasPrefix(low, p) {
			return nil, false
		}
	}
	r, err := url.Parse(ref)
	if err != nil {
		return nil, false
	}
	u := base.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, false
	}
	u.Fragment, u.RawFragment = "", ""
	u.Scheme = strings.ToLower(u.Scheme)
	stripSession(u)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		u.Host = host + ":" + port
	} else {
		u.Host = host
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.User = nil
	return u, true
}

var reYearOnly = regexp.MustCompile(`^[(（\[【]?((?:19|20)\d{2})\s*(?:年度?)?(?:报告|年报)?[)）\]】]?$`)

var reSessionPath = regexp.MustCompile(`(?i);jsessionid=[^/?#;]*`)

// stripSession drops session ids servers write into links for clients
// without cookies (/detail.jsp;jsessionid=8F2A…?id=1, ?PHPSESSID=…): each
// visit would get a new one, so one page would be many URLs.
func stripSession(u *url.URL) {
	if strings.Contains(strings.ToLower(u.Path), ";jsessionid=") {
		u.Path = reSessionPath.ReplaceAllString(u.Path, "")
		u.RawPath = reSessionPath.ReplaceAllString(u.RawPath, "")
	}
	if u.RawQuery == "" {
		return
	}
	low := strings.ToLower(u.RawQuery)
	if !strings.Contains(low, "sessid") && !strings.Contains(low, "jsessionid") && !strings.Contains(low, "sessionid") {
		return
	}
	var keep []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(k) {
		case "jsessionid", "phpsessid", "sessionid", "aspsessionid":
			continue
		}
		keep = append(keep, kv)
	}
	u.RawQuery = strings.Join(keep, "&")
}

// inScope reports whether u is on the authority key (see authority.go),
// under either scheme: another port of the same name is another site.
func inScope(u *url.URL, key string) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && authority(u) == strings.ToLower(key)
}

var calendarParam = regexp.MustCompile(`(?i)^(date|day|month|year|yr|ym|ymd|cal|calendar|week|time|d|m|y|start|end|from|to|begin|riqi)$`)

// trap reports why u looks like a crawler trap, or "".
func trap(u *url.URL) string {
	s := u.String()
	// Real list URLs can be long: Hanweb's dataproxy.jsp carries a dozen
	// parameters and the column's name percent-encoded.
	if len(s) > 512 {
		return "URL longer than 512 characters"
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) > 12 {
		return "more than 12 path segments"
	}
	count := map[string]int{}
	for _, sg := range segs {
		if sg == "" {
			continue
		}
		count[sg]++
		if count[sg] >= 3 {
			return fmt.Sprintf("path segment %q repeats", sg)
		}
	}
	for i := 1; i < len(segs); i++ {
		if segs[i] != "" && segs[i] == segs[i-1] && !isNumeric(segs[i]) {
			return fmt.Sprintf("path segment %q repeats", segs[i])
		}
	}
	q := u.Query()
	for k, vs := range q {
		if calendarParam.MatchString(k) {
			for _, v := range vs {
				if strings.ContainsAny(v, "0123456789") {
					return "calendar query parameter " + k
				}
			}
		}
	}
	if len(q) > 16 {
		return "too many query parameters"
	}
	if c := strings.Count(s, "%25"); c > 2 {
		return "repeatedly escaped URL"
	}
	return ""
}

func isNumeric(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// page is what discovery learns from one HTML page.
type page struct {
	Title    string // <title>
	Headline string // the first h1–h3 or .title text
	Links    []Link
}

var (
	reCDATA      = regexp.MustCompile(`(?s)<!\[CDATA\[(.*?)\]\]>`)
	reCreatePage = regexp.MustCompile(`createPageHTML\(([^)]*)\)`)
	reNextGroup  = regexp.MustCompile(`(?s)<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>`)
	reCountPage  = regexp.MustCompile(`countPage\s*=\s*['"]?(\d+)`)
	reQuotedURL  = regexp.MustCompile(`["']((?:\./|\.\./|/|https?://)[^"'\s<>()]+\.(?:s?html?|pdf|docx?|wps|xlsx?|et|jsp|aspx?|php))["']`)
	reJSPageName = regexp.MustCompile(`["'](index|list|default)["']\s*\+\s*["']_["']`)
)

// maxPages caps the pages a createPageHTML call may announce.
const maxPages = 500

// parsePage finds the links of an HTML page already decoded to UTF-8:
// anchors, frames, Hanweb CDATA records in <script type="text/xml">, TRS
// createPageHTML paging and quoted URLs inside scripts.
func parsePage(base *url.URL, doc *html.Node) *page {
	if b := findBase(doc); b != "" {
		if u, ok := normalize(base, b); ok {
			base = u
		}
	}
	pp := &pageParser{p: &page{}, base: base, seen: map[string]int{}}
	pp.walk(doc)
	for _, ref := range hanwebProxyPages(pp.scripts.String()) {
		pp.add(ref, "", true)
	}
	return pp.p
}

// pageParser is parsePage's walk over one document: the page it fills,
// the base its links resolve against, the index of each URL in p.Links
// and the text of the page's scripts.
type pageParser struct {
	p       *page
	base    *url.URL
	seen    map[string]int
	scripts strings.Builder
}

// add records a link once per URL, keeping the most telling text for a
// URL linked twice, and also links the document a viewer URL shows.
func (pp *pageParser) add(ref, text string, paging bool) {
	p, seen := pp.p, pp.seen
	u, ok := normalize(pp.base, ref)
	if !ok {
		return
	}
	text = strings.Join(strings.Fields(text), " ")
	s := u.String()
	if i, ok := seen[s]; ok {
		// keep the most telling text for a URL linked twice
		if reportYear(p.Links[i].Text) == 0 && (reportYear(text) > 0 || p.Links[i].Text == "") {
			p.Links[i].Text = text
		}
		p.Links[i].Paging = p.Links[i].Paging || paging
		return
	}
	seen[s] = len(p.Links)
	p.Links = append(p.Links, Link{URL: s, Text: text, Paging: paging})
	// A document viewer (pdf.js viewer.html?file=…, preview.jsp?url=…)
	// names the document it shows in its query: link that too.
	if doc := embeddedDocument(u); doc != "" {
		if d, ok := normalize(u, doc); ok && !seenURL(seen, d.String()) {
			seen[d.String()] = len(p.Links)
			p.Links = append(p.Links, Link{URL: d.String(), Text: text})
		}
	}
}

// walk visits n and its descendants in document order.
func (pp *pageParser) walk(n *html.Node) {
	if n.Type == html.ElementNode {
		pp.element(n)
		pp.classHeadline(n)
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		pp.walk(ch)
	}
}

// element takes from one element what it says of the page: its title or
// headline, or the links it holds.
func (pp *pageParser) element(n *html.Node) {
	p := pp.p
	switch n.DataAtom {
	case atom.Title:
		if p.Title == "" {
			p.Title = nodeText(n)
		}
	case atom.H1, atom.H2, atom.H3:
		if p.Headline == "" {
			p.Headline = nodeText(n)
		}
	case atom.A, atom.Area:
		href := attr(n, "href")
		if u := onclickURL(href, attr(n, "onclick")); u != "" {
			href = u
		}
		text := anchorText(n)
		pp.add(href, text, reNext.MatchString(text))
	case atom.Meta:
		// <meta http-equiv="refresh" content="0; url=/zwgk/">: a
		// home page that only forwards to the real one.
		if strings.EqualFold(attr(n, "http-equiv"), "refresh") {
			if ref := refreshURL(attr(n, "content")); ref != "" {
				pp.add(ref, "", false)
			}
		}
	case atom.Frame, atom.Iframe, atom.Embed:
		pp.add(attr(n, "src"), attr(n, "title"), false)
	case atom.Object:
		pp.add(attr(n, "data"), attr(n, "title"), false)
	case atom.Script:
		src := scriptSource(n)
		scriptLinks(n, src, pp.add)
		pp.scripts.WriteString(src)
		pp.scripts.WriteByte('\n')
	default:
		// Lists whose rows open their page from a handler or a
		// data attribute: <li onclick="location.href='…'">,
		// <tr data-href="…">.
		ref := onclickURL("", attr(n, "onclick"))
		for _, k := range []string{"data-href", "data-url", "data-link"} {
			if ref == "" {
				ref = attr(n, k)
			}
		}
		if ref != "" {
			pp.add(ref, nodeText(n), false)
		}
	}
}

// anchorText is the text of a link: its own, else its title, else the alt
// of its picture; a title naming a report year wins over a text that does
// not.
func anchorText(n *html.Node) string {
	text := nodeText(n)
	if text == "" {
		text = attr(n, "title")
	}
	if text == "" {
		// a picture button: <a><img alt="政府信息公开年报"></a>
		text = imgAlt(n)
	}
	if t := attr(n, "title"); t != "" && reportYear(text) == 0 && reportYear(t) > 0 {
		text = t
	}
	return text
}

// classHeadline takes as the headline, when the page has none yet, the
// short text of a block whose class or id names a title (not a subtitle).
func (pp *pageParser) classHeadline(n *html.Node) {
	if pp.p.Headline != "" || !(n.DataAtom == atom.Div || n.DataAtom == atom.Td || n.DataAtom == atom.P || n.DataAtom == atom.Span) {
		return
	}
	cls := strings.ToLower(attr(n, "class") + " " + attr(n, "id"))
	if strings.Contains(cls, "title") && !strings.Contains(cls, "subtitle") {
		if t := nodeText(n); t != "" && len([]rune(t)) < 120 {
			pp.p.Headline = t
		}
	}
}

func seenURL(seen map[string]int, u string) bool {
	_, ok := seen[u]
	return ok
}

// embeddedDocument returns the document URL a viewer link carries in its
// query (viewer.html?file=%2Fu%2Fcms%2F2023年报.pdf), or "".
func embeddedDocument(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			v = strings.TrimSpace(v)
			r, err := url.Parse(v)
			if err != nil || v == "" {
				continue
			}
			if isAttachment(r) && (r.IsAbs() || strings.HasPrefix(v, "/") || strings.HasPrefix(v, ".")) {
				return v
			}
		}
	}
	return ""
}

var (
	reJSURL = regexp.MustCompile(`['"]((?:\./|\.\./|/|https?://)[^'"\s<>]+|[\w\-./]+\.(?:s?html?|jsp|aspx?|php|pdf|docx?|wps|xlsx?|et)(?:\?[^'"\s<>]*)?)['"]`)
	reJSNav = regexp.MustCompile(`(?i)window\.open|location|\.href|open[A-Z_]?\w*\s*\(|go\w*\s*\(|view\w*\s*\(|show\w*\s*\(|detail\w*\s*\(`)
)

var (
	reRefresh    = regexp.MustCompile(`(?i)^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?['"]?([^'"]+?)['"]?\s*$`)
	reJSLocation = regexp.MustCompile(`(?:^|[^\w.])(?:(?:window|self|top|document|parent)\.)?location(?:\.href)?\s*(?:=\s*|\.(?:replace|assign)\s*\(\s*)['"]([^'"\s<>]+)['"]`)
)

// refreshURL returns the target of a meta refresh content ("0;
// url=/zwgk/index.html"), or "".
func refreshURL(content string) string {
	m := reRefresh.FindStringSubmatch(content)
	if m == nil || !strings.ContainsAny(content, "=;,") {
		return ""
	}
	return strings.TrimSpace(m[1])
}

// onclickURL returns the URL an anchor opens from its onclick handler
// (<a href="javascript:void(0)" onclick="window.open('./202301/t1.html')">)
// when its href leads nowhere; "" otherwise.
func onclickURL(href, onclick string) string {
	h := strings.ToLower(strings.TrimSpace(href))
	if onclick == "" || !(h == "" || h == "#" || strings.HasPrefix(h, "javascript:")) {
		return ""
	}
	if !reJSNav.MatchString(onclick) {
		return ""
	}
	m := reJSURL.FindStringSubmatch(onclick)
	if m == nil {
		return ""
	}
	return m[1]
}

// scriptSource is the text of a <script> element.
func scriptSource(n *html.Node) string {
	var sb strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.TextNode {
			sb.WriteString(ch.Data)
		}
	}
	return sb.String()
}

var (
	reJpageProxy     = regexp.MustCompile(`proxyUrl\s*:\s*['"]([^'"]*dataproxy\.jsp[^'"]*)['"]`)
	reJpageTotal     = regexp.MustCompile(`(?i)totalRecord\s*[:=]\s*['"]?(\d+)|<totalrecord>\s*(\d+)\s*</totalrecord>`)
	reJpagePer       = regexp.MustCompile(`perPage\s*:\s*['"]?(\d+)`)
	reJpageGroup     = regexp.MustCompile(`groupSize\s*:\s*['"]?(\d+)`)
	reJpageParams    = regexp.MustCompile(`ajaxParam\s*:\s*\{([^}]*)\}`)
	reNextGroupQuery = regexp.MustCompile(`(?s)<nextgroup>.*?dataproxy\.jsp\?([^"'<>\s]*)`)
	reJSPair         = regexp.MustCompile(`['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,\s}]+))`)
)

// hanwebProxyPages reads the jpage call of a Hanweb (大汉) column page,
// $('#4001').jpage({totalRecord: 60, perPage: 15, groupSize: 3,
// proxyUrl: '/module/web/jpage/dataproxy.jsp', ajaxParam: {columnid: …,
// unitid: …}}), and returns the dataproxy.jsp URLs of every group of
// records: ?startrecord=1&endrecord=45&perpage=15&col=1&…&columnid=…. The
// script POSTs ajaxParam; the servlet reads the same parameters from a GET
// query.
func hanwebProxyPages(src string) []string {
	pm := reJpageProxy.FindStringSubmatch(src)
	if pm == nil {
		return nil
	}
	total := 0
	if m := reJpageTotal.FindStringSubmatch(src); m != nil {
		total, _ = strconv.Atoi(m[1] + m[2])
	}
	per, group := 15, 1
	if m := reJpagePer.FindStringSubmatch(src); m != nil {
		if n, _ := strconv.Atoi(m[1]); n > 0 {
			per = n
		}
	}
	if m := reJpageGroup.FindStringSubmatch(src); m != nil {
		if n, _ := strconv.Atoi(m[1]); n > 0 {
			group = n
		}
	}
	if total <= 0 {
		return nil
	}
	var params []string
	if m := reJpageParams.FindStringSubmatch(src); m != nil {
		for _, kv := range reJSPair.FindAllStringSubmatch(m[1], 50) {
			v := kv[2] + kv[3] + kv[4]
			params = append(params, url.QueryEscape(kv[1])+"="+url.QueryEscape(v))
		}
	} else if m := reNextGroupQuery.FindStringSubmatch(src); m != nil {
		// No ajaxParam: the <nextgroup> link names the column and unit.
		for _, kv := range strings.Split(html.UnescapeString(m[1]), "&") {
			k, _, _ := strings.Cut(kv, "=")
			switch strings.ToLower(k) {
			case "", "page", "startrecord", "endrecord", "perpage":
				continue
			}
			params = append(params, kv)
		}
	}
	step := per * group
	var out []string
	for start := 1; start <= total && len(out) < maxPages; start += step {
		end := min(start+step-1, total)
		q := fmt.Sprintf("startrecord=%d&endrecord=%d&perpage=%d", start, end, per)
		if len(params) > 0 {
			q += "&" + strings.Join(params, "&")
		}
		sep := "?"
		if strings.Contains(pm[1], "?") {
			sep = "&"
		}
		out = append(out, pm[1]+sep+q)
	}
	return out
}

// scriptLinks handles a <script> whose text is src: Hanweb data stores, TRS
// paging and quoted URLs.
func scriptLinks(n *html.Node, src string, add func(ref, text string, paging bool)) {
	if src == "" {
		return
	}
	typ := strings.ToLower(attr(n, "type"))
	if strings.Contains(typ, "xml") || strings.Contains(src, "<![CDATA[") {
		frags := reCDATA.FindAllStringSubmatch(src, -1)
		if len(frags) == 0 && strings.Contains(typ, "xml") {
			frags = [][]string{{src, src}}
		}
		// Hanweb's <nextgroup> holds the link to the next records
		// (dataproxy.jsp): it pages the list.
		next := ""
		if m := reNextGroup.FindStringSubmatch(src); m != nil {
			next = m[1]
		}
		for _, f := range frags {
			ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
			nodes, err := html.ParseFragment(strings.NewReader(f[1]), ctx)
			if err != nil {
				continue
			}
			paging := f[1] == next
			for _, fn := range nodes {
				eachAnchor(fn, func(href, text string) { add(href, text, paging || reNext.MatchString(text)) })
			}
		}
		if strings.Contains(typ, "xml") {
			return
		}
	}
	total, name, ext, ok := createPageArgs(src)
	if !ok {
		if m := reCountPage.FindStringSubmatch(src); m != nil && reJSPageName.MatchString(src) {
			total, _ = strconv.Atoi(m[1])
			name = reJSPageName.FindStringSubmatch(src)[1]
			ext = "html"
			if strings.Contains(src, `"htm"`) || strings.Contains(src, `'htm'`) {
				ext = "htm"
			} else if strings.Contains(src, `"shtml"`) {
				ext = "shtml"
			}
		}
	}
	for i := 1; i < total && i < maxPages; i++ {
		add(fmt.Sprintf("%s_%d.%s", name, i, ext), fmt.Sprintf("第%d页", i+1), true)
	}
	for _, m := range reJSLocation.FindAllStringSubmatch(src, 20) {
		// window.location.href = "/xxgk/"; location.replace('/portal/')
		add(m[1], "", false)
	}
	for _, m := range reQuotedURL.FindAllStringSubmatch(src, 200) {
		if strings.HasSuffix(m[1], "/dataproxy.jsp") {
			continue // Hanweb's record servlet needs the jpage parameters (hanwebProxyPages)
		}
		add(m[1], "", false)
	}
}

// createPageArgs reads a TRS paging call: createPageHTML(total, current,
// "index", "html") or the newer createPageHTML("div", total, current,
// "index", "html", perPage). The pages are name.ext, name_1.ext, ….
func createPageArgs(src string) (total int, name, ext string, ok bool) {
	// The page may also hold the function's definition: take the first
	// call with literal arguments.
	for _, m := range reCreatePage.FindAllStringSubmatch(src, 20) {
		var ints []int
		var strs []string
		for _, a := range strings.Split(m[1], ",") {
			a = strings.Trim(strings.TrimSpace(a), `'"`)
			if n, err := strconv.Atoi(a); err == nil {
				ints = append(ints, n)
				continue
			}
			if n, ok := jsIntVar(src, a); ok && len(strs) == 0 {
				// createPageHTML(countPage, currentPage, …) with
				// var countPage = 5 set before the call.
				ints = append(ints, n)
				continue
			}
			if len(ints) >= 2 && a != "" {
				strs = append(strs, a)
			}
		}
		if len(ints) < 2 || len(strs) < 2 || strings.ContainsAny(strs[0]+strs[1], "/?# ") {
			continue
		}
		return ints[0], strs[0], strs[1], true
	}
	return 0, "", "", false
}

var reJSIdent = regexp.MustCompile(`^[A-Za-z_$][\w$]*$`)

// jsIntVar finds the integer a script assigns to the variable name
// (var countPage = 5;).
func jsIntVar(src, name string) (int, bool) {
	if !reJSIdent.MatchString(name) {
		return 0, false
	}
	re, err := regexp.Compile(`(?:^|[^\w$.])` + regexp.QuoteMeta(name) + `\s*=\s*['"]?(\d+)['"]?\s*(?:[;,\n/]|$)`)
	if err != nil {
		return 0, false
	}
	m := re.FindStringSubmatch(src)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

func eachAnchor(n *html.Node, fn func(href, text string)) {
	if n.Type == html.ElementNode && n.DataAtom == atom.A {
		text := nodeText(n)
		if text == "" || (reportYear(text) == 0 && reportYear(attr(n, "title")) > 0) {
			if t := attr(n, "title"); t != "" {
				text = t
			}
		}
		fn(attr(n, "href"), text)
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		eachAnchor(ch, fn)
	}
}

// imgAlt is the alt (or title) text of the first image under n.
func imgAlt(n *html.Node) string {
	if n.Type == html.ElementNode && n.DataAtom == atom.Img {
		return firstNonEmpty(attr(n, "alt"), attr(n, "title"))
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if t := imgAlt(ch); t != "" {
			return t
		}
	}
	return ""
}

func findBase(n *html.Node) string {
	if n.Type == html.ElementNode && n.DataAtom == atom.Base {
		return attr(n, "href")
	}
	if n.Type == html.ElementNode && n.DataAtom == atom.Body {
		return ""
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if b := findBase(ch); b != "" {
			return b
		}
	}
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// nodeText is the visible text under n, spaces collapsed.
func nodeText(n *html.Node) string {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
			sb.WriteByte(' ')
			return
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(sb.String()), " ")
}

// classify decides the frontier priority and role hint of a link found on
// a page with role parentRole; ok is false for links not worth fetching.
func classify(l Link, u *url.URL, parentRole archive.Role) (prio int, role archive.Role, ok bool) {
	ext := strings.ToLower(path.Ext(u.Path))
	if skipExt[ext] || (strings.ContainsAny(l.Text, "上下前后") && reCalendarNav.MatchString(l.Text)) {
		return 0, "", false
	}
	name := l.Text
	year := reportYear(name)
	// In a report column, an item named by its year alone (2022年,
	// 2021年度) is that year's report.
	yearItem := parentRole == "list" && reYearOnly.MatchString(strings.Join(strings.Fields(halfWidth(name)), ""))
	if attachmentExt[ext] {
		file, _ := url.PathUnescape(path.Base(u.Path))
		if parentRole == "report" || year > 0 || reportYear(file) > 0 || yearItem {
			return prioReport, "attachment", true
		}
		return 0, "", false // attachments of news pages are not fetched
	}
	if yearItem {
		// its page may be titled without the year (…工作年度报告)
		return prioReport, "report", true
	}
	if attachmentExt[strings.ToLower(path.Ext(strings.TrimSpace(name)))] && year > 0 {
		// download.jsp?id=… named 2021年…年度报告.pdf
		return prioReport, "attachment", true
	}
	switch {
	case year > 0:
		return prioReport, "report", true
	case truncatedReport(name):
		// 2021年政府信息公开工… : fetched first, its own title decides
		return prioReport, "", true
	case l.Paging && parentRole == "list":
		return prioList, "list", true
	case isListTitle(name):
		return prioList, "list", true
	case parentRole == "list" && rePageFile.MatchString(u.Path):
		return prioList, "list", true
	case disclose.in(name) || disclosurePath(u.Path):
		return prioDisclosure, "", true
	case l.Paging:
		return prioOther - 1, "", true
	}
	return prioOther, "", true
}

// words is a list of literal words; in reports whether a text holds one.
// (Go's regexp runs an alternation of literals with its backtracker,
// several times slower than these searches on every link of a page.)
type words []string

func (w words) in(s string) bool {
	for _, x := range w {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// index returns the start and end of the leftmost word in s (the first
// listed of those starting there), as regexp's FindStringIndex of their
// alternation does, or nil.
func (w words) index(s string) []int {
	var best []int
	for _, x := range w {
		if i := strings.Index(s, x); i >= 0 && (best == nil || i < best[0]) {
			best = []int{i, i + len(x)}
		}
	}
	return best
}

// disclosurePath reports whether a URL path names a disclosure section
// (/xxgk/, /zfxxgk_, /col123/…).
func disclosurePath(p string) bool {
	for _, lit := range disPathLit {
		if mayContainFold(p, lit) {
			return reDisPath.MatchString(p)
		}
	}
	return false
}
