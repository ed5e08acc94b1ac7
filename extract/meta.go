package extract

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao/report"
)

var (
	reTitleYear   = regexp.MustCompile(`^(.*?)\s*的?\s*([12][0-9]{3})\s*年\s*度?`)
	reYearFirst   = regexp.MustCompile(`^([12][0-9]{3})\s*年\s*度?\s*(.*?)\s*(?:信息|政务)公开`)
	rePeriod      = regexp.MustCompile(`([12][0-9]{3})年0?1月0?1日(?:起)?(?:至|到|-|—|~|－)+(?:([12][0-9]{3})年)?12月31日`)
	reYearOnly    = regexp.MustCompile(`^[（(]?[12][0-9]{3}年度?[）)]?$`)
	reYearLast    = regexp.MustCompile(`^(.*?)\s*(?:信息|政务)公开.*?[（(]\s*([12][0-9]{3})\s*年\s*度?\s*[）)]\s*$`)
	reBookmark    = regexp.MustCompile(`\[bookmark: [^\]]*\]`)
	reReportBy    = regexp.MustCompile(`本(?:年度)?报告由(.{2,40}?)(?:办公室|根据|编制|依据|按照)`)
	reDateISO     = regexp.MustCompile(`([12][0-9]{3})[-/.年]\s*([01]?[0-9])[-/.月]\s*([0-3]?[0-9])日?`)
	reDateLabel   = regexp.MustCompile(`(发布时间|发布日期|发文日期|成文日期|印发日期|公开日期|公开时间|生成日期|日期|时间)\s*[:：]\s*([12][0-9]{3}\s*[-/.年]\s*[01]?[0-9]\s*[-/.月]\s*[0-3]?[0-9]日?)(.?)`)
	reTimeOfDay   = regexp.MustCompile(`^\s*[0-2]?[0-9]:[0-5][0-9](?::[0-5][0-9])?\s*$`)
	reDateOnly    = regexp.MustCompile(`^[（(]?\s*([12][0-9]{3}|[〇零一二三四五六七八九○Ｏ]{4})\s*年\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*[）)]?$`)
	reStatedValue = regexp.MustCompile(`([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万元|元|件次|件|条|人次|次|个|项|篇|期|家|份|%)`)
)

// readMeta fills title, agency, year and published date.
func (p *parser) readMeta(doc *Document, opts Options) {
	r := p.rep
	r.Title = p.findTitle(doc)
	agency, year := agencyYear(r.Title)
	if agency == "" || year == 0 {
		a2, y2 := agencyYear(cleanContainerTitle(doc.Title))
		if agency == "" {
			agency = a2
		}
		if year == 0 {
			year = y2
		}
	}
	if by := p.reportBy(); by != "" && agency != "" && strings.HasSuffix(by, agency) && len(by) > len(agency) {
		agency = by
	}
	if agency == "" {
		agency = opts.Agency
	}
	r.Agency = agency
	if year == 0 {
		year = opts.Year
	}
	if year == 0 {
		if from, _ := p.period(); from > 0 {
			year = from
		}
	}
	r.Year = year
	r.PeriodFrom, r.PeriodTo = p.period()
	if d := p.findPublished(doc); d != "" {
		r.Published = &d
	}
}

// findTitle returns the report title: the first line naming a report near
// the top, with the line before it when the title is printed on two lines
// (agency, then "2021年度…报告"). The container's title is the fallback.
func (p *parser) findTitle(doc *Document) string {
	seen := 0
	prev := ""
	for i := 0; i < len(p.units) && seen < 12; i++ {
		u := &p.units[i]
		if !u.isText || u.empty || u.raw == "" {
			continue
		}
		seen++
		t := strings.TrimSpace(stripLabelPrefix(strings.TrimLeft(u.raw, "#*> ")))
		n := normLabel(t)
		if isBreadcrumb(n) {
			continue
		}
		if j := p.nextTextUnit(i); j > 0 && !namesReport(n) {
			// a title broken over two lines (title.go)
			if joined, ok := joinTitleLines(t, p.units[j].raw); ok {
				t, n, i = joined, normLabel(joined), j
			}
		}
		if utf8.RuneCountInString(n) <= 60 && (strings.Contains(n, "报告") || strings.Contains(n, "年报")) &&
			(strings.Contains(n, "公开") || strings.Contains(n, "年报")) && !strings.HasPrefix(n, "本") && !strings.Contains(n, "根据") {
			if prev != "" && (startsWithYear(n) || strings.HasPrefix(n, "政府信息公开") || strings.HasPrefix(n, "政务公开")) {
				t = prev + " " + t
			}
			if _, y := agencyYear(t); y == 0 {
				// "（2021年度）" on the next line
				for j := i + 1; j < len(p.units) && j <= i+2; j++ {
					if nx := normLabel(p.units[j].raw); reYearOnly.MatchString(nx) {
						t += p.units[j].raw
						break
					}
				}
			}
			return t
		}
		pn := normLabel(t)
		if utf8.RuneCountInString(pn) <= 25 && !strings.ContainsAny(pn, "。，,；：:") {
			prev = t
		} else {
			prev = ""
		}
	}
	return cleanContainerTitle(doc.Title)
}

