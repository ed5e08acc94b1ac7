package crawler

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/nianbao/nianbao/seeds"
)

// Report modules: provincial CMSs that serve every agency's report through
// one servlet keyed by the agency's unified social credit code, linked by
// script (a year selector) rather than by anchors. When a page shows such
// a module and the agency's code is known — from its seeds line, or read
// from the page when the page names exactly one code — each report year
// (or the module's search for 年度报告) is requested directly.
//
//   - Zhejiang Hanweb (大汉): /module/xxgk/xxgkAnnualReport.jsp?area=CODE&fbtime=YEAR
//   - Hanweb disclosure catalogue: /module/xxgk/search.jsp?…&area=CODE&vc_title=…,
//     the search behind tree.jsp / loadDynamic('/module/xxgk/search.jsp…') and
//     columns opened with ?vc_xxgkarea=CODE.

// moduleYearsBack is how many report years are asked for when the page
// names none (the years before this one).
const moduleYearsBack = 10

var (
	reAnnualModule = regexp.MustCompile(`(?i)(?:https?://[^'"\s<>]+?)?(?:/[\w./-]*)?xxgkAnnualReport\.jsp`)
	reXxgkModule   = regexp.MustCompile(`(?i)(?:https?://[^'"\s<>]+?)?/module/xxgk/(?:search|tree|subjectinfo)\.jsp|vc_xxgkarea=`)
	// reCode finds a code where pages carry one: a module's area
	// parameter, a column's vc_xxgkarea, a script variable, the info bar.
	reCode = regexp.MustCompile(`(?:\b(?:vc_xxgk)?area\s*(?:=|:)\s*['"]?|统一社会信用代码\s*[:：]?\s*(?:<[^>]*>\s*)*)([0-9A-HJ-NPQRTUWXY]{18})\b`)
	// reYearOption is a year of a year selector or a module link.
	reYearOption = regexp.MustCompile(`(?i)<option[^>]*value\s*=\s*['"]?((?:19|20)\d{2})\b|fbtime=((?:19|20)\d{2})\b`)
)

// moduleItems returns the requests for the report modules src (a page's
// decoded HTML, at base) shows, for the agency ag. A code from the page
// is used only when the seeds give none and the page names exactly one.
func moduleItems(base *url.URL, src string, ag seeds.Agency, now time.Time) []Link {
	annual, xxgk := "", false
	if mayContainFold(src, "xxgkannualreport.jsp") {
		annual = reAnnualModule.FindString(src)
	}
	if mayContainFold(src, "/module/xxgk/") || mayContainFold(src, "vc_xxgkarea=") {
		xxgk = reXxgkModule.MatchString(src)
	}
	if annual == "" && !xxgk {
		return nil
	}
	code := ag.Code
	if code == "" {
		code = pageCode(src)
	}
	if code == "" {
		return nil
	}
	var out []Link
	if annual != "" {
		for _, y := range moduleYears(src, now) {
			ref := fmt.Sprintf("%s?area=%s&fbtime=%d", annual, code, y)
			if u, ok := normalize(base, ref); ok {
				out = append(out, Link{URL: u.String()})
			}
		}
	}
	if xxgk {
		q := url.Values{"standardXxgk": {"1"}, "isAllList": {"1"}, "area": {code}, "vc_title": {"年度报告"},
			"currpage": {"1"}, "sortfield": {"compaltedate:0"}}
		if u, ok := normalize(base, "/module/xxgk/search.jsp?"+q.Encode()); ok {
			out = append(out, Link{URL: u.String(), Text: "信息公开年度报告", Paging: true})
		}
	}
	return out
}

// pageCode returns the one valid unified social credit code src names,
// "" when it names none or several.
func pageCode(src string) string {
	found := ""
	for _, m := range reCode.FindAllStringSubmatch(src, 50) {
		if seeds.CheckCode(m[1]) != nil {
			continue
		}
		if found != "" && found != m[1] {
			return ""
		}
		found = m[1]
	}
	return found
}

// moduleYears returns the report years a page's selector offers (newest
// first), or the moduleYearsBack years before now when it offers none.
func moduleYears(src string, now time.Time) []int {
	set := map[int]bool{}
	for _, m := range reYearOption.FindAllStringSubmatch(src, 100) {
		y, _ := strconv.Atoi(m[1] + m[2])
		if y >= 2007 && y < now.Year() {
			set[y] = true
		}
	}
	if len(set) == 0 {
		for y := now.Year() - 1; y >= now.Year()-moduleYearsBack; y-- {
			set[y] = true
		}
	}
	years := make([]int, 0, len(set))
	for y := range set {
		years = append(years, y)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(years)))
	return years
}
