package extract

import (
	"os"
	"strings"
	"testing"
)

func TestIsCrawlStamp(t *testing.T) {
	tests := map[string]bool{
		"采集时间：":      true,
		"抓取时间:":      true,
		"下载时间 ：":     true,
		"爬取时间":       true,
		"入库时间：":      true,
		"页面采集于":      true,
		"发布时间：":      false,
		"":           false,
		"来源：某县人民政府 ": false,
	}
	for in, want := range tests {
		if got := isCrawlStamp(in); got != want {
			t.Errorf("isCrawlStamp(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestCrawlStampNotPublished puts the info lines that saved copies and
// crawlers add over the real Hongze 2024 report (which prints no date):
// a crawl timestamp is never the publication date.
func TestCrawlStampNotPublished(t *testing.T) {
	b, err := os.ReadFile("testdata/corpus/004_hongze_2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	e := loadExpected(t, "testdata/corpus/004_hongze_2024.expected.json")
	const title = "2024 年政府信息公开工作年度报告\n"
	tests := []struct {
		name, info string
		want       string // "" = null
	}{
		{"采集时间", "采集时间：2025-06-03 10:20:11\n", ""},
		{"抓取时间 half-width", "抓取时间: 2025-06-03\n", ""},
		{"下载时间 with source", "下载时间：2025年6月3日　来源：淮安市洪泽区人民政府\n", ""},
		{"爬取时间 on its own line", "爬取时间：\n2025-06-03\n", ""},
		{"入库时间 then 发布日期", "入库时间：2025-06-03　发布日期：2025-01-20\n", "2025-01-20"},
		{"日期 after 采集时间", "采集时间：2025-06-03　日期：2025-01-21\n", "2025-01-21"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(string(b), title, title+tc.info, 1)
			r := parseText(t, text)
			got := ""
			if r.Published != nil {
				got = *r.Published
			}
			if got != tc.want {
				t.Errorf("published = %q, want %q", got, tc.want)
			}
			if tc.want == "" {
				checkExpected(t, r, e)
			}
		})
	}
}