// nextTextUnit returns the index of the first non-empty text unit after
// i within the next three units, or -1.
func (p *parser) nextTextUnit(i int) int {
	for j := i + 1; j < len(p.units) && j <= i+3; j++ {
		u := &p.units[j]
		if u.isText && !u.empty && u.raw != "" {
			return j
		}
	}
	return -1
}

// cleanContainerTitle drops the site name a CMS appends to the page title
// ("…年度报告_某某市人民政府").
func cleanContainerTitle(t string) string {
	t = strings.TrimSpace(t)
	for _, sep := range []string{"_", "|", " - ", "——", "－", "-"} {
		if i := strings.Index(t, sep); i > 0 && (strings.Contains(t[:i], "报告") || strings.Contains(t[:i], "年报")) {
			t = strings.TrimSpace(t[:i])
		}
	}
	return t
}

// isBreadcrumb reports site navigation ("当前位置：首页 > 信息公开 > 年报").
func isBreadcrumb(s string) bool {
	return strings.Contains(s, "当前位置") || strings.Contains(s, "首页") || strings.Contains(s, ">") ||
		strings.Contains(s, "»") || strings.Contains(s, "》》") || strings.Contains(s, "→")
}

func startsWithYear(s string) bool {
	return len(s) >= 4 && s[0] >= '1' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9'
}

// agencyYear splits a title such as "宁波市公安局 2021年度政府信息公开工作年度
// 报告" or "2021年宁波市公安局政府信息公开工作年度报告" into agency and year.
func agencyYear(title string) (string, int) {
	t := strings.TrimSpace(closeYearGap(stripLabelPrefix(title)))
	t = strings.TrimPrefix(t, "关于")
	if m := reYearLast.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[2])
		return cleanAgency(stripGovernmentWord(m[1])), y
	}
	if m := reYearFirst.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[1])
		return cleanAgency(stripGovernmentWord(m[2])), y
	}
	if m := reTitleYear.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[2])
		return cleanAgency(m[1]), y
	}
	return "", 0
}

// stripGovernmentWord drops the 政府 of "…局政府信息公开" but keeps it in
// "…区政府信息公开", where it is part of the agency's name.
func stripGovernmentWord(s string) string {
	rest, ok := strings.CutSuffix(s, "政府")
	if !ok {
		return s
	}
	for _, place := range []string{"省", "市", "区", "县", "镇", "乡", "旗", "州", "盟", "街道", "人民"} {
		if strings.HasSuffix(rest, place) {
			return s
		}
	}
	return rest
}

func cleanAgency(s string) string {
	s = strings.TrimSpace(stripLabelPrefix(s))
	if i := strings.LastIndex(s, "《"); i >= 0 {
		s = s[i+len("《"):] // 关于印发《某局2021年…报告》的通知
	}
	s = strings.TrimSuffix(s, "的")
	s = strings.TrimSuffix(s, "关于")
	s = strings.Trim(s, " 　《》“”\"")
	if strings.Contains(s, "信息公开") || strings.Contains(s, "报告") || utf8.RuneCountInString(s) > 40 {
		return ""
	}
	return s
}

