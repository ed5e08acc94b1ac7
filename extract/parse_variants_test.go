package extract

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// Layout variants of the template tables that the project's fixtures do
// not show, generated from the five seeds (hand-reviewed golden files) and
// the three real PDF corpus reports (their parsed text, held exact by
// TestCorpus). Each variant is rendered as a Word-export HTML page and
// parsed with Parse; every cell must come out exact and the failing rules
// must be those of the source report, plus the ones the variant really
// introduces.

// variantTruth is a report whose cells are known.
type variantTruth struct {
	name string
	rep  *report.Report
}

func variantTruths(t *testing.T) []variantTruth {
	t.Helper()
	var out []variantTruth
	for _, n := range []string{"000_058c891ac62dd96d", "001_33cbb0de23e7a3a9", "002_c513a80de85e28c5", "003_5b5855e3c5339d3b", "004_dda7dad8d758c7d1"} {
		out = append(out, variantTruth{n, loadGolden(t, n)})
	}
	for _, n := range []string{"003_hongze_2023", "004_hongze_2024", "005_huaian_2024"} {
		out = append(out, variantTruth{n, parseFile(t, filepath.Join("testdata", "corpus", n+".txt"))})
	}
	return out
}

// t3Variant describes how Table 3 is laid out.
type t3Variant struct {
	perm        []int  // printed column i is ApplicationColumns[perm[i]]; nil = template order
	flatHeader  bool   // one header row of the seven column names instead of three rows
	oneLabel    bool   // the label in one cell ("（三）不予公开 1.属于国家秘密") instead of up to three
	extraCol    string // a column the template does not have, printed before 总计: its header
	extraVal    func(key string) string
	t4perm      []int  // Table 4 transposed: printed column j is column t4perm[j]
	groupRows   string // "blank" or "colspan": 三、… and （三）… groups on rows of their own, one label column
	t2Reversed  bool   // Table 2's parts in reverse order
	splitInline bool   // the header is repeated inside the one table at the split
	splitBare   bool   // the second part of a split table has no header
	split       string // cut before this row key, the header repeated in the second table
	order       func([]t3Label) []t3Label
	extra       map[string][]string // rows printed after the row of the key: label then cells
	drop        string              // row key left out
	cell        func(key string, col int, v *float64) string
	label       func(string) string // label rewriting (variants, traditional characters)
	noCorner    bool                // no corner cell over the label columns
	rowsLabel   map[string]string   // label replacing a row's own label
	wantRows    func(map[string][]*float64)
	wantFail    []string // failing rules added by the variant (rule + cells)
	wantWarn    []string
	t4          string              // "" official, "transposed", "flat15"
	headings    func(string) string // heading rewriting
	_           struct{}
}

// orderedCols returns the printed column order.
func (v *t3Variant) orderedCols() []int {
	if v.perm != nil {
		return v.perm
	}
	return []int{0, 1, 2, 3, 4, 5, 6}
}

