package crawler

import (
	"net/url"
	"testing"
	"time"

	"github.com/nianbao/nianbao/seeds"
)

func TestModuleItems(t *testing.T) {
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	base, _ := url.Parse("http://www.example.gov.cn/col/col1229/index.html")
	selector := `<select id="nb" onchange="window.open('/module/xxgk/xxgkAnnualReport.jsp?area='+area+'&fbtime='+this.value)">
<option value="2024">2024年</option><option value="2023">2023年</option></select>`
	// the code from the seeds
	got := moduleItems(base, selector, seeds.Agency{Name: "某局", Code: "11330100002482061X"}, now)
	if len(got) != 2 || got[0].URL != "http://www.example.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11330100002482061X&fbtime=2024" {
		t.Errorf("seeded code: %+v", got)
	}
	// no code anywhere: nothing
	if got := moduleItems(base, selector, seeds.Agency{Name: "某局"}, now); len(got) != 0 {
		t.Errorf("no code: %+v", got)
	}
	// the code read from the page; no selector: the ten years before now
	page := `<script>var area = "11220100MB1507524C";</script><a onclick="go('xxgkAnnualReport.jsp')">年报</a>`
	got = moduleItems(base, page, seeds.Agency{Name: "某局"}, now)
	if len(got) != moduleYearsBack || got[0].URL != "http://www.example.gov.cn/col/col1229/xxgkAnnualReport.jsp?area=11220100MB1507524C&fbtime=2024" {
		t.Errorf("page code: %d items, first %+v", len(got), got)
	}
	// two codes on the page (a portal): no guess
	two := page + `<a href="/col/col2/index.html?vc_xxgkarea=111500000115122125">另一局</a>`
	if got := moduleItems(base, two, seeds.Agency{Name: "某局"}, now); len(got) != 0 {
		t.Errorf("two codes: %+v", got)
	}
	// a Hanweb catalogue column: its search for 年度报告
	cat := `<iframe src="/module/xxgk/tree.jsp?standardXxgk=1&amp;area=11220100MB1507524C&amp;divid=div4"></iframe>`
	got = moduleItems(base, cat, seeds.Agency{Name: "某局"}, now)
	if len(got) != 1 || !got[0].Paging {
		t.Fatalf("catalogue: %+v", got)
	}
	u, _ := url.Parse(got[0].URL)
	if u.Path != "/module/xxgk/search.jsp" || u.Query().Get("area") != "11220100MB1507524C" || u.Query().Get("vc_title") != "年度报告" {
		t.Errorf("catalogue search = %s", got[0].URL)
	}
}

func TestPageCode(t *testing.T) {
	for src, want := range map[string]string{
		`统一社会信用代码：<span>11220100MB1507524C</span>`: "11220100MB1507524C",
		`?vc_xxgkarea=111500000115122125&number=`:  "111500000115122125",
		`area=11220100MB1507524D`:                  "", // wrong check character
		`area=014000650`:                           "", // an old 9-digit area id
	} {
		if got := pageCode(src); got != want {
			t.Errorf("pageCode(%q) = %q, want %q", src, got, want)
		}
	}
}
