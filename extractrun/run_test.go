package extractrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// testdataDir holds the seed reports and their golden files, shared with
// the parser's tests.
const testdataDir = "../extract/testdata"

// seedCase is one seed report stored as a capture.
type seedCase struct {
	file   string // under testdata/text
	url    string
	agency string // the seed list's name for the site
}

var seedCases = []seedCase{
	{"000_058c891ac62dd96d", "http://gaj.changsha.gov.cn/zfxxgk/ndbg/2022/t1.html", "长沙市公安局"},
	{"001_33cbb0de23e7a3a9", "http://gaj.jiyuan.gov.cn/zwgk/ndbg/2022/r.txt", "济源示范区公安局"},
	{"002_c513a80de85e28c5", "http://www.xtx.gov.cn/zwgk/gaj/2025/r.txt", "湘潭县公安局"},
	{"003_5b5855e3c5339d3b", "http://www.shengsi.gov.cn/art/2021/1/26/art_1.html", "嵊泗县公安局"},
	{"004_dda7dad8d758c7d1", "http://gaj.ningbo.gov.cn/art/2022/1/25/art_2.html", "宁波市公安局"},
}

func readTestdata(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{testdataDir}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func openTestArchive(t *testing.T) (*archive.Archive, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, path
}

var t0 = time.Date(2022, 2, 1, 8, 0, 0, 0, time.UTC)

func putCapture(t *testing.T, a *archive.Archive, c *archive.Capture, body []byte) *archive.Capture {
	t.Helper()
	if c.FetchedAt.IsZero() {
		c.FetchedAt = t0
	}
	if c.Status == 0 && c.Error == "" {
		c.Status = 200
	}
	if c.ContentType == "" {
		c.ContentType = "text/plain; charset=utf-8"
	}
	if err := a.Put(c, body, ""); err != nil {
		t.Fatal(err)
	}
	return c
}

// putSeeds stores the five seed texts as report captures and returns them.
func putSeeds(t *testing.T, a *archive.Archive) []*archive.Capture {
	var caps []*archive.Capture
	for i, s := range seedCases {
		caps = append(caps, putCapture(t, a, &archive.Capture{
			URL: s.url, Agency: s.agency, Role: archive.RoleReport,
			FetchedAt: t0.Add(time.Duration(i) * time.Minute),
		}, readTestdata(t, "text", s.file+".txt")))
	}
	return caps
}

// tableJSON is the part of a report the golden files fix cell by cell.
func tableJSON(t *testing.T, r *report.Report) string {
	t.Helper()
	b, err := json.Marshal(struct {
		Year int                      `json:"year"`
		T    report.Template          `json:"template"`
		A    *report.Active           `json:"active"`
		P    *report.Applications     `json:"applications"`
		R    *report.ReviewLitigation `json:"review_litigation"`
		W    []string                 `json:"warnings"`
	}{r.Year, r.Template, r.Active, r.Applications, r.ReviewLitigation, r.Warnings})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func goldenReport(t *testing.T, file string) *report.Report {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal(readTestdata(t, "golden", file+".json"), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func loadStored(t *testing.T, a *archive.Archive, id string) *report.Report {
	t.Helper()
	data, err := a.Report(id)
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("stored report of %s: %v", id, err)
	}
	return &r
}

func TestRunStoresSeedReports(t *testing.T) {
	a, _ := openTestArchive(t)
	caps := putSeeds(t, a)
	// captures Run must not parse, or must report without failing
	putCapture(t, a, &archive.Capture{URL: "http://gaj.ningbo.gov.cn/ndbg/", Role: archive.RoleList, Agency: "宁波市公安局"}, []byte("<html><a href=x>2021年报</a></html>"))
	putCapture(t, a, &archive.Capture{URL: "http://gaj.ningbo.gov.cn/err.html", Role: archive.RoleReport, Error: "timeout after 30s"}, nil)
	putCapture(t, a, &archive.Capture{URL: "http://gaj.ningbo.gov.cn/404.html", Role: archive.RoleReport, Status: 404}, []byte("not found"))
	putCapture(t, a, &archive.Capture{URL: "http://gaj.ningbo.gov.cn/big.pdf", Role: archive.RoleAttachment, Truncated: true}, []byte("%PDF-1.4 truncated"))
	notice := putCapture(t, a, &archive.Capture{URL: "http://gaj.ningbo.gov.cn/notice.html", Role: archive.RoleReport, Agency: "宁波市公安局", ContentType: "text/html; charset=utf-8"},
		[]byte("<html><head><title>关于开展年度报告编制工作的通知</title></head><body><p>各单位：请于1月底前报送。</p></body></html>"))
	empty := putCapture(t, a, &archive.Capture{URL: "http://gaj.ningbo.gov.cn/ndbg/index.html", Role: archive.RoleReport, Agency: "宁波市公安局", ContentType: "text/html; charset=utf-8"},
		[]byte("<html><head><title>政府信息公开年报</title></head><body><h1>政府信息公开年报</h1><p>本栏目暂无内容，敬请关注。</p></body></html>"))
	bin := putCapture(t, a, &archive.Capture{URL: "http://gaj.ningbo.gov.cn/scan.bin", Role: archive.RoleAttachment, ContentType: "application/octet-stream"},
		[]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0x01})

	var got []*report.Report
	sum, err := Run(context.Background(), a, RunOptions{OnReport: func(r *report.Report) { got = append(got, r) }, ProgressEvery: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Candidates != 8 || sum.Parsed != 5 || sum.NewReports != 5 || sum.Unchanged != 0 || sum.WithFailedRules != 0 || sum.Warnings != 0 {
		t.Errorf("summary = %+v", sum)
	}
	if sum.ByTemplate["2021"] != 4 || sum.ByTemplate["2019"] != 1 || len(sum.ByTemplate) != 2 {
		t.Errorf("by template = %v", sum.ByTemplate)
	}
	if len(sum.NotReports) != 2 || sum.NotReports[0].CaptureID != notice.ID || sum.NotReports[0].URL != notice.URL ||
		sum.NotReports[1].CaptureID != empty.ID || !strings.Contains(sum.NotReports[1].Reason, "no report year") {
		t.Errorf("not reports = %+v", sum.NotReports)
	}
	if len(sum.Failed) != 1 || sum.Failed[0].CaptureID != bin.ID || !strings.Contains(sum.Failed[0].Reason, "unsupported") {
		t.Errorf("failed = %+v", sum.Failed)
	}
	if len(got) != 5 {
		t.Fatalf("OnReport called %d times, want 5", len(got))
	}

	wantAgency := map[string]string{
		"000_058c891ac62dd96d": "长沙市公安局",
		"001_33cbb0de23e7a3a9": "济源示范区公安局", // the document says only 公安局
		"002_c513a80de85e28c5": "湘潭县公安局",
		"003_5b5855e3c5339d3b": "嵊泗县公安局",
		"004_dda7dad8d758c7d1": "宁波市公安局",
	}
	for i, s := range seedCases {
		t.Run(s.file, func(t *testing.T) {
			c := caps[i]
			r := loadStored(t, a, c.ID)
			g := goldenReport(t, s.file)
			if tableJSON(t, r) != tableJSON(t, g) {
				t.Errorf("stored tables differ from golden:\n got %s\nwant %s", tableJSON(t, r), tableJSON(t, g))
			}
			if r.Agency != wantAgency[s.file] {
				t.Errorf("agency = %q, want %q", r.Agency, wantAgency[s.file])
			}
			if r.Source.URL != c.URL || r.Source.CaptureID != c.ID || r.Source.Digest != c.Digest ||
				r.Source.FetchedAt != c.FetchedAt.Format(time.RFC3339) || r.Source.File != filepath.Base(c.URL) {
				t.Errorf("source = %+v, capture %+v", r.Source, c)
			}
			if len(r.Checks) != len(g.Checks) {
				t.Errorf("%d checks, golden has %d", len(r.Checks), len(g.Checks))
			}
			if got[i].Source.CaptureID != c.ID {
				t.Errorf("OnReport order: %d is capture %s, want %s", i, got[i].Source.CaptureID, c.ID)
			}
		})
	}
	// exact spot check: 宁波 2021 new_received.total, 长沙 granted
	nb := loadStored(t, a, caps[4].ID)
	if v := nb.Applications.Rows["new_received"][6]; v == nil || *v != 42 {
		t.Errorf("宁波 2021 new_received.total = %v, want 42", v)
	}
	if v := nb.Active.NormativeDocuments.InForce; v == nil || v.Blank || v.Value != 25 {
		t.Errorf("宁波 2021 normative_documents.in_force = %+v, want 25", v)
	}

	// second run: nothing new to parse; the two not-reports are known as
	// such from the first run's extraction marks and not parsed again
	sum2, err := Run(context.Background(), a, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Parsed != 0 || sum2.Unchanged != 5 || sum2.NewReports != 0 || sum2.CrossUpdated != 0 || len(sum2.NotReports) != 0 || sum2.KnownNotReports != 2 || len(sum2.Failed) != 1 {
		t.Errorf("second run summary = %+v", sum2)
	}

	// a revisit of 宁波 (304, same digest) is not parsed again ...
	rv := putCapture(t, a, &archive.Capture{URL: caps[4].URL, Role: archive.RoleReport, Agency: "宁波市公安局", Status: 304, Revisit: true, Digest: caps[4].Digest, FetchedAt: t0.Add(24 * time.Hour)}, nil)
	sum3, err := Run(context.Background(), a, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum3.Parsed != 0 || sum3.Unchanged != 5 {
		t.Errorf("run after revisit = %+v", sum3)
	}
	// ... unless All: then every version is parsed, the revisit from the
	// payload it revisited
	sum4, err := Run(context.Background(), a, RunOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum4.Parsed != 6 || sum4.NewReports != 1 || sum4.Unchanged != 0 {
		t.Errorf("-all run = %+v", sum4)
	}
	r := loadStored(t, a, rv.ID)
	if r.Source.CaptureID != rv.ID || r.Source.Digest != caps[4].Digest || tableJSON(t, r) != tableJSON(t, nb) {
		t.Errorf("revisit report source %+v; tables equal: %v", r.Source, tableJSON(t, r) == tableJSON(t, nb))
	}

	// LoadReports: latest per URL (the revisit replaces the first 宁波 capture)
	cur, err := LoadReports(a, false)
	if err != nil {
		t.Fatal(err)
	}
	allReps, err := LoadReports(a, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != 5 || len(allReps) != 6 {
		t.Fatalf("LoadReports = %d current, %d all; want 5, 6", len(cur), len(allReps))
	}
	for _, r := range cur {
		if r.Source.URL == caps[4].URL && r.Source.CaptureID != rv.ID {
			t.Errorf("current 宁波 report is capture %s, want the revisit %s", r.Source.CaptureID, rv.ID)
		}
	}
	// EachReport streams the same reports in the same order.
	for _, tc := range []struct {
		all  bool
		want []*report.Report
	}{{false, cur}, {true, allReps}} {
		var got []*report.Report
		n, err := EachReport(a, tc.all, func(r *report.Report) error { got = append(got, r); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if n != len(tc.want) || len(got) != len(tc.want) {
			t.Fatalf("EachReport(all=%v) gave %d (counted %d), LoadReports %d", tc.all, len(got), n, len(tc.want))
		}
		for i := range got {
			if got[i].Source.CaptureID != tc.want[i].Source.CaptureID || tableJSON(t, got[i]) != tableJSON(t, tc.want[i]) {
				t.Errorf("EachReport(all=%v)[%d] = capture %s, LoadReports has %s", tc.all, i, got[i].Source.CaptureID, tc.want[i].Source.CaptureID)
			}
		}
	}
}

// ningbo2022 is the 宁波 2021 seed turned into a 2022 report: its
// carried_over (5 natural_person, 5 total) does not match 2021's
// carried_forward (all 0), and normative_documents.in_force stays 25 while
// 2022 issued 1.
func ningbo2022(t *testing.T) []byte {
	return bytes.ReplaceAll(readTestdata(t, "text", "004_dda7dad8d758c7d1.txt"), []byte("2021"), []byte("2022"))
}

func crossChecks(r *report.Report) map[string]report.Check {
	out := map[string]report.Check{}
	for _, c := range r.Checks {
		if strings.HasPrefix(c.Rule, "cross.") {
			key := c.Rule + " " + c.Cells[0]
			out[key] = c
		}
	}
	return out
}

func TestRunCrossYear(t *testing.T) {
	for _, tc := range []struct {
		name      string
		newerLast bool // store 2022 in a later run than 2021 (else 2021 arrives last)
	}{
		{"previous year stored before", true},
		{"previous year arrives after", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := openTestArchive(t)
			y21 := &archive.Capture{URL: "http://gaj.ningbo.gov.cn/art/2022/1/25/art_2.html", Role: archive.RoleReport, Agency: "宁波市公安局"}
			y22 := &archive.Capture{URL: "http://gaj.ningbo.gov.cn/art/2023/1/20/art_9.html", Role: archive.RoleReport, Agency: "宁波 市公安局", FetchedAt: t0.Add(time.Hour)}
			first, second := y21, y22
			fb, sb := readTestdata(t, "text", "004_dda7dad8d758c7d1.txt"), ningbo2022(t)
			if !tc.newerLast {
				first, second, fb, sb = y22, y21, sb, fb
			}
			putCapture(t, a, first, fb)
			if _, err := Run(context.Background(), a, RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if n := len(crossChecks(loadStored(t, a, first.ID))); n != 0 {
				t.Fatalf("%d cross checks with one year stored", n)
			}
			putCapture(t, a, second, sb)
			var emitted []*report.Report
			sum, err := Run(context.Background(), a, RunOptions{OnReport: func(r *report.Report) { emitted = append(emitted, r) }})
			if err != nil {
				t.Fatal(err)
			}
			wantUpdated := 0
			if !tc.newerLast {
				wantUpdated = 1 // the stored 2022 report gets its checks now
			}
			if sum.Parsed != 1 || sum.Unchanged != 1 || sum.CrossUpdated != wantUpdated {
				t.Errorf("summary = %+v", sum)
			}
			r22 := loadStored(t, a, y22.ID)
			if r22.Year != 2022 {
				t.Fatalf("2022 report year = %d", r22.Year)
			}
			cc := crossChecks(r22)
			if len(cc) != 9 {
				t.Errorf("%d cross checks, want 7 cross.carried + 2 cross.in_force: %v", len(cc), cc)
			}
			for _, w := range []struct {
				key       string
				ok        bool
				sev       report.Severity
				exp, actl float64
			}{
				{"cross.carried carried_over.natural_person", false, report.SeverityError, 0, 5},
				{"cross.carried carried_over.total", false, report.SeverityError, 0, 5},
				{"cross.carried carried_over.commercial", true, report.SeverityError, 0, 0},
				{"cross.in_force normative_documents.in_force", false, report.SeverityWarning, 26, 25},
				{"cross.in_force regulations.in_force", true, report.SeverityWarning, 0, 0},
			} {
				c, ok := cc[w.key]
				if !ok {
					t.Errorf("no check %s", w.key)
					continue
				}
				if c.OK != w.ok || c.Severity != w.sev || c.Expected == nil || *c.Expected != w.exp || c.Actual == nil || *c.Actual != w.actl {
					t.Errorf("%s = %+v (expected %v actual %v), want ok=%v %v/%v", w.key, c, fval(c.Expected), fval(c.Actual), w.ok, w.exp, w.actl)
				}
			}
			if n := len(crossChecks(loadStored(t, a, y21.ID))); n != 0 {
				t.Errorf("2021 report has %d cross checks (no 2020 stored)", n)
			}
			if tc.newerLast {
				if len(emitted) != 1 || len(crossChecks(emitted[0])) != 9 {
					t.Errorf("OnReport got %d reports, first without its cross checks", len(emitted))
				}
				if sum.WithFailedRules != 1 {
					t.Errorf("with failed rules = %d, want 1 (the cross checks)", sum.WithFailedRules)
				}
			}
			// a third run changes nothing
			sum3, err := Run(context.Background(), a, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if sum3.Parsed != 0 || sum3.CrossUpdated != 0 || sum3.Unchanged != 2 {
				t.Errorf("third run = %+v", sum3)
			}
			if len(crossChecks(loadStored(t, a, y22.ID))) != 9 {
				t.Error("cross checks lost on the third run")
			}
		})
	}
}

func fval(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestRunCancelled(t *testing.T) {
	a, _ := openTestArchive(t)
	putSeeds(t, a)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	sum, err := Run(ctx, a, RunOptions{OnReport: func(*report.Report) { n++ }, Only: nil, ProgressEvery: 1, Logger: nil})
	cancel()
	if err != nil || sum.Parsed != 5 {
		t.Fatalf("uncancelled run: %v %+v", err, sum)
	}
	a2, _ := openTestArchive(t)
	putSeeds(t, a2)
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	sum2, err := Run(ctx2, a2, RunOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run error = %v", err)
	}
	if sum2.Parsed != 0 {
		t.Errorf("cancelled run parsed %d", sum2.Parsed)
	}
}

func TestRunOnly(t *testing.T) {
	a, _ := openTestArchive(t)
	caps := putSeeds(t, a)
	sum, err := Run(context.Background(), a, RunOptions{Only: []string{caps[1].ID, caps[3].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Candidates != 2 || sum.Parsed != 2 || sum.ByTemplate["2019"] != 1 {
		t.Errorf("summary = %+v", sum)
	}
	reps, err := LoadReports(a, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 {
		t.Errorf("%d stored reports, want 2", len(reps))
	}
}

func TestUsable(t *testing.T) {
	s := "2021-01-26"
	for _, tc := range []struct {
		name string
		r    report.Report
		ok   bool
	}{
		{"template report", report.Report{Template: report.Template2021, Year: 2021}, true},
		{"tables as images", report.Report{Template: report.TemplateUnknown, Year: 2021}, true},
		{"year from the caller only", report.Report{Template: report.TemplateUnknown, Year: 2020, Published: &s}, true},
		{"a table but no year", report.Report{Template: report.TemplateUnknown, Applications: &report.Applications{}}, true},
		{"nothing", report.Report{Template: report.TemplateUnknown, Title: "政府信息公开年报"}, false},
	} {
		err := extract.Usable(&tc.r)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, extract.ErrNotReport)) {
			t.Errorf("%s: Usable = %v", tc.name, err)
		}
	}
}

func TestPreferAgency(t *testing.T) {
	for _, tc := range []struct{ parsed, known, want string }{
		{"", "宁波市公安局", "宁波市公安局"},
		{"宁波市公安局", "", "宁波市公安局"},
		{"公安局", "济源示范区公安局", "济源示范区公安局"},
		{"湘潭县人民政府", "湘潭县公安局", "湘潭县人民政府"},
		{"宁波市公安局", "宁波市公安局", "宁波市公安局"},
	} {
		if got := report.PreferAgency(tc.parsed, tc.known); got != tc.want {
			t.Errorf("PreferAgency(%q, %q) = %q, want %q", tc.parsed, tc.known, got, tc.want)
		}
	}
}

func TestCaptureName(t *testing.T) {
	for _, tc := range []struct {
		c    archive.Capture
		want string
	}{
		{archive.Capture{URL: "http://a.gov.cn/x/2022.pdf"}, "2022.pdf"},
		{archive.Capture{URL: "http://a.gov.cn/dl?id=3", FinalURL: "http://a.gov.cn/files/r.docx"}, "r.docx"},
		{archive.Capture{URL: "http://a.gov.cn/ndbg/"}, "index.html"},
		{archive.Capture{URL: "http://a.gov.cn"}, "index.html"},
	} {
		if got := CaptureName(&tc.c); got != tc.want {
			t.Errorf("CaptureName(%s) = %q, want %q", tc.c.URL, got, tc.want)
		}
	}
}

func TestNormAgency(t *testing.T) {
	if report.NormAgency(" 宁波 市公安局\t") != "宁波市公安局" || report.NormAgency("ＡＢ局") != "AB局" {
		t.Errorf("NormAgency: %q %q", report.NormAgency(" 宁波 市公安局\t"), report.NormAgency("ＡＢ局"))
	}
}

// cancelHandler is a slog handler that cancels a context at the n-th
// progress line, and counts the progress lines.
type cancelHandler struct {
	slog.Handler
	n      int
	seen   *int
	cancel context.CancelFunc
}

func (h cancelHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "extract progress" {
		*h.seen++
		if *h.seen == h.n && h.cancel != nil {
			h.cancel()
		}
	}
	return nil
}

func TestRunProgressAndCancelBetweenCaptures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		every    int
		cancelAt int // progress line at which to cancel; 0 never
		parsed   int
		lines    int
	}{
		{"progress every 2", 2, 0, 5, 2},
		{"progress every 1", 1, 0, 5, 5},
		{"cancel after 2", 1, 2, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := openTestArchive(t)
			putSeeds(t, a)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			seen := 0
			h := cancelHandler{Handler: slog.NewTextHandler(io.Discard, nil), n: tc.cancelAt, seen: &seen}
			if tc.cancelAt > 0 {
				h.cancel = cancel
			}
			sum, err := Run(ctx, a, RunOptions{Logger: slog.New(h), ProgressEvery: tc.every, Workers: 1})
			if tc.cancelAt > 0 != errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v", err)
			}
			// one capture may be in flight when the cancel comes
			slack := 0
			if tc.cancelAt > 0 {
				slack = 1
			}
			if sum.Parsed < tc.parsed || sum.Parsed > tc.parsed+slack || seen != sum.Parsed/tc.every || (slack == 0 && seen != tc.lines) {
				t.Errorf("parsed %d with %d progress lines, want %d and %d", sum.Parsed, seen, tc.parsed, tc.lines)
			}
			reps, err := LoadReports(a, true)
			if err != nil || len(reps) != sum.Parsed {
				t.Errorf("%d reports stored (%v), want %d", len(reps), err, sum.Parsed)
			}
		})
	}
}

// TestStoredReportRoundTrip: a stored report read back and stored again
// (as the cross-year pass does) is byte for byte what the parser wrote.
func TestStoredReportRoundTrip(t *testing.T) {
	for _, s := range seedCases {
		g := readTestdata(t, "golden", s.file+".json")
		var r report.Report
		if err := json.Unmarshal(g, &r); err != nil {
			t.Fatal(err)
		}
		b, err := report.MarshalReport(&r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bytes.TrimSpace(b), bytes.TrimSpace(g)) {
			t.Errorf("%s: re-encoded report differs from the golden file", s.file)
		}
	}
}

// BenchmarkRun measures archive mode over the five seeds as text and as
// HTML, each under five URLs (50 reports per run, every one re-parsed and
// stored).
func BenchmarkRun(b *testing.B) {
	a, err := archive.Open(filepath.Join(b.TempDir(), "a.db"), archive.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	for _, s := range seedCases {
		for _, f := range []struct{ dir, ext, ct string }{{"text", ".txt", "text/plain"}, {"html", ".html", "text/html"}} {
			body, err := os.ReadFile(filepath.Join(testdataDir, f.dir, s.file+f.ext))
			if err != nil {
				b.Fatal(err)
			}
			for copy := 0; copy < 5; copy++ {
				c := &archive.Capture{URL: fmt.Sprintf("%s.%d%s", s.url, copy, f.ext), Agency: s.agency, Role: archive.RoleReport, Status: 200, ContentType: f.ct}
				if err := a.Put(c, body, ""); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		sum, err := Run(context.Background(), a, RunOptions{All: true})
		if err != nil || sum.Parsed != 50 {
			b.Fatalf("run: %v %+v", err, sum)
		}
		n += sum.Parsed
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
}

// TestRunReadOnlyArchive: a report that cannot be stored fails the run
// with an error naming the capture, instead of being dropped silently.
func TestRunReadOnlyArchive(t *testing.T) {
	a, path := openTestArchive(t)
	putSeeds(t, a)
	a.Close()
	ro, err := archive.Open(path, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	sum, err := Run(context.Background(), ro, RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "put report of capture") {
		t.Fatalf("err = %v", err)
	}
	if sum == nil || sum.Candidates != 5 {
		t.Errorf("summary = %+v", sum)
	}
}

// TestRunHostilePayloads stores misbehaving payloads as report captures:
// Run never panics or fails the run for them; each is a failure or a
// non-report with a reason, and the one real report among them is stored.
func TestRunHostilePayloads(t *testing.T) {
	a, _ := openTestArchive(t)
	nested := strings.Repeat("<div><table><tr><td>", 5000) + "年度报告" + strings.Repeat("</td></tr></table></div>", 5000)
	garbage := make([]byte, 3<<20)
	for i := range garbage {
		garbage[i] = byte(i*7919 + i>>3)
	}
	for _, p := range []struct {
		url, ct string
		body    []byte
	}{
		{"http://h.gov.cn/binary.html", "text/html", []byte("\x00\x01\x02\xff\xfe\x00PK\x03\x04 not html \x00\x00")},
		{"http://h.gov.cn/garbage.html", "text/html; charset=utf-8", garbage},
		{"http://h.gov.cn/nested.html", "text/html", []byte("<html><body>" + nested + "</body></html>")},
		{"http://h.gov.cn/fake.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj << /Length 999999 >> stream\nxx")},
		{"http://h.gov.cn/fake.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04\x14\x00broken zip")},
		{"http://h.gov.cn/gbk.html", "text/html; charset=gbk", []byte("<html><body>\xc4\xea\xb1\xa8\xff\xff</body></html>")},
		{"http://h.gov.cn/spaces.txt", "text/plain", []byte(strings.Repeat(" \n\t", 100000))},
	} {
		putCapture(t, a, &archive.Capture{URL: p.url, Role: archive.RoleReport, Agency: "某局", ContentType: p.ct}, p.body)
	}
	real := putCapture(t, a, &archive.Capture{URL: "http://h.gov.cn/r.txt", Role: archive.RoleAttachment, Agency: "宁波市公安局"}, readTestdata(t, "text", "004_dda7dad8d758c7d1.txt"))
	start := time.Now()
	sum, err := Run(context.Background(), a, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 60*time.Second {
		t.Errorf("hostile payloads took %s", time.Since(start))
	}
	if sum.Parsed+len(sum.Failed)+len(sum.NotReports) != 8 {
		t.Errorf("summary = %+v", sum)
	}
	for _, f := range append(sum.Failed, sum.NotReports...) {
		if f.Reason == "" || f.URL == "" || f.CaptureID == "" {
			t.Errorf("failure without reason: %+v", f)
		}
		if strings.Contains(f.Reason, "goroutine ") {
			t.Errorf("%s: a panic reached the summary: %s", f.URL, f.Reason)
		}
	}
	if _, err := a.Report(real.ID); err != nil {
		t.Errorf("the real report among hostile payloads was not stored: %v", err)
	}
	t.Logf("parsed %d, failed %+v, not reports %+v", sum.Parsed, sum.Failed, sum.NotReports)
}
