package extract

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// t3Labels are Table 3 row labels of the 2021 template, as printed.
var t3Labels = []struct{ key, label string }{
	{"new_received", "一、本年新收政府信息公开申请数量"},
	{"carried_over", "二、上年结转政府信息公开申请数量"},
	{"granted", "三、本年度办理结果\t（一）予以公开"},
	{"partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"},
	{"denied_state_secret", "（三）不予公开\t1.属于国家秘密"},
	{"denied_law_forbidden", "2.其他法律行政法规禁止公开"},
	{"denied_three_security", "3.危及“三安全一稳定”"},
	{"denied_third_party", "4.保护第三方合法权益"},
	{"denied_internal_affairs", "5.属于三类内部事务信息"},
	{"denied_process_info", "6.属于四类过程性信息"},
	{"denied_enforcement_file", "7.属于行政执法案卷"},
	{"denied_admin_query", "8.属于行政查询事项"},
	{"unable_not_held", "（四）无法提供\t1.本机关不掌握相关政府信息"},
	{"unable_need_creation", "2.没有现成信息需要另行制作"},
	{"unable_unclear", "3.补正后申请内容仍不明确"},
	{"not_processed_petition", "（五）不予处理\t1.信访举报投诉类申请"},
	{"not_processed_repeated", "2.重复申请"},
	{"not_processed_publication", "3.要求提供公开出版物"},
	{"not_processed_excessive", "4.无正当理由大量反复申请"},
	{"not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息"},
	{"other_no_correction", "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
	{"other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"},
	{"other_misc", "3.其他"},
	{"total", "（七）总计"},
	{"carried_forward", "四、结转下年度继续办理"},
}

// consistent Table 3 values: every rule holds.
var t3Values = map[string][7]int{
	"new_received":    {20, 3, 1, 0, 2, 0, 26},
	"carried_over":    {2, 1, 0, 0, 0, 0, 3},
	"granted":         {10, 2, 1, 0, 1, 0, 14},
	"unable_not_held": {6, 1, 0, 0, 1, 0, 8},
	"other_misc":      {2, 0, 0, 0, 0, 0, 2},
	"total":           {18, 3, 1, 0, 2, 0, 24},
	"carried_forward": {4, 1, 0, 0, 0, 0, 5},
}

// buildReport writes a 2021-template report as tab-separated rows. rowText
// may replace the printed row of a key ("" drops the row).
func buildReport(title string, rowText map[string]string, extraAfter map[string]string) string {
	var b strings.Builder
	b.WriteString(title + "\n一、总体情况\n本机关依法公开政府信息。\n二、主动公开政府信息情况\n")
	b.WriteString("第二十条第（一）项\t\t\t\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t2\n行政规范性文件\t3\t1\t12\n")
	b.WriteString("第二十条第（五）项\t\t\t\n信息内容\t本年处理决定数量\t\t\n行政许可\t45\t\t\n第二十条第（六）项\t\t\t\n信息内容\t本年处理决定数量\t\t\n行政处罚\t1,234\t\t\n行政强制\t7\t\t\n")
	b.WriteString("第二十条第（八）项\t\t\t\n信息内容\t本年收费金额（单位：万元）\t\t\n行政事业性收费\t12.5\t\t\n")
	b.WriteString("三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t申请人情况\t\t\t\t\t\t\n")
	b.WriteString("\t\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n")
	for _, l := range t3Labels {
		if txt, ok := rowText[l.key]; ok {
			if txt != "" {
				b.WriteString(txt + "\n")
			}
		} else {
			v := t3Values[l.key]
			cells := make([]string, 7)
			for i, x := range v {
				cells[i] = fmt.Sprint(x)
			}
			b.WriteString(l.label + "\t" + strings.Join(cells, "\t") + "\n")
		}
		if x, ok := extraAfter[l.key]; ok {
			b.WriteString(x + "\n")
		}
	}
	b.WriteString("四、政府信息公开行政复议、行政诉讼情况\n行政复议\t\t\t\t\t行政诉讼\n")
	b.WriteString("结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n")
	b.WriteString("\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n")
	b.WriteString("1\t0\t0\t1\t2\t0\t1\t0\t0\t1\t0\t0\t0\t0\t0\n")
	b.WriteString("五、存在的主要问题及改进情况\n公开的及时性有待提高。\n六、其他需要报告的事项\n本年度未收取信息处理费。\n2022年1月20日\n")
	return b.String()
}

func TestMissingHeadings(t *testing.T) {
	full := buildReport("某某市交通运输局2021年度政府信息公开工作年度报告", nil, nil)
	for _, heading := range []string{"二、主动公开政府信息情况\n", "三、收到和处理政府信息公开申请情况\n", "四、政府信息公开行政复议、行政诉讼情况\n"} {
		t.Run(heading, func(t *testing.T) {
			r := parseString(t, strings.Replace(full, heading, "", 1))
			if got := rowString(r, "total"); got != "18 3 1 0 2 0 24" {
				t.Errorf("total = %s", got)
			}
			if r.ReviewLitigation == nil || fmtp(r.ReviewLitigation.LitigationDirect.Corrected) != "1" {
				t.Errorf("Table 4 = %+v", r.ReviewLitigation)
			}
			if r.Active == nil || r.Active.Licensing == nil || r.Active.Licensing.Decisions.Value != 45 {
				t.Errorf("Table 2 = %+v", r.Active)
			}
			if f := failing(r); len(f) > 0 {
				t.Errorf("failing %q, warnings %q", f, r.Warnings)
			}
		})
	}
}

func parseString(t *testing.T, s string) *report.Report {
	t.Helper()
	r := parseText(t, s)
	return r
}

func rowString(r *report.Report, key string) string {
	if r.Applications == nil {
		return "no table"
	}
	row, ok := r.Applications.Rows[key]
	if !ok {
		return "missing"
	}
	s := make([]string, len(row))
	for i, v := range row {
		s[i] = fmtp(v)
	}
	return strings.Join(s, " ")
}

func failing(r *report.Report) []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, checkID(c))
		}
	}
	return out
}