// normalizeDigits maps full-width digits to ASCII.
func normalizeDigits(s string) string {
	if !strings.ContainsAny(s, "０１２３４５６７８９") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

// labelledDate is the best-ranked labelled date of one line ("发布日期：
// 2022-02-03") and its rank in dateLabelRank (unlisted labels rank
// last), or "" when the line has none. Periods (统计时间：…至…) and crawl
// stamps (采集时间) are not dates.
func labelledDate(raw string) (string, int) {
	best, bestRank := "", len(dateLabelRank)+1
	if !mayHoldDateLabel(raw) {
		return "", bestRank // reDateLabel cannot match: skip the regexp
	}
	line := normalizeDigits(raw)
	for _, loc := range reDateLabel.FindAllStringSubmatchIndex(line, -1) {
		label, date, next := line[loc[2]:loc[3]], line[loc[4]:loc[5]], line[loc[6]:loc[7]]
		if strings.ContainsAny(next, "至起到—-~－") {
			continue // a period (统计时间：…至…), not a date
		}
		if isCrawlStamp(line[:loc[0]]) {
			continue // 采集时间/抓取时间: when a copy was made
		}
		rank, ok := dateLabelRank[label]
		if !ok {
			rank = len(dateLabelRank)
		}
		if d := parseDate(date); d != "" && rank < bestRank {
			best, bestRank = d, rank
		}
	}
	return best, bestRank
}

// mayHoldDateLabel reports whether s holds 日期 or 时间 (the words every
// label of reDateLabel ends with) and a colon: a cheap test that spares
// the regexp the lines it cannot match.
func mayHoldDateLabel(s string) bool {
	return (strings.Contains(s, "日期") || strings.Contains(s, "时间")) && strings.ContainsAny(s, ":：")
}

// reportBy finds "本报告由淮安市洪泽区人民政府办公室…" in the first lines.
func (p *parser) reportBy() string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(p.units) && n < 20; i++ {
		if p.units[i].isText && !p.units[i].empty {
			b.WriteString(p.units[i].norm)
			n++
		}
	}
	if m := reReportBy.FindStringSubmatch(b.String()); m != nil {
		return m[1]
	}
	return ""
}

// period returns the statistics period's years (统计期限 …年1月1日至…年12月31日).
func (p *parser) period() (int, int) {
	for i := range p.units {
		s := p.units[i].norm
		if !strings.Contains(s, "月") {
			continue
		}
		// the period may wrap onto the next line
		if i+1 < len(p.units) {
			s += p.units[i+1].norm
		}
		if m := rePeriod.FindStringSubmatch(s); m != nil {
			a, _ := strconv.Atoi(m[1])
			b := a
			if m[2] != "" {
				b, _ = strconv.Atoi(m[2])
			}
			return a, b
		}
	}
	return 0, 0
}

