package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

func TestSplitRunTogether(t *testing.T) {
	tests := []struct {
		in, label, digits string
	}{
		{"行政许可1250318", "行政许可", "1250318"},
		{"行政事业性收费96171.6", "行政事业性收费", "96171.6"},
		{"（一）予以公开1000001", "（一）予以公开", "1000001"},
		{"3.危及“三安全一稳定”0000000", "3.危及“三安全一稳定”", "0000000"},
		{"（七）总计1", "（七）总计", "1"},
		{"行政许可", "", ""},
		{"1250318", "", ""},
		{"第711", "第", "711"},
		{"共计95.", "", ""},
		{"abc123", "", ""},
	}
	for _, tc := range tests {
		l, d, ok := splitRunTogether(posField{tc.in, 0, len([]rune(tc.in))})
		if ok != (tc.label != "") || l.text != tc.label || d.text != tc.digits {
			t.Errorf("splitRunTogether(%q) = %q %q %v, want %q %q", tc.in, l.text, d.text, ok, tc.label, tc.digits)
		}
		if ok && (l.end != d.start || d.end != len([]rune(tc.in))) {
			t.Errorf("splitRunTogether(%q): columns %v %v", tc.in, l, d)
		}
	}
}

// runTogether rewrites the rows of a real pdftotext -raw rendering
// between the lines holding from and to the way some text layers print
// them: label and cells with no separator ("行政许可9487").
func runTogether(t *testing.T, text, from, to string) (string, []string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	in := false
	var glued []string
	for i, ln := range lines {
		switch {
		case strings.Contains(ln, from):
			in = true
			continue
		case strings.Contains(ln, to):
			in = false
		}
		if !in {
			continue
		}
		if m := reLabelNums.FindStringSubmatch(strings.TrimSpace(ln)); m != nil && !reNumsOnly.MatchString(strings.TrimSpace(ln)) {
			lines[i] = m[1] + strings.ReplaceAll(m[2], " ", "")
			glued = append(glued, lines[i])
		}
	}
	if len(glued) == 0 {
		t.Fatalf("no row between %q and %q", from, to)
	}
	return strings.Join(lines, "\n"), glued
}

// TestRunTogetherCorpus: the real Hongze 2024 report (pdftotext -raw) with
// every row of Tables 2 and 3 run together. The template is still the
// 2021 one, the one-column rows of Table 2 keep their exact values, every
// other cell is blank (never a guessed number) with a warning per row,
// and no rule failure is invented.
func TestRunTogetherCorpus(t *testing.T) {
	for _, name := range []string{"004_hongze_2024", "005_huaian_2024"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "corpus", name+".txt")
			if name == "005_huaian_2024" {
				path = filepath.Join("testdata", "corpus", "variants", name+".raw.txt")
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			e := loadExpected(t, filepath.Join("testdata", "corpus", name+".expected.json"))
			text, glued := runTogether(t, string(b), "二、主动公开政府信息情况", "四、政府信息公开行政复议")
			r := parseText(t, text)
			if string(r.Template) != e.Template || r.Year != e.Year {
				t.Errorf("template/year = %q %d, want %q %d", r.Template, r.Year, e.Template, e.Year)
			}
			bj, _ := json.Marshal(r.Active)
			var active map[string]map[string]*float64
			_ = json.Unmarshal(bj, &active)
			for row, cols := range e.Active {
				for col, want := range cols {
					got := active[row][col]
					if len(cols) == 1 {
						if got == nil || *got != want {
							t.Errorf("active.%s.%s = %s, want %v (one column: the digits are the cell)", row, col, fmtp(got), want)
						}
					} else if got != nil {
						t.Errorf("active.%s.%s = %v, want not read (run together)", row, col, *got)
					}
				}
			}
			if r.Applications == nil {
				t.Fatal("no Table 3")
			}
			// the rows whose cells were glued to their label, by the
			// line's own label (a row whose numbers sit on a line of
			// their own is read as before)
			gluedRow := map[string]bool{}
			for _, g := range glued {
				if k := matchRow(normLabel(strings.TrimRight(g, "0123456789.")), table3Rules, true); k != "" {
					gluedRow[k] = true
				}
			}
			warned := map[string]bool{}
			for _, w := range r.Warnings {
				if name, _, ok := strings.Cut(w, ": cells printed run together"); ok {
					warned[name] = true
				}
			}
			for row, want := range e.Applications.Rows {
				got, ok := r.Applications.Rows[row]
				if gluedRow[row] {
					if ok {
						t.Errorf("applications.%s = %s, want not read (run together)", row, fmtRow(got))
					}
					if !warned["applications."+row] {
						t.Errorf("no run-together warning for applications.%s", row)
					}
					continue
				}
				if !ok {
					t.Errorf("applications.%s missing", row)
					continue
				}
				for c := range want {
					if (got[c] == nil) != (want[c] == nil) || (got[c] != nil && *got[c] != *want[c]) {
						t.Errorf("applications.%s.%s = %s, want %s", row, report.ApplicationColumns[c], fmtp(got[c]), fmtp(want[c]))
					}
				}
			}
			if len(gluedRow) < 15 {
				t.Errorf("only %d rows glued: %v", len(gluedRow), gluedRow)
			}
			for _, c := range r.Checks {
				if !c.OK && c.Rule != report.RuleComplete && c.Rule != report.RuleReportYear && !slices.Contains(e.ChecksFailing, checkID(c)) {
					t.Errorf("invented failure %s: %s", c.Rule, c.Message)
				}
			}
		})
	}
}

func fmtRow(v []*float64) string {
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fmtp(x))
	}
	return b.String()
}
