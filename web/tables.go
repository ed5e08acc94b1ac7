package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/report"
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
	Template report.Template
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
			f.msgs[cell] = append(f.msgs[cell], checkText(c.Check))
		}
	}
	return f
}

// checkText is a check as a cell's hover text shows it: the rule, the
// English message and, when there is one, the Chinese one.
func checkText(c report.Check) string {
	if c.MessageZh == "" {
		return c.Rule + ": " + c.Message
	}
	return c.Rule + ": " + c.Message + " / " + c.MessageZh
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
func activeMap(a *report.Active) (map[string]map[string]json.RawMessage, error) {
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
func is2019(tmpl report.Template, m map[string]map[string]json.RawMessage) bool {
	if tmpl == report.Template2019 {
		return true
	}
	if tmpl == report.Template2021 {
		return false
	}
	for _, row := range m {
		for _, k := range report.Active2019Columns {
			if _, ok := row[k]; ok {
				return true
			}
		}
	}
	return false
}

// buildTable2 lays out Table 2; nil when the report has none.
func buildTable2(r *report.Report, f failures) (*Table2, error) {
	if r.Active == nil {
		return nil, nil
	}
	m, err := activeMap(r.Active)
	if err != nil {
		return nil, err
	}
	tmpl := report.Template2021
	if is2019(r.Template, m) {
		tmpl = report.Template2019
	}
	layout := report.ActiveLayout(tmpl)
	t := &Table2{Template: tmpl, Width: 3}
	for _, b := range layout {
		sec := T2Section{Title: b.Title}
		for i, c := range b.Columns {
			l := Label{Text: c.Label}
			if i == len(b.Columns)-1 {
				l.Colspan = t.Width - len(b.Columns) + 1
			}
			sec.Columns = append(sec.Columns, l)
		}
		for _, br := range b.Rows {
			row := Row{Key: br.Key, Labels: []Label{{Text: br.Label}}}
			vals, rowOK := m[br.Key]
			for i, c := range b.Columns {
				cell := Cell{Key: br.Key + "." + c.Key}
				raw, ok := vals[c.Key]
				switch {
				case !rowOK || !ok:
					cell.Absent = true
				case string(raw) == "null":
					cell.Blank = true
				default:
					cell.Text = string(raw)
				}
				if i == len(b.Columns)-1 {
					cell.Colspan = t.Width - len(b.Columns) + 1
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

// t3Layout returns Table 3's rows for the report's template.
func t3Layout(r *report.Report) []report.T3Row {
	return report.T3Layout(r.Template, func(k string) bool {
		if r.Applications == nil {
			return false
		}
		_, ok := r.Applications.Rows[k]
		return ok
	})
}

// buildTable3 lays out Table 3; nil when the report has none.
func buildTable3(r *report.Report, f failures) *Table3 {
	if r.Applications == nil {
		return nil
	}
	layout := t3Layout(r)
	count := func(pred func(report.T3Row) bool) int {
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
		row := Row{Key: x.Key}
		switch {
		case x.Top != report.T3Results:
			row.Labels = []Label{{Text: x.Top, Colspan: 3}}
		default:
			if i == 0 || layout[i-1].Top != report.T3Results {
				row.Labels = append(row.Labels, Label{Text: x.Top, Rowspan: count(func(y report.T3Row) bool { return y.Top == report.T3Results })})
			}
			if x.Leaf == "" {
				row.Labels = append(row.Labels, Label{Text: x.Mid, Colspan: 2})
			} else {
				if layout[i-1].Mid != x.Mid {
					row.Labels = append(row.Labels, Label{Text: x.Mid, Rowspan: count(func(y report.T3Row) bool { return y.Mid == x.Mid })})
				}
				row.Labels = append(row.Labels, Label{Text: x.Leaf})
			}
		}
		vals, ok := r.Applications.Rows[x.Key]
		for c, col := range report.ApplicationColumns {
			var v *float64
			if c < len(vals) {
				v = vals[c]
			}
			cell := floatCell(x.Key+"."+col, v, ok && c < len(vals))
			f.mark(&cell)
			row.Cells = append(row.Cells, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// buildTable4 lays out Table 4; nil when the report has none.
func buildTable4(r *report.Report, f failures) *Table4 {
	rl := r.ReviewLitigation
	if rl == nil {
		return nil
	}
	t := &Table4{}
	for _, name := range report.ReviewGroups {
		g := rl.Group(name)
		vals := g.Cells()
		for i, col := range report.GroupColumns {
			cell := floatCell(name+"."+col, vals[i], g != nil)
			f.mark(&cell)
			t.Cells = append(t.Cells, cell)
		}
	}
	return t
}