// metaDateKeys are container metadata names that carry a publication date.
var metaDateKeys = []string{"pubdate", "publishdate", "published", "firstpublishedtime", "article:published_time",
	"dc.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "date", "publish_date", "releasedate", "createdate", "pub_date", "weibo: article:create_at"}

// findPublished returns the publication date as YYYY-MM-DD: a labelled date
// in the document (发布时间/发布日期/日期), container metadata, or a date
// line at the end of the document.
func (p *parser) findPublished(doc *Document) string {
	// A page may print several labelled dates: the publication date wins
	// over a bare 日期, and both over the date the document was written or
	// issued (成文日期 2022-01-28 above 发布日期 2022-02-03 is common).
	best, bestRank := "", len(dateLabelRank)+1
	for i := range p.units {
		u := &p.units[i]
		if !u.isText {
			continue
		}
		if d, rank := labelledDate(u.raw); d != "" && rank < bestRank {
			best, bestRank = d, rank
		}
		if i > 40 {
			break
		}
	}
	if best != "" {
		return best
	}
	for _, k := range metaDateKeys {
		if v, ok := doc.Meta[k]; ok {
			if d := parseDate(v); d != "" {
				return d
			}
		}
	}
	var keys []string
	for k := range doc.Meta {
		lk := strings.ToLower(k)
		if (strings.Contains(lk, "pub") || strings.Contains(lk, "release") || strings.Contains(lk, "发布")) &&
			!strings.Contains(lk, "modif") && !strings.Contains(lk, "update") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if d := parseDate(doc.Meta[k]); d != "" {
			return d
		}
	}
	// a date line under the title ("（2022年1月20日）")
	seen := 0
	for i := 0; i < len(p.units) && seen < 6; i++ {
		u := &p.units[i]
		if !u.isText || u.empty || u.raw == "" {
			continue
		}
		if headingKind(u) != secNone {
			break
		}
		seen++
		if p.afterCrawlLabel(i) {
			continue
		}
		if d := parseDateLine(u.raw); d != "" {
			return d
		}
		if d := parseDateInfoLine(u.raw); d != "" {
			return d
		}
	}
	seen = 0
	for i := len(p.units) - 1; i >= 0 && seen < 6; i-- {
		u := &p.units[i]
		if !u.isText || u.empty || u.raw == "" {
			continue
		}
		seen++
		if p.afterCrawlLabel(i) {
			continue
		}
		if d := parseDateLine(u.raw); d != "" {
			return d
		}
	}
	return ""
}

// afterCrawlLabel reports a date line printed under (or after) a crawl
// timestamp's label on the line before it ("采集时间：" then the date).
func (p *parser) afterCrawlLabel(i int) bool {
	for j := i - 1; j >= 0 && j >= i-2; j-- {
		if u := &p.units[j]; u.isText && !u.empty && u.raw != "" {
			return isCrawlStamp(u.raw) && strings.ContainsAny(u.raw, ":：")
		}
	}
	return false
}

// parseDate reads the first date in s (2022-01-25, 2022/1/25, 2022年1月25日).
func parseDate(s string) string {
	s = normalizeDigits(s)
	m := reDateISO.FindStringSubmatch(s)
	if m == nil {
		return parseDateLine(s)
	}
	return ymd(m[1], m[2], m[3])
}

// reDateInfo is an article's information line that starts with an
// unlabelled date: "2023-01-16 10:20 来源：示范市教育局 点击：12".
var reDateInfo = regexp.MustCompile(`^([12][0-9]{3}[-/.年]\s*[01]?[0-9][-/.月]\s*[0-3]?[0-9]日?)(?:[\s\x{3000}]+[0-2]?[0-9]:[0-5][0-9](?::[0-5][0-9])?)?[\s\x{3000}]*(?:信息来源|来源|作者|发布机构|发布单位|点击|浏览|阅读|访问|字号|【|\[)`)

// parseDateInfoLine reads the date that starts an information line under
// an article's title, when other metadata follows it on the line.
func parseDateInfoLine(s string) string {
	m := reDateInfo.FindStringSubmatch(strings.TrimSpace(normalizeDigits(s)))
	if m == nil {
		return ""
	}
	return parseDate(m[1])
}

// dateLabelRank orders the date labels of findPublished: lower wins.
var dateLabelRank = map[string]int{
	"发布时间": 0, "发布日期": 0, "公开日期": 0, "公开时间": 0,
	"日期": 1, "时间": 1,
	"生成日期": 2, "印发日期": 3, "发文日期": 3, "成文日期": 3,
}

// parseDateLine reads a line that is only a date, in Arabic or Chinese
// numerals ("2022年1月20日", "二〇二二年一月二十日"), possibly followed by a
// time of day ("2023-01-16 10:20").
func parseDateLine(s string) string {
	s = strings.TrimSpace(normalizeDigits(s))
	if m := reDateISO.FindStringSubmatchIndex(s); m != nil && m[0] == 0 && m[1] < len(s) && reTimeOfDay.MatchString(s[m[1]:]) {
		s = s[:m[1]]
	}
	if m := reDateOnly.FindStringSubmatch(s); m != nil {
		return ymd(cnNumber(m[1]), cnNumber(m[2]), cnNumber(m[3]))
	}
	if m := reDateISO.FindStringSubmatch(s); m != nil && m[0] == s {
		return ymd(m[1], m[2], m[3])
	}
	return ""
}

func ymd(y, m, d string) string {
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	di, err3 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || err3 != nil || yi < 1990 || yi > 2100 || mi < 1 || mi > 12 || di < 1 || di > 31 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", yi, mi, di)
}

// cnNumber turns Chinese numerals of a date into Arabic digits.
func cnNumber(s string) string {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return s
	}
	digits := map[rune]int{'〇': 0, '零': 0, '○': 0, 'Ｏ': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	if len(rs) == 4 { // a year digit by digit
		var b strings.Builder
		for _, r := range rs {
			d, ok := digits[r]
			if !ok {
				return ""
			}
			b.WriteByte(byte('0' + d))
		}
		return b.String()
	}
	n := 0
	cur := 0
	for _, r := range rs {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
			continue
		}
		d, ok := digits[r]
		if !ok {
			return ""
		}
		cur = d
	}
	return strconv.Itoa(n + cur)
}

