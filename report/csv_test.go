package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateCSVHeader = flag.Bool("update-csv-header", false, "rewrite testdata/csv/header.csv (review the diff by hand)")

// TestCSVHeaderGolden pins the column names and order: spreadsheets and
// scripts address cells by them, so a change must be deliberate.
func TestCSVHeaderGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, nil); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "csv", "header.csv")
	if *updateCSVHeader {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("CSV header changed:\n got %q\nwant %q", buf.String(), want)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) || !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		t.Error("header lacks the UTF-8 BOM or the CRLF line end")
	}
	cols := CSVColumns()
	// 8 meta + 29 Table 2 (6+6+3+3+3+3+3+2) + 26×7 Table 3 + 15 Table 4 + 3 check columns
	if len(cols) != 8+29+26*7+15+3 {
		t.Errorf("%d columns", len(cols))
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			t.Errorf("duplicate column %s", c)
		}
		seen[c] = true
	}
	for _, c := range []string{"applications.new_received.total", "applications.other.natural_person", "applications.other_misc.total",
		"active.regulations.issued", "active.regulations.new_made", "active.procurement.amount", "active.fees.amount_wan_yuan",
		"review_litigation.litigation_after_review.total", "checks_failed", "failed_rules", "warnings"} {
		if !seen[c] {
			t.Errorf("column %s missing", c)
		}
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Fatal("no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// seedFiles are the seed reports whose golden files the parser's tests
// keep under ../extract/testdata/golden.
var seedFiles = []string{"000_058c891ac62dd96d", "001_33cbb0de23e7a3a9", "002_c513a80de85e28c5", "003_5b5855e3c5339d3b", "004_dda7dad8d758c7d1"}

// goldenReport reads the golden file of a seed report.
func goldenReport(t *testing.T, file string) *Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "extract", "testdata", "golden", file+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestWriteCSVSeeds(t *testing.T) {
	var reps []*Report
	for _, f := range seedFiles {
		reps = append(reps, goldenReport(t, f))
	}
	// one report with a failed rule, a warning and a formula-like title
	bad := goldenReport(t, "004_dda7dad8d758c7d1")
	bad.Title = "=HYPERLINK(\"x\")"
	bad.Source = Source{URL: "http://gaj.ningbo.gov.cn/a.html", CaptureID: "17", FetchedAt: "2022-02-01T08:00:00Z"}
	bad.Checks = append(bad.Checks, Check{Rule: RuleCrossCarried, OK: false, Severity: SeverityError}, Check{Rule: RuleCrossCarried, OK: false, Severity: SeverityError},
		Check{Rule: RuleCrossInForce, OK: false, Severity: SeverityWarning})
	bad.Warnings = []string{"x", "y"}
	reps = append(reps, bad, nil)

	var buf bytes.Buffer
	if err := WriteCSV(&buf, reps); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	if len(recs) != 1+6 {
		t.Fatalf("%d records, want header + 6", len(recs))
	}
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	for i, rec := range recs {
		if len(rec) != len(recs[0]) {
			t.Errorf("row %d has %d fields, header %d", i, len(rec), len(recs[0]))
		}
	}
	for _, tc := range []struct {
		row  int
		col  string
		want string
	}{
		{1, "agency", "长沙市公安局"},
		{1, "year", "2021"},
		{1, "template", "2021"},
		{1, "published", ""},
		{1, "applications.new_received.total", "30"},
		{1, "applications.other.total", ""}, // 2019 row, absent in a 2021 report
		{1, "active.regulations.new_made", ""},
		{4, "template", "2019"},
		{4, "published", "2021-01-26"},
		{4, "applications.new_received.natural_person", ""}, // blank in the document
		{4, "applications.new_received.total", "0"},
		{5, "applications.new_received.total", "42"},
		{5, "applications.new_received.commercial", "1"},
		{5, "applications.carried_over.total", "5"},
		{5, "active.normative_documents.in_force", "25"},
		{5, "active.normative_documents.issued", "1"},
		{5, "checks_failed", "0"},
		{5, "failed_rules", ""},
		{6, "title", "'=HYPERLINK(\"x\")"},
		{6, "source.url", "http://gaj.ningbo.gov.cn/a.html"},
		{6, "source.capture_id", "17"},
		{6, "source.fetched_at", "2022-02-01T08:00:00Z"},
		{6, "checks_failed", "3"},
		{6, "failed_rules", "cross.carried;cross.in_force"},
		{6, "warnings", "2"},
	} {
		i, ok := idx[tc.col]
		if !ok {
			t.Errorf("no column %s", tc.col)
			continue
		}
		if got := recs[tc.row][i]; got != tc.want {
			t.Errorf("row %d %s = %q, want %q", tc.row, tc.col, got, tc.want)
		}
	}
	// every Table 3 cell of the golden 2021 reports is in the CSV
	g := goldenReport(t, "004_dda7dad8d758c7d1")
	for row, vals := range g.Applications.Rows {
		for c, v := range vals {
			got := recs[5][idx["applications."+row+"."+ApplicationColumns[c]]]
			if want := floatCell(v); got != want {
				t.Errorf("applications.%s.%s = %q, want %q", row, ApplicationColumns[c], got, want)
			}
		}
	}
	// the 2019 report's Table 2 columns are filled (嵊泗 2020)
	for col, want := range map[string]string{
		"active.penalty.decisions": "496", "active.penalty.prev_items": "6", "active.penalty.change": "0",
		"active.fees.prev_items": "9", "active.procurement.items": "115", "active.procurement.amount": "2773721.02",
		"active.normative_documents.total_published": "2", "active.fees.amount_wan_yuan": "", "active.regulations.issued": "",
	} {
		if got := recs[4][idx[col]]; got != want {
			t.Errorf("2019 %s = %q, want %q", col, got, want)
		}
	}
	if strings.Count(buf.String(), "\r\n") != 7 {
		t.Errorf("want 7 CRLF line ends, got %d", strings.Count(buf.String(), "\r\n"))
	}
}
