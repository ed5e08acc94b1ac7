package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// roundTripInputs are every seed and corpus report the tests hold: the
// seeds as text and HTML, the corpus renderings and the shared corpus.
func roundTripInputs(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, g := range []string{"testdata/text/*.txt", "testdata/html/*.html", "testdata/corpus/*.txt", "testdata/corpus/variants/*.txt",
		"../../shared/corpus/*.txt", "../../shared/corpus/*.pdf", "../../shared/corpus/*.html"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 15 {
		t.Fatalf("only %d inputs: %v", len(files), files)
	}
	return files
}

// TestStoredFormRevalidates: decode(encode(r)) validates exactly like r,
// for every seed and corpus report; the plain JSON of report-model.md
// alone does not (it lacks what report.year and report.complete read), so
// the stored form's additions are what make the difference.
func TestStoredFormRevalidates(t *testing.T) {
	plainDiffers := 0
	for _, f := range roundTripInputs(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(filepath.Base(f), data, Options{})
		if err != nil {
			t.Logf("%s: %v (not a report; skipped)", f, err)
			continue
		}
		want := report.Validate(r)
		if !reflect.DeepEqual(want, r.Checks) {
			t.Fatalf("%s: Validate of the parsed report differs from its checks", f)
		}
		stored, err := report.MarshalReportCompact(r)
		if err != nil {
			t.Fatal(err)
		}
		var back report.Report
		if err := json.Unmarshal(stored, &back); err != nil {
			t.Fatalf("%s: decode stored form: %v", f, err)
		}
		if got := report.Validate(&back); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the stored report validates differently:\n got %v\nwant %v", f, got, want)
		}
		plain, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var p report.Report
		if err := json.Unmarshal(plain, &p); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(report.Validate(&p), want) {
			plainDiffers++
		}
	}
	if plainDiffers == 0 {
		t.Error("no report re-validates differently from its plain JSON: the test shows nothing")
	}
}

// reNumber finds the numbers of a message.
var reNumber = regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?`)

// TestMessageZhOfEveryCheck: every check of every seed and corpus report
// gets a Chinese message that states the same numbers and cells as its
// English one.
func TestMessageZhOfEveryCheck(t *testing.T) {
	rules := map[string]bool{}
	for _, f := range roundTripInputs(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(filepath.Base(f), data, Options{})
		if err != nil {
			continue
		}
		for _, c := range r.Checks {
			if c.MessageZh != "" {
				t.Fatalf("%s: the parser set message_zh (%q); only Localize does", f, c.MessageZh)
			}
		}
		report.Localize(r.Checks)
		for _, c := range r.Checks {
			rules[c.Rule] = true
			zh := c.MessageZh
			if zh == "" || strings.Contains(zh, "%!") {
				t.Errorf("%s: %s %q: message_zh %q", f, c.Rule, c.Message, zh)
				continue
			}
			if en, z := reNumber.FindAllString(stripKeys(c.Message), -1), reNumber.FindAllString(stripKeys(zh), -1); !reflect.DeepEqual(en, z) {
				t.Errorf("%s: %q and %q state different numbers: %v %v", f, c.Message, zh, en, z)
			}
		}
	}
	for _, d := range report.Rules {
		if !strings.HasPrefix(d.ID, "cross.") && !rules[d.ID] {
			t.Errorf("no report has a check of rule %s", d.ID)
		}
	}
}

// reNotArgument matches what is not an argument of a message: the "≥ 0"
// of the English wording and the numbering of Chinese row labels (1.属于…).
var reNotArgument = regexp.MustCompile(`≥ 0|(?:^|[：；，])[0-9]\.[^0-9\s：]`)

// stripKeys drops what is not a message argument.
func stripKeys(s string) string { return reNotArgument.ReplaceAllString(s, "") }
