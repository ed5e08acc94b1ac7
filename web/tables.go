package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/extract"
)

// This file lays the report's tables out like the official template
// (国办公开办〔2019〕60号 and 国办公开办函〔2021〕30号): Chinese row labels
// and column headers of ../shared/report-model.md, each value cell named
// "row.column" like the cells of a check.

// Cell is one value cell of a rendered table.
type Cell struct {
	// Key names the cell as checks do: "new_received.total", "review.upheld",
	// "regulations.issued".
	Key string
	// Text is the value as printed ("" for a blank cell).
	Text string
	// Blank is true for a blank (null) cell, Absent for a row the report
	// does not have at all.
	Blank, Absent bool
	// Colspan is the number of grid columns the cell spans (0 or 1: one).
	Colspan int
	// Fail lists the numbers of the failed checks naming this cell.
	Fail []int
	// Title is the failed rules' messages, shown on hover.
	Title string
}

// Label is a row-label cell of Table 3 with its spans.
type Label struct {
	Text             string
	Rowspan, Colspan int
}

// Row is one row of a rendered table.
type Row struct {
	Key    string
	Labels []Label
	Cells  []Cell
}

// T2Section is one block of Table 2 (第二十条第（一）项 …).
type T2Section struct {
	Title   string
	Columns []Label
	Rows    []Row
}

// Table2 is Table 2 as rendered: blocks sharing a grid of Width value columns.
type Table2 struct {
	Template string
	Width    int
	Sections []T2Section
}

// Table3 is Table 3 as rendered.
type Table3 struct {
	Rows []Row
}

// Table4 is Table 4 as rendered: one row of fifteen cells.
type Table4 struct {
	Cells []Cell
}

type t2col struct{ key, label string }

type t2row struct{ key, label string }

type t2block struct {
	title string
	cols  []t2col
	rows  []t2row
}

var t2Layout2021 = []t2block{
	{"第二十条第（一）项", []t2col{{"issued", "本年制发件数"}, {"repealed", "本年废止件数"}, {"in_force", "现行有效件数"}},
		[]t2row{{"regulations", "规章"}, {"normative_documents", "行政规范性文件"}}},
	{"第二十条第（五）项", []t2col{{"decisions", "本年处理决定数量"}}, []t2row{{"licensing", "行政许可"}}},
	{"第二十条第（六）项", []t2col{{"decisions", "本年处理决定数量"}}, []t2row{{"penalty", "行政处罚"}, {"coercion", "行政强制"}}},
	{"第二十条第（八）项", []t2col{{"amount_wan_yuan", "本年收费金额（单位：万元）"}}, []t2row{{"fees", "行政事业性收费"}}},
}

var t2Layout2019 = []t2block{
	{"第二十条第（一）项", []t2col{{"new_made", "本年新制作数量"}, {"new_published", "本年新公开数量"}, {"total_published", "对外公开总数量"}},
		[]t2row{{"regulations", "规章"}, {"normative_documents", "规范性文件"}}},
	{"第二十条第（五）项", []t2col{{"prev_items", "上一年项目数量"}, {"change", "本年增/减"}, {"decisions", "处理决定数量"}},
		[]t2row{{"licensing", "行政许可"}, {"other_services", "其他对外管理服务事项"}}},
	{"第二十条第（六）项", []t2col{{"prev_items", "上一年项目数量"}, {"change", "本年增/减"}, {"decisions", "处理决定数量"}},
		[]t2row{{"penalty", "行政处罚"}, {"coercion", "行政强制"}}},
	{"第二十条第（八）项", []t2col{{"prev_items", "上一年项目数量"}, {"change", "本年增/减"}}, []t2row{{"fees", "行政事业性收费"}}},
	{"第二十条第（九）项", []t2col{{"items", "采购项目数量"}, {"amount", "采购总金额"}}, []t2row{{"procurement", "政府集中采购"}}},
}

// failures maps cell names to the numbers of the failed checks naming them.
type failures struct {
	nums map[string][]int
	msgs map[string][]string
}

func newFailures(checks []NumberedCheck) failures {
	f := failures{nums: map[string][]int{}, msgs: map[string][]string{}}
	for _, c := range checks {
		for _, cell := range c.Cells {
			f.nums[cell] = append(f.nums[cell], c.N)
			f.msgs[cell] = append(f.msgs[cell], c.Rule+": "+c.Message)
		}
	}
	return f
}