var colHead = []string{"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}

func (v *t3Variant) lab(s string) string {
	if v.label != nil {
		return v.label(s)
	}
	return s
}

// header returns the header rows and the number of label columns.
func (v *t3Variant) header(labelCols int) []fxTable {
	cols := v.orderedCols()
	var f fxRows
	corner := func(rs int) []fxCell {
		if v.noCorner {
			return []fxCell{c("", rs, labelCols)}
		}
		return []fxCell{c(v.lab("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), rs, labelCols)}
	}
	if v.flatHeader {
		row := corner(1)
		for _, ci := range cols {
			if ci == 6 && v.extraCol != "" {
				row = append(row, c(v.extraCol, 1, 1))
			}
			row = append(row, c(v.lab(colHead[ci]), 1, 1))
		}
		f.row(row...)
		return []fxTable{f.t}
	}
	// three rows: 申请人情况 / 自然人 法人或其他组织 总计 / the five
	// organisations; the organisations are contiguous in any order
	width := 7
	if v.extraCol != "" {
		width = 8
	}
	f.row(append(corner(3), c(v.lab("申请人情况"), 1, width))...)
	var mid, low []fxCell
	orgDone := false
	for _, ci := range cols {
		if ci == 6 && v.extraCol != "" {
			mid = append(mid, c(v.extraCol, 2, 1))
		}
		switch {
		case ci == 0 || ci == 6:
			mid = append(mid, c(v.lab(colHead[ci]), 2, 1))
		case !orgDone:
			mid = append(mid, c(v.lab("法人或其他组织"), 1, 5))
			orgDone = true
			fallthrough
		default:
			low = append(low, c(v.lab(colHead[ci]), 1, 1))
		}
	}
	f.row(mid...)
	f.row(low...)
	return []fxTable{f.t}
}

// table3Variant lays out Table 3 of r as the variant says.
func table3Variant(r *report.Report, v *t3Variant) []fxTable {
	layout := table3Layout(r.Template)
	if _, ok := r.Applications.Rows["other"]; ok {
		layout = table3Layout(report.Template2019) // （六）其他处理 as a single row
	}
	if v.order != nil {
		layout = v.order(slices.Clone(layout))
	}
	labelCols := 3
	if v.oneLabel {
		labelCols = 1
	}
	var out []fxTable
	cur := v.header(labelCols)[0]
	vals := func(key string) []fxCell {
		var cells []fxCell
		row := r.Applications.Rows[key]
		for _, ci := range v.orderedCols() {
			if ci == 6 && v.extraCol != "" {
				cells = append(cells, c(v.extraVal(key), 1, 1))
			}
			var p *float64
			if ci < len(row) {
				p = row[ci]
			}
			s := ptrText(p)
			if v.cell != nil {
				s = v.cell(key, ci, p)
			}
			cells = append(cells, c(s, 1, 1))
		}
		return cells
	}
	// rows under 三、本年度办理结果 / a group, counted per table part
	type part struct{ rows []t3Label }
	var parts []part
	p := part{}
	for _, l := range layout {
		if l.key == v.drop {
			continue
		}
		if l.key == v.split && len(p.rows) > 0 {
			parts = append(parts, p)
			p = part{}
		}
		p.rows = append(p.rows, l)
	}
	parts = append(parts, p)
	for pi, pt := range parts {
		if pi > 0 {
			switch {
			case v.splitInline:
				// the header printed again inside the same table
				cur = append(cur, v.header(labelCols)[0]...)
			default:
				out = append(out, cur)
				cur = nil
				if !v.splitBare {
					cur = v.header(labelCols)[0]
				}
			}
		}
		// group spans within this part
		groupOf := func(i int) string { // the group label a row belongs to
			return t3GroupOf(pt.rows[i].key)
		}
		resultSpan := 0
		for i := range pt.rows {
			if groupOf(i) != "" {
				resultSpan++
			}
		}
		resultDone := false
		for i, l := range pt.rows {
			own := l.label
			if s, ok := v.rowsLabel[l.key]; ok {
				own = s
			}
			var row []fxCell
			g := groupOf(i)
			if v.groupRows != "" {
				// group labels on rows of their own above their rows
				groupRow := func(label string) {
					if v.groupRows == "colspan" {
						cur = append(cur, []fxCell{c(v.lab(label), 1, 8)})
						return
					}
					gr := []fxCell{c(v.lab(label), 1, 1)}
					for range 7 {
						gr = append(gr, c("", 1, 1))
					}
					cur = append(cur, gr)
				}
				if l.key == "granted" || (i == 0 && g != "") {
					groupRow("三、本年度办理结果")
				}
				if sub := t3SubGroup(l.key); sub != "" && (i == 0 || t3SubGroup(pt.rows[i-1].key) != sub) && !(l.key == "other") {
					groupRow(sub)
				}
				row := []fxCell{c(v.lab(own), 1, 1)}
				row = append(row, vals(l.key)...)
				cur = append(cur, row)
				continue
			}
			switch {
			case v.oneLabel:
				lbl := own
				if sub := t3SubGroup(l.key); sub != "" && !strings.HasPrefix(own, "（") {
					lbl = sub + own
				}
				if l.key == "granted" {
					lbl = "三、本年度办理结果" + lbl
				}
				row = append(row, c(v.lab(lbl), 1, 1))
			case g == "":
				row = append(row, c(v.lab(own), 1, 3))
			default:
				if !resultDone {
					row = append(row, c(v.lab("三、本年度办理结果"), resultSpan, 1))
					resultDone = true
				}
				sub := t3SubGroup(l.key)
				if sub == "" {
					row = append(row, c(v.lab(own), 1, 2))
				} else {
					// first row of its sub-group in this part?
					first := i == 0 || t3SubGroup(pt.rows[i-1].key) != sub
					if first {
						n := 0
						for j := i; j < len(pt.rows) && t3SubGroup(pt.rows[j].key) == sub; j++ {
							n++
						}
						row = append(row, c(v.lab(sub), n, 1))
					}
					row = append(row, c(v.lab(own), 1, 1))
				}
			}
			row = append(row, vals(l.key)...)
			cur = append(cur, row)
			if ex, ok := v.extra[l.key]; ok {
				var er []fxCell
				if !v.oneLabel {
					er = append(er, c(v.lab(ex[0]), 1, 3))
				} else {
					er = append(er, c(v.lab(ex[0]), 1, 1))
				}
				for _, s := range ex[1:] {
					er = append(er, c(s, 1, 1))
				}
				if !v.oneLabel && g != "" {
					// inside the rowspans: only the own-label cell
					er[0] = c(v.lab(ex[0]), 1, 1)
					// widen the spans of the open groups by one row
					widenSpans(cur, v.lab("三、本年度办理结果"))
					if sub := t3SubGroup(l.key); sub != "" {
						widenSpans(cur, v.lab(sub))
					} else {
						er[0] = c(v.lab(ex[0]), 1, 2)
					}
				}
				cur = append(cur, er)
			}
		}
	}
	return append(out, cur)
}

// widenSpans adds one row to the rowspan of the last cell with text s.
func widenSpans(t fxTable, s string) {
	for i := len(t) - 1; i >= 0; i-- {
		for j := range t[i] {
			if t[i][j].text == s && t[i][j].rs > 1 {
				t[i][j].rs++
				return
			}
		}
	}
}

// t3GroupOf says whether a row is under 三、本年度办理结果.
func t3GroupOf(key string) string {
	switch key {
	case "new_received", "carried_over", "carried_forward":
		return ""
	}
	return "三"
}

// t3SubGroup is the （三）…（六） group label of a row, "" for none.
func t3SubGroup(key string) string {
	switch {
	case strings.HasPrefix(key, "denied_"):
		return "（三）不予公开"
	case strings.HasPrefix(key, "unable_"):
		return "（四）无法提供"
	case strings.HasPrefix(key, "not_processed_"):
		return "（五）不予处理"
	case strings.HasPrefix(key, "other_"):
		return "（六）其他处理"
	}
	return ""
}

// table4Variant lays out Table 4.
func table4Variant(r *report.Report, v *t3Variant) fxTable {
	rl := r.ReviewLitigation
	if rl == nil {
		return nil
	}
	heads := []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}
	groups := []*report.Group{rl.Review, rl.LitigationDirect, rl.LitigationAfterReview}
	gcells := func(g *report.Group) []fxCell {
		if g == nil {
			g = &report.Group{}
		}
		var out []fxCell
		for _, p := range []*float64{g.Upheld, g.Corrected, g.Other, g.Pending, g.Total} {
			out = append(out, c(ptrText(p), 1, 1))
		}
		return out
	}
	var f fxRows
	switch v.t4 {
	case "transposed":
		perm := v.t4perm
		if perm == nil {
			perm = []int{0, 1, 2, 3, 4}
		}
		row := []fxCell{c("", 1, 2)}
		for _, i := range perm {
			row = append(row, c(v.lab(heads[i]), 1, 1))
		}
		gcells := func(g *report.Group) []fxCell {
			cells := gcells(g)
			out := make([]fxCell, len(perm))
			for j, i := range perm {
				out[j] = cells[i]
			}
			return out
		}
		f.row(row...)
		f.row(append([]fxCell{c(v.lab("行政复议"), 1, 2)}, gcells(groups[0])...)...)
		f.row(append([]fxCell{c(v.lab("行政诉讼"), 2, 1), c(v.lab("未经复议直接起诉"), 1, 1)}, gcells(groups[1])...)...)
		f.row(append([]fxCell{c(v.lab("复议后起诉"), 1, 1)}, gcells(groups[2])...)...)
	case "flat15":
		f.row(c(v.lab("行政复议"), 1, 5), c(v.lab("行政诉讼（未经复议直接起诉）"), 1, 5), c(v.lab("行政诉讼（复议后起诉）"), 1, 5))
		var row []fxCell
		for range 3 {
			for _, h := range heads {
				row = append(row, c(v.lab(h), 1, 1))
			}
		}
		f.row(row...)
		row = nil
		for _, g := range groups {
			row = append(row, gcells(g)...)
		}
		f.row(row...)
	default:
		return table4(r)
	}
	return f.t
}

// table2Variant is the official Table 2 with the variant's label
// rewriting, its 第二十条 parts in reverse order when t2Reversed.
func table2Variant(r *report.Report, v *t3Variant) fxTable {
	t := table2(r)
	if t == nil {
		return nil
	}
	out := make(fxTable, 0, len(t))
	if v.t2Reversed {
		// parts start at their 第二十条 row
		var parts []fxTable
		for _, row := range t {
			if strings.HasPrefix(row[0].text, "第二十条") || len(parts) == 0 {
				parts = append(parts, nil)
			}
			parts[len(parts)-1] = append(parts[len(parts)-1], row)
		}
		for i := len(parts) - 1; i >= 0; i-- {
			out = append(out, parts[i]...)
		}
	} else {
		out = append(out, t...)
	}
	for i, row := range out {
		nr := make([]fxCell, len(row))
		for j, c := range row {
			c.text = v.lab(c.text)
			nr[j] = c
		}
		out[i] = nr
	}
	return out
}

// variantHTML renders a report page with the variant's tables.
func variantHTML(r *report.Report, v *t3Variant) []byte {
	head := func(s string) fxItem {
		if v.headings != nil {
			s = v.headings(s)
		}
		return fxItem{text: s, bold: true}
	}
	title := strings.TrimSpace(strings.TrimLeft(r.Title, "# "))
	items := []fxItem{
		{text: title, bold: true},
		head("一、总体情况"),
		{text: "本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。"},
		head("二、主动公开政府信息情况"),
		{table: table2Variant(r, v)},
		head("三、收到和处理政府信息公开申请情况"),
	}
	if r.Applications != nil {
		for _, t := range table3Variant(r, v) {
			items = append(items, fxItem{table: t})
		}
	}
	items = append(items, head("四、政府信息公开行政复议、行政诉讼情况"), fxItem{table: table4Variant(r, v)},
		head("五、存在的主要问题及改进情况"), fxItem{text: "一是公开内容不够全面。"},
		head("六、其他需要报告的事项"), fxItem{text: "无。"})
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body><div class=\"nav\"><a href=\"/\">首页</a></div><div id=\"zoom\">\n")
	writeItemsHTML(&b, items)
	b.WriteString("</div></body></html>")
	return []byte(b.String())
}

// failingSet lists the failing checks as rule + cells.
func failingSet(r *report.Report) []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c.Rule+" "+strings.Join(c.Cells, ","))
		}
	}
	sort.Strings(out)
	return out
}

