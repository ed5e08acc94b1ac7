package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// parseFile reads a text rendering and parses it.
func parseFile(t testing.TB, path string) *report.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ReadText(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	r, err := ParseDocument(doc, Options{Source: report.Source{File: filepath.Base(path)}})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// TestGoldenSeeds parses the five seed reports and compares the whole JSON
// report with the hand-reviewed golden files.
func TestGoldenSeeds(t *testing.T) {
	files, err := filepath.Glob("testdata/text/*.txt")
	if err != nil || len(files) < 5 {
		t.Fatalf("seed texts missing: %v %v", files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			r := parseFile(t, f)
			got, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("golden file: %v (run go test -update once and review it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", name, golden, firstDiff(string(want), string(got)))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s", i+1, w, g)
		}
	}
	return ""
}

// expected is the part of a corpus .expected.json the test compares.
type expected struct {
	Agency         string                               `json:"agency"`
	AgencyAsTitled string                               `json:"agency_as_titled"`
	Year           int                                  `json:"year"`
	Template       string                               `json:"template"`
	Title          string                               `json:"title"`
	Published      *string                              `json:"published"`
	Active         map[string]map[string]float64        `json:"active"`
	Applications   struct{ Rows map[string][]*float64 } `json:"applications"`
	ReviewLit      map[string]map[string]*float64       `json:"review_litigation"`
	ChecksFailing  []string                             `json:"checks_failing"`
	OtherChecks    []struct {
		Rule    string   `json:"rule"`
		OK      bool     `json:"ok"`
		With    string   `json:"with"`
		Missing []string `json:"missing"`
	} `json:"other_expected_checks"`
}

func loadExpected(t *testing.T, path string) expected {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return e
}

// checkID names a check the way checks_failing does: "T4.group_total review".
func checkID(c report.Check) string {
	subject, _, _ := strings.Cut(c.Message, ":")
	return c.Rule + " " + subject
}

// TestCorpus compares every cell of the real PDF renderings with the
// hand-checked expected values, and the failing rules with checks_failing.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	if len(files) < 3 {
		t.Fatalf("corpus missing: %v", files)
	}
	// the same PDFs rendered by pdftotext -raw, -layout and plain mode
	variants, _ := filepath.Glob("testdata/corpus/variants/*.txt")
	files = append(files, variants...)
	reports := map[string]*report.Report{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		base, _, _ := strings.Cut(name, ".")
		// pdftotext without -layout/-raw prints tables column by column:
		// rows may be lost there, but a cell read must never be wrong and
		// no rule failure may be invented.
		lenient := strings.HasSuffix(name, ".plain")
		t.Run(name, func(t *testing.T) {
			r := parseFile(t, f)
			reports[name] = r
			e := loadExpected(t, filepath.Join("testdata", "corpus", base+".expected.json"))
			if r.Agency != e.Agency && r.Agency != e.AgencyAsTitled {
				t.Errorf("agency = %q, want %q", r.Agency, e.Agency)
			}
			if r.Year != e.Year || string(r.Template) != e.Template || r.Title != e.Title {
				t.Errorf("year/template/title = %d %q %q, want %d %q %q", r.Year, r.Template, r.Title, e.Year, e.Template, e.Title)
			}
			if (r.Published == nil) != (e.Published == nil) || (r.Published != nil && *r.Published != *e.Published) {
				t.Errorf("published = %v, want %v", r.Published, e.Published)
			}
			exact, total := 0, 0
			missing := 0
			cell := func(name string, got, want *float64) {
				total++
				if lenient && got == nil && want != nil {
					missing++
					return
				}
				if (got == nil) != (want == nil) || (got != nil && *got != *want) {
					t.Errorf("%s = %s, want %s", name, fmtp(got), fmtp(want))
					return
				}
				exact++
			}
			b, _ := json.Marshal(r.Active)
			var gotActive map[string]map[string]*float64
			_ = json.Unmarshal(b, &gotActive)
			for row, cols := range e.Active {
				for col, v := range cols {
					v := v
					cell("active."+row+"."+col, gotActive[row][col], &v)
				}
			}
			if r.Applications == nil {
				t.Fatal("no Table 3")
			}
			for row, want := range e.Applications.Rows {
				got, ok := r.Applications.Rows[row]
				if !ok {
					if !lenient {
						t.Errorf("applications.%s missing", row)
					}
					total += 7
					missing += 7
					continue
				}
				for c := range want {
					cell("applications."+row+"."+report.ApplicationColumns[c], got[c], want[c])
				}
			}
			for row := range r.Applications.Rows {
				if _, ok := e.Applications.Rows[row]; !ok {
					t.Errorf("applications.%s read but not in the report", row)
				}
			}
			if r.ReviewLitigation == nil && !lenient {
				t.Fatal("no Table 4")
			}
			b, _ = json.Marshal(r.ReviewLitigation)
			var gotRL map[string]map[string]*float64
			_ = json.Unmarshal(b, &gotRL)
			for g, cols := range e.ReviewLit {
				for col, want := range cols {
					cell("review_litigation."+g+"."+col, gotRL[g][col], want)
				}
			}
			t.Logf("%s: %d/%d cells exact, %d not read", name, exact, total, missing)

			var failing []string
			byRule := map[string]report.Check{}
			for _, c := range r.Checks {
				byRule[c.Rule] = c
				if !c.OK && c.Rule != report.RuleComplete && c.Rule != report.RuleReportYear {
					failing = append(failing, checkID(c))
				}
			}
			sort.Strings(failing)
			want := append([]string(nil), e.ChecksFailing...)
			sort.Strings(want)
			if lenient {
				for _, f := range failing {
					if !slices.Contains(want, f) {
						t.Errorf("invented failure %q", f)
					}
				}
				return
			}
			if strings.Join(failing, "|") != strings.Join(want, "|") {
				t.Errorf("failing checks = %q, want %q", failing, want)
			}
			for _, oc := range e.OtherChecks {
				if oc.With != "" {
					continue
				}
				c, ok := byRule[oc.Rule]
				if !ok {
					t.Errorf("no %s check", oc.Rule)
					continue
				}
				if c.OK != oc.OK {
					t.Errorf("%s ok = %v, want %v (%s)", oc.Rule, c.OK, oc.OK, c.Message)
				}
				if oc.Missing != nil && strings.Join(c.Cells, ",") != strings.Join(oc.Missing, ",") {
					t.Errorf("%s cells = %v, want %v", oc.Rule, c.Cells, oc.Missing)
				}
			}
		})
	}
	if t.Failed() {
		return
	}
	// cross-year rules: Hongze 2023 -> 2024
	prev, cur := reports["003_hongze_2023"], reports["004_hongze_2024"]
	if prev == nil || cur == nil {
		t.Fatal("hongze pair not parsed")
	}
	cc := report.CrossCheck(prev, cur)
	rules := map[string]int{}
	for _, c := range cc {
		rules[c.Rule]++
		if !c.OK {
			t.Errorf("%s failed: %s", c.Rule, c.Message)
		}
	}
	if rules[report.RuleCrossCarried] != 7 || rules[report.RuleCrossInForce] != 2 {
		t.Errorf("cross checks = %v, want 7 cross.carried and 2 cross.in_force", rules)
	}
}

func fmtp(p *float64) string {
	if p == nil {
		return "null"
	}
	return string(formatNumber(*p))
}
