package fixtureworld

import (
	"fmt"
	"html"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/report"
)

// synthReport is a synthetic 2021-template annual report whose arithmetic is
// consistent (every validation rule of report-model.md holds).
type synthReport struct {
	Agency    string
	Year      int
	Published string // YYYY-MM-DD; "" = undated (no date anywhere)

	// Table 2: issued, repealed, in force of regulations and normative
	// documents; decisions of licensing, penalty, coercion; fees (万元).
	Regs, Norms                  [3]int
	Licensing, Penalty, Coercion int
	Fees                         float64

	// Table 3: rows × 7 columns (natural person, commercial, research,
	// social welfare, legal service, other, total), in t3Rows order.
	T3 [][7]int

	// Table 4: review (5) + litigation direct (5) + after review (5).
	T4 [15]int
}

// t3Rows are the row labels of Table 3 (2021 template, as the template
// description prints it): the group ("" = top level, else the 三、
// subgroup) and the label.
var t3Rows = func() []struct{ group, label string } {
	var out []struct{ group, label string }
	for _, r := range report.T3Layout(report.Template2021, func(k string) bool { return k != "other" }) {
		switch {
		case r.Top != report.T3Results:
			out = append(out, struct{ group, label string }{"", r.Top})
		default:
			out = append(out, struct{ group, label string }{r.Mid, r.Leaf})
		}
	}
	return out
}()

// Indexes into T3 rows.
const (
	t3New       = 0
	t3Carried   = 1
	t3FirstOut  = 2
	t3LastOut   = 22
	t3Total     = 23
	t3CarriedFw = 24
)

// newSynthReport draws a consistent report. carriedOver, when non-nil, is
// the previous year's carried_forward row (cross.carried holds); inForce
// likewise the previous in_force of regulations and normative documents.
func newSynthReport(rnd *rand.Rand, agency string, year int, published string, carriedOver *[7]int, inForce *[2]int) *synthReport {
	r := &synthReport{Agency: agency, Year: year, Published: published}
	r.T3 = make([][7]int, len(t3Rows))
	prevRegs, prevNorms := rnd.IntN(3), 5+rnd.IntN(30)
	if inForce != nil {
		prevRegs, prevNorms = inForce[0], inForce[1]
	}
	r.Regs = [3]int{0, 0, prevRegs}
	r.Norms[0], r.Norms[1] = rnd.IntN(4), rnd.IntN(2)
	if r.Norms[1] > prevNorms {
		r.Norms[1] = 0
	}
	r.Norms[2] = prevNorms + r.Norms[0] - r.Norms[1]
	r.Licensing, r.Penalty, r.Coercion = rnd.IntN(5000), rnd.IntN(3000), rnd.IntN(300)
	r.Fees = float64(rnd.IntN(100000)) / 100
	for c := 0; c < 6; c++ {
		n := 0
		if c == 0 {
			n = 3 + rnd.IntN(60)
		} else if rnd.IntN(4) == 0 {
			n = rnd.IntN(4)
		}
		r.T3[t3New][c] = n
		if carriedOver != nil {
			r.T3[t3Carried][c] = carriedOver[c]
		} else if c == 0 {
			r.T3[t3Carried][c] = rnd.IntN(3)
		}
		avail := n + r.T3[t3Carried][c]
		fw := 0
		if avail > 0 && rnd.IntN(3) == 0 {
			fw = rnd.IntN(min(avail, 3) + 1)
		}
		r.T3[t3CarriedFw][c] = fw
		left := avail - fw
		// Most applications are granted; spread the rest over outcomes.
		for left > 0 {
			row := t3FirstOut
			if rnd.IntN(3) == 0 {
				row = t3FirstOut + rnd.IntN(t3LastOut-t3FirstOut+1)
			}
			k := 1 + rnd.IntN(left)
			if k > 5 {
				k = 5
			}
			r.T3[row][c] += k
			left -= k
		}
		for row := t3FirstOut; row <= t3LastOut; row++ {
			r.T3[t3Total][c] += r.T3[row][c]
		}
	}
	for row := range r.T3 {
		s := 0
		for c := 0; c < 6; c++ {
			s += r.T3[row][c]
		}
		r.T3[row][6] = s
	}
	for g := 0; g < 3; g++ {
		if rnd.IntN(3) == 0 {
			continue
		}
		s := 0
		for k := 0; k < 4; k++ {
			v := rnd.IntN(3)
			r.T4[g*5+k] = v
			s += v
		}
		r.T4[g*5+4] = s
	}
	return r
}

// Title is the report's title.
func (r *synthReport) Title() string {
	return fmt.Sprintf("%s%d年政府信息公开工作年度报告", r.Agency, r.Year)
}

// cellHTML writes a Word-export table cell: <td> with spans and nested
// <p><span>, &nbsp; for an empty cell.
func cellHTML(b *strings.Builder, text string, rs, cs int) {
	b.WriteString(`<td`)
	if rs > 1 {
		fmt.Fprintf(b, ` rowspan="%d"`, rs)
	}
	if cs > 1 {
		fmt.Fprintf(b, ` colspan="%d"`, cs)
	}
	b.WriteString(` valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">`)
	b.WriteString(`<p class="MsoNormal" align="center" style="text-align:center"><span style="font-size:10.0pt;font-family:宋体">`)
	if text == "" {
		b.WriteString("&nbsp;")
	} else {
		b.WriteString(html.EscapeString(text))
	}
	b.WriteString("</span></p></td>")
}

func para(b *strings.Builder, text string, bold bool) {
	b.WriteString(`<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt">`)
	if bold {
		b.WriteString("<b>")
	}
	b.WriteString(`<span style="font-size:16.0pt;font-family:仿宋_GB2312">`)
	b.WriteString(html.EscapeString(text))
	b.WriteString("</span>")
	if bold {
		b.WriteString("</b>")
	}
	b.WriteString("</p>\n")
}