func hasWarning(r *report.Report, sub string) bool {
	for _, w := range r.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestAdversarialTable3(t *testing.T) {
	const title = "某某市交通运输局2021年度政府信息公开工作年度报告"
	tests := []struct {
		name       string
		rows       map[string]string
		extra      map[string]string
		want       map[string]string // key -> cells
		wantFail   []string
		wantWarn   []string
		wantNoWarn bool
	}{
		{
			name: "consistent",
			want: map[string]string{"new_received": "20 3 1 0 2 0 26", "total": "18 3 1 0 2 0 24", "carried_forward": "4 1 0 0 0 0 5", "denied_state_secret": "0 0 0 0 0 0 0"},
		},
		{
			name:     "extra row does not shift",
			extra:    map[string]string{"granted": "（一）附：其中涉及疫情防控\t9\t9\t9\t9\t9\t9\t9"},
			want:     map[string]string{"partially_granted": "0 0 0 0 0 0 0", "unable_not_held": "6 1 0 0 1 0 8", "total": "18 3 1 0 2 0 24"},
			wantWarn: []string{"not recognised"},
		},
		{
			name: "group subtotal rows are not rows of their own",
			extra: map[string]string{
				"partially_granted":          "（三）不予公开\t0\t0\t0\t0\t0\t0\t0",
				"not_processed_confirmation": "（六）其他处理\t2\t0\t0\t0\t0\t0\t2",
			},
			want:     map[string]string{"other": "2 0 0 0 0 0 2", "other_misc": "2 0 0 0 0 0 2", "denied_state_secret": "0 0 0 0 0 0 0"},
			wantWarn: []string{"not recognised"},
		},
		{
			name:     "missing row does not shift and skips only its rules",
			rows:     map[string]string{"denied_three_security": ""},
			want:     map[string]string{"denied_third_party": "0 0 0 0 0 0 0", "unable_not_held": "6 1 0 0 1 0 8", "denied_three_security": "missing"},
			wantFail: []string{"report.complete missing"},
			wantWarn: []string{"T3.outcome_sum not checked"},
		},
		{
			name: "full-width digits, units and separators",
			rows: map[string]string{"new_received": "一、本年新收政府信息公开申请数量\t２０\t3件\t1\t0\t2\t0\t２６", "granted": "三、本年度办理结果\t（一）予以公开\t10\t2,0\t1\t0\t1\t0\t14"},
			want: map[string]string{"new_received": "20 3 1 0 2 0 26"},
			// "2,0" is not a number: a warning names the cell, the rules count it blank
			wantWarn: []string{"applications.granted.commercial: \"2,0\" is not a number"},
			wantFail: []string{"T3.total_column granted", "T3.outcome_sum commercial"},
		},
		{
			name: "traditional characters",
			rows: map[string]string{
				"new_received":    "一、本年新收政府資訊公開申請數量\t20\t3\t1\t0\t2\t0\t26",
				"carried_over":    "二、上年轉結政府資訊公開申請數量\t2\t1\t0\t0\t0\t0\t3",
				"total":           "（七）總計\t18\t3\t1\t0\t2\t0\t24",
				"carried_forward": "四、結轉下年度繼續辦理\t4\t1\t0\t0\t0\t0\t5",
			},
			want: map[string]string{"carried_over": "2 1 0 0 0 0 3", "total": "18 3 1 0 2 0 24", "carried_forward": "4 1 0 0 0 0 5"},
		},
		{
			name: "blanks, dashes and 无",
			rows: map[string]string{
				"denied_state_secret": "（三）不予公开\t1.属于国家秘密\t—\t/\t无\t\t\t\t",
				"carried_forward":     "四、转结下年度继续办理\t4\t1\t\t\t\t\t5",
			},
			want:     map[string]string{"denied_state_secret": "null null null null null null null", "carried_forward": "4 1 null null null null 5"},
			wantWarn: []string{"applications.denied_state_secret.natural_person: \"—\"", "applications.denied_state_secret.commercial", "applications.denied_state_secret.research"},
		},
		{
			name:     "row with too few cells is a warning, not a shifted guess",
			rows:     map[string]string{"granted": "三、本年度办理结果\t（一）予以公开\t10\t2\t1\t14"},
			want:     map[string]string{"granted": "missing", "partially_granted": "0 0 0 0 0 0 0"},
			wantWarn: []string{"applications.granted", "T3.outcome_sum not checked"},
		},
		{
			name:     "real inconsistency is flagged",
			rows:     map[string]string{"total": "（七）总计\t18\t3\t1\t0\t2\t0\t25"},
			want:     map[string]string{"total": "18 3 1 0 2 0 25"},
			wantFail: []string{"T3.balance total", "T3.total_column total", "T3.outcome_sum total"},
		},
		{
			name: "typo in a label",
			rows: map[string]string{"denied_law_forbidden": "2.其他法律行政止公开\t0\t0\t0\t0\t0\t0\t0"},
			want: map[string]string{"denied_law_forbidden": "0 0 0 0 0 0 0", "denied_three_security": "0 0 0 0 0 0 0"},
		},
		{
			name: "other processing as a single row in a 2021 report",
			rows: map[string]string{
				"other_no_correction": "（六）其他处理\t2\t0\t0\t0\t0\t0\t2", "other_unpaid_fee": "", "other_misc": "",
			},
			want:     map[string]string{"other": "2 0 0 0 0 0 2", "other_misc": "missing"},
			wantFail: []string{"report.complete missing"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseString(t, buildReport(title, tc.rows, tc.extra))
			if r.Agency != "某某市交通运输局" || r.Year != 2021 || r.Template != report.Template2021 {
				t.Errorf("meta = %q %d %q", r.Agency, r.Year, r.Template)
			}
			if r.Published == nil || *r.Published != "2022-01-20" {
				t.Errorf("published = %v", r.Published)
			}
			for k, want := range tc.want {
				if got := rowString(r, k); got != want {
					t.Errorf("%s = %s, want %s", k, got, want)
				}
			}
			got := failing(r)
			if len(got) != len(tc.wantFail) {
				t.Errorf("failing = %q, want %q", got, tc.wantFail)
			} else {
				for i := range got {
					if !strings.HasPrefix(got[i], tc.wantFail[i]) {
						t.Errorf("failing = %q, want %q", got, tc.wantFail)
					}
				}
			}
			for _, w := range tc.wantWarn {
				if !hasWarning(r, w) {
					t.Errorf("no warning containing %q in %q", w, r.Warnings)
				}
			}
			if r.ReviewLitigation == nil || fmtp(r.ReviewLitigation.LitigationDirect.Corrected) != "1" || fmtp(r.ReviewLitigation.Review.Total) != "2" {
				t.Errorf("Table 4 = %+v", r.ReviewLitigation)
			}
			if a := r.Active; a == nil || a.Penalty == nil || a.Penalty.Decisions.Value != 1234 || a.Fees.AmountWanYuan.Value != 12.5 || a.NormativeDocuments.InForce.Value != 12 {
				t.Errorf("Table 2 = %+v", r.Active)
			}
		})
	}
}

// blankCells replaces the n-th..m-th number fields of the first line
// containing label with spaces of the same width (a blank cell in a
// pdftotext -layout rendering).
func blankCells(t *testing.T, text, label string, idx ...int) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, ln := range lines {
		if !strings.Contains(ln, label) {
			continue
		}
		fields := fieldsWithPos(ln)
		rs := []rune(ln)
		var nums []posField
		for _, f := range fields {
			if k, _ := parseCell(f.text); k == cellNumber {
				nums = append(nums, f)
			}
		}
		for _, j := range idx {
			for c := nums[j].start; c < nums[j].end; c++ {
				rs[c] = ' '
			}
		}
		lines[i] = string(rs)
		return strings.Join(lines, "\n")
	}
	t.Fatalf("no line with %q", label)
	return ""
}

