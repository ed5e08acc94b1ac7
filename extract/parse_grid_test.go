package extract

import (
	"errors"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// gridBuilder builds an expanded grid the way the HTML/DOCX readers hand it
// over: spanned positions repeat the text with Span set.
type gridBuilder struct {
	rows [][]Cell
}

// put writes text at (r,c) spanning rs rows and cs columns.
func (g *gridBuilder) put(r, c, rs, cs int, text string) {
	for i := r; i < r+rs; i++ {
		for len(g.rows) <= i {
			g.rows = append(g.rows, nil)
		}
		for j := c; j < c+cs; j++ {
			for len(g.rows[i]) <= j {
				g.rows[i] = append(g.rows[i], Cell{})
			}
			g.rows[i][j] = Cell{Text: text, Span: i != r || j != c}
		}
	}
}

func TestGridDocument(t *testing.T) {
	// Table 2 (2021) with colspan'd value cells and a spacer column.
	var t2 gridBuilder
	t2.put(0, 0, 1, 5, "第二十条第（一）项")
	t2.put(1, 0, 1, 1, "信息内容")
	t2.put(1, 1, 1, 1, "本年制发件数")
	t2.put(1, 2, 1, 1, "本年废止件数")
	t2.put(1, 3, 1, 1, "现行有效件数")
	t2.put(2, 0, 1, 1, "规章")
	t2.put(2, 1, 1, 1, "0")
	t2.put(2, 2, 1, 1, "0")
	t2.put(2, 3, 1, 1, "1")
	t2.put(3, 0, 1, 1, "规范性文件")
	t2.put(3, 1, 1, 1, "2")
	t2.put(3, 2, 1, 1, "")
	t2.put(3, 3, 1, 1, "9")
	t2.put(4, 0, 1, 5, "第二十条第（五）项")
	t2.put(5, 0, 1, 1, "信息内容")
	t2.put(5, 1, 1, 3, "本年处理决定数量")
	t2.put(6, 0, 1, 1, "行政许可")
	t2.put(6, 1, 1, 3, "84")
	t2.put(7, 0, 1, 1, "行政处罚")
	t2.put(7, 1, 1, 3, "3")
	t2.put(8, 0, 1, 1, "行政强制")
	t2.put(8, 1, 1, 3, "0")
	t2.put(9, 0, 1, 1, "行政事业性收费")
	t2.put(9, 1, 1, 3, "¥1,024.5万元")
	for i := range t2.rows {
		for len(t2.rows[i]) < 5 {
			t2.rows[i] = append(t2.rows[i], Cell{}) // empty spacer column
		}
	}

	// Table 3 with the label spread over three columns and rowspan groups.
	var t3 gridBuilder
	t3.put(0, 0, 3, 3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
	t3.put(0, 3, 1, 7, "申请人情况")
	t3.put(1, 3, 2, 1, "自然人")
	t3.put(1, 4, 1, 5, "法人或其他组织")
	t3.put(1, 9, 2, 1, "总计")
	for i, h := range []string{"商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"} {
		t3.put(2, 4+i, 1, 1, h)
	}
	row := 3
	put := func(labelCol, labelSpan int, label string, vals ...string) {
		t3.put(row, labelCol, 1, labelSpan, label)
		for i, v := range vals {
			t3.put(row, 3+i, 1, 1, v)
		}
		row++
	}
	zero := []string{"0", "0", "0", "0", "0", "0", "0"}
	put(0, 3, "一、本年新收政府信息公开申请数量", "5", "1", "", "", "", "", "6")
	put(0, 3, "二、上年结转政府信息公开申请数量", zero...)
	t3.put(row, 0, 23, 1, "三、本年度办理结果")
	put(1, 2, "（一）予以公开", "3", "1", "", "", "", "", "4")
	put(1, 2, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", zero...)
	t3.put(row, 1, 8, 1, "（三）不予公开")
	for _, l := range []string{"1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"} {
		put(2, 1, l, zero...)
	}
	t3.put(row, 1, 3, 1, "（四）无法提供")
	put(2, 1, "1.本机关不掌握相关政府信息", "2", "", "", "", "", "", "2")
	put(2, 1, "2.没有现成信息需要另行制作", zero...)
	put(2, 1, "3.补正后申请内容仍不明确", zero...)
	t3.put(row, 1, 5, 1, "（五）不予处理")
	for _, l := range []string{"1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"} {
		put(2, 1, l, zero...)
	}
	t3.put(row, 1, 3, 1, "（六）其他处理")
	put(2, 1, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", zero...)
	put(2, 1, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", zero...)
	put(2, 1, "3.其他", zero...)
	put(1, 2, "（七）总计", "5", "1", "", "", "", "", "")
	put(0, 3, "四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0")

	// Table 4 with three header rows.
	var t4 gridBuilder
	t4.put(0, 0, 1, 5, "行政复议")
	t4.put(0, 5, 1, 10, "行政诉讼")
	for i, h := range []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"} {
		t4.put(1, i, 2, 1, h)
		t4.put(2, 5+i, 1, 1, h)
		t4.put(2, 10+i, 1, 1, h)
	}
	t4.put(1, 5, 1, 5, "未经复议直接起诉")
	t4.put(1, 10, 1, 5, "复议后起诉")
	for i, v := range []string{"1", "0", "0", "0", "1", "0", "0", "0", "0", "0", "2", "0", "0", "0", "3"} {
		t4.put(3, i, 1, 1, v)
	}

	doc := &Document{
		Title: "某区教育局2022年政府信息公开工作年度报告_某区人民政府",
		Meta:  map[string]string{"pubdate": "2023-01-18 09:30"},
		Blocks: []Block{
			{Text: "某区教育局2022年政府信息公开工作年度报告"},
			{Text: "一、总体情况"},
			{Text: "2022年，我局扎实推进政务公开。"},
			{Text: "二、主动公开政府信息情况"},
			{Table: t2.rows},
			{Text: "三、收到和处理政府信息公开申请情况"},
			{Table: t3.rows},
			{Text: "四、政府信息公开行政复议、行政诉讼情况"},
			{Table: t4.rows},
			{Text: "五、存在的主要问题及改进情况"},
			{Text: "一是公开质量有待提升。"},
			{Text: "六、其他需要报告的事项"},
			{Text: "无。"},
		},
	}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Agency != "某区教育局" || r.Year != 2022 || r.Template != report.Template2021 || r.Published == nil || *r.Published != "2023-01-18" {
		t.Errorf("meta = %q %d %q %v", r.Agency, r.Year, r.Template, r.Published)
	}
	a := r.Active
	if a == nil || a.Regulations.InForce.Value != 1 || !a.NormativeDocuments.Repealed.Blank || a.NormativeDocuments.InForce.Value != 9 ||
		a.Licensing.Decisions.Value != 84 || a.Penalty.Decisions.Value != 3 || a.Fees.AmountWanYuan.Value != 1024.5 {
		t.Errorf("Table 2 = %+v (warnings %q)", a, r.Warnings)
	}
	want := map[string]string{
		"new_received":        "5 1 null null null null 6",
		"granted":             "3 1 null null null null 4",
		"denied_state_secret": "0 0 0 0 0 0 0",
		"unable_not_held":     "2 null null null null null 2",
		"other_misc":          "0 0 0 0 0 0 0",
		"total":               "5 1 null null null null null",
		"carried_forward":     "0 0 0 0 0 0 0",
	}
	for k, w := range want {
		if got := rowString(r, k); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	if len(r.Applications.Rows) != 25 {
		t.Errorf("%d rows read, want 25", len(r.Applications.Rows))
	}
	rl := r.ReviewLitigation
	if rl == nil || fmtp(rl.Review.Total) != "1" || fmtp(rl.LitigationAfterReview.Upheld) != "2" || fmtp(rl.LitigationAfterReview.Total) != "3" {
		t.Errorf("Table 4 = %+v", rl)
	}
	// The blank total cell is counted as 0 and the message says so; the
	// published numbers break T3.balance (6 ≠ 0) and T3.total_column/
	// outcome_sum for total, and T4 for litigation_after_review (2 ≠ 3).
	var fails []string
	for _, c := range r.Checks {
		if !c.OK {
			fails = append(fails, checkID(c))
			if c.Rule == report.RuleT3Balance && !strings.Contains(c.Message, "blank cells counted as 0") {
				t.Errorf("message does not say blanks count as 0: %s", c.Message)
			}
		}
	}
	wantFails := "T3.balance total|T3.total_column total|T3.outcome_sum total|T4.group_total litigation_after_review"
	if strings.Join(fails, "|") != wantFails {
		t.Errorf("failing = %q, want %q", fails, wantFails)
	}
	if r.Sections.Problems != "一是公开质量有待提升。" || r.Sections.Overview != "2022年，我局扎实推进政务公开。" {
		t.Errorf("sections = %+v", r.Sections)
	}
}

func TestTemplate2019(t *testing.T) {
	text := `XX县人民政府办公室2019年政府信息公开工作年度报告
一、总体情况
本报告统计期限自2019年1月1日起至2019年12月31日止。
二、主动公开政府信息情况
| 第二十条第（一）项 | | | |
| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
|---|---|---|---|
| 规章 | 0 | 0 | 0 |
| 规范性文件 | 3 | 3 | 40 |
| 第二十条第（五）项 | | | |
| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
| 行政许可 | 12 | -2 | 300 |
| 其他对外管理服务事项 | 4 | 0 | 8 |
| 第二十条第（六）项 | | | |
| 行政处罚 | 20 | +1 | 15 |
| 行政强制 | 2 | 0 | 1 |
| 第二十条第（八）项 | | | |
| 信息内容 | 上一年项目数量 | 本年增/减 | |
| 行政事业性收费 | 3 | -1 | |
| 第二十条第（九）项 | | | |
| 信息内容 | 采购项目数量 | 采购总金额 | |
| 政府集中采购 | 6 | 1,250,000 | |
三、收到和处理政府信息公开申请情况
| 一、本年新收政府信息公开申请数量 | 4 | 0 | 0 | 0 | 0 | 0 | 4 |
| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 三、本年度办理结果 （一）予以公开 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
| （六）其他处理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| （七）总计 | 4 | 0 | 0 | 0 | 0 | 0 | 4 |
| 四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
四、政府信息公开行政复议、行政诉讼情况
行政复议 0 0 0 0 0
未经复议直接起诉 0 0 0 0 0
复议后起诉 1 0 0 0 1
五、存在的主要问题及改进情况
无。
`
	r := parseString(t, text)
	if r.Template != report.Template2019 || r.Year != 2019 || r.Agency != "XX县人民政府办公室" {
		t.Fatalf("meta = %q %d %q", r.Template, r.Year, r.Agency)
	}
	a := r.Active
	if a == nil || a.Licensing.Change.Value != -2 || a.Penalty.Change.Value != 1 || a.Fees.Change.Value != -1 ||
		a.Procurement.Amount.Value != 1250000 || a.OtherServices.Decisions.Value != 8 || a.NormativeDocuments.TotalPublished.Value != 40 {
		t.Errorf("Table 2 = %+v, warnings %q", a, r.Warnings)
	}
	if got := rowString(r, "other"); got != "1 0 0 0 0 0 1" {
		t.Errorf("other = %s", got)
	}
	if rl := r.ReviewLitigation; rl == nil || fmtp(rl.LitigationAfterReview.Total) != "1" {
		t.Errorf("Table 4 = %+v", rl)
	}
	// negative 本年增/减 is allowed; missing denial rows are reported, not invented as failures
	for _, c := range r.Checks {
		if !c.OK && c.Rule != report.RuleComplete {
			t.Errorf("unexpected failure %s: %s", c.Rule, c.Message)
		}
		if c.Rule == report.RuleComplete && (c.OK || strings.Contains(c.Message, "other_misc") || !strings.Contains(c.Message, "applications.partially_granted")) {
			t.Errorf("report.complete = %s", c.Message)
		}
	}
	if !hasWarning(r, "T3.outcome_sum not checked") {
		t.Errorf("warnings = %q", r.Warnings)
	}
}

func TestPre2019(t *testing.T) {
	text := `某某市环境保护局2017年政府信息公开工作年度报告

本报告根据《中华人民共和国政府信息公开条例》编制。
一、概述
2017年，我局主动公开政府信息1,236条，其中通过网站公开980条。
二、主动公开政府信息情况
全年办理行政许可 300 件，行政处罚 12 件。
三、依申请公开政府信息情况
全年受理依申请公开12件，均按时答复。收取费用0元。
四、存在的主要问题及改进措施
公开的深度不够。
某某市环境保护局
二〇一八年三月二十日
`
	r := parseString(t, text)
	if r.Template != report.TemplatePre2019 || r.Year != 2017 || r.Agency != "某某市环境保护局" {
		t.Errorf("meta = %q %d %q", r.Template, r.Year, r.Agency)
	}
	if r.Published == nil || *r.Published != "2018-03-20" {
		t.Errorf("published = %v", r.Published)
	}
	if r.Applications != nil || r.Active != nil {
		t.Errorf("tables read from free text: %+v %+v", r.Active, r.Applications)
	}
	var got []string
	for _, n := range r.StatedNumbers {
		got = append(got, string(formatNumber(n.Value))+n.Unit)
	}
	if strings.Join(got, ",") != "1236条,980条,300件,12件,12件,0元" {
		t.Errorf("stated numbers = %v", got)
	}
	for _, c := range r.Checks {
		if !c.OK {
			t.Errorf("check invented for a free-form report: %+v", c)
		}
	}
}

func TestNotAReport(t *testing.T) {
	for _, s := range []string{"", "招聘公告\n我单位拟招聘工作人员3名。", "\x00\x01"} {
		doc, err := ReadText([]byte(s))
		if err != nil {
			continue
		}
		if _, err := ParseDocument(doc, Options{}); !errors.Is(err, ErrNotReport) {
			t.Errorf("%q: err = %v, want ErrNotReport", s, err)
		}
	}
	if _, err := ParseDocument(nil, Options{}); !errors.Is(err, ErrNotReport) {
		t.Errorf("nil document: %v", err)
	}
}

func TestOptionsFillWhatTheDocumentOmits(t *testing.T) {
	doc := &Document{Blocks: []Block{{Text: "政府信息公开工作年度报告"}, {Text: "一、总体情况"}, {Text: "本年度依法公开。"}}}
	r, err := ParseDocument(doc, Options{Agency: "某某镇人民政府", Year: 2018})
	if err != nil {
		t.Fatal(err)
	}
	if r.Agency != "某某镇人民政府" || r.Year != 2018 || r.Template != report.TemplatePre2019 {
		t.Errorf("got %q %d %q", r.Agency, r.Year, r.Template)
	}
}

func TestLayoutSplitKeyword(t *testing.T) {
	// pdftotext -layout: the label wraps inside a keyword and the numbers sit
	// on the first line; a page footer falls inside the table.
	text := "某县民政局 2023 年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" +
		"一、本年新收政府信息公开申请数量      3   0   0   0   0   0   3\n" +
		"二、上年结转政府信息公开申请数量      0   0   0   0   0   0   0\n" +
		"     （一）予以公开                  1   0   0   0   0   0   1\n" +
		"     （二）部分                      2   0   0   0   0   0   2\n" +
		"     公开（区分处理的，只计这一情形，不计其他情形）\n" +
		"                                   -3-\n\f" +
		"     1.属于国家秘密                  0   0   0   0   0   0   0\n" +
		"     （七）总计                      3   0   0   0   0   0   3\n" +
		"四、结转下年度继续办理              0   0   0   0   0   0   0\n"
	r := parseString(t, text)
	for k, w := range map[string]string{"granted": "1 0 0 0 0 0 1", "partially_granted": "2 0 0 0 0 0 2", "denied_state_secret": "0 0 0 0 0 0 0", "total": "3 0 0 0 0 0 3"} {
		if got := rowString(r, k); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	if r.Agency != "某县民政局" || r.Year != 2023 {
		t.Errorf("meta %q %d", r.Agency, r.Year)
	}
}

func TestReportInsideLayoutTable(t *testing.T) {
	// Some CMS pages hold the whole report in one layout table: headings
	// and paragraphs are rows with one cell.
	var g gridBuilder
	row := 0
	line := func(s string) { g.put(row, 0, 1, 8, s); row++ }
	cells := func(c ...string) {
		for i, s := range c {
			g.put(row, i, 1, 1, s)
		}
		row++
	}
	line("一、总体情况")
	line("本年度我办认真落实条例。")
	line("三、收到和处理政府信息公开申请情况")
	cells("一、本年新收政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1")
	cells("二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0")
	cells("（七）总计", "1", "0", "0", "0", "0", "0", "1")
	cells("四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0")
	line("五、存在的主要问题及改进情况")
	line("宣传不够。")
	doc := &Document{Title: "某某办公室2023年政府信息公开工作年度报告", Blocks: []Block{{Table: g.rows}}}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sections.Overview != "本年度我办认真落实条例。" || r.Sections.Problems != "宣传不够。" {
		t.Errorf("sections = %+v", r.Sections)
	}
	if rowString(r, "total") != "1 0 0 0 0 0 1" || r.Agency != "某某办公室" || r.Year != 2023 {
		t.Errorf("total %s agency %q year %d", rowString(r, "total"), r.Agency, r.Year)
	}
	if len(r.ExtraTables) != 0 {
		t.Errorf("layout table kept as an extra table: %d", len(r.ExtraTables))
	}
}

func TestGridColspanValuesInConsecutiveRows(t *testing.T) {
	// 2019 Table 2 as some CMS print it: the first value cell of a row spans
	// two columns in one row and the second in another, and consecutive rows
	// repeat the same numbers.
	var g gridBuilder
	g.put(0, 0, 1, 5, "第二十条第（一）项")
	g.put(1, 0, 1, 1, "信息内容")
	g.put(1, 1, 1, 1, "本年新制作数量")
	g.put(1, 2, 1, 2, "本年新公开数量")
	g.put(1, 4, 1, 1, "对外公开总数量")
	g.put(2, 0, 1, 1, "规章")
	g.put(2, 1, 1, 1, "13")
	g.put(2, 2, 1, 2, "13")
	g.put(2, 4, 1, 1, "524")
	g.put(3, 0, 1, 5, "第二十条第（五）项")
	g.put(4, 0, 1, 1, "信息内容")
	g.put(4, 1, 1, 1, "上一年项目数量")
	g.put(4, 2, 1, 2, "本年增/减")
	g.put(4, 4, 1, 1, "处理决定数量")
	for i, l := range []string{"行政许可", "其他对外管理服务事项", "行政处罚", "行政强制"} {
		g.put(5+i, 0, 1, 1, l)
		g.put(5+i, 1, 1, 2, "0")
		g.put(5+i, 3, 1, 1, "0")
		g.put(5+i, 4, 1, 1, "7")
	}
	g.put(9, 0, 1, 1, "行政事业性收费")
	g.put(9, 1, 1, 2, "3")
	g.put(9, 3, 1, 2, "-1")
	g.put(10, 0, 1, 1, "政府集中采购")
	g.put(10, 1, 1, 2, "6")
	g.put(10, 3, 1, 2, "251000元")
	doc := &Document{Blocks: []Block{
		{Text: "某某市人民政府办公厅2019年政府信息公开工作年度报告"},
		{Text: "二、主动公开政府信息情况"},
		{Table: g.rows},
	}}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Active
	if a == nil || a.Regulations == nil || a.Regulations.NewPublished.Value != 13 || a.Regulations.TotalPublished.Value != 524 {
		t.Fatalf("regulations = %+v, warnings %q", a, r.Warnings)
	}
	for name, row := range map[string]*report.ActiveRow{"licensing": a.Licensing, "other_services": a.OtherServices, "penalty": a.Penalty, "coercion": a.Coercion} {
		if row == nil || row.PrevItems.Value != 0 || row.Change.Value != 0 || row.Decisions.Value != 7 {
			t.Errorf("%s = %+v", name, row)
		}
	}
	if a.Fees == nil || a.Fees.Change.Value != -1 || a.Procurement == nil || a.Procurement.Amount.Value != 251000 {
		t.Errorf("fees %+v procurement %+v", a.Fees, a.Procurement)
	}
	if len(r.Warnings) > 0 {
		t.Errorf("warnings %q", r.Warnings)
	}
}

func TestTwoRowsInOneGridRow(t *testing.T) {
	var g gridBuilder
	for i, c := range []string{"信息内容", "本年处理决定数量", "信息内容", "本年处理决定数量"} {
		g.put(0, i, 1, 1, c)
	}
	for i, c := range []string{"行政处罚", "12", "行政强制", "3"} {
		g.put(1, i, 1, 1, c)
	}
	for i, c := range []string{"行政许可", "40", "行政事业性收费", "—"} {
		g.put(2, i, 1, 1, c)
	}
	doc := &Document{Blocks: []Block{{Text: "某某局2022年政府信息公开工作年度报告"}, {Text: "二、主动公开政府信息情况"}, {Table: g.rows}}}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Active
	if a == nil || a.Penalty == nil || a.Coercion == nil || a.Licensing == nil || a.Fees == nil || a.Penalty.Decisions.Value != 12 || a.Coercion.Decisions.Value != 3 || a.Licensing.Decisions.Value != 40 || !a.Fees.AmountWanYuan.Blank {
		t.Fatalf("Table 2 = %+v, warnings %q", a, r.Warnings)
	}
	if !hasWarning(r, "active.fees.amount_wan_yuan: \"—\" is not a number") {
		t.Errorf("warnings %q", r.Warnings)
	}
}