func rowsJSON(rows map[string][]*float64) string {
	b, _ := json.Marshal(rows)
	return string(b)
}

// toTraditional writes simplified characters of s in the traditional
// script (the inverse of trad).
func toTraditional(s string) string {
	inv := map[rune]rune{}
	for t, s := range trad {
		if _, ok := inv[s]; !ok || t < inv[s] {
			inv[s] = t
		}
	}
	return strings.Map(func(r rune) rune {
		if t, ok := inv[r]; ok {
			return t
		}
		return r
	}, s)
}

var fullWidth = strings.NewReplacer("0", "０", "1", "１", "2", "２", "3", "３", "4", "４", "5", "５", "6", "６", "7", "７", "8", "８", "9", "９")

func TestLayoutVariants(t *testing.T) {
	shuffled := []int{6, 5, 3, 1, 4, 2, 0} // 总计, then the organisations shuffled, 自然人 last
	variants := []struct {
		name string
		v    t3Variant
	}{
		{"official", t3Variant{}},
		{"shuffled columns, 3-row header", t3Variant{perm: shuffled}},
		{"shuffled columns, one header row, label in one cell", t3Variant{perm: []int{1, 2, 3, 4, 5, 0, 6}, flatHeader: true, oneLabel: true}},
		{"split with the header repeated", t3Variant{split: "unable_not_held"}},
		{"split with the header repeated, shuffled", t3Variant{split: "denied_process_info", perm: shuffled}},
		{"label in one cell", t3Variant{oneLabel: true}},
		{"group labels on rows of their own, blank cells", t3Variant{oneLabel: true, groupRows: "blank"}},
		{"group labels on rows of their own, one wide cell, shuffled", t3Variant{oneLabel: true, groupRows: "colspan", perm: shuffled}},
		{"header repeated inside the table", t3Variant{split: "denied_law_forbidden", splitInline: true}},
		{"header repeated inside the table, shuffled", t3Variant{split: "other_misc", splitInline: true, perm: shuffled}},
		{"header repeated inside the table before 总计, one header row", t3Variant{split: "total", splitInline: true, flatHeader: true}},
		{"extra text column", t3Variant{extraCol: "备注", extraVal: func(k string) string {
			if k == "granted" {
				return "含依申请公开"
			}
			return ""
		}}},
		{"extra number column, shuffled, split", t3Variant{perm: shuffled, split: "unable_not_held", splitBare: true, extraCol: "其中：网上申请", extraVal: func(string) string { return "7" }}},
		{"extra number column, one header row", t3Variant{flatHeader: true, extraCol: "其中：网上申请", extraVal: func(string) string { return "7" }}},
		{"split without a header in the second part, shuffled", t3Variant{split: "not_processed_petition", splitBare: true, perm: shuffled}},
		{"shuffled, extra sub-rows, label in one cell", t3Variant{perm: shuffled, oneLabel: true, extra: map[string][]string{"granted": {"其中：涉及疫情防控", "9", "9", "9", "9", "9", "9", "9"}, "carried_forward": {"其中：超期", "1", "", "", "", "", "", "1"}}}},
		{"no corner cell", t3Variant{noCorner: true, flatHeader: true}},
		{"rows in another order", t3Variant{order: func(l []t3Label) []t3Label {
			// 上年结转 before 本年新收, 部分公开 before 予以公开, 第三方
			// first in its group
			l[0], l[1] = l[1], l[0]
			l[2], l[3] = l[3], l[2]
			l[4], l[7] = l[7], l[4]
			return l
		}}},
		{"extra sub-row 其中", t3Variant{extra: map[string][]string{"granted": {"其中：涉及疫情防控", "9", "9", "9", "9", "9", "9", "9"}, "new_received": {"其中：网上申请", "1", "1", "1", "1", "1", "1", "1"}}}},
		{"extra sub-row 其中, label in one cell", t3Variant{oneLabel: true, extra: map[string][]string{"unable_not_held": {"其中：涉及疫情防控", "9", "9", "9", "9", "9", "9", "9"}}}},
		{"missing row", t3Variant{drop: "denied_third_party", wantFail: []string{"report.complete applications.denied_third_party"}}},
		{"missing row, shuffled", t3Variant{drop: "unable_unclear", perm: shuffled, wantFail: []string{"report.complete applications.unable_unclear"}}},
		{"full-width digits and 0.00", t3Variant{cell: func(key string, col int, v *float64) string {
			s := ptrText(v)
			if s == "0" && col%2 == 0 {
				return "0.00"
			}
			return fullWidth.Replace(s)
		}}},
		{"dashes, slashes and 无 for zero", t3Variant{cell: func(key string, col int, v *float64) string {
			s := ptrText(v)
			if s == "0" && strings.HasPrefix(key, "denied_") {
				return []string{"—", "/", "无"}[col%3]
			}
			return s
		}, wantRows: func(rows map[string][]*float64) {
			for k, row := range rows {
				if strings.HasPrefix(k, "denied_") {
					for i, p := range row {
						if p != nil && *p == 0 {
							row[i] = nil
						}
					}
				}
			}
		}}},
		{"traditional characters", t3Variant{label: toTraditional, headings: toTraditional, t4: "transposed"}},
		{"headings without numbers", t3Variant{headings: func(s string) string {
			if i := strings.Index(s, "、"); i >= 0 && i <= 3*3 {
				return s[i+len("、"):]
			}
			return s
		}}},
		{"label variants", t3Variant{rowsLabel: map[string]string{
			"carried_over":    "二、上年转结政府信息公开申请数量",
			"carried_forward": "四、转结下年度继续办理",
		}}},
		{"Table 4 transposed", t3Variant{t4: "transposed"}},
		{"Table 2 parts in reverse order", t3Variant{t2Reversed: true}},
		{"Table 2 parts in reverse order, traditional characters", t3Variant{t2Reversed: true, label: toTraditional, headings: toTraditional}},
		{"Table 4 transposed, columns shuffled", t3Variant{t4: "transposed", t4perm: []int{4, 0, 3, 1, 2}}},
		{"traditional characters, shuffled", t3Variant{label: toTraditional, headings: toTraditional, perm: shuffled, t4: "transposed", t4perm: []int{1, 0, 2, 3, 4}}},
		{"Table 4 fifteen cells under a two-row header", t3Variant{t4: "flat15"}},
	}
	for _, tr := range variantTruths(t) {
		for _, vc := range variants {
			t.Run(tr.name+"/"+vc.name, func(t *testing.T) {
				v := vc.v
				want := tr.rep
				if want.Applications == nil {
					t.Skip("no Table 3")
				}
				if v.drop != "" {
					if _, ok := want.Applications.Rows[v.drop]; !ok {
						t.Skip("row not in this template")
					}
				}
				page := variantHTML(want, &v)
				got, err := Parse("variant.html", page, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if got.Template != want.Template || got.Year != want.Year {
					t.Errorf("template/year = %s %d, want %s %d", got.Template, got.Year, want.Template, want.Year)
				}
				wantRows := map[string][]*float64{}
				for k, row := range want.Applications.Rows {
					if k != v.drop {
						wantRows[k] = slices.Clone(row)
					}
				}
				if v.wantRows != nil {
					v.wantRows(wantRows)
				}
				if got.Applications == nil {
					t.Fatalf("no Table 3; warnings %q", got.Warnings)
				}
				if g, w := rowsJSON(got.Applications.Rows), rowsJSON(wantRows); g != w {
					for _, k := range report.ApplicationRows {
						if rowsJSON(map[string][]*float64{k: got.Applications.Rows[k]}) != rowsJSON(map[string][]*float64{k: wantRows[k]}) {
							t.Errorf("%s = %s, want %s", k, printRow(got.Applications.Rows[k]), printRow(wantRows[k]))
						}
					}
				}
				for _, part := range []struct {
					name      string
					got, want any
				}{{"active", got.Active, want.Active}, {"review_litigation", got.ReviewLitigation, want.ReviewLitigation}} {
					g, _ := json.Marshal(part.got)
					w, _ := json.Marshal(part.want)
					if string(g) != string(w) {
						t.Errorf("%s:\ngot  %s\nwant %s", part.name, g, w)
					}
				}
				wf := append(failingSet(want), v.wantFail...)
				if v.drop != "" {
					// one report.complete check lists every missing row
					var merged []string
					var missing []string
					for _, f := range wf {
						if rest, ok := strings.CutPrefix(f, "report.complete "); ok {
							missing = append(missing, strings.Split(rest, ",")...)
							continue
						}
						merged = append(merged, f)
					}
					sort.Slice(missing, func(i, j int) bool {
						return slices.Index(report.ApplicationRows, strings.TrimPrefix(missing[i], "applications.")) <
							slices.Index(report.ApplicationRows, strings.TrimPrefix(missing[j], "applications."))
					})
					wf = append(merged, "report.complete "+strings.Join(missing, ","))
				}
				sort.Strings(wf)
				if g := failingSet(got); fmt.Sprint(g) != fmt.Sprint(wf) {
					t.Errorf("failing checks\ngot  %q\nwant %q\nwarnings %q", g, wf, got.Warnings)
				}
			})
		}
	}
}

// docAsTabText writes a document as the archive stores its text: text
// blocks as lines, tables as tab-separated rows of the expanded grid
// (spanned positions repeat their text).
func docAsTabText(doc *Document) string {
	var b strings.Builder
	for _, bl := range doc.Blocks {
		if bl.Table == nil {
			b.WriteString(bl.Text)
			b.WriteString("\n")
			continue
		}
		for _, row := range bl.Table {
			for i, c := range row {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(strings.Join(strings.Fields(c.Text), " "))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestLayoutVariantsAsText: the same variants read back from the archive's
// text rendering (tab-separated rows) keep every cell.
func TestLayoutVariantsAsText(t *testing.T) {
	shuffled := []int{6, 5, 3, 1, 4, 2, 0}
	variants := []struct {
		name string
		v    t3Variant
	}{
		{"official", t3Variant{}},
		{"label in one cell", t3Variant{oneLabel: true}},
		{"split with the header repeated", t3Variant{split: "unable_not_held"}},
		{"extra sub-row 其中", t3Variant{extra: map[string][]string{"granted": {"其中：涉及疫情防控", "9", "9", "9", "9", "9", "9", "9"}}}},
		{"missing row", t3Variant{drop: "denied_third_party", wantFail: []string{"report.complete applications.denied_third_party"}}},
		{"label variants", t3Variant{rowsLabel: map[string]string{"carried_over": "二、上年转结政府信息公开申请数量", "carried_forward": "四、转结下年度继续办理"}}},
		{"shuffled columns, 3-row header", t3Variant{perm: shuffled}},
		{"Table 4 transposed", t3Variant{t4: "transposed"}},
		{"group labels on rows of their own, blank cells", t3Variant{oneLabel: true, groupRows: "blank"}},
		{"group labels on rows of their own, one wide cell, shuffled", t3Variant{oneLabel: true, groupRows: "colspan", perm: shuffled}},
	}
	for _, tr := range variantTruths(t) {
		for _, vc := range variants {
			t.Run(tr.name+"/"+vc.name, func(t *testing.T) {
				v := vc.v
				want := tr.rep
				if want.Applications == nil {
					t.Skip("no Table 3")
				}
				doc, err := ReadHTML(variantHTML(want, &v), "")
				if err != nil {
					t.Fatal(err)
				}
				tdoc, err := ReadText([]byte(docAsTabText(doc)))
				if err != nil {
					t.Fatal(err)
				}
				got, err := ParseDocument(tdoc, Options{})
				if err != nil {
					t.Fatal(err)
				}
				wantRows := map[string][]*float64{}
				for k, row := range want.Applications.Rows {
					if k != v.drop {
						wantRows[k] = slices.Clone(row)
					}
				}
				if got.Applications == nil {
					t.Fatalf("no Table 3; warnings %q", got.Warnings)
				}
				for _, k := range report.ApplicationRows {
					if g, w := printRow(got.Applications.Rows[k]), printRow(wantRows[k]); g != w {
						t.Errorf("%s = %s, want %s", k, g, w)
					}
				}
				g, _ := json.Marshal(got.ReviewLitigation)
				w, _ := json.Marshal(want.ReviewLitigation)
				if string(g) != string(w) {
					t.Errorf("review_litigation:\ngot  %s\nwant %s", g, w)
				}
			})
		}
	}
}

// TestLayoutVariantsRuleFailures: cells changed so that the template's
// rules break are flagged exactly as the rules say for those cells (the
// checks computed on the true cells), and a blank printed for a zero
// invents nothing.
func TestLayoutVariantsRuleFailures(t *testing.T) {
	add := func(key string, col int, d float64) func(map[string][]*float64) {
		return func(rows map[string][]*float64) {
			if p := rows[key][col]; p != nil {
				v := *p + d
				rows[key][col] = &v
			} else {
				rows[key][col] = &d
			}
		}
	}
	mutations := []struct {
		name   string
		mutate func(map[string][]*float64)
		layout t3Variant
	}{
		{"total.total off by one", add("total", 6, 1), t3Variant{}},
		{"granted.natural_person off by two, shuffled", add("granted", 0, 2), t3Variant{perm: []int{6, 5, 3, 1, 4, 2, 0}}},
		{"carried_forward.commercial off by one, label in one cell", add("carried_forward", 1, 1), t3Variant{oneLabel: true}},
		{"a negative cell", add("denied_state_secret", 2, -1), t3Variant{}},
		{"a zero printed blank", func(rows map[string][]*float64) {
			for i, p := range rows["unable_unclear"] {
				if p != nil && *p == 0 {
					rows["unable_unclear"][i] = nil
				}
			}
		}, t3Variant{flatHeader: true}},
	}
	t3Failing := func(checks []report.Check) []string {
		var out []string
		for _, c := range checks {
			if !c.OK && strings.HasPrefix(c.Rule, "T3.") {
				out = append(out, c.Rule+" "+strings.Join(c.Cells, ","))
			}
		}
		sort.Strings(out)
		return out
	}
	for _, tr := range variantTruths(t) {
		for _, m := range mutations {
			t.Run(tr.name+"/"+m.name, func(t *testing.T) {
				if tr.rep.Applications == nil {
					t.Skip("no Table 3")
				}
				// the true report with the changed cells
				mut := *tr.rep
				apps := *tr.rep.Applications
				apps.Rows = map[string][]*float64{}
				for k, row := range tr.rep.Applications.Rows {
					apps.Rows[k] = slices.Clone(row)
				}
				m.mutate(apps.Rows)
				mut.Applications = &apps
				wantChecks, _ := report.ValidateSkipped(&mut)
				want := t3Failing(wantChecks)
				if m.name != "a zero printed blank" && len(want) == 0 {
					t.Fatal("the change breaks no rule")
				}
				v := m.layout
				got, err := Parse("variant.html", variantHTML(&mut, &v), Options{})
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range report.ApplicationRows {
					if g, w := printRow(got.Applications.Rows[k]), printRow(apps.Rows[k]); g != w {
						t.Errorf("%s = %s, want %s", k, g, w)
					}
				}
				if g := t3Failing(got.Checks); fmt.Sprint(g) != fmt.Sprint(want) {
					t.Errorf("failing T3 rules\ngot  %q\nwant %q", g, want)
				}
				if m.name == "a zero printed blank" && fmt.Sprint(want) != fmt.Sprint(t3Failing(tr.rep.Checks)) {
					t.Errorf("a blank for a zero changed the failing rules: %q, before %q", want, t3Failing(tr.rep.Checks))
				}
			})
		}
	}
}
