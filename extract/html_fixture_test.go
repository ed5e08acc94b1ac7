package extract

import (
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nianbao/nianbao/report"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var updateHTML = flag.Bool("update-html", false, "rewrite the Word-export HTML fixtures under testdata/html from the seeds and golden files")

// htmlStyle is how a CMS wraps and renders a fixture page.
type htmlStyle struct {
	gbk       bool   // encode as GBK with a gb2312 meta
	layout    bool   // the whole page inside a layout table with nested tables
	container string // the article container's opening tag
	split     bool   // Table 3 split in two <table>s at a page break
	pubDate   string // the 发布时间 of the info bar above the body
	site      string // the site name in <title>
}

// htmlStyles are the fixture pages: one per seed, each a different CMS.
var htmlStyles = map[string]htmlStyle{
	"000_058c891ac62dd96d": {container: `<div id="zoom" class="TRS_Editor">`, split: true, pubDate: "2022-01-28 09:30", site: "长沙市公安局"},
	"001_33cbb0de23e7a3a9": {container: `<div class="article"><div class="wzcon">`, pubDate: "2022-01-20", site: "济源示范区公安局"},
	"002_c513a80de85e28c5": {container: `<div class="bt_content" style="padding:10px">`, split: true, pubDate: "2025年01月22日", site: "湘潭县人民政府"},
	"003_5b5855e3c5339d3b": {container: `<div id="UCAP-CONTENT">`, gbk: true, layout: true, pubDate: "2021-01-26", site: "嵊泗县人民政府"},
	"004_dda7dad8d758c7d1": {container: `<div class="Custom_UnionStyle">`, gbk: true, layout: true, split: true, pubDate: "2022-01-25", site: "宁波市公安局"},
}

// wordHTML writes the page a CMS serves for a report pasted from Word:
// site chrome (nav, breadcrumbs, scripts, footer), the title and date
// outside the article container, the seed's prose as Word paragraphs, and
// the three template tables in the official layout (rowspan/colspan
// headers, the label column over up to three cells, <p><span> in cells,
// &nbsp; in blank cells), with the values of the hand-reviewed golden file.
func wordHTML(seed string, want *report.Report, st htmlStyle) []byte {
	var b strings.Builder
	cs := "utf-8"
	if st.gbk {
		cs = "gb2312"
	}
	title := strings.TrimSpace(strings.TrimLeft(want.Title, "# "))
	fmt.Fprintf(&b, "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n<html>\n<head>\n")
	fmt.Fprintf(&b, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=%s\" />\n", cs)
	fmt.Fprintf(&b, "<title>%s_%s</title>\n", html.EscapeString(title), st.site)
	fmt.Fprintf(&b, "<meta name=\"SiteName\" content=\"%s\">\n<meta name=\"ColumnName\" content=\"政府信息公开年报\">\n", st.site)
	fmt.Fprintf(&b, "<meta name=\"ArticleTitle\" content=\"%s\">\n", html.EscapeString(title))
	b.WriteString("<script type=\"text/javascript\">var _hmt = _hmt || []; document.write('<div>统计</div>');</script>\n")
	b.WriteString("<style>.MsoNormal{font-size:10.5pt} td{border:1px solid #000}</style>\n</head>\n<body>\n")
	b.WriteString("<div class=\"header\"><div class=\"logo\">" + st.site + "</div><ul class=\"nav\"><li><a href=\"/\">首页</a></li><li><a href=\"/xxgk/\">信息公开</a></li><li><a href=\"/hdjl/\">互动交流</a></li></ul></div>\n")
	if st.layout {
		b.WriteString("<table width=\"1000\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\"><tr><td width=\"220\" valign=\"top\">\n")
		b.WriteString("<table class=\"left-menu\"><tr><td><a href=\"/xxgk/zcwj/\">政策文件</a></td></tr><tr><td><a href=\"/xxgk/ndbg/\">政府信息公开年报</a></td></tr></table>\n")
		b.WriteString("</td><td valign=\"top\">\n")
	}
	b.WriteString("<div class=\"position\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/xxgk/\">信息公开</a> &gt; 政府信息公开年报</div>\n")
	fmt.Fprintf(&b, "<h1 class=\"title\">%s</h1>\n", html.EscapeString(title))
	fmt.Fprintf(&b, "<div class=\"info\"><span>发布时间：%s</span>&nbsp;&nbsp;<span>来源：%s</span>&nbsp;&nbsp;<span>浏览次数：<script>document.write(123)</script></span></div>\n", st.pubDate, st.site)
	b.WriteString(st.container + "\n")

	writeItemsHTML(&b, fixtureDoc(seed, want, st.split))
	b.WriteString("</div>\n")
	if st.layout {
		b.WriteString("</td></tr></table>\n")
	}
	b.WriteString("<div class=\"related\"><h3>相关文章</h3><ul><li><a href=\"/a.html\">2019年政府信息公开工作年度报告</a> <span>发布时间：2020-01-20</span></li></ul></div>\n")
	fmt.Fprintf(&b, "<div class=\"footer\">主办：%s&nbsp;&nbsp;备案号：湘ICP备00000000号<br/>技术支持：某某科技</div>\n</body>\n</html>\n", st.site)
	out := []byte(b.String())
	if st.gbk {
		enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(out)
		if err != nil {
			panic(err)
		}
		out = enc
	}
	return out
}

// fxCell is one cell of a fixture table, with its spans.
type fxCell struct {
	text   string
	rs, cs int
}

// fxTable is a fixture table as an author lays it out (not expanded).
type fxTable [][]fxCell

// fxItem is a paragraph (heading when bold) or a table of a fixture
// document.
type fxItem struct {
	text  string
	bold  bool
	table fxTable
}

// fxRows collects rows of a fixture table.
type fxRows struct{ t fxTable }

// row appends a row; c(text, rs, cs) makes its cells.
func (f *fxRows) row(cells ...fxCell) { f.t = append(f.t, cells) }

func c(text string, rs, cs int) fxCell { return fxCell{text, rs, cs} }

// fixtureDoc lays out a seed as an author's Word document: the title, the
// seed's prose, and the three template tables in the official layout with
// the values of the hand-reviewed golden file. With split, Table 3 is cut
// in two at a page break.
func fixtureDoc(seed string, want *report.Report, split bool) []fxItem {
	title := strings.TrimSpace(strings.TrimLeft(want.Title, "# "))
	var items []fxItem
	lines := strings.Split(strings.ReplaceAll(seed, "\r\n", "\n"), "\n")
	find := func(from int, ok func(string) bool) int {
		for i := from; i < len(lines); i++ {
			l := strings.TrimSpace(strings.TrimLeft(lines[i], "# "))
			if utf8.RuneCountInString(l) <= 30 && ok(l) {
				return i
			}
		}
		return len(lines)
	}
	h2 := find(0, func(l string) bool { return strings.Contains(l, "主动公开政府信息情况") })
	h3 := find(h2+1, func(l string) bool { return strings.Contains(l, "收到和处理政府信息公开申请情况") })
	h4 := find(h3+1, func(l string) bool { return strings.Contains(l, "行政复议") && strings.Contains(l, "行政诉讼") })
	h5 := find(h4+1, func(l string) bool {
		return strings.Contains(l, "存在的主要问题") || strings.Contains(l, "存在的不足")
	})
	prose := func(from, to int) {
		for i := from; i < to && i < len(lines); i++ {
			l := strings.TrimSpace(strings.TrimLeft(lines[i], "# "))
			if l == "" || strings.HasPrefix(lines[i], "\t") || l == title {
				continue
			}
			items = append(items, fxItem{text: l})
		}
	}
	heading := func(i int) {
		if i < len(lines) {
			items = append(items, fxItem{text: strings.TrimSpace(strings.TrimLeft(lines[i], "# ")), bold: true})
		}
	}
	items = append(items, fxItem{text: title, bold: true})
	prose(0, h2)
	heading(h2)
	items = append(items, fxItem{table: table2(want)})
	heading(h3)
	for _, t := range table3(want, split) {
		items = append(items, fxItem{table: t})
	}
	heading(h4)
	items = append(items, fxItem{table: table4(want)})
	prose(h5, len(lines))
	return items
}

// cellHTML writes one Word-export cell.
func cellHTML(b *strings.Builder, text string, rs, cs int) {
	b.WriteString("<td")
	if rs > 1 {
		fmt.Fprintf(b, " rowspan=\"%d\"", rs)
	}
	if cs > 1 {
		fmt.Fprintf(b, " colspan=\"%d\"", cs)
	}
	b.WriteString(" valign=\"center\" style=\"border:solid windowtext 1.0pt;padding:0cm 5.4pt\">")
	if text == "" {
		b.WriteString("<p class=\"MsoNormal\" align=\"center\"><span lang=\"EN-US\">&nbsp;</span></p>")
	} else {
		fmt.Fprintf(b, "<p class=\"MsoNormal\" align=\"center\" style=\"text-align:center\"><span style=\"font-size:10.5pt;font-family:宋体\">%s</span></p>", html.EscapeString(text))
	}
	b.WriteString("</td>")
}

const tableOpen = "<table class=\"MsoNormalTable\" border=\"1\" cellspacing=\"0\" cellpadding=\"0\" style=\"border-collapse:collapse;border:none\">\n"

// writeItemsHTML writes fixture items as Word's HTML export does.
func writeItemsHTML(b *strings.Builder, items []fxItem) {
	prevTable := false
	for _, it := range items {
		switch {
		case it.table != nil:
			if prevTable {
				// a page break between the two parts of a split table
				b.WriteString("<p class=\"MsoNormal\"><span lang=\"EN-US\">&nbsp;</span></p>\n")
			}
			b.WriteString(tableOpen)
			for _, row := range it.table {
				b.WriteString("<tr>")
				for _, cl := range row {
					cellHTML(b, cl.text, cl.rs, cl.cs)
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</table>\n")
		case it.bold:
			fmt.Fprintf(b, "<p class=\"MsoNormal\" style=\"text-indent:32.0pt\"><b><span style=\"font-size:16.0pt;font-family:黑体\">%s</span></b></p>\n", html.EscapeString(it.text))
		default:
			fmt.Fprintf(b, "<p class=\"MsoNormal\" style=\"text-indent:32.0pt;line-height:28.0pt\"><span style=\"font-size:16.0pt;font-family:仿宋_GB2312\">%s</span></p>\n", html.EscapeString(it.text))
		}
		prevTable = it.table != nil
	}
}

func numText(n *report.Num) string {
	if n == nil || n.Blank {
		return ""
	}
	return string(formatNumber(n.Value))
}

func ptrText(v *float64) string {
	if v == nil {
		return ""
	}
	return string(formatNumber(*v))
}

func table2(r *report.Report) fxTable {
	a := r.Active
	if a == nil {
		return nil
	}
	var f fxRows
	if r.Template == report.Template2019 {
		f.row(c("第二十条第（一）项", 1, 4))
		f.row(c("信息内容", 1, 1), c("本年新制作数量", 1, 1), c("本年新公开数量", 1, 1), c("对外公开总数量", 1, 1))
		for _, it := range []struct {
			l string
			r *report.ActiveRow
		}{{"规章", a.Regulations}, {"规范性文件", a.NormativeDocuments}} {
			f.row(c(it.l, 1, 1), c(numText(it.r.NewMade), 1, 1), c(numText(it.r.NewPublished), 1, 1), c(numText(it.r.TotalPublished), 1, 1))
		}
		f.row(c("第二十条第（五）项", 1, 4))
		f.row(c("信息内容", 1, 1), c("上一年项目数量", 1, 1), c("本年增/减", 1, 1), c("处理决定数量", 1, 1))
		for _, it := range []struct {
			l string
			r *report.ActiveRow
		}{{"行政许可", a.Licensing}, {"其他对外管理服务事项", a.OtherServices}} {
			f.row(c(it.l, 1, 1), c(numText(it.r.PrevItems), 1, 1), c(numText(it.r.Change), 1, 1), c(numText(it.r.Decisions), 1, 1))
		}
		f.row(c("第二十条第（六）项", 1, 4))
		f.row(c("信息内容", 1, 1), c("上一年项目数量", 1, 1), c("本年增/减", 1, 1), c("处理决定数量", 1, 1))
		for _, it := range []struct {
			l string
			r *report.ActiveRow
		}{{"行政处罚", a.Penalty}, {"行政强制", a.Coercion}} {
			f.row(c(it.l, 1, 1), c(numText(it.r.PrevItems), 1, 1), c(numText(it.r.Change), 1, 1), c(numText(it.r.Decisions), 1, 1))
		}
		f.row(c("第二十条第（八）项", 1, 4))
		f.row(c("信息内容", 1, 1), c("上一年项目数量", 1, 1), c("本年增/减", 1, 2))
		f.row(c("行政事业性收费", 1, 1), c(numText(a.Fees.PrevItems), 1, 1), c(numText(a.Fees.Change), 1, 2))
		f.row(c("第二十条第（九）项", 1, 4))
		f.row(c("信息内容", 1, 1), c("采购项目数量", 1, 1), c("采购总金额", 1, 2))
		f.row(c("政府集中采购", 1, 1), c(numText(a.Procurement.Items), 1, 1), c(numText(a.Procurement.Amount), 1, 2))
		return f.t
	}
	f.row(c("第二十条第（一）项", 1, 4))
	f.row(c("信息内容", 1, 1), c("本年制发件数", 1, 1), c("本年废止件数", 1, 1), c("现行有效件数", 1, 1))
	f.row(c("规章", 1, 1), c(numText(a.Regulations.Issued), 1, 1), c(numText(a.Regulations.Repealed), 1, 1), c(numText(a.Regulations.InForce), 1, 1))
	f.row(c("行政规范性文件", 1, 1), c(numText(a.NormativeDocuments.Issued), 1, 1), c(numText(a.NormativeDocuments.Repealed), 1, 1), c(numText(a.NormativeDocuments.InForce), 1, 1))
	f.row(c("第二十条第（五）项", 1, 4))
	f.row(c("信息内容", 1, 1), c("本年处理决定数量", 1, 3))
	f.row(c("行政许可", 1, 1), c(numText(a.Licensing.Decisions), 1, 3))
	f.row(c("第二十条第（六）项", 1, 4))
	f.row(c("信息内容", 1, 1), c("本年处理决定数量", 1, 3))
	f.row(c("行政处罚", 1, 1), c(numText(a.Penalty.Decisions), 1, 3))
	f.row(c("行政强制", 1, 1), c(numText(a.Coercion.Decisions), 1, 3))
	f.row(c("第二十条第（八）项", 1, 4))
	f.row(c("信息内容", 1, 1), c("本年收费金额（单位：万元）", 1, 3))
	f.row(c("行政事业性收费", 1, 1), c(numText(a.Fees.AmountWanYuan), 1, 3))
	return f.t
}

// t3Label is one Table 3 row of the official layout: the label of its
// sub-group cell (with its rowspan, on the group's first row only) and of
// its own cell.
type t3Label struct {
	key   string
	group string // （三）不予公开 … sub-group label, "" for none
	gspan int    // rows of the sub-group (on its first row), 0 otherwise
	label string
	span  int // columns the own label covers
}

func table3Layout(tmpl report.Template) []t3Label {
	rows := []t3Label{
		{"new_received", "", 0, "一、本年新收政府信息公开申请数量", 3},
		{"carried_over", "", 0, "二、上年结转政府信息公开申请数量", 3},
		{"granted", "", 0, "（一）予以公开", 2},
		{"partially_granted", "", 0, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2},
		{"denied_state_secret", "（三）不予公开", 8, "1.属于国家秘密", 1},
		{"denied_law_forbidden", "", 0, "2.其他法律行政法规禁止公开", 1},
		{"denied_three_security", "", 0, "3.危及“三安全一稳定”", 1},
		{"denied_third_party", "", 0, "4.保护第三方合法权益", 1},
		{"denied_internal_affairs", "", 0, "5.属于三类内部事务信息", 1},
		{"denied_process_info", "", 0, "6.属于四类过程性信息", 1},
		{"denied_enforcement_file", "", 0, "7.属于行政执法案卷", 1},
		{"denied_admin_query", "", 0, "8.属于行政查询事项", 1},
		{"unable_not_held", "（四）无法提供", 3, "1.本机关不掌握相关政府信息", 1},
		{"unable_need_creation", "", 0, "2.没有现成信息需要另行制作", 1},
		{"unable_unclear", "", 0, "3.补正后申请内容仍不明确", 1},
		{"not_processed_petition", "（五）不予处理", 5, "1.信访举报投诉类申请", 1},
		{"not_processed_repeated", "", 0, "2.重复申请", 1},
		{"not_processed_publication", "", 0, "3.要求提供公开出版物", 1},
		{"not_processed_excessive", "", 0, "4.无正当理由大量反复申请", 1},
		{"not_processed_confirmation", "", 0, "5.要求行政机关确认或重新出具已获取信息", 1},
	}
	if tmpl == report.Template2019 {
		rows = append(rows, t3Label{"other", "", 0, "（六）其他处理", 2})
	} else {
		rows = append(rows,
			t3Label{"other_no_correction", "（六）其他处理", 3, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 1},
			t3Label{"other_unpaid_fee", "", 0, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 1},
			t3Label{"other_misc", "", 0, "3.其他", 1})
	}
	rows = append(rows,
		t3Label{"total", "", 0, "（七）总计", 2},
		t3Label{"carried_forward", "", 0, "四、结转下年度继续办理", 3})
	return rows
}

// table3 lays out Table 3: the header over three rows, the label column
// over up to three cells. With split it returns two tables cut before
// （四）无法提供, the second starting with an empty group cell (Word
// repeats nothing after a page break).
func table3(r *report.Report, split bool) []fxTable {
	if r.Applications == nil {
		return nil
	}
	var f fxRows
	f.row(c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), c("申请人情况", 1, 7))
	f.row(c("自然人", 2, 1), c("法人或其他组织", 1, 5), c("总计", 2, 1))
	f.row(c("商业企业", 1, 1), c("科研机构", 1, 1), c("社会公益组织", 1, 1), c("法律服务机构", 1, 1), c("其他", 1, 1))
	layout := table3Layout(r.Template)
	resultRows := len(layout) - 3 // rows under 三、本年度办理结果
	splitAt := -1
	if split {
		splitAt = 12
	}
	var out []fxTable
	for i, l := range layout {
		var row []fxCell
		switch {
		case i == 2 && splitAt < 0:
			row = append(row, c("三、本年度办理结果", resultRows, 1))
		case i == 2:
			row = append(row, c("三、本年度办理结果", splitAt-2, 1))
		case i == splitAt:
			out = append(out, f.t)
			f.t = nil
			row = append(row, c("", resultRows-(splitAt-2), 1))
		}
		if l.gspan > 0 {
			row = append(row, c(l.group, l.gspan, 1))
		}
		row = append(row, c(l.label, 1, l.span))
		for _, v := range r.Applications.Rows[l.key] {
			row = append(row, c(ptrText(v), 1, 1))
		}
		f.row(row...)
	}
	return append(out, f.t)
}

func table4(r *report.Report) fxTable {
	rl := r.ReviewLitigation
	if rl == nil {
		return nil
	}
	var f fxRows
	f.row(c("行政复议", 1, 5), c("行政诉讼", 1, 10))
	heads := []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}
	var row []fxCell
	for _, h := range heads {
		row = append(row, c(h, 2, 1))
	}
	f.row(append(row, c("未经复议直接起诉", 1, 5), c("复议后起诉", 1, 5))...)
	row = nil
	for range 2 {
		for _, h := range heads {
			row = append(row, c(h, 1, 1))
		}
	}
	f.row(row...)
	row = nil
	for _, g := range []*report.Group{rl.Review, rl.LitigationDirect, rl.LitigationAfterReview} {
		if g == nil {
			g = &report.Group{}
		}
		for _, v := range []*float64{g.Upheld, g.Corrected, g.Other, g.Pending, g.Total} {
			row = append(row, c(ptrText(v), 1, 1))
		}
	}
	f.row(row...)
	return f.t
}

// TestWriteHTMLFixtures regenerates testdata/html with -update-html.
func TestWriteHTMLFixtures(t *testing.T) {
	if !*updateHTML {
		t.Skip("run with -update-html to rewrite the fixtures")
	}
	for name, st := range htmlStyles {
		seed, err := os.ReadFile(filepath.Join("testdata", "text", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := loadGolden(t, name)
		if err := os.MkdirAll(filepath.Join("testdata", "html"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "html", name+".html"), wordHTML(string(seed), want, st), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
