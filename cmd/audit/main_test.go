package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

const seedText = `http://gaj.a.gov.cn/ 甲市公安局 department
http://www.b.gov.cn/ 乙县人民政府 government
`

// setup writes a seeds file and an archive holding: 甲市公安局 2021 on time
// (one failed error check) with a later repost, 2022 late by 3 days; 乙县人民政府
// 2021 undated. Everything else in 2020-2023 is missing or not due.
func setup(t *testing.T) (db, seedsPath string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "a.db")
	seedsPath = filepath.Join(dir, "seeds.txt")
	if err := os.WriteFile(seedsPath, []byte(seedText), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(db, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, f := range []struct {
		url, crawl, fetched, agency string
		year                        int
		published                   string
		checks                      []report.Check
	}{
		{"http://gaj.a.gov.cn/2021.html", "甲市公安局", "2022-01-25T02:00:00Z", "甲市公安局", 2021, "2022-01-24",
			[]report.Check{{Rule: "T3.balance", OK: false, Severity: "error"}, {Rule: "cross.in_force", OK: false, Severity: "warning"}}},
		{"http://gaj.a.gov.cn/zt/2021.html", "甲市公安局", "2022-02-25T02:00:00Z", "公安局", 2021, "2022-02-20", nil},
		{"http://gaj.a.gov.cn/2022.html", "甲市公安局", "2023-02-05T02:00:00Z", "甲市公安局", 2022, "2023-02-03", nil},
		{"http://www.b.gov.cn/2021.html", "乙县人民政府", "2022-04-02T17:00:00Z", "乙县人民政府", 2021, "", nil},
	} {
		c := &archive.Capture{URL: f.url, FetchedAt: mustParse(t, f.fetched), Status: 200, Agency: f.crawl, Role: archive.RoleReport}
		if err := a.Put(c, []byte("page "+f.url), ""); err != nil {
			t.Fatal(err)
		}
		r := report.Report{Source: report.Source{URL: f.url, CaptureID: c.ID, FetchedAt: f.fetched}, Agency: f.agency, Year: f.year, Checks: f.checks}
		if f.published != "" {
			p := f.published
			r.Published = &p
		}
		data, _ := json.Marshal(r)
		if err := a.PutReport(c.ID, data); err != nil {
			t.Fatal(err)
		}
	}
	return db, seedsPath
}

func mustParse(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestJSON(t *testing.T) {
	db, sp := setup(t)
	var out, errb bytes.Buffer
	code := run([]string{"-db", db, "-seeds", sp, "-from", "2020", "-to", "2023", "-asof", "2024-02-15", "-json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 8 {
		t.Fatalf("got %d lines, want 8 (2 agencies × 4 years):\n%s", len(lines), out.String())
	}
	type row struct {
		status, deadline, published, firstSeen, url string
		daysLate, failed, copies                    int
	}
	want := map[string]row{
		"甲市公安局 2020":  {"missing", "2021-01-31", "", "", "", 0, 0, 0},
		"甲市公安局 2021":  {"on_time", "2022-01-31", "2022-01-24", "2022-01-25", "http://gaj.a.gov.cn/2021.html", 0, 1, 1},
		"甲市公安局 2022":  {"late", "2023-01-31", "2023-02-03", "2023-02-05", "http://gaj.a.gov.cn/2022.html", 3, 0, 0},
		"甲市公安局 2023":  {"missing", "2024-01-31", "", "", "", 0, 0, 0},
		"乙县人民政府 2020": {"missing", "2021-03-31", "", "", "", 0, 0, 0},
		"乙县人民政府 2021": {"undated", "2022-03-31", "", "2022-04-03", "http://www.b.gov.cn/2021.html", 0, 0, 0},
		"乙县人民政府 2022": {"missing", "2023-03-31", "", "", "", 0, 0, 0},
		"乙县人民政府 2023": {"not_due", "2024-03-31", "", "", "", 0, 0, 0},
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		for _, k := range []string{"agency", "level", "year", "status", "deadline", "published", "first_seen", "days_late", "url", "capture_id", "failed_checks", "copies"} {
			if _, ok := m[k]; !ok {
				t.Errorf("field %q missing from %s", k, l)
			}
		}
		var e struct {
			Agency, Level, Status, Deadline, URL string
			Year                                 int
			Published                            *string
			FirstSeen                            *string `json:"first_seen"`
			DaysLate                             int     `json:"days_late"`
			FailedChecks                         int     `json:"failed_checks"`
			Copies                               []struct{ URL string }
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		k := fmt.Sprint(e.Agency, " ", e.Year)
		w, ok := want[k]
		if !ok {
			t.Errorf("unexpected entry %s", l)
			continue
		}
		got := row{e.Status, e.Deadline, opt(e.Published), opt(e.FirstSeen), e.URL, e.DaysLate, e.FailedChecks, len(e.Copies)}
		if got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", k, got, w)
		}
		delete(want, k)
	}
	if len(want) != 0 {
		t.Errorf("entries not printed: %v", want)
	}
}

func TestFailOnAndCSV(t *testing.T) {
	db, sp := setup(t)
	csvPath := filepath.Join(t.TempDir(), "out.csv")
	var out, errb bytes.Buffer
	code := run([]string{"-db", db, "-seeds", sp, "-from", "2020", "-to", "2023", "-asof", "2024-02-15", "-fail-on", "missing", "-csv", csvPath}, &out, &errb)
	if code != 3 {
		t.Fatalf("-fail-on missing: exit %d, want 3: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "total 8: on_time 1, late 1, undated 1, missing 4, not_due 1") {
		t.Errorf("table printed before exiting 3 lacks the totals line:\n%s", out.String())
	}
	if !strings.Contains(errb.String(), "甲市公安局 2020 missing") {
		t.Errorf("stderr does not name the failing entries: %s", errb.String())
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "agency,level,year,status,deadline,published,dated_by,first_seen,days_late,url,capture_id,failed_checks,failed_warnings,copies" {
		t.Errorf("csv header = %v", recs[0])
	}
	if len(recs) != 9 || strings.Join(recs[3], ",") != "甲市公安局,department,2022,late,2023-01-31,2023-02-03,,2023-02-05,3,http://gaj.a.gov.cn/2022.html,3,0,0," {
		t.Errorf("csv has %d records; row 3 = %v", len(recs), recs[3])
	}
	if strings.Join(recs[2], ",") != "甲市公安局,department,2021,on_time,2022-01-31,2022-01-24,,2022-01-25,0,http://gaj.a.gov.cn/2021.html,1,1,1,http://gaj.a.gov.cn/zt/2021.html" {
		t.Errorf("csv row 2 = %v", recs[2])
	}

	// Statuses not present do not fail; several statuses may be listed.
	for _, tc := range []struct {
		failOn string
		want   int
	}{{"not_due", 0}, {"late", 0}, {"on_time", 3}, {"undated, not_due", 3}} {
		out.Reset()
		errb.Reset()
		args := []string{"-db", db, "-seeds", sp, "-from", "2021", "-to", "2021", "-asof", "2024-02-15", "-fail-on", tc.failOn}
		if code := run(args, &out, &errb); code != tc.want {
			t.Errorf("-fail-on %q over 2021: exit %d, want %d (%s)", tc.failOn, code, tc.want, errb.String())
		}
	}
}

func TestTable(t *testing.T) {
	db, sp := setup(t)
	var out, errb bytes.Buffer
	if code := run([]string{"-db", db, "-seeds", sp, "-from", "2021", "-to", "2022", "-asof", "2023-03-01"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("want header + 4 rows + totals, got:\n%s", out.String())
	}
	// Columns after AGENCY start at the same display column on every row.
	col := -1
	for _, l := range lines[:5] {
		i := strings.Index(l, "  ")
		rest := strings.TrimLeft(l[i:], " ")
		c := displayWidth(l[:len(l)-len(rest)])
		if col >= 0 && c != col {
			t.Errorf("LEVEL column at %d, want %d: %q", c, col, l)
		}
		col = c
	}
	if !strings.Contains(lines[2], "late") || !strings.Contains(lines[2], "3d") || !strings.Contains(lines[1], "+1") {
		t.Errorf("rows:\n%s", out.String())
	}
	if lines[5] != "total 4: on_time 1, late 1, undated 1, missing 0, not_due 1" {
		t.Errorf("totals line %q", lines[5])
	}
	golden(t, "table.golden", out.Bytes())
}

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestJSONGolden(t *testing.T) {
	db, sp := setup(t)
	var out, errb bytes.Buffer
	if code := run([]string{"-db", db, "-seeds", sp, "-from", "2021", "-to", "2022", "-asof", "2023-03-01", "-json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	golden(t, "audit.jsonl.golden", out.Bytes())
}

func TestErrors(t *testing.T) {
	db, sp := setup(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no -from", []string{"-db", db, "-seeds", sp}, 1, "-from YEAR is required"},
		{"from after to", []string{"-db", db, "-seeds", sp, "-from", "2022", "-to", "2021"}, 1, "is after -to"},
		{"silly year", []string{"-db", db, "-seeds", sp, "-from", "21"}, 1, "years must be between"},
		{"bad asof", []string{"-db", db, "-seeds", sp, "-from", "2021", "-asof", "2024-13-01"}, 1, "want a date"},
		{"unknown status", []string{"-db", db, "-seeds", sp, "-from", "2021", "-fail-on", "missing,lost"}, 1, `unknown status "lost"`},
		{"bad flag", []string{"-nope"}, 1, "flag provided but not defined"},
		{"missing archive", []string{"-db", filepath.Join(t.TempDir(), "none.db"), "-seeds", sp, "-from", "2021"}, 2, "no such file"},
		{"missing seeds", []string{"-db", db, "-seeds", filepath.Join(t.TempDir(), "none.txt"), "-from", "2021"}, 2, "read seeds"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%s: exit %d (want %d), stderr %q (want %q)", tc.name, code, tc.code, errb.String(), tc.msg)
		}
	}
}

func TestArchiveInUse(t *testing.T) {
	db, sp := setup(t)
	w, err := archive.Open(db, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var out, errb bytes.Buffer
	code := run([]string{"-db", db, "-seeds", sp, "-from", "2021", "-wait", "100ms"}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "archive is held by another process (crawl or serve); rerun with -wait") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "宁波市公安局": 12, "２０２１年": 10, "2021年": 6, "ｶﾀ": 2, "　": 2} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}