// readSections fills the overview, problems and other parts' text.
func (p *parser) readSections() {
	n := len(p.units)
	o := &p.out
	r := p.rep
	if s := o.start[secOverview]; s >= 0 {
		end := n
		for _, k := range []int{secActive, secApps, secReview, secProblems, secOther} {
			if o.start[k] > s {
				end = o.start[k]
				break
			}
		}
		r.Sections.Overview = sectionText(p.units, region{s + 1, end})
	}
	r.Sections.Problems = sectionText(p.units, o.sectionRegion(secProblems, n))
	other := o.sectionRegion(secOther, n)
	if other.ok() {
		// drop a closing signature: the agency's name and a date line
		agency := normLabel(r.Agency)
		for other.to > other.from {
			u := &p.units[other.to-1]
			if k, _ := parseCell(u.raw); u.empty || u.raw == "" || k == cellNumber || parseDateLine(u.raw) != "" || (r.Agency != "" && u.norm == agency) {
				other.to--
				continue
			}
			break
		}
	}
	r.Sections.Other = sectionText(p.units, other)
}

// readExtraTables keeps tables outside Tables 2-4: grid tables anywhere,
// and cell rows of the extra parts some agencies add.
func (p *parser) readExtraTables(t2, t3, t4 region) {
	inTemplate := func(i int) bool {
		for _, r := range []region{t2, t3, t4} {
			if r.ok() && i >= r.from && i < r.to {
				return true
			}
		}
		return false
	}
	extraOf := map[int]int{} // unit -> heading of its extra part
	for _, h := range p.out.extras {
		end := p.out.nextHead(h, len(p.units))
		for i := h + 1; i < end; i++ {
			extraOf[i] = h
		}
	}
	var cur *report.ExtraTable
	curKey := -1
	var pending []string // cells of a one-cell-per-line row
	flush := func() {
		if cur != nil && len(pending) > 0 {
			cur.Rows = append(cur.Rows, pending)
		}
		pending = nil
	}
	lastText := ""
	for i := range p.units {
		u := &p.units[i]
		h, inExtra := extraOf[i]
		isCells := (u.grid && !u.single) || u.tabbed
		if !isCells || (inTemplate(i) && !inExtra) {
			if u.isText && !u.empty && u.raw != "" && !u.tabbed {
				lastText = u.raw
			}
			if u.empty {
				flush()
			}
			continue
		}
		key := u.block
		if inExtra {
			key = -2 - h
		}
		if cur == nil || key != curKey {
			flush()
			title := lastText
			if inExtra {
				title = p.units[h].raw
			}
			p.rep.ExtraTables = append(p.rep.ExtraTables, report.ExtraTable{Title: title, Rows: [][]string{}})
			cur = &p.rep.ExtraTables[len(p.rep.ExtraTables)-1]
			curKey = key
		}
		cells := unitCells(u)
		if u.single {
			pending = append(pending, cells...)
			continue
		}
		flush()
		cur.Rows = append(cur.Rows, cells)
	}
	flush()
}

// unitCells returns the printed cells of a grid row or tab-separated line.
func unitCells(u *unit) []string {
	var out []string
	for _, t := range u.toks {
		switch t.kind {
		case tokBreak:
		case tokBlank:
			out = append(out, "")
		default:
			out = append(out, strings.TrimSpace(reBookmark.ReplaceAllString(t.text, "")))
		}
	}
	return out
}

// statedNumbers collects the numbers a free-form report states, with the
// words before them.
func statedNumbers(units []unit, limit int) []report.StatedNumber {
	var out []report.StatedNumber
	for i := range units {
		u := &units[i]
		if !u.isText || u.empty {
			continue
		}
		s := normalizeDigits(u.raw)
		for _, m := range reStatedValue.FindAllStringSubmatchIndex(s, -1) {
			v, ok := parseNumber(s[m[2]:m[3]])
			if !ok {
				continue
			}
			ctx := []rune(strings.TrimSpace(s[:m[0]]))
			if len(ctx) > 20 {
				ctx = ctx[len(ctx)-20:]
			}
			out = append(out, report.StatedNumber{Context: string(ctx), Value: v, Unit: s[m[4]:m[5]]})
			if len(out) >= limit {
				return out
			}
		}
	}
	return out
}
