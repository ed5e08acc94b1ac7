package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// numbers are the tables of one report: Table 2 (active disclosure),
// Table 3 (applications, 26 rows × 7 columns) and Table 4 (review and
// litigation, 15 numbers).
type numbers struct {
	Regs, Norms  [3]float64 // issued, repealed, in force
	Licensing    float64
	Penalty      float64
	Coercion     float64
	Fees         float64
	Applications map[string][7]float64
	Review       [15]float64
}

// corpusExpected is the part of a shared corpus expected.json we read.
type corpusExpected struct {
	Agency  string `json:"agency"`
	Year    int    `json:"year"`
	Active  map[string]map[string]float64
	Apps    struct{ Rows map[string][]float64 } `json:"applications"`
	Reviews map[string]map[string]float64       `json:"review_litigation"`
}

// loadNumbers reads the hand-checked tables of a real report and scales
// every cell by k (sums stay consistent, so each rendered report has its
// own exact totals).
func loadNumbers(t *testing.T, name string, k float64) numbers {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var e corpusExpected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	n := numbers{Applications: map[string][7]float64{}}
	a := e.Active
	n.Regs = [3]float64{a["regulations"]["issued"], a["regulations"]["repealed"], a["regulations"]["in_force"]}
	n.Norms = [3]float64{a["normative_documents"]["issued"], a["normative_documents"]["repealed"], a["normative_documents"]["in_force"]}
	n.Licensing = a["licensing"]["decisions"]
	n.Penalty = a["penalty"]["decisions"]
	n.Coercion = a["coercion"]["decisions"]
	n.Fees = a["fees"]["amount_wan_yuan"]
	for row, vs := range e.Apps.Rows {
		var r [7]float64
		for i := range r {
			if i < len(vs) {
				r[i] = vs[i] * k
			}
		}
		n.Applications[row] = r
	}
	i := 0
	for _, g := range []string{"review", "litigation_direct", "litigation_after_review"} {
		for _, f := range []string{"upheld", "corrected", "other", "pending", "total"} {
			n.Review[i] = e.Reviews[g][f] * k
			i++
		}
	}
	return n
}

// appRow is one row of Table 3 in the 2021 template: its key and label
// cells (group, subgroup, item; empty cells merge with the one before).
type appRow struct {
	key                  string
	group, sub, item     string
	groupSpan, subSpan   int // rowspans when the cell starts here
	groupFirst, subFirst bool
}