const tableOpen = `<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;border:none">`

// BodyHTML renders the report as a CMS shows a Word document: paragraphs
// and the three template tables with rowspan/colspan headers.
func (r *synthReport) BodyHTML() string {
	var b strings.Builder
	b.Grow(96 << 10)
	itoa := strconv.Itoa
	para(&b, r.Title(), true)
	para(&b, fmt.Sprintf("本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》要求编制。本报告所列数据的统计期限为%d年1月1日至%d年12月31日。", r.Year, r.Year), false)
	para(&b, "一、总体情况", true)
	para(&b, fmt.Sprintf("%d年，%s认真贯彻落实《条例》，坚持以公开为常态、不公开为例外，围绕中心工作做好主动公开、依申请公开和政府信息管理工作。", r.Year, r.Agency), false)
	para(&b, report.HeadingActive.Label, true)
	b.WriteString(tableOpen + "\n")
	row := func(cells ...string) {
		b.WriteString("<tr>")
		for _, c := range cells {
			cellHTML(&b, c, 1, 1)
		}
		b.WriteString("</tr>\n")
	}
	head := func(text string, cs int) {
		b.WriteString("<tr>")
		cellHTML(&b, text, 1, cs)
		b.WriteString("</tr>\n")
	}
	two := func(label, value string) {
		b.WriteString("<tr>")
		cellHTML(&b, label, 1, 1)
		cellHTML(&b, value, 1, 3)
		b.WriteString("</tr>\n")
	}
	values := map[string][]string{
		"regulations":         {itoa(r.Regs[0]), itoa(r.Regs[1]), itoa(r.Regs[2])},
		"normative_documents": {itoa(r.Norms[0]), itoa(r.Norms[1]), itoa(r.Norms[2])},
		"licensing":           {itoa(r.Licensing)},
		"penalty":             {itoa(r.Penalty)},
		"coercion":            {itoa(r.Coercion)},
		"fees":                {strconv.FormatFloat(r.Fees, 'f', -1, 64)},
	}
	for _, blk := range report.ActiveLayout2021 {
		head(blk.Title, 4)
		if len(blk.Columns) == 3 {
			row(append([]string{"信息内容"}, blk.Columns[0].Label, blk.Columns[1].Label, blk.Columns[2].Label)...)
			for _, rw := range blk.Rows {
				row(append([]string{rw.Label}, values[rw.Key]...)...)
			}
			continue
		}
		two("信息内容", blk.Columns[0].Label)
		for _, rw := range blk.Rows {
			two(rw.Label, values[rw.Key][0])
		}
	}
	b.WriteString("</table>\n")

	para(&b, report.HeadingApplications.Label, true)
	b.WriteString(tableOpen + "\n<tr>")
	cellHTML(&b, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
	cellHTML(&b, "申请人情况", 1, 7)
	b.WriteString("</tr>\n<tr>")
	cellHTML(&b, "自然人", 2, 1)
	cellHTML(&b, "法人或其他组织", 1, 5)
	cellHTML(&b, "总计", 2, 1)
	b.WriteString("</tr>\n<tr>")
	for _, h := range []string{"商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"} {
		cellHTML(&b, h, 1, 1)
	}
	b.WriteString("</tr>\n")
	groupLeft := map[string]int{}
	for _, g := range t3Rows {
		groupLeft[g.group]++
	}
	seen := map[string]bool{}
	for i, lr := range t3Rows {
		b.WriteString("<tr>")
		switch {
		case lr.group == "":
			cellHTML(&b, lr.label, 1, 3)
		default:
			if i == t3FirstOut {
				cellHTML(&b, report.T3Results, t3LastOut-t3FirstOut+2, 1)
			}
			if lr.label == "" {
				cellHTML(&b, lr.group, 1, 2)
			} else {
				if !seen[lr.group] {
					seen[lr.group] = true
					cellHTML(&b, lr.group, groupLeft[lr.group], 1)
				}
				cellHTML(&b, lr.label, 1, 1)
			}
		}
		for c := 0; c < 7; c++ {
			cellHTML(&b, itoa(r.T3[i][c]), 1, 1)
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")

	para(&b, report.HeadingReview.Label, true)
	b.WriteString(tableOpen + "\n<tr>")
	cellHTML(&b, report.ReviewGroupDefs[0].Label, 1, 5)
	cellHTML(&b, "行政诉讼", 1, 10)
	b.WriteString("</tr>\n<tr>")
	var outcomes []string
	for _, c := range report.ReviewColumnDefs {
		outcomes = append(outcomes, c.Label)
	}
	for _, h := range outcomes {
		cellHTML(&b, h, 2, 1)
	}
	cellHTML(&b, report.ReviewGroupDefs[1].Label, 1, 5)
	cellHTML(&b, report.ReviewGroupDefs[2].Label, 1, 5)
	b.WriteString("</tr>\n<tr>")
	for k := 0; k < 2; k++ {
		for _, h := range outcomes {
			cellHTML(&b, h, 1, 1)
		}
	}
	b.WriteString("</tr>\n<tr>")
	for _, v := range r.T4 {
		cellHTML(&b, itoa(v), 1, 1)
	}
	b.WriteString("</tr>\n</table>\n")
	para(&b, "五、存在的主要问题及改进情况", true)
	para(&b, "信息公开的及时性和规范性仍需加强。下一步，将进一步健全工作机制，加强业务培训，提升公开质量。", false)
	para(&b, "六、其他需要报告的事项", true)
	para(&b, "本年度未收取信息处理费。", false)
	return b.String()
}
