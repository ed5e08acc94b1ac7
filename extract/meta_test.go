package extract

import (
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestAgencyYear(t *testing.T) {
	tests := []struct {
		title  string
		agency string
		year   int
	}{
		{"宁波市公安局 2021年度政府信息公开工作年度报告", "宁波市公安局", 2021},
		{"洪泽区人民政府 2023 年政府信息公开工作年度报告", "洪泽区人民政府", 2023},
		{"长沙市公安局2021年政府信息公开年报", "长沙市公安局", 2021},
		{"某某县卫生健康委员会的2020年政府信息公开工作年度报告", "某某县卫生健康委员会", 2020},
		{"2021年度某某区政府信息公开工作年度报告", "某某区政府", 2021},
		{"2021年某某市公安局政府信息公开工作年度报告", "某某市公安局", 2021},
		{"２０２２年度某某镇人民政府政务公开工作年度报告", "某某镇人民政府", 2022},
		{"关于某某市财政局2019年政府信息公开工作年度报告", "某某市财政局", 2019},
		{"政府信息公开工作年度报告", "", 0},
		{"关于印发《某某县教育局2021年政府信息公开工作年度报告》的通知", "某某县教育局", 2021},
		{"某某市商务局政府信息公开工作年度报告（2021年度）", "某某市商务局", 2021},
		{"某某区人民政府 政府信息公开工作年度报告(2022年)", "某某区人民政府", 2022},
	}
	for _, tc := range tests {
		a, y := agencyYear(tc.title)
		if a != tc.agency || y != tc.year {
			t.Errorf("agencyYear(%q) = %q %d, want %q %d", tc.title, a, y, tc.agency, tc.year)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := map[string]string{
		"2022-01-25":            "2022-01-25",
		"2022-01-25 10:30:00":   "2022-01-25",
		"2022/1/5":              "2022-01-05",
		"2022年1月25日":            "2022-01-25",
		"２０２２年１月２５日":            "2022-01-25",
		"二〇二二年一月二十五日":           "2022-01-25",
		"2022年13月1日":            "",
		"没有日期":                  "",
		"2023.02.28":            "2023-02-28",
		"（2023年3月31日）":          "2023-03-31",
		"二〇二三年十二月三十一日":          "2023-12-31",
		"2021年1月1日至2021年12月31日": "2021-01-01",
	}
	for in, want := range tests {
		if got := parseDate(in); got != want {
			t.Errorf("parseDate(%q) = %q, want %q", in, got, want)
		}
	}
	if got := parseDateLine("截至2021年12月31日"); got != "" {
		t.Errorf("a sentence is not a date line: %q", got)
	}
}

func TestParseCell(t *testing.T) {
	tests := []struct {
		in   string
		kind cellKind
		v    float64
	}{
		{"12", cellNumber, 12},
		{"１２", cellNumber, 12},
		{" 1,234 ", cellNumber, 1234},
		{"1,234.56", cellNumber, 1234.56},
		{"¥2773721.02", cellNumber, 2773721.02},
		{"￥12万元", cellNumber, 12},
		{"3件", cellNumber, 3},
		{"-2", cellNumber, -2},
		{"+5", cellNumber, 5},
		{"\u00a030", cellNumber, 30},
		{"", cellBlank, 0},
		{"\u3000", cellBlank, 0},
		{"—", cellNull, 0},
		{"——", cellNull, 0},
		{"/", cellNull, 0},
		{"无", cellNull, 0},
		{"1.", cellText, 0},
		{"1、", cellText, 0},
		{"12,34", cellText, 0},
		{"1.属于国家秘密", cellText, 0},
		{"规章", cellText, 0},
	}
	for _, tc := range tests {
		k, v := parseCell(tc.in)
		if k != tc.kind || v != tc.v {
			t.Errorf("parseCell(%q) = %d %v, want %d %v", tc.in, k, v, tc.kind, tc.v)
		}
	}
}

func TestMatchRow(t *testing.T) {
	tests := map[string]string{
		"一、本年新收政府信息公开申请数量": "new_received",
		"二、上年转结政府信息公开申请数量": "carried_over",
		"（三）不予公开1.属于国家秘密":  "denied_state_secret",
		"（六）其他处理":          "other",
		"（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": "other_no_correction",
		"息公开申请（六）其2、申请人逾期未按收费通知要他处理求缴纳费用、行政机关不再处理": "other_unpaid_fee",
		"其政府信息公开申请3、其他":                "other_misc",
		"（六）其他处理3.其他":                  "other_misc",
		"（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "partially_granted",
		"形，不计其他情形）1.属于国家秘密":            "denied_state_secret",
		"三、本年度办理结果2.其他法律行政止公开":         "denied_law_forbidden",
		"5.要求行政机关确认或重新出":               "not_processed_confirmation",
		"（七）总计":                        "total",
		"四、结转下年度继续办理":                  "carried_forward",
		"申请人情况自然人法人或其他组织":              "",
	}
	for label, want := range tests {
		if got := matchRow(normLabel(label), table3Rules, true); got != want {
			t.Errorf("matchRow(%q) = %q, want %q", label, got, want)
		}
	}
	if got := matchRow(normLabel("三、本年度辦理結果（一）予以公開"), table3Rules, true); got != "granted" {
		t.Errorf("traditional: %q", got)
	}
}

func TestReadTextGB18030(t *testing.T) {
	utf := "某某局2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n二、上年結轉政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(utf)
	if err != nil {
		t.Fatal(err)
	}
	r := parseString(t, gb)
	if r.Agency != "某某局" || rowString(r, "new_received") != "1 0 0 0 0 0 1" {
		t.Errorf("GB18030 text: %q %s", r.Agency, rowString(r, "new_received"))
	}
	if _, err := ReadText([]byte{0xff, 0xfe, 0xff, 0x00, 0x81}); err == nil {
		t.Error("binary input accepted as text")
	}
}

func TestTitleOverLines(t *testing.T) {
	text := "某某市商务局\n政府信息公开工作年度报告\n（2021年度）\n信息来源：市商务局 时间：2022-01-28 点击：12\n统计时间：2021年1月1日至2021年12月31日\n一、总体情况\n本年度，我局加强公开。\n"
	r := parseString(t, text)
	if r.Agency != "某某市商务局" || r.Year != 2021 || r.Title != "某某市商务局 政府信息公开工作年度报告（2021年度）" {
		t.Errorf("got %q %d %q", r.Agency, r.Year, r.Title)
	}
	if r.Published == nil || *r.Published != "2022-01-28" {
		t.Errorf("published %v", r.Published)
	}
	doc, _ := ReadText([]byte("某某局2021年政府信息公开工作年度报告\n统计时间：2021年1月1日至2021年12月31日\n一、总体情况\n"))
	r2, _ := ParseDocument(doc, Options{})
	if r2.Published != nil {
		t.Errorf("statistics period taken for the publication date: %v", *r2.Published)
	}
}

func TestDateUnderTitle(t *testing.T) {
	r := parseString(t, "# 某某县人民政府 2025 年 政府信息公开工作年度报告\n\n某某县人民政府\n(2026年1月23日)\n\n## 一、总体情况\n本年度依法公开。\n## 六、其他需要报告的事项\n无。\n")
	if r.Published == nil || *r.Published != "2026-01-23" || r.Agency != "某某县人民政府" || r.Year != 2025 {
		t.Errorf("published %v agency %q year %d", r.Published, r.Agency, r.Year)
	}
}

func TestTitleSkipsBreadcrumb(t *testing.T) {
	doc := &Document{
		Title: "某某市司法局2022年政府信息公开工作年度报告-某某市人民政府门户网站",
		Blocks: []Block{
			{Text: "当前位置：首页 > 政府信息公开 > 政府信息公开年报"},
			{Text: "某某市司法局2022年政府信息公开工作年度报告"},
			{Text: "发布时间：2023-01-16  来源：市司法局"},
			{Text: "一、总体情况"},
			{Text: "2022年，我局认真贯彻《条例》。"},
		},
	}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "某某市司法局2022年政府信息公开工作年度报告" || r.Agency != "某某市司法局" || r.Published == nil || *r.Published != "2023-01-16" {
		t.Errorf("got %q %q %v", r.Title, r.Agency, r.Published)
	}
}

func TestNoHeadings(t *testing.T) {
	// A CMS page that lost its headings: the tables are still found by
	// their labels, and prose numbers before them are not read as rows.
	text := "某某街道办事处2021年政府信息公开工作年度报告\n全年办理行政许可 12 件，行政处罚 3 件。\n" +
		"信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n规范性文件\t1\t0\t4\n行政许可\t5\n行政处罚\t6\n行政强制\t0\n行政事业性收费\t0\n" +
		"申请人情况\t自然人\t总计\n一、本年新收政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2\n二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n（七）总计\t2\t0\t0\t0\t0\t0\t2\n四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0\n" +
		"行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t1\t0\t0\t0\t1\n"
	r := parseString(t, text)
	if r.Active == nil || r.Active.Licensing.Decisions.Value != 5 || r.Active.Penalty.Decisions.Value != 6 {
		t.Errorf("Table 2 = %+v", r.Active)
	}
	if rowString(r, "total") != "2 0 0 0 0 0 2" || rowString(r, "carried_forward") != "0 0 0 0 0 0 0" {
		t.Errorf("Table 3 total %s", rowString(r, "total"))
	}
	if r.ReviewLitigation == nil || fmtp(r.ReviewLitigation.LitigationAfterReview.Total) != "1" {
		t.Errorf("Table 4 = %+v", r.ReviewLitigation)
	}
}
