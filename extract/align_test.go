package extract

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// detachItem is one table row of a pdftotext -raw rendering: the label
// lines printed before its numbers and the line of numbers.
type detachItem struct {
	label []string
	nums  string
}

var (
	reLabelNums = regexp.MustCompile(`^(.*[^0-9.\s])\s+((?:[0-9]+(?:\.[0-9]+)?\s+)*[0-9]+(?:\.[0-9]+)?)$`)
	reNumsOnly  = regexp.MustCompile(`^(?:[0-9]+(?:\.[0-9]+)?\s+)*[0-9]+(?:\.[0-9]+)?$`)
)

// detachTable rewrites the lines between the line holding from and the
// line holding to of a real pdftotext -raw rendering the way other PDF
// producers print the same table: the rows of each group (a group starts
// at a label line holding one of groupStarts) have their labels on lines
// of their own, all above their numbers ("above"), all below them
// ("below"), or above them with a page break inside the numbers
// ("pagebreak"). The first keep rows stay as they are.
func detachTable(t *testing.T, text, from, to string, groupStarts []string, keep int, mode string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	start, end := -1, -1
	for i, ln := range lines {
		if start < 0 && strings.Contains(ln, from) {
			start = i + 1
		} else if start >= 0 && strings.Contains(ln, to) {
			end = i
			break
		}
	}
	if start < 0 || end < 0 {
		t.Fatalf("table %q..%q not in the text", from, to)
	}
	// the header lines before the first row stay
	var items []detachItem
	var pending []string
	headEnd := start
	for i := start; i < end; i++ {
		ln := strings.TrimSpace(lines[i])
		if ln == "" || isPageFooter(ln) {
			continue
		}
		if m := reLabelNums.FindStringSubmatch(ln); m != nil && strings.Count(m[2], " ") >= 0 && !reNumsOnly.MatchString(ln) {
			if len(items) == 0 {
				headEnd = i - len(pending)
				pending = nil
			}
			items = append(items, detachItem{label: append(pending, m[1]), nums: m[2]})
			pending = nil
			continue
		}
		if reNumsOnly.MatchString(ln) && len(pending) > 0 {
			if len(items) == 0 {
				headEnd = i - len(pending)
			}
			items = append(items, detachItem{label: pending, nums: ln})
			pending = nil
			continue
		}
		pending = append(pending, ln)
	}
	if len(pending) > 0 {
		t.Fatalf("lines %q after the last row", pending)
	}
	var out []string
	out = append(out, lines[:headEnd]...)
	emit := func(group []detachItem) {
		var ls, ns []string
		for _, it := range group {
			ls = append(ls, it.label...)
			ns = append(ns, it.nums)
		}
		switch mode {
		case "above":
			out = append(out, ls...)
			out = append(out, ns...)
		case "below":
			out = append(out, ns...)
			out = append(out, ls...)
		case "pagebreak":
			out = append(out, ls...)
			h := (len(ns) + 1) / 2
			out = append(out, ns[:h]...)
			out = append(out, "- 9 -", "\f")
			out = append(out, ns[h:]...)
		}
	}
	var group []detachItem
	for i, it := range items {
		if i < keep {
			out = append(out, append(it.label[:len(it.label)-1:len(it.label)-1], it.label[len(it.label)-1]+" "+it.nums)...)
			continue
		}
		starts := false
		for _, g := range groupStarts {
			if strings.Contains(strings.Join(it.label, ""), g) {
				starts = true
			}
		}
		if starts && len(group) > 0 {
			emit(group)
			group = nil
		}
		group = append(group, it)
	}
	emit(group)
	out = append(out, lines[end:]...)
	return strings.Join(out, "\n")
}

// table3Groups start the groups of Table 3 in a rendering.
var table3Groups = []string{"（一）", "（三）", "（四）", "（五）", "（六）", "（七）"}

// TestDetachedLabelsCorpus parses the real corpus reports as pdftotext
// -raw renders them, rewritten with the labels of Table 3 (and Table 2)
// apart from their numbers: every cell must come out as the hand-checked
// value, no rule failure invented, and a warning must say the rows were
// aligned.
func TestDetachedLabelsCorpus(t *testing.T) {
	sources := map[string]string{
		"003_hongze_2023": "testdata/corpus/variants/003_hongze_2023.raw.txt",
		"004_hongze_2024": "testdata/corpus/004_hongze_2024.txt",
		"005_huaian_2024": "testdata/corpus/variants/005_huaian_2024.raw.txt",
	}
	for name, path := range sources {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		e := loadExpected(t, filepath.Join("testdata", "corpus", name+".expected.json"))
		for _, mode := range []string{"above", "below", "pagebreak"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				text := detachTable(t, string(b), "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议", table3Groups, 2, mode)
				text = detachTable(t, text, "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", []string{"规章", "行政许可", "行政处罚", "行政事业性收费"}, 0, mode)
				if text == string(b) {
					t.Fatal("nothing detached")
				}
				r := parseText(t, text)
				checkExpected(t, r, e)
				if t.Failed() {
					t.Logf("warnings: %q", r.Warnings)
				}
				var aligned []string
				for _, w := range r.Warnings {
					if strings.Contains(w, "aligned to the template's row order") {
						aligned = append(aligned, w)
					}
				}
				if len(aligned) == 0 {
					t.Errorf("no alignment warning in %q", r.Warnings)
				}
			})
		}
	}
}

