package fixtureworld

import (
	"errors"
	"path"
	"testing"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// TestDefaultReportsParse checks the world against the extractor: every
// expected report (page or attachment) that carries the tables parses as
// its agency and year, and the synthetic ones pass every validation rule.
func TestDefaultReportsParse(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// Pages that only link their report as an attachment: landing pages.
	linkOnly := map[string]bool{
		"http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202501/t20250122_11999001.html": true,
		"http://www.hongze.gov.cn/zfxxgk/ndbg/202401/t20240131_567890.html":         true,
	}
	published := map[string]string{
		"http://gaj.changsha.gov.cn/xxgk/fdzdgknr/202201/t20220128_10412345.html":   "2022-01-28",
		"http://gaj.jiyuan.gov.cn/zwgk/tzgg/202202/t20220215_778899.html":           "2022-02-15", // late
		"http://www.shengsi.gov.cn/art/2021/1/26/art_1229282851_3689011.html":       "2021-01-26",
		"http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202501/t20250126_11999501.html": "", // undated
	}
	parsed := 0
	for _, e := range w.Expected() {
		body, ok := w.Body(e.URL)
		if !ok {
			t.Fatalf("no body for %s", e.URL)
		}
		host, uri, _ := splitURL(e.URL)
		ct := w.pages[host+uri].header.Get("Content-Type")
		r, err := extract.Parse(path.Base(uri), body, extract.Options{ContentType: ct})
		if linkOnly[e.URL] {
			// a landing page: not a report of its own (its attachment is)
			if !errors.Is(err, extract.ErrLandingPage) || !errors.Is(err, extract.ErrNotReport) {
				t.Errorf("%s: %v, want a landing page (ErrLandingPage)", e.URL, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", e.URL, err)
			continue
		}
		parsed++
		if r.Year != e.Year {
			t.Errorf("%s: year %d, want %d", e.URL, r.Year, e.Year)
		}
		if r.Agency != e.Agency {
			t.Errorf("%s: agency %q, want %q", e.URL, r.Agency, e.Agency)
		}
		if want, ok := published[e.URL]; ok {
			got := ""
			if r.Published != nil {
				got = *r.Published
			}
			if got != want {
				t.Errorf("%s: published %q, want %q", e.URL, got, want)
			}
		}
		if e.Role == "attachment" && path.Ext(uri) == ".pdf" {
			continue // the real Hongze PDF really breaks T4.group_total
		}
		for _, c := range r.Checks {
			if !c.OK {
				t.Errorf("%s: check %s failed: %s", e.URL, c.Rule, c.Message)
			}
		}
	}
	if parsed != 11 {
		t.Errorf("%d reports parsed, want 11", parsed)
	}
}

// TestSecondYearCrossChecks checks the synthetic second years against the
// first: carried_over(Y) = carried_forward(Y-1) and in_force continues.
func TestSecondYearCrossChecks(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	parse := func(u string) *report.Report {
		t.Helper()
		b, ok := w.Body(u)
		if !ok {
			t.Fatalf("no body for %s", u)
		}
		host, uri, _ := splitURL(u)
		r, err := extract.Parse(path.Base(uri), b, extract.Options{ContentType: w.pages[host+uri].header.Get("Content-Type")})
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		return r
	}
	pairs := [][2]string{
		{"http://gaj.ningbo.gov.cn/xxgk/ndbg/202201/t20220125_1122334.html", "http://gaj.ningbo.gov.cn/xxgk/ndbg/202301/t20230118_2233445.html"},
		{"http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202401/t20240125_11500002.html", "http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202501/t20250120_11998001.html"},
	}
	for _, p := range pairs {
		checks := report.CrossCheck(parse(p[0]), parse(p[1]))
		rules := map[string]bool{}
		for _, c := range checks {
			rules[c.Rule] = true
			if !c.OK {
				t.Errorf("%s: %s failed: %s", p[1], c.Rule, c.Message)
			}
		}
		if !rules["cross.carried"] || !rules["cross.in_force"] {
			t.Errorf("%s: cross checks ran %v", p[1], rules)
		}
	}
}
