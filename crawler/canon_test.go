package crawler

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestCanonicalBeforeVisited: scheme twins, fragments, session ids and,
// once the server has shown /x/ and /x/index.html to be the same page,
// other index documents are fetched once; captures keep the URL fetched.
func TestCanonicalBeforeVisited(t *testing.T) {
	s := newWebSite()
	srv := httptest.NewServer(s)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	col := `<a href="/nb/2021.html">2021年政府信息公开工作年度报告</a> <a href="/gk/">信息公开</a>`
	s.page("/", "测试局", `<a href="/xxgk/">信息公开</a> <a href="/xxgk/index.html">信息公开</a>`)
	for _, p := range []string{"/xxgk/", "/xxgk/index.html"} {
		s.page(p, "政府信息公开", `<a href="https://`+host+`/nb/2021.html#top">2021年政府信息公开工作年度报告</a>
<a href="/nb/2021.html;jsessionid=ABC123">2021年政府信息公开工作年度报告</a> <a href="/gk/index.html">公开目录</a> <a href="/gk/">公开目录</a>`)
	}
	s.page("/gk/", "公开目录", col)
	s.page("/gk/index.html", "公开目录", col)
	s.page("/nb/2021.html", "测试局2021年政府信息公开工作年度报告", "")
	a, _ := crawlOnce(t, quickConfig(), agency(srv.URL+"/", "测试局"))
	if n := s.requested("/nb/2021.html"); n != 1 {
		t.Errorf("report fetched %d times: %v", n, s.requests())
	}
	if n := s.requested("/gk/") + s.requested("/gk/index.html"); n != 1 {
		t.Errorf("/gk/ and its index fetched %d times after /xxgk/ showed they are one page: %v", n, s.requests())
	}
	if n := s.requested("/xxgk/") + s.requested("/xxgk/index.html"); n != 2 {
		t.Errorf("/xxgk/ pair fetched %d times, want both (that is how the server says so)", n)
	}
	urls := map[string]bool{}
	for _, p := range []string{"/xxgk/", "/xxgk/index.html", "/gk/", "/nb/2021.html"} {
		caps, _ := a.ByURL(srv.URL + p)
		urls[p] = len(caps) == 1
	}
	if !urls["/xxgk/"] || !urls["/xxgk/index.html"] || !urls["/gk/"] || !urls["/nb/2021.html"] {
		t.Errorf("captures by URL fetched: %v", urls)
	}
}

// TestSharedHostAgencies: every agency seeded on one host has its own
// line in the summary, with its own report years.
func TestSharedHostAgencies(t *testing.T) {
	s := newWebSite()
	srv := httptest.NewServer(s)
	defer srv.Close()
	names := []string{"甲县公安局", "甲县财政局", "甲县教育局"}
	var links strings.Builder
	for i, n := range names {
		dir := fmt.Sprintf("/bm/%d/", i)
		links.WriteString(`<a href="` + dir + `">` + n + `</a> `)
		y := 2020 + i
		title := fmt.Sprintf("%s%d年政府信息公开工作年度报告", n, y)
		s.page(dir, n, fmt.Sprintf(`<a href="%snb%d.html">%s</a>`, dir, y, title))
		s.page(fmt.Sprintf("%snb%d.html", dir, y), title, "<h1>"+title+"</h1>")
	}
	s.page("/", "甲县人民政府", links.String())
	var ags []agencySeed
	for i, n := range names {
		ags = append(ags, agencySeed{fmt.Sprintf("%s/bm/%d/", srv.URL, i), n})
	}
	_, sum := crawlOnce(t, quickConfig(), seedsOf(ags)...)
	if len(sum.Agencies) != 3 || len(sum.Hosts) != 1 {
		t.Fatalf("agencies %+v hosts %+v", sum.Agencies, sum.Hosts)
	}
	for i, as := range sum.Agencies {
		if as.Agency != names[i] || !slices.Equal(as.Years, []int{2020 + i}) || as.NewReports != 1 {
			t.Errorf("agency %d: %+v", i, as)
		}
	}
	if !slices.Equal(sum.Hosts[0].Agencies, names) {
		t.Errorf("host agencies %v", sum.Hosts[0].Agencies)
	}
}
