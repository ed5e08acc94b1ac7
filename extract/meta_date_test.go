package extract

import "testing"

// TestPublishedLabelPrecedence checks which of several dates on a page is
// taken for the publication date: 发布 over a bare 日期, both over the date
// the document was written or issued, whatever their order on the page;
// and an unlabelled date (with a time of day) under the title.
func TestPublishedLabelPrecedence(t *testing.T) {
	const body = "一、总体情况\n本年度依法公开。\n六、其他需要报告的事项\n无。\n"
	tests := []struct {
		name, head, want string
	}{
		{"written before published", "成文日期：2022-01-28\n发布日期：2022-02-03\n", "2022-02-03"},
		{"published before written", "发布日期：2022-02-03 成文日期：2022-01-28\n", "2022-02-03"},
		{"info table cells", "索引号：123\n成文日期：2022年01月28日\n发布时间：2022年02月03日\n", "2022-02-03"},
		{"bare date over issue date", "印发日期：2022-01-10\n日期：2022-01-20\n", "2022-01-20"},
		{"only the written date", "成文日期：2022-01-28\n", "2022-01-28"},
		{"unlabelled date and time under the title", "2023-01-16 10:20\n", "2023-01-16"},
		{"unlabelled date and seconds", "2023-01-16 10:20:05\n", "2023-01-16"},
		{"unlabelled date then the source", "2023-01-16 10:20　来源：示范市教育局\n", "2023-01-16"},
		{"unlabelled date then clicks", "2023年01月16日 点击：12\n", "2023-01-16"},
		{"spans glued together", "2023-01-16 10:20来源：示范市教育局浏览次数：1024\n", "2023-01-16"},
		{"statistics period is no date", "统计时间：2021年1月1日至2021年12月31日\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseString(t, "某某市司法局2022年政府信息公开工作年度报告\n"+tc.head+body)
			got := ""
			if r.Published != nil {
				got = *r.Published
			}
			if got != tc.want {
				t.Errorf("published = %q, want %q", got, tc.want)
			}
		})
	}
	if got := parseDateLine("2023-01-16 点击：12"); got != "" {
		t.Errorf("a date followed by other text is not a date line: %q", got)
	}
}

// TestPublishedInfoBarOutsideBody checks that an info bar above the article
// body whose date has no label still dates the report.
func TestPublishedInfoBarOutsideBody(t *testing.T) {
	page := `<html><head><title>x</title></head><body><div class="main"><h1>示范市教育局2022年政府信息公开工作年度报告</h1>
<div class="info"><span class="time">2023-01-16 10:20</span><span>来源：示范市教育局</span><span>浏览次数：1024</span></div>
<div class="content"><p>一、总体情况</p><p>本年度依法公开。</p><p>六、其他需要报告的事项</p><p>无。</p></div></div></body></html>`
	doc, err := ReadHTML([]byte(page), "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Published == nil || *r.Published != "2023-01-16" {
		t.Errorf("published = %v, want 2023-01-16", r.Published)
	}
}
