package web

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// dumpTables writes the rendered tables as text: labels with their spans,
// then each cell as its value ("·" blank, "∅" absent) and failed-check numbers.
func dumpTables(p *ReportPage) string {
	var b strings.Builder
	cell := func(c Cell) string {
		s := c.Text
		switch {
		case c.Absent:
			s = "∅"
		case c.Blank:
			s = "·"
		}
		if c.Colspan > 1 {
			s += fmt.Sprintf("(c%d)", c.Colspan)
		}
		if len(c.Fail) > 0 {
			s += fmt.Sprintf("!%v", c.Fail)
		}
		return s
	}
	label := func(l Label) string {
		s := l.Text
		if l.Rowspan > 1 {
			s += fmt.Sprintf("(r%d)", l.Rowspan)
		}
		if l.Colspan > 1 {
			s += fmt.Sprintf("(c%d)", l.Colspan)
		}
		return s
	}
	row := func(r Row) {
		var parts []string
		for _, l := range r.Labels {
			parts = append(parts, label(l))
		}
		for _, c := range r.Cells {
			parts = append(parts, cell(c))
		}
		fmt.Fprintf(&b, "%s: %s\n", r.Key, strings.Join(parts, " | "))
	}
	if t := p.Table2; t != nil {
		fmt.Fprintf(&b, "== Table 2 (template %s)\n", t.Template)
		for _, s := range t.Sections {
			var cols []string
			for _, c := range s.Columns {
				cols = append(cols, label(c))
			}
			fmt.Fprintf(&b, "-- %s: %s\n", s.Title, strings.Join(cols, " | "))
			for _, r := range s.Rows {
				row(r)
			}
		}
	}
	if t := p.Table3; t != nil {
		b.WriteString("== Table 3\n")
		for _, r := range t.Rows {
			row(r)
		}
	}
	if t := p.Table4; t != nil {
		b.WriteString("== Table 4\n")
		for _, c := range t.Cells {
			fmt.Fprintf(&b, "%s: %s\n", c.Key, cell(c))
		}
	}
	for _, c := range p.Failed {
		fmt.Fprintf(&b, "check %d %s: %s %v\n", c.N, c.Rule, c.Message, c.Cells)
	}
	return b.String()
}

// TestTablesGolden compares the rendered tables of three seed reports (2021
// template with failed cells, 2021, 2019) with testdata/golden.
func TestTablesGolden(t *testing.T) {
	f := newFixture(t)
	for name, id := range map[string]string{
		"ningbo_2021_broken": f.broken,
		"changsha_2021":      f.reports["长沙市公安局"],
		"shengsi_2020":       f.reports["嵊泗县公安局"],
	} {
		t.Run(name, func(t *testing.T) {
			p, err := f.srv.reportPage(id)
			if err != nil {
				t.Fatal(err)
			}
			got := dumpTables(p)
			path := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestTablesGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("tables differ from %s (rerun with -update if intended):\n%s", path, got)
			}
		})
	}
}
