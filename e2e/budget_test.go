package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// bigSite is a news-heavy portal: its home page links hundreds of
// articles (each linking more) before, at the very end, the 政务公开 link
// that leads in three steps to the report column.
func bigSite(t *testing.T, w *world) (reports []string) {
	const host = "www.big-demo.gov.cn"
	const ag = "示范市商务局"
	w.seeds += fmt.Sprintf("http://%s/ %s\n", host, ag)
	var home strings.Builder
	for i := range 400 {
		fmt.Fprintf(&home, "<li><a href=\"/news/%d/%d.html\">商务动态第%d期</a></li>\n", i%20, i, i)
		var body strings.Builder
		for j := 1; j <= 5; j++ {
			fmt.Fprintf(&body, "<a href=\"/news/%d/%d.html\">相关新闻%d</a> ", (i+j)%20, 400+i*5+j, j)
		}
		w.page(host, fmt.Sprintf("/news/%d/%d.html", i%20, i), "商务动态", body.String())
	}
	w.page(host, "/", ag, "<ul>"+home.String()+"</ul><div class=\"foot-nav\"><a href=\"/gk/\">政务公开</a></div>")
	w.page(host, "/gk/", "政务公开", `<a href="/gk/fdzdgk/">法定主动公开内容</a> <a href="/gk/zn/">政府信息公开指南</a>`)
	w.page(host, "/gk/fdzdgk/", "法定主动公开内容", `<a href="/gk/fdzdgk/qtzdgk/">其他主动公开信息</a> <a href="/gk/fdzdgk/nb/">政府信息公开年报</a>`)
	var list strings.Builder
	for _, y := range []int{2024, 2023, 2022} {
		u := fmt.Sprintf("/gk/fdzdgk/nb/%d/t%d0120_1.html", y+1, y+1)
		fmt.Fprintf(&list, "<li><a href=\"%s\">%s%d年政府信息公开工作年度报告</a></li>", u, ag, y)
		n := loadNumbers(t, "005_huaian_2024.expected.json", float64(y-2000))
		w.page(host, u, fmt.Sprintf("%s%d年政府信息公开工作年度报告", ag, y), reportBody(ag, y, fmt.Sprintf("发布日期：%d-01-20", y+1), n, styleSpans))
		reports = append(reports, "http://"+host+u)
	}
	w.page(host, "/gk/fdzdgk/nb/", "政府信息公开年报", "<ul>"+list.String()+"</ul>")
	return reports
}

// TestUnseenBudget crawls the news-heavy portal with a page budget far
// below its size: the disclosure path must be taken first, so every
// report is archived before the budget runs out.
func TestUnseenBudget(t *testing.T) {
	w := newWorld()
	reports := bigSite(t, w)
	resolve := serve(t, w)
	ags, err := seeds.Parse(strings.NewReader(w.seeds))
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(filepath.Join(t.TempDir(), "budget.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cfg := crawlConfig(resolve)
	cfg.MaxPagesPerHost = 30
	c, err := crawler.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Run(ctx, ags); err != nil {
		t.Fatal(err)
	}
	reqs := w.requests()
	if len(reqs) > cfg.MaxPagesPerHost+1 { // + robots.txt
		t.Errorf("%d requests, budget %d", len(reqs), cfg.MaxPagesPerHost)
	}
	for _, u := range reports {
		caps, err := a.ByURL(u)
		if err != nil || len(caps) == 0 || caps[0].Role != archive.RoleReport {
			t.Errorf("%s not archived as a report within the budget (%d captures)", u, len(caps))
		}
	}
	t.Logf("%d requests", len(reqs))
}
