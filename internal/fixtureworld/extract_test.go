package fixtureworld

import (
	"path"
	"testing"

	"github.com/nianbao/nianbao/extract"
)

// TestDefaultReportsParse checks the world against the extractor: every
// expected report (page or attachment) that carries the tables parses as
// its agency and year, and the synthetic ones pass every validation rule.
func TestDefaultReportsParse(t *testing.T) {
	w, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// Pages that only link their report as an attachment.
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
		if err != nil {
			t.Errorf("%s: %v", e.URL, err)
			continue
		}
		if linkOnly[e.URL] {
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