func (f failures) mark(c *Cell) {
	c.Fail = f.nums[c.Key]
	c.Title = strings.Join(f.msgs[c.Key], "\n")
}

// formatFloat prints a number the way the report printed it (no trailing zeros).
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// floatCell makes a cell from a Table 3/4 value.
func floatCell(key string, v *float64, present bool) Cell {
	c := Cell{Key: key}
	switch {
	case !present:
		c.Absent = true
	case v == nil:
		c.Blank = true
	default:
		c.Text = formatFloat(*v)
	}
	return c
}

// activeMap reads Table 2 as row → column → raw JSON value (null for blank).
func activeMap(a *extract.Active) (map[string]map[string]json.RawMessage, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode table 2: %w", err)
	}
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode table 2: %w", err)
	}
	return m, nil
}

// is2019 reports whether Table 2 uses the 2019 template's columns.
func is2019(tmpl string, m map[string]map[string]json.RawMessage) bool {
	if tmpl == extract.Template2019 {
		return true
	}
	if tmpl == extract.Template2021 {
		return false
	}
	for _, row := range m {
		for _, k := range []string{"new_made", "new_published", "total_published", "prev_items", "change", "items", "amount"} {
			if _, ok := row[k]; ok {
				return true
			}
		}
	}
	return false
}

// buildTable2 lays out Table 2; nil when the report has none.
func buildTable2(r *extract.Report, f failures) (*Table2, error) {
	if r.Active == nil {
		return nil, nil
	}
	m, err := activeMap(r.Active)
	if err != nil {
		return nil, err
	}
	layout, tmpl := t2Layout2021, extract.Template2021
	if is2019(r.Template, m) {
		layout, tmpl = t2Layout2019, extract.Template2019
	}
	t := &Table2{Template: tmpl, Width: 3}
	for _, b := range layout {
		sec := T2Section{Title: b.title}
		for i, c := range b.cols {
			l := Label{Text: c.label}
			if i == len(b.cols)-1 {
				l.Colspan = t.Width - len(b.cols) + 1
			}
			sec.Columns = append(sec.Columns, l)
		}
		for _, br := range b.rows {
			row := Row{Key: br.key, Labels: []Label{{Text: br.label}}}
			vals, rowOK := m[br.key]
			for i, c := range b.cols {
				cell := Cell{Key: br.key + "." + c.key}
				raw, ok := vals[c.key]
				switch {
				case !rowOK || !ok:
					cell.Absent = true
				case string(raw) == "null":
					cell.Blank = true
				default:
					cell.Text = string(raw)
				}
				if i == len(b.cols)-1 {
					cell.Colspan = t.Width - len(b.cols) + 1
				}
				f.mark(&cell)
				row.Cells = append(row.Cells, cell)
			}
			sec.Rows = append(sec.Rows, row)
		}
		t.Sections = append(t.Sections, sec)
	}
	return t, nil
}

type t3row struct{ key, top, mid, leaf string }

const t3Results = "三、本年度办理结果"