// TestAlignDetachedRefuses: labels and rows of numbers that do not pair
// one to one, in template order and with the right number of columns,
// are not aligned: the rows stay unread (null) with a warning, never
// numbers under the wrong label.
func TestAlignDetachedRefuses(t *testing.T) {
	head := "2023年某县人民政府政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" +
		"一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5\n二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1\n"
	tail := "四、政府信息公开行政复议、行政诉讼情况\n"
	tests := []struct {
		name, body, problem string
	}{
		{"one label short", "（一）予以公开\n（二）部分公开\n1 0 0 0 0 0 1\n2 0 0 0 0 0 2\n3 0 0 0 0 0 3\n（七）总计 6 0 0 0 0 0 6\n",
			"labels and 1 rows"},
		{"out of order", "（二）部分公开\n（一）予以公开\n1 0 0 0 0 0 1\n2 0 0 0 0 0 2\n（七）总计 3 0 0 0 0 0 3\n",
			"not in the template's order"},
		{"short row", "（一）予以公开\n（二）部分公开\n1 0 0 0 0 1\n2 0 0 0 0 0 2\n（七）总计 3 0 0 0 0 0 3\n",
			"columns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseText(t, head+tc.body+tail)
			found := false
			for _, w := range r.Warnings {
				if strings.Contains(w, "could not be aligned") && strings.Contains(w, tc.problem) {
					found = true
				}
				if strings.Contains(w, "aligned to the template's row order") {
					t.Errorf("aligned anyway: %q", w)
				}
			}
			if !found {
				t.Errorf("no warning naming %q in %q", tc.problem, r.Warnings)
			}
			if r.Applications == nil {
				t.Fatal("no Table 3")
			}
			for _, k := range []string{"granted", "partially_granted"} {
				for c, v := range r.Applications.Rows[k] {
					if v != nil {
						t.Errorf("%s.%s = %v, want null (not aligned)", k, report.ApplicationColumns[c], *v)
					}
				}
			}
		})
	}
}

// TestAlignDetachedPairs reads a small detached Table 3 with the labels
// below their rows and a Table 2 with its labels above.
func TestAlignDetachedPairs(t *testing.T) {
	text := "2023年某县人民政府政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n" +
		"规章\n行政规范性文件\n0 0 2\n3 1 9\n第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 12\n" +
		"三、收到和处理政府信息公开申请情况\n" +
		"一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5\n二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1\n" +
		"4 0 0 0 0 0 4\n2 0 0 0 0 0 2\n（一）予以公开\n（二）部分公开（区分处理的，只计这一情\n形，不计其他情形）\n（七）总计 6 0 0 0 0 0 6\n" +
		"四、政府信息公开行政复议、行政诉讼情况\n"
	r := parseText(t, text)
	want := map[string]float64{"granted": 4, "partially_granted": 2, "total": 6, "new_received": 5}
	for k, v := range want {
		row := r.Applications.Rows[k]
		if len(row) != 7 || row[0] == nil || *row[0] != v || row[6] == nil || *row[6] != v || row[1] == nil || *row[1] != 0 {
			t.Errorf("applications.%s = %v, want %v … %v", k, row, v, v)
		}
	}
	if r.Active == nil || r.Active.NormativeDocuments == nil || r.Active.NormativeDocuments.InForce.Value != 9 || r.Active.Regulations.InForce.Value != 2 || r.Active.Licensing.Decisions.Value != 12 {
		t.Errorf("active = %+v", r.Active)
	}
	n := 0
	for _, w := range r.Warnings {
		if strings.Contains(w, "aligned to the template's row order") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("want an alignment warning for Tables 2 and 3, got %q", r.Warnings)
	}
}

// TestDetachedTable4Corpus: Table 4 of the real Hongze 2024 report
// (pdftotext -raw prints it as one line of 15 numbers) rewritten as three
// group rows of 5 numbers with the group labels on lines of their own,
// above or below the numbers: every cell as hand-checked.
func TestDetachedTable4Corpus(t *testing.T) {
	b, err := os.ReadFile("testdata/corpus/004_hongze_2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	e := loadExpected(t, "testdata/corpus/004_hongze_2024.expected.json")
	const row = "1 1 0 0 2 1 0 0 0 1 2 0 1 0 3\n"
	if !strings.Contains(string(b), row) {
		t.Fatal("Table 4 line changed")
	}
	labels := "行政复议\n未经复议直接起诉\n复议后起诉\n"
	nums := "1 1 0 0 2\n1 0 0 0 1\n2 0 1 0 3\n"
	for name, repl := range map[string]string{"above": labels + nums, "below": nums + labels, "pagebreak": labels + "1 1 0 0 2\n- 9 -\n\f1 0 0 0 1\n2 0 1 0 3\n"} {
		t.Run(name, func(t *testing.T) {
			r := parseText(t, strings.Replace(string(b), row, repl, 1))
			checkExpected(t, r, e)
		})
	}
}