var appRows = func() []appRow {
	const res = "三、本年度办理结果"
	rows := []appRow{
		{key: "new_received", group: "一、本年新收政府信息公开申请数量"},
		{key: "carried_over", group: "二、上年结转政府信息公开申请数量"},
		{key: "granted", group: res, sub: "（一）予以公开"},
		{key: "partially_granted", group: res, sub: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"},
	}
	add := func(sub string, keys, items []string) {
		for i := range keys {
			rows = append(rows, appRow{key: keys[i], group: res, sub: sub, item: items[i]})
		}
	}
	add("（三）不予公开", []string{"denied_state_secret", "denied_law_forbidden", "denied_three_security", "denied_third_party",
		"denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_admin_query"},
		[]string{"1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
			"5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"})
	add("（四）无法提供", []string{"unable_not_held", "unable_need_creation", "unable_unclear"},
		[]string{"1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"})
	add("（五）不予处理", []string{"not_processed_petition", "not_processed_repeated", "not_processed_publication",
		"not_processed_excessive", "not_processed_confirmation"},
		[]string{"1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"})
	add("（六）其他处理", []string{"other_no_correction", "other_unpaid_fee", "other_misc"},
		[]string{"1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
			"2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"})
	rows = append(rows, appRow{key: "total", group: res, sub: "（七）总计"},
		appRow{key: "carried_forward", group: "四、结转下年度继续办理"})
	for i := range rows {
		if i == 0 || rows[i].group != rows[i-1].group {
			rows[i].groupFirst = true
			for j := i; j < len(rows) && rows[j].group == rows[i].group; j++ {
				rows[i].groupSpan++
			}
		}
		if rows[i].sub != "" && (i == 0 || rows[i].sub != rows[i-1].sub) {
			rows[i].subFirst = true
			for j := i; j < len(rows) && rows[j].sub == rows[i].sub; j++ {
				rows[i].subSpan++
			}
		}
	}
	return rows
}()

// spansIn is row i of rows with its rowspans counted within rows[lo:hi]
// (one table).
func spansIn(rows []appRow, i, lo, hi int) appRow {
	r := rows[i]
	r.groupFirst = i == lo || rows[i-1].group != r.group
	r.subFirst = r.sub != "" && (i == lo || rows[i-1].sub != r.sub)
	r.groupSpan, r.subSpan = 0, 0
	for j := i; j < hi && rows[j].group == r.group; j++ {
		r.groupSpan++
	}
	for j := i; j < hi && r.sub != "" && rows[j].sub == r.sub; j++ {
		r.subSpan++
	}
	return r
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// numStyled writes v as style does.
func numStyled(v float64, style tableStyle) string {
	if style != styleSplit {
		return num(v)
	}
	if v == 0 {
		return "-"
	}
	s := num(v)
	if v != float64(int64(v)) || len(s) < 4 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tableStyle picks how the report tables are written.
type tableStyle int

const (
	// styleSpans: Table 3 with a two-row header, the label column split
	// into three cells with rowspans, numbers in <td><p><span>.
	styleSpans tableStyle = iota
	// styleWord: Word-exported tables (MsoNormal paragraphs, widths,
	// a three-row header), label cells merged with colspan.
	styleWord
	// styleSplit: like styleSpans, but Table 3 is cut in two <table>s
	// at a Word page break (the header is not repeated), numbers of four
	// digits and more have thousands separators and zeros are written
	// as "-".
	styleSplit
)

func cell(style tableStyle, s string, attrs string) string {
	if style == styleWord {
		return fmt.Sprintf(`<td %s style="border:solid windowtext 1.0pt;padding:0cm 5.4pt"><p class="MsoNormal" align="center" style="text-align:center"><span lang="EN-US" style="font-size:10.5pt;font-family:仿宋_GB2312">%s</span></p></td>`, attrs, html.EscapeString(s))
	}
	return fmt.Sprintf(`<td %s><p><span>%s</span></p></td>`, attrs, html.EscapeString(s))
}

// reportTables renders Tables 2, 3 and 4 with their section headings.
func reportTables(n numbers, style tableStyle) string {
	var b strings.Builder
	c := func(s, attrs string) { b.WriteString(cell(style, s, attrs)) }
	b.WriteString("<p>二、主动公开政府信息情况</p>\n<table border=\"1\" cellspacing=\"0\">\n")
	b.WriteString("<tr>")
	c("第二十条第（一）项", `colspan="4"`)
	b.WriteString("</tr>\n<tr>")
	for _, s := range []string{"信息内容", "本年制发件数", "本年废止件数", "现行有效件数"} {
		c(s, "")
	}
	b.WriteString("</tr>\n")
	for _, r := range []struct {
		l string
		v [3]float64
	}{{"规章", n.Regs}, {"行政规范性文件", n.Norms}} {
		b.WriteString("<tr>")
		c(r.l, "")
		for _, v := range r.v {
			c(num(v), "")
		}
		b.WriteString("</tr>\n")
	}
	one := func(head, col string, rows ...struct {
		l string
		v float64
	}) {
		b.WriteString("<tr>")
		c(head, `colspan="4"`)
		b.WriteString("</tr>\n<tr>")
		c("信息内容", "")
		c(col, `colspan="3"`)
		b.WriteString("</tr>\n")
		for _, r := range rows {
			b.WriteString("<tr>")
			c(r.l, "")
			c(num(r.v), `colspan="3"`)
			b.WriteString("</tr>\n")
		}
	}
	type lv = struct {
		l string
		v float64
	}
	one("第二十条第（五）项", "本年处理决定数量", lv{"行政许可", n.Licensing})
	one("第二十条第（六）项", "本年处理决定数量", lv{"行政处罚", n.Penalty}, lv{"行政强制", n.Coercion})
	one("第二十条第（八）项", "本年收费金额（单位：万元）", lv{"行政事业性收费", n.Fees})
	b.WriteString("</table>\n")

	b.WriteString("<p>三、收到和处理政府信息公开申请情况</p>\n<table border=\"1\" cellspacing=\"0\">\n")
	orgs := []string{"商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"}
	if style != styleWord {
		b.WriteString("<tr>")
		c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", `colspan="3" rowspan="2"`)
		c("自然人", `rowspan="2"`)
		c("法人或其他组织", `colspan="5"`)
		c("总计", `rowspan="2"`)
		b.WriteString("</tr>\n<tr>")
		for _, s := range orgs {
			c(s, "")
		}
		b.WriteString("</tr>\n")
	} else {
		b.WriteString("<tr>")
		c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", `colspan="3" rowspan="3"`)
		c("申请人情况", `colspan="7"`)
		b.WriteString("</tr>\n<tr>")
		c("自然人", `rowspan="2"`)
		c("法人或其他组织", `colspan="5"`)
		c("总计", `rowspan="2"`)
		b.WriteString("</tr>\n<tr>")
		for _, s := range orgs {
			c(s, "")
		}
		b.WriteString("</tr>\n")
	}
	lo, hi := 0, len(appRows)
	if style == styleSplit {
		hi = 9 // a page break inside （三）不予公开
	}
	for i := range appRows {
		if i == hi {
			// the group and subgroup cells start again in the new table
			b.WriteString("</table>\n<p style=\"page-break-before:always\">&nbsp;</p>\n<table border=\"1\" cellspacing=\"0\">\n")
			lo, hi = hi, len(appRows)
		}
		r := spansIn(appRows, i, lo, hi)
		b.WriteString("<tr>")
		switch {
		case r.sub == "":
			c(r.group, `colspan="3"`)
		default:
			if r.groupFirst {
				c(r.group, fmt.Sprintf(`rowspan="%d"`, r.groupSpan))
			}
			if r.item == "" {
				c(r.sub, `colspan="2"`)
			} else {
				if r.subFirst {
					c(r.sub, fmt.Sprintf(`rowspan="%d"`, r.subSpan))
				}
				c(r.item, "")
			}
		}
		for _, v := range n.Applications[r.key] {
			c(numStyled(v, style), "")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")

	b.WriteString("<p>四、政府信息公开行政复议、行政诉讼情况</p>\n<table border=\"1\" cellspacing=\"0\">\n<tr>")
	c("行政复议", `colspan="5"`)
	c("行政诉讼", `colspan="10"`)
	b.WriteString("</tr>\n<tr>")
	for _, s := range []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"} {
		c(s, `rowspan="2"`)
	}
	c("未经复议直接起诉", `colspan="5"`)
	c("复议后起诉", `colspan="5"`)
	b.WriteString("</tr>\n<tr>")
	for i := 0; i < 2; i++ {
		for _, s := range []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"} {
			c(s, "")
		}
	}
	b.WriteString("</tr>\n<tr>")
	for _, v := range n.Review {
		c(num(v), "")
	}
	b.WriteString("</tr>\n</table>\n")
	return b.String()
}

// reportBody is the body of a report: title, optional date line, the
// overview, the tables, problems and other matters.
func reportBody(agency string, year int, dateLine string, n numbers, style tableStyle) string {
	return reportBodyTitled(fmt.Sprintf("%s%d年政府信息公开工作年度报告", agency, year), agency, year, dateLine, n, style)
}

// reportBodyTitled is reportBody under another title.
func reportBodyTitled(title, agency string, year int, dateLine string, n numbers, style tableStyle) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<h1 class=\"article-title\">%s</h1>\n", html.EscapeString(title))
	if dateLine != "" {
		fmt.Fprintf(&b, "<div class=\"article-info\"><span>%s</span><span>来源：%s</span><span>字号：大 中 小</span></div>\n", dateLine, agency)
	}
	b.WriteString("<div class=\"article-content\" id=\"zoom\">\n")
	fmt.Fprintf(&b, "<p>本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制。本报告所列数据的统计期限为%d年1月1日至%d年12月31日。</p>\n", year, year)
	b.WriteString("<p>一、总体情况</p>\n")
	fmt.Fprintf(&b, "<p>%d年，%s坚持以公开为常态、不公开为例外，持续深化政务公开，规范依申请公开办理，加强平台建设和监督保障。</p>\n", year, agency)
	b.WriteString(reportTables(n, style))
	b.WriteString("<p>五、政府信息公开工作存在的主要问题及改进情况</p>\n<p>一是公开内容的全面性有待提高；二是政策解读形式较为单一。下一步将加强培训，丰富解读形式。</p>\n")
	b.WriteString("<p>六、其他需要报告的事项</p>\n<p>本年度未收取信息处理费。</p>\n</div>\n")
	return b.String()
}

// docxReport builds a minimal Word document holding a report: paragraphs
// and the three tables as w:tbl (rowspans as vMerge, colspans as gridSpan
// are not needed: every row is written out flat).
func docxReport(t *testing.T, agency string, year int, signDate string, n numbers) []byte {
	t.Helper()
	p := func(s string) string {
		return `<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(s) + `</w:t></w:r></w:p>`
	}
	tc := func(s string) string {
		return `<w:tc><w:tcPr><w:tcW w:w="900" w:type="dxa"/></w:tcPr>` + p(s) + `</w:tc>`
	}
	row := func(cells ...string) string {
		var b strings.Builder
		b.WriteString("<w:tr>")
		for _, c := range cells {
			b.WriteString(tc(c))
		}
		b.WriteString("</w:tr>")
		return b.String()
	}
	var body strings.Builder
	body.WriteString(p(fmt.Sprintf("%s%d年政府信息公开工作年度报告", agency, year)))
	body.WriteString(p(fmt.Sprintf("本报告所列数据的统计期限为%d年1月1日至%d年12月31日。", year, year)))
	body.WriteString(p("一、总体情况"))
	body.WriteString(p(fmt.Sprintf("%d年，%s认真贯彻落实政府信息公开条例，主动公开工作扎实推进。", year, agency)))
	body.WriteString(p("二、主动公开政府信息情况"))
	body.WriteString("<w:tbl>")
	body.WriteString(row("第二十条第（一）项", "", "", ""))
	body.WriteString(row("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"))
	body.WriteString(row("规章", num(n.Regs[0]), num(n.Regs[1]), num(n.Regs[2])))
	body.WriteString(row("行政规范性文件", num(n.Norms[0]), num(n.Norms[1]), num(n.Norms[2])))
	body.WriteString(row("第二十条第（五）项", "", "", ""))
	body.WriteString(row("信息内容", "本年处理决定数量", "", ""))
	body.WriteString(row("行政许可", num(n.Licensing), "", ""))
	body.WriteString(row("第二十条第（六）项", "", "", ""))
	body.WriteString(row("信息内容", "本年处理决定数量", "", ""))
	body.WriteString(row("行政处罚", num(n.Penalty), "", ""))
	body.WriteString(row("行政强制", num(n.Coercion), "", ""))
	body.WriteString(row("第二十条第（八）项", "", "", ""))
	body.WriteString(row("信息内容", "本年收费金额（单位：万元）", "", ""))
	body.WriteString(row("行政事业性收费", num(n.Fees), "", ""))
	body.WriteString("</w:tbl>")
	body.WriteString(p("三、收到和处理政府信息公开申请情况"))
	body.WriteString("<w:tbl>")
	body.WriteString(row("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "", "申请人情况", "", "", "", "", "", ""))
	body.WriteString(row("", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"))
	body.WriteString(row("", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""))
	for _, r := range appRows {
		cells := []string{r.group, r.sub, r.item}
		if r.sub == "" {
			cells = []string{r.group, "", ""}
		}
		for _, v := range n.Applications[r.key] {
			cells = append(cells, num(v))
		}
		body.WriteString(row(cells...))
	}
	body.WriteString("</w:tbl>")
	body.WriteString(p("四、政府信息公开行政复议、行政诉讼情况"))
	body.WriteString("<w:tbl>")
	h := []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}
	body.WriteString(row(append([]string{"行政复议", "", "", "", "", "行政诉讼"}, make([]string, 9)...)...))
	body.WriteString(row(append(append([]string{}, h...), append([]string{"未经复议直接起诉", "", "", "", "", "复议后起诉"}, make([]string, 4)...)...)...))
	body.WriteString(row(append(append(make([]string, 5), h...), h...)...))
	var rv []string
	for _, v := range n.Review {
		rv = append(rv, num(v))
	}
	body.WriteString(row(rv...))
	body.WriteString("</w:tbl>")
	body.WriteString(p("五、政府信息公开工作存在的主要问题及改进情况"))
	body.WriteString(p("公开质量有待进一步提升，将加强培训。"))
	body.WriteString(p("六、其他需要报告的事项"))
	body.WriteString(p("本年度未收取信息处理费。"))
	body.WriteString(p(agency))
	body.WriteString(p(signDate))

	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`
	files := []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", doc},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