// t3Layout returns Table 3's rows for the report's template.
func t3Layout(r *extract.Report) []t3row {
	rows := []t3row{
		{"new_received", "一、本年新收政府信息公开申请数量", "", ""},
		{"carried_over", "二、上年结转政府信息公开申请数量", "", ""},
		{"granted", t3Results, "（一）予以公开", ""},
		{"partially_granted", t3Results, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ""},
		{"denied_state_secret", t3Results, "（三）不予公开", "1.属于国家秘密"},
		{"denied_law_forbidden", t3Results, "（三）不予公开", "2.其他法律行政法规禁止公开"},
		{"denied_three_security", t3Results, "（三）不予公开", "3.危及“三安全一稳定”"},
		{"denied_third_party", t3Results, "（三）不予公开", "4.保护第三方合法权益"},
		{"denied_internal_affairs", t3Results, "（三）不予公开", "5.属于三类内部事务信息"},
		{"denied_process_info", t3Results, "（三）不予公开", "6.属于四类过程性信息"},
		{"denied_enforcement_file", t3Results, "（三）不予公开", "7.属于行政执法案卷"},
		{"denied_admin_query", t3Results, "（三）不予公开", "8.属于行政查询事项"},
		{"unable_not_held", t3Results, "（四）无法提供", "1.本机关不掌握相关政府信息"},
		{"unable_need_creation", t3Results, "（四）无法提供", "2.没有现成信息需要另行制作"},
		{"unable_unclear", t3Results, "（四）无法提供", "3.补正后申请内容仍不明确"},
		{"not_processed_petition", t3Results, "（五）不予处理", "1.信访举报投诉类申请"},
		{"not_processed_repeated", t3Results, "（五）不予处理", "2.重复申请"},
		{"not_processed_publication", t3Results, "（五）不予处理", "3.要求提供公开出版物"},
		{"not_processed_excessive", t3Results, "（五）不予处理", "4.无正当理由大量反复申请"},
		{"not_processed_confirmation", t3Results, "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"},
	}
	has := func(k string) bool {
		if r.Applications == nil {
			return false
		}
		_, ok := r.Applications.Rows[k]
		return ok
	}
	sub2021 := has("other_no_correction") || has("other_unpaid_fee") || has("other_misc")
	if r.Template == extract.Template2019 || (!sub2021 && has("other")) {
		rows = append(rows, t3row{"other", t3Results, "（六）其他处理", ""})
	} else {
		if has("other") { // a subtotal printed beside the three sub-rows
			rows = append(rows, t3row{"other", t3Results, "（六）其他处理", "小计"})
		}
		rows = append(rows,
			t3row{"other_no_correction", t3Results, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
			t3row{"other_unpaid_fee", t3Results, "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"},
			t3row{"other_misc", t3Results, "（六）其他处理", "3.其他"})
	}
	return append(rows,
		t3row{"total", t3Results, "（七）总计", ""},
		t3row{"carried_forward", "四、结转下年度继续办理", "", ""})
}

// buildTable3 lays out Table 3; nil when the report has none.
func buildTable3(r *extract.Report, f failures) *Table3 {
	if r.Applications == nil {
		return nil
	}
	layout := t3Layout(r)
	count := func(pred func(t3row) bool) int {
		n := 0
		for _, x := range layout {
			if pred(x) {
				n++
			}
		}
		return n
	}
	t := &Table3{}
	for i, x := range layout {
		row := Row{Key: x.key}
		switch {
		case x.top != t3Results:
			row.Labels = []Label{{Text: x.top, Colspan: 3}}
		default:
			if i == 0 || layout[i-1].top != t3Results {
				row.Labels = append(row.Labels, Label{Text: x.top, Rowspan: count(func(y t3row) bool { return y.top == t3Results })})
			}
			if x.leaf == "" {
				row.Labels = append(row.Labels, Label{Text: x.mid, Colspan: 2})
			} else {
				if layout[i-1].mid != x.mid {
					row.Labels = append(row.Labels, Label{Text: x.mid, Rowspan: count(func(y t3row) bool { return y.mid == x.mid })})
				}
				row.Labels = append(row.Labels, Label{Text: x.leaf})
			}
		}
		vals, ok := r.Applications.Rows[x.key]
		for c, col := range extract.ApplicationColumns {
			var v *float64
			if c < len(vals) {
				v = vals[c]
			}
			cell := floatCell(x.key+"."+col, v, ok && c < len(vals))
			f.mark(&cell)
			row.Cells = append(row.Cells, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// buildTable4 lays out Table 4; nil when the report has none.
func buildTable4(r *extract.Report, f failures) *Table4 {
	rl := r.ReviewLitigation
	if rl == nil {
		return nil
	}
	t := &Table4{}
	for _, g := range []struct {
		name string
		g    *extract.Group
	}{{"review", rl.Review}, {"litigation_direct", rl.LitigationDirect}, {"litigation_after_review", rl.LitigationAfterReview}} {
		var vals [5]*float64
		if g.g != nil {
			vals = [5]*float64{g.g.Upheld, g.g.Corrected, g.g.Other, g.g.Pending, g.g.Total}
		}
		for i, col := range []string{"upheld", "corrected", "other", "pending", "total"} {
			cell := floatCell(g.name+"."+col, vals[i], g.g != nil)
			f.mark(&cell)
			t.Cells = append(t.Cells, cell)
		}
	}
	return t
}
