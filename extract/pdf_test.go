package extract

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// corpusPDFs are the real PDFs under ../shared/corpus (not committed here:
// they are shared read-only inputs); the test skips when they are absent.
const corpusDir = "../../shared/corpus"

// checkExpected compares every cell of r with a corpus .expected.json and
// the failing rules with checks_failing (as TestCorpus does for the text
// renderings).
func checkExpected(t *testing.T, r *report.Report, e expected) {
	t.Helper()
	if r.Agency != e.Agency && r.Agency != e.AgencyAsTitled {
		t.Errorf("agency = %q, want %q", r.Agency, e.Agency)
	}
	if r.Year != e.Year || string(r.Template) != e.Template {
		t.Errorf("year/template = %d %q, want %d %q", r.Year, r.Template, e.Year, e.Template)
	}
	if (r.Published == nil) != (e.Published == nil) || (r.Published != nil && *r.Published != *e.Published) {
		t.Errorf("published = %v, want %v", deref(r.Published), deref(e.Published))
	}
	exact, total := 0, 0
	cell := func(name string, got, want *float64) {
		total++
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
			cell("active."+row+"."+col, gotActive[row][col], &v)
		}
	}
	if r.Applications == nil {
		t.Fatal("no Table 3")
	}
	for row, want := range e.Applications.Rows {
		got, ok := r.Applications.Rows[row]
		if !ok {
			t.Errorf("applications.%s missing", row)
			continue
		}
		for c := range want {
			cell("applications."+row+"."+report.ApplicationColumns[c], got[c], want[c])
		}
	}
	b, _ = json.Marshal(r.ReviewLitigation)
	var gotRL map[string]map[string]*float64
	_ = json.Unmarshal(b, &gotRL)
	for g, cols := range e.ReviewLit {
		for col, want := range cols {
			cell("review_litigation."+g+"."+col, gotRL[g][col], want)
		}
	}
	t.Logf("%d/%d cells exact", exact, total)
	var failing []string
	for _, c := range r.Checks {
		if !c.OK && c.Rule != report.RuleComplete && c.Rule != report.RuleReportYear {
			failing = append(failing, checkID(c))
		}
	}
	sort.Strings(failing)
	want := append([]string(nil), e.ChecksFailing...)
	sort.Strings(want)
	if strings.Join(failing, "|") != strings.Join(want, "|") {
		t.Errorf("failing checks = %q, want %q", failing, want)
	}
}

// TestPDFCorpus parses the real PDFs with ReadPDF's default (the Go reader,
// pdftotext as fallback) and with each reader forced, and expects every
// cell of the hand-checked expected values.
func TestPDFCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.pdf"))
	if len(files) == 0 {
		t.Skip("no corpus PDFs at " + corpusDir)
	}
	_, errLook := exec.LookPath("pdftotext")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pdf")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		e := loadExpected(t, strings.TrimSuffix(f, ".pdf")+".expected.json")
		t.Run(name+"/parse", func(t *testing.T) {
			if got := Sniff("file", data); got != FormatPDF {
				t.Fatalf("Sniff = %q", got)
			}
			r, err := Parse(name+".pdf", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkExpected(t, r, e)
		})
		t.Run(name+"/go", func(t *testing.T) {
			text, err := pdfTextGo(data)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkPDFText(text); err != nil {
				t.Fatalf("Go reader text rejected: %v", err)
			}
			r := parseText(t, text)
			checkExpected(t, r, e)
		})
		t.Run(name+"/pdftotext", func(t *testing.T) {
			if errLook != nil {
				t.Skip("pdftotext not installed")
			}
			text, err := pdfToText(t.Context(), data)
			if err != nil {
				t.Fatal(err)
			}
			r := parseText(t, text)
			checkExpected(t, r, e)
		})
	}
}

// parseText reads text as a text rendering and parses it, failing the
// test on an error.
func parseText(t *testing.T, text string) *report.Report {
	t.Helper()
	doc, err := ReadText([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