func TestLayoutBlankCellsPlacedByColumn(t *testing.T) {
	b, err := os.ReadFile("testdata/corpus/005_huaian_2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	text = blankCells(t, text, "二、上年结转政府信息公开申请数量", 1, 2, 3, 4, 5)
	text = blankCells(t, text, "3.补正后申请内容仍不明确", 1, 2, 3, 4, 5)
	text = blankCells(t, text, "（一）予以公开", 2, 3)
	r := parseString(t, text)
	for k, w := range map[string]string{
		"carried_over":    "34 null null null null null 34",
		"unable_unclear":  "1 null null null null null 1",
		"granted":         "1288 21 null null 50 3 1362",
		"new_received":    "3001 53 0 0 61 4 3119",
		"carried_forward": "103 0 0 0 0 0 103",
	} {
		if got := rowString(r, k); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	if !hasWarning(r, "applications.carried_over: 2 of 7 cells printed") {
		t.Errorf("warnings %q", r.Warnings)
	}
	for _, c := range r.Checks {
		if !c.OK && c.Rule != report.RuleComplete {
			t.Errorf("invented failure %s", c.Message)
		}
	}
}

func TestMarkdownSplitTables(t *testing.T) {
	// Converters that turn a report into markdown often split Table 3 into
	// one small pipe table per row, each with its own header row ending in
	// 总计, and add null placeholders ("-") for the applicant header.
	src := buildReport("某某县人民政府2025年政府信息公开工作年度报告", nil, nil)
	var b strings.Builder
	inT3 := false
	for _, ln := range strings.Split(src, "\n") {
		if strings.HasPrefix(ln, "三、收到") {
			inT3 = true
			b.WriteString("## " + ln + "\n| 商业企业 | 科研机构 | 社会公益 | 法律服务机构 | 其他 |\n|---|---|---|---|---|\n| - | - | - | - | - |\n")
			continue
		}
		if strings.HasPrefix(ln, "四、政府信息公开行政复议") {
			inT3 = false
		}
		if !strings.Contains(ln, "\t") {
			b.WriteString(ln + "\n")
			continue
		}
		cells := strings.Split(ln, "\t")
		if inT3 && strings.ContainsAny(cells[len(cells)-1], "0123456789") {
			b.WriteString("\n| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |\n|---|---|---|---|---|---|---|---|\n")
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	r := parseString(t, b.String())
	for k, w := range map[string]string{"new_received": "20 3 1 0 2 0 26", "granted": "10 2 1 0 1 0 14", "other_misc": "2 0 0 0 0 0 2", "total": "18 3 1 0 2 0 24", "carried_forward": "4 1 0 0 0 0 5"} {
		if got := rowString(r, k); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	if len(r.Applications.Rows) != 25 {
		t.Errorf("%d rows", len(r.Applications.Rows))
	}
	if f := failing(r); len(f) > 0 {
		t.Errorf("failing %q", f)
	}
}

func TestRawTextShortRowNotPlaced(t *testing.T) {
	// pdftotext -raw separates cells by one space: a row with missing cells
	// cannot be placed by position and must be reported, not guessed.
	b, err := os.ReadFile("testdata/corpus/004_hongze_2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "3.补正后申请内容仍不明确 0 0 0 0 0 0 0", "3.补正后申请内容仍不明确 0 0", 1)
	r := parseString(t, text)
	if got := rowString(r, "unable_unclear"); got != "missing" {
		t.Errorf("unable_unclear = %s, want it left out", got)
	}
	if !hasWarning(r, "applications.unable_unclear: row") {
		t.Errorf("warnings %q", r.Warnings)
	}
	for _, c := range r.Checks {
		if !c.OK && c.Rule != report.RuleComplete {
			t.Errorf("invented failure %s", c.Message)
		}
	}
}

func TestLayoutBlankTable2Row(t *testing.T) {
	b, err := os.ReadFile("testdata/corpus/003_hongze_2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	// the agency printed nothing in the 规章 row
	text := strings.Replace(string(b), "规章               0          0       0", "规章", 1)
	r := parseString(t, text)
	a := r.Active
	if a == nil || a.Regulations == nil || !a.Regulations.Issued.Blank || !a.Regulations.InForce.Blank {
		t.Fatalf("regulations = %+v", a)
	}
	if a.NormativeDocuments.Repealed.Value != 5 || a.Licensing.Decisions.Value != 550 {
		t.Errorf("normative %+v licensing %+v", a.NormativeDocuments, a.Licensing)
	}
	if !hasWarning(r, "active.regulations: row printed without numbers") {
		t.Errorf("warnings %q", r.Warnings)
	}
}

func TestLayoutBlankTable2Cell(t *testing.T) {
	b, err := os.ReadFile("testdata/corpus/005_huaian_2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := blankCells(t, string(b), "行政规范性文件", 1)
	r := parseString(t, text)
	nd := r.Active.NormativeDocuments
	if nd == nil || nd.Issued.Value != 8 || !nd.Repealed.Blank || nd.InForce.Value != 66 {
		t.Fatalf("normative_documents = %+v, warnings %q", nd, r.Warnings)
	}
	if !hasWarning(r, "active.normative_documents: 2 of 3 cells printed") {
		t.Errorf("warnings %q", r.Warnings)
	}
}
