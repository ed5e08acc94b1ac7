package audit

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

// fixture is one archived report: a capture of url made for crawlAgency at
// fetched, and (unless noReport) the extracted report stored for it.
type fixture struct {
	url         string
	crawlAgency string
	fetched     string // RFC 3339
	status      int    // 0 → 200
	fetchErr    string
	agency      string // the report's own agency
	year        int
	published   string // "" → null
	checks      []report.Check
	noReport    bool
	from        string // the capture's DiscoveredFrom
	tables      bool   // the report has Table 3
	datedBy     string // the report's dated_by
	sourceURL   string // the report's source.url when not url ("-": empty)
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// build writes the fixtures into a new archive and returns it open.
func build(t *testing.T, fx []fixture) *archive.Archive {
	t.Helper()
	a, err := archive.Open(filepath.Join(t.TempDir(), "a.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	for i, f := range fx {
		status := f.status
		if status == 0 {
			status = 200
		}
		c := &archive.Capture{URL: f.url, FinalURL: f.url, FetchedAt: mustTime(t, f.fetched), Status: status,
			Agency: f.crawlAgency, Role: archive.RoleReport, Error: f.fetchErr, ContentType: "text/html", DiscoveredFrom: f.from}
		var body []byte
		if f.fetchErr == "" {
			body = []byte(f.url + " body " + string(rune('a'+i)))
		}
		if err := a.Put(c, body, ""); err != nil {
			t.Fatal(err)
		}
		if f.noReport {
			continue
		}
		src := f.url
		switch f.sourceURL {
		case "":
		case "-":
			src = ""
		default:
			src = f.sourceURL
		}
		r := report.Report{
			Source: report.Source{URL: src, CaptureID: c.ID, Digest: c.Digest, FetchedAt: f.fetched},
			Agency: f.agency, Year: f.year, Template: report.TemplateUnknown, Checks: f.checks,
			ExtraTables: []report.ExtraTable{}, Warnings: []string{},
		}
		if f.published != "" {
			p := f.published
			r.Published = &p
		}
		r.DatedBy = f.datedBy
		if f.tables {
			r.Template = report.Template2021
			r.Applications = &report.Applications{Columns: []string{"natural_person"}, Rows: map[string][]*float64{}}
		}
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.PutReport(c.ID, data); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func agencies(t *testing.T, text string) []seeds.Agency {
	t.Helper()
	list, err := seeds.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func str(s string) *string { return &s }

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

const cs = "长沙市公安局"

// want is what one entry must hold; empty strings and nil slices are
// checked too (an empty URL must really be empty).
type want struct {
	status    string
	deadline  string
	published *string
	datedBy   string
	firstSeen *string
	daysLate  int
	url       string
	failed    int
	warnings  int
	copies    []string // URLs
}

func check(t *testing.T, e Entry, w want) {
	t.Helper()
	if e.Status != w.status || e.Deadline != w.deadline || deref(e.Published) != deref(w.published) ||
		deref(e.FirstSeen) != deref(w.firstSeen) || e.DaysLate != w.daysLate || e.URL != w.url ||
		e.FailedChecks != w.failed || e.FailedWarnings != w.warnings || e.DatedBy != w.datedBy {
		t.Errorf("%s %d: got status=%s deadline=%s published=%s first_seen=%s days_late=%d url=%q failed=%d warnings=%d\n"+
			"want status=%s deadline=%s published=%s first_seen=%s days_late=%d url=%q failed=%d warnings=%d",
			e.Agency, e.Year, e.Status, e.Deadline, deref(e.Published), deref(e.FirstSeen), e.DaysLate, e.URL, e.FailedChecks, e.FailedWarnings,
			w.status, w.deadline, deref(w.published), deref(w.firstSeen), w.daysLate, w.url, w.failed, w.warnings)
	}
	if e.Copies == nil {
		t.Errorf("%s %d: Copies is nil, want a (possibly empty) slice", e.Agency, e.Year)
	}
	var got []string
	for _, c := range e.Copies {
		got = append(got, c.URL)
	}
	if strings.Join(got, " ") != strings.Join(w.copies, " ") {
		t.Errorf("%s %d: copies %v, want %v", e.Agency, e.Year, got, w.copies)
	}
	if w.url != "" && e.CaptureID == "" {
		t.Errorf("%s %d: no capture id for %s", e.Agency, e.Year, e.URL)
	}
}

func TestDeadline(t *testing.T) {
	for _, tc := range []struct {
		level string
		year  int
		want  string
	}{
		{seeds.Department, 2021, "2022-01-31"},
		{seeds.Government, 2021, "2022-03-31"},
		{seeds.Department, 2019, "2020-01-31"},
		{seeds.Government, 2019, "2020-03-31"},
		{seeds.Department, 2018, "2019-03-31"},
		{seeds.Government, 2018, "2019-03-31"},
		{seeds.Department, 2008, "2009-03-31"},
		{"", 2022, "2023-01-31"},
	} {
		if got := Deadline(tc.level, tc.year).Format("2006-01-02"); got != tc.want {
			t.Errorf("Deadline(%q, %d) = %s, want %s", tc.level, tc.year, got, tc.want)
		}
	}
}

func TestNormalizeAndShortForm(t *testing.T) {
	for in, want := range map[string]string{
		" 长沙市 公安局\u3000": "长沙市公安局",
		"长沙市公安局\u200b":   "长沙市公安局",
		"ＡＢＣ１２３局":        "ABC123局",
		"":               "",
	} {
		if got := report.NormAgency(in); got != want {
			t.Errorf("report.NormAgency(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tc := range []struct {
		short, full string
		want        bool
	}{
		{"公安局", "长沙市公安局", true},
		{"长沙公安局", "长沙市公安局", true},
		{"湖南省长沙市公安局", "长沙市公安局", true},
		{"湘潭市公安局", "湘潭县公安局", false},
		{"湘潭县教育局", "湘潭县公安局", false},
		{"公安", "长沙市公安局", false},
		{"局公安", "长沙市公安局", false},
		{"", "长沙市公安局", false},
	} {
		if got := shortFormOf(tc.short, tc.full); got != tc.want {
			t.Errorf("shortFormOf(%q, %q) = %v, want %v", tc.short, tc.full, got, tc.want)
		}
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"济源市公安局", "济源示范区公安局", true},
		{"吴江市公安局", "吴江区公安局", true},
		{"公安局", "长沙市公安局", true},
		{"湘潭县教育局", "湘潭县公安局", false},
		{"北京市公安局", "长沙市公安局", false},
		{"长沙市", "长沙市公安局", false},
		{"长沙市市场监督管理局", "长沙县市场监督管理局", true},
	} {
		if got := sameOrgan(tc.a, tc.b); got != tc.want {
			t.Errorf("sameOrgan(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestFirstSeenCaptureOrder: first_seen is the earliest successful capture
// of the URL whatever order the captures were written in (a WARC import of
// an older capture comes after the crawl's), and whether the report's own
// capture is found among its source URL's captures or read by its ID.
func TestFirstSeenCaptureOrder(t *testing.T) {
	const u = "http://gaj.changsha.gov.cn/2021.html"
	report := func(fetched string) fixture {
		return fixture{url: u, crawlAgency: cs, fetched: fetched, agency: cs, year: 2021}
	}
	older := func(fetched string) fixture {
		return fixture{url: u, crawlAgency: cs, fetched: fetched, noReport: true}
	}
	withSource := func(f fixture, src string) fixture { f.sourceURL = src; return f }
	for _, tc := range []struct {
		name      string
		fx        []fixture
		firstSeen string
		captureID string
	}{
		{"older capture imported after the report's", []fixture{report("2022-03-01T00:00:00Z"), older("2021-05-01T00:00:00Z")}, "2021-05-01", "1"},
		{"older capture written first", []fixture{older("2021-05-01T00:00:00Z"), report("2022-03-01T00:00:00Z")}, "2021-05-01", "2"},
		{"older report capture imported last", []fixture{report("2022-03-01T00:00:00Z"), older("2022-01-01T00:00:00Z"), report("2021-06-01T00:00:00Z")}, "2021-06-01", "1"},
		{"failed older import does not count", []fixture{report("2022-03-01T00:00:00Z"), {url: u, crawlAgency: cs, fetched: "2021-05-01T00:00:00Z", fetchErr: "timeout", noReport: true}}, "2022-03-01", "1"},
		{"report without source URL, read by ID", []fixture{withSource(report("2022-03-01T00:00:00Z"), "-"), older("2021-05-01T00:00:00Z")}, "2021-05-01", "1"},
		{"report naming another source URL", []fixture{withSource(report("2022-03-01T00:00:00Z"), "http://gaj.changsha.gov.cn/other.html"), older("2021-05-01T00:00:00Z")}, "2021-05-01", "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := build(t, tc.fx)
			got, err := Run(a, agencies(t, "http://gaj.changsha.gov.cn/ "+cs+" department\n"), 2021, 2021, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d entries, want 1", len(got))
			}
			e := got[0]
			if e.Status != Undated || deref(e.FirstSeen) != tc.firstSeen || e.URL != u || e.CaptureID != tc.captureID {
				t.Errorf("got status %s first_seen %s url %s capture %s, want undated %s %s %s", e.Status, deref(e.FirstSeen), e.URL, e.CaptureID, tc.firstSeen, u, tc.captureID)
			}
		})
	}
}

func TestRun(t *testing.T) {
	const seedText = `
http://gaj.changsha.gov.cn/ 长沙市公安局 department
http://www.xtx.gov.cn/      湘潭县公安局 department
http://www.xtx.gov.cn/      湘潭县人民政府 government
http://gaj.ningbo.gov.cn/   宁波市公安局
`
	const (
		xt = "湘潭县公安局"
		xg = "湘潭县人民政府"
		nb = "宁波市公安局"
	)
	errCheck := func(ok bool, sev report.Severity) report.Check {
		return report.Check{Rule: "T3.balance", OK: ok, Severity: sev}
	}
	fx := []fixture{
		// 长沙 2021: on time, with two failed errors, one passed, one failed warning.
		{url: "http://gaj.changsha.gov.cn/2021.html", crawlAgency: cs, fetched: "2022-02-10T02:00:00Z", agency: cs, year: 2021, published: "2022-01-20",
			checks: []report.Check{errCheck(false, "error"), errCheck(false, "error"), errCheck(true, "error"), errCheck(false, "warning")}},
		// 长沙 2022: late by 14 days; agency written with a space and full-width space.
		{url: "http://gaj.changsha.gov.cn/2022.html", crawlAgency: cs, fetched: "2023-03-01T00:00:00Z", agency: "长沙市 公安局\u3000", year: 2022, published: "2023-02-14"},
		// 长沙 2020: two copies: an attachment dated 2021-02-03 and a repost dated
		// 2021-01-28 found later; the earlier publication wins. A re-capture of
		// the attachment folds into it.
		{url: "http://gaj.changsha.gov.cn/2020.pdf", crawlAgency: cs, fetched: "2021-02-05T01:00:00Z", agency: cs, year: 2020, published: "2021-02-03"},
		{url: "http://gaj.changsha.gov.cn/repost/2020.html", crawlAgency: cs, fetched: "2021-06-01T01:00:00Z", agency: cs, year: 2020, published: "2021-01-28"},
		{url: "http://gaj.changsha.gov.cn/2020.pdf", crawlAgency: cs, fetched: "2021-07-01T01:00:00Z", agency: cs, year: 2020, published: "2021-02-03"},
		// 长沙 2018: old rule, 31 March: published 2019-03-20 is on time for a department.
		{url: "http://gaj.changsha.gov.cn/2018.html", crawlAgency: cs, fetched: "2019-04-01T00:00:00Z", agency: cs, year: 2018, published: "2019-03-20"},
		// 长沙 2017: no date anywhere → undated; first_seen from the earliest
		// successful capture of the URL (a failed fetch before it does not count),
		// in China time (2019-05-31T20:00Z is 2019-06-01 in Beijing).
		{url: "http://gaj.changsha.gov.cn/2017.html", crawlAgency: cs, fetched: "2019-05-01T00:00:00Z", fetchErr: "timeout", noReport: true},
		{url: "http://gaj.changsha.gov.cn/2017.html", crawlAgency: cs, fetched: "2019-05-31T20:00:00Z", noReport: true},
		{url: "http://gaj.changsha.gov.cn/2017.html", crawlAgency: cs, fetched: "2020-01-01T00:00:00Z", agency: cs, year: 2017},

		// 湘潭县公安局 2021: report agency is the short form 公安局, crawled for 湘潭县公安局 → attributed.
		// Published 2022-03-01: a department, so late by 29 days.
		{url: "http://www.xtx.gov.cn/gaj/2021.html", crawlAgency: xt, fetched: "2022-03-05T00:00:00Z", agency: "公安局", year: 2021, published: "2022-03-01"},
		// 湘潭县人民政府 2021 on the same site, crawled for 湘潭县公安局: its own
		// agency decides (precedence 1). Government deadline 2022-03-31: on time.
		{url: "http://www.xtx.gov.cn/zf/2021.html", crawlAgency: xt, fetched: "2022-04-05T00:00:00Z", agency: xg, year: 2021, published: "2022-03-30"},
		// 湘潭县教育局 on the same site: attributed to nobody.
		{url: "http://www.xtx.gov.cn/jyj/2021.html", crawlAgency: xt, fetched: "2022-04-05T00:00:00Z", agency: "湘潭县教育局", year: 2021, published: "2022-01-10"},
		// 湘潭县人民政府 2020: published 2021-04-02: government, late by 2 days.
		{url: "http://www.xtx.gov.cn/zf/2020.html", crawlAgency: xt, fetched: "2021-04-05T00:00:00Z", agency: xg, year: 2020, published: "2021-04-02"},
		// 湘潭县公安局 2019: the old name 湘潭市公安局 of the same organ, crawled for it → attributed (on time).
		{url: "http://www.xtx.gov.cn/gaj/2019.html", crawlAgency: xt, fetched: "2020-02-05T00:00:00Z", agency: "湘潭市公安局", year: 2019, published: "2020-01-20"},
		// The same name crawled for 宁波市公安局: different place → not attributed.
		{url: "http://gaj.ningbo.gov.cn/xt2019.html", crawlAgency: nb, fetched: "2020-02-05T00:00:00Z", agency: "湘潭市公安局", year: 2019, published: "2020-01-10"},
		// 湘潭县公安局 2018: short form 县公安局 on the shared site, the capture
		// credited to 湘潭县人民政府 (seeded on the same host): the one agency
		// of that host it abbreviates (precedence 3).
		{url: "http://www.xtx.gov.cn/gaj/2018.html", crawlAgency: xg, fetched: "2019-03-05T00:00:00Z", agency: "县公安局", year: 2018, published: "2019-03-01"},
		// 湘潭县公安局 2020: empty agency, crawled for it → attributed; undated.
		{url: "http://www.xtx.gov.cn/gaj/2020.html", crawlAgency: xt, fetched: "2021-01-10T03:00:00Z", agency: "", year: 2020},

		// 宁波 2021: two undated copies; the earlier first_seen wins.
		{url: "http://gaj.ningbo.gov.cn/b.html", crawlAgency: nb, fetched: "2022-05-01T00:00:00Z", agency: nb, year: 2021},
		{url: "http://gaj.ningbo.gov.cn/a.html", crawlAgency: nb, fetched: "2022-06-01T00:00:00Z", agency: nb, year: 2021},
		// 宁波 2020: an undated copy seen first and a dated copy: the dated one wins.
		{url: "http://gaj.ningbo.gov.cn/u2020.html", crawlAgency: nb, fetched: "2021-01-15T00:00:00Z", agency: nb, year: 2020},
		{url: "http://gaj.ningbo.gov.cn/d2020.html", crawlAgency: nb, fetched: "2021-03-15T00:00:00Z", agency: nb, year: 2020, published: "2021-01-31"},
		// A report of another year outside the range, and a report by a 长沙
		// page crawled for 宁波 that names 长沙: goes to 长沙 2019 — on the
		// deadline day itself, so on time.
		{url: "http://gaj.ningbo.gov.cn/2015.html", crawlAgency: nb, fetched: "2016-03-01T00:00:00Z", agency: nb, year: 2015, published: "2016-02-01"},
		{url: "http://gaj.ningbo.gov.cn/cs2019.html", crawlAgency: nb, fetched: "2020-03-01T00:00:00Z", agency: cs, year: 2019, published: "2020-01-31"},
	}
	a := build(t, fx)
	asof := time.Date(2023, 1, 31, 15, 0, 0, 0, time.Local)
	got, err := Run(a, agencies(t, seedText), 2017, 2022, asof)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4*6 {
		t.Fatalf("got %d entries, want 24", len(got))
	}
	idx := map[string]Entry{}
	for _, e := range got {
		idx[fmt.Sprint(e.Agency, " ", e.Year)] = e
	}
	for _, tc := range []struct {
		agency string
		year   int
		want   want
	}{
		{cs, 2021, want{status: OnTime, deadline: "2022-01-31", published: str("2022-01-20"), firstSeen: str("2022-02-10"), url: "http://gaj.changsha.gov.cn/2021.html", failed: 2, warnings: 1}},
		{cs, 2022, want{status: Late, deadline: "2023-01-31", published: str("2023-02-14"), firstSeen: str("2023-03-01"), daysLate: 14, url: "http://gaj.changsha.gov.cn/2022.html"}},
		{cs, 2020, want{status: OnTime, deadline: "2021-01-31", published: str("2021-01-28"), firstSeen: str("2021-06-01"), url: "http://gaj.changsha.gov.cn/repost/2020.html",
			copies: []string{"http://gaj.changsha.gov.cn/2020.pdf"}}},
		{cs, 2019, want{status: OnTime, deadline: "2020-01-31", published: str("2020-01-31"), firstSeen: str("2020-03-01"), url: "http://gaj.ningbo.gov.cn/cs2019.html"}},
		{cs, 2018, want{status: OnTime, deadline: "2019-03-31", published: str("2019-03-20"), firstSeen: str("2019-04-01"), url: "http://gaj.changsha.gov.cn/2018.html"}},
		{cs, 2017, want{status: Undated, deadline: "2018-03-31", firstSeen: str("2019-06-01"), url: "http://gaj.changsha.gov.cn/2017.html"}},
		{xt, 2021, want{status: Late, deadline: "2022-01-31", published: str("2022-03-01"), firstSeen: str("2022-03-05"), daysLate: 29, url: "http://www.xtx.gov.cn/gaj/2021.html"}},
		{xt, 2020, want{status: Undated, deadline: "2021-01-31", firstSeen: str("2021-01-10"), url: "http://www.xtx.gov.cn/gaj/2020.html"}},
		{xt, 2018, want{status: OnTime, deadline: "2019-03-31", published: str("2019-03-01"), firstSeen: str("2019-03-05"), url: "http://www.xtx.gov.cn/gaj/2018.html"}},
		{xg, 2019, want{status: Missing, deadline: "2020-03-31"}},
		{xt, 2019, want{status: OnTime, deadline: "2020-01-31", published: str("2020-01-20"), firstSeen: str("2020-02-05"), url: "http://www.xtx.gov.cn/gaj/2019.html"}},
		{nb, 2019, want{status: Missing, deadline: "2020-01-31"}},
		{xt, 2022, want{status: NotDue, deadline: "2023-01-31"}}, // deadline == asof: not yet missing
		{xg, 2021, want{status: OnTime, deadline: "2022-03-31", published: str("2022-03-30"), firstSeen: str("2022-04-05"), url: "http://www.xtx.gov.cn/zf/2021.html"}},
		{xg, 2020, want{status: Late, deadline: "2021-03-31", published: str("2021-04-02"), firstSeen: str("2021-04-05"), daysLate: 2, url: "http://www.xtx.gov.cn/zf/2020.html"}},
		{xg, 2022, want{status: NotDue, deadline: "2023-03-31"}},
		{xg, 2018, want{status: Missing, deadline: "2019-03-31"}},
		{nb, 2021, want{status: Undated, deadline: "2022-01-31", firstSeen: str("2022-05-01"), url: "http://gaj.ningbo.gov.cn/b.html", copies: []string{"http://gaj.ningbo.gov.cn/a.html"}}},
		{nb, 2020, want{status: OnTime, deadline: "2021-01-31", published: str("2021-01-31"), firstSeen: str("2021-03-15"), url: "http://gaj.ningbo.gov.cn/d2020.html", copies: []string{"http://gaj.ningbo.gov.cn/u2020.html"}}},
		{nb, 2017, want{status: Missing, deadline: "2018-03-31"}},
	} {
		e, ok := idx[fmt.Sprint(tc.agency, " ", tc.year)]
		if !ok {
			t.Errorf("no entry for %s %d", tc.agency, tc.year)
			continue
		}
		check(t, e, tc.want)
	}
	// Levels from the seeds file; order: seeds order, years ascending.
	if got[0].Agency != cs || got[0].Year != 2017 || got[5].Year != 2022 || got[12].Agency != xg || got[12].Level != seeds.Government || got[0].Level != seeds.Department {
		t.Errorf("order/levels: first %s %d %s, 13th %s %s", got[0].Agency, got[0].Year, got[0].Level, got[12].Agency, got[12].Level)
	}
	// The attachment copy of 长沙 2020 is the earliest of its two captures.
	e := idx[cs+" 2020"]
	if len(e.Copies) == 1 && (deref(e.Copies[0].Published) != "2021-02-03" || deref(e.Copies[0].FirstSeen) != "2021-02-05" || e.Copies[0].CaptureID != "3") {
		t.Errorf("copy = %+v (published %s first_seen %s), want capture 3 published 2021-02-03 first seen 2021-02-05", e.Copies[0], deref(e.Copies[0].Published), deref(e.Copies[0].FirstSeen))
	}
	// Nothing was attributed to 湘潭县教育局's report: 湘潭县公安局 2021 has no copies.
	if n := len(idx[xt+" 2021"].Copies); n != 0 {
		t.Errorf("湘潭县公安局 2021 has %d copies, want 0 (教育局 report must not count)", n)
	}
}

func TestRunEmptyArchiveAndBadRange(t *testing.T) {
	a := build(t, nil)
	ags := agencies(t, "http://a.gov.cn/ 甲局\nhttp://b.gov.cn/ 甲局\n")
	got, err := Run(a, ags, 2020, 2021, time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// Deadlines 2021-01-31 and 2022-01-31, both before the audit date.
	want := []string{Missing, Missing}
	for i, e := range got {
		if e.Status != want[i] {
			t.Errorf("entry %d (%d) status %s, want %s", i, e.Year, e.Status, want[i])
		}
	}
	if len(got) != 2 {
		t.Errorf("duplicate seeds name gave %d entries, want 2 (one agency × 2 years)", len(got))
	}
	if _, err := Run(a, ags, 2022, 2021, time.Now()); err == nil {
		t.Error("from > to: want an error")
	}
}

func TestRunSkipsUndecodableReport(t *testing.T) {
	a := build(t, []fixture{{url: "http://a.gov.cn/1.html", crawlAgency: "甲局", fetched: "2022-01-05T00:00:00Z", agency: "甲局", year: 2021, published: "2022-01-04"}})
	c := &archive.Capture{URL: "http://a.gov.cn/2.html", Agency: "甲局", Status: 200, FetchedAt: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := a.Put(c, []byte("x"), ""); err != nil {
		t.Fatal(err)
	}
	if err := a.PutReport(c.ID, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	got, err := Run(a, agencies(t, "http://a.gov.cn/ 甲局\n"), 2021, 2021, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Status != OnTime || got[0].URL != "http://a.gov.cn/1.html" {
		t.Errorf("got %+v", got)
	}
}

// TestRunAttachments covers a report page that only links to its
// attachment: the attachment takes the page's date and, holding the tables,
// is the report; a dated attachment keeps its own date.
func TestRunAttachments(t *testing.T) {
	const (
		page21 = "http://a.gov.cn/2021.html"
		doc21  = "http://a.gov.cn/2021.docx"
		page22 = "http://a.gov.cn/2022.html"
		pdf22  = "http://a.gov.cn/2022.pdf"
		page23 = "http://a.gov.cn/2023.html"
		pdf23  = "http://a.gov.cn/2023.pdf"
		other  = "http://a.gov.cn/other.html"
	)
	stub := []report.Check{{Rule: "report.complete", OK: false, Severity: "error"}}
	real := []report.Check{{Rule: "T4.group_total", OK: false, Severity: "error"}, {Rule: "T4.group_total", OK: false, Severity: "error"}, {Rule: "T3.balance", OK: true, Severity: "error"}}
	a := build(t, []fixture{
		// 2021: stub page dated 2022-02-03 (late by 3), undated DOCX with tables.
		{url: page21, crawlAgency: "甲局", fetched: "2022-03-01T00:00:00Z", agency: "甲局", year: 2021, published: "2022-02-03", checks: stub},
		{url: doc21, crawlAgency: "甲局", fetched: "2022-03-01T00:00:01Z", agency: "甲局", year: 2021, checks: real, tables: true, from: page21},
		// 2022: the PDF states an earlier date of its own: it wins by date.
		{url: page22, crawlAgency: "甲局", fetched: "2023-03-01T00:00:00Z", agency: "甲局", year: 2022, published: "2023-01-20", checks: stub},
		{url: pdf22, crawlAgency: "甲局", fetched: "2023-03-01T00:00:01Z", agency: "甲局", year: 2022, published: "2023-01-10", tables: true, from: page22},
		// 2023: an undated PDF found from an unrelated page: no date to take.
		{url: other, crawlAgency: "甲局", fetched: "2024-03-01T00:00:00Z", noReport: true},
		{url: pdf23, crawlAgency: "甲局", fetched: "2024-03-01T00:00:01Z", agency: "甲局", year: 2023, tables: true, from: other},
		// and an undated stub page that is not where the PDF came from.
		{url: page23, crawlAgency: "甲局", fetched: "2024-03-02T00:00:00Z", agency: "甲局", year: 2023, checks: stub},
	})
	got, err := Run(a, agencies(t, "http://a.gov.cn/ 甲局\n"), 2021, 2023, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d entries", len(got))
	}
	check(t, got[0], want{status: Late, deadline: "2022-01-31", published: str("2022-02-03"), datedBy: page21, firstSeen: str("2022-03-01"), daysLate: 3, url: doc21, failed: 2, copies: []string{page21}})
	check(t, got[1], want{status: OnTime, deadline: "2023-01-31", published: str("2023-01-10"), firstSeen: str("2023-03-01"), url: pdf22, copies: []string{page22}})
	check(t, got[2], want{status: Undated, deadline: "2024-01-31", firstSeen: str("2024-03-01"), url: pdf23, copies: []string{page23}})
	if c := got[0].Copies[0]; deref(c.Published) != "2022-02-03" || c.DatedBy != "" {
		t.Errorf("2021 page copy: published %s dated_by %q", deref(c.Published), c.DatedBy)
	}
}

// TestRunOddReports feeds reports the extractor should never write but an
// older or damaged archive may hold: they are skipped or read as undated,
// never a panic or an error.
func TestRunOddReports(t *testing.T) {
	a := build(t, nil)
	for i, data := range []string{
		`{"agency":"甲局","year":2021,"published":"2022/01/05"}`, // not YYYY-MM-DD: undated
		`{"agency":"甲局","year":"2021"}`,                        // wrong type: skipped
		`null`,                                                 // skipped (year 0)
		`{"agency":"甲局","year":2021,"published":"2022-01-30","checks":[{"ok":false},{"ok":false,"severity":"warning"}]}`, // severity missing: counts as an error
		`{"agency":"","year":2021,"source":{"url":"http://x/"}}`,                                                         // crawl agency empty: not attributed
		`[]`,
	} {
		c := &archive.Capture{URL: fmt.Sprintf("http://a.gov.cn/%d.html", i), Status: 200, FetchedAt: time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)}
		if i != 4 {
			c.Agency = "甲局"
		}
		if err := a.Put(c, []byte(data), ""); err != nil {
			t.Fatal(err)
		}
		if err := a.PutReport(c.ID, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Run(a, agencies(t, "http://a.gov.cn/ 甲局\n"), 2021, 2021, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d entries", len(got))
	}
	// The dated report wins; its check without severity counts as an error.
	check(t, got[0], want{status: OnTime, deadline: "2022-01-31", published: str("2022-01-30"), firstSeen: str("2022-03-01"), url: "http://a.gov.cn/3.html", failed: 1, warnings: 1, copies: []string{"http://a.gov.cn/0.html"}})
	if c := got[0].Copies[0]; c.CaptureID != "1" || c.Published != nil {
		t.Errorf("copy %+v, want capture 1 undated (its date is unreadable)", c)
	}
}

// BenchmarkRun audits 50 agencies × 10 years over 1,000 stored reports
// (two copies each).
func BenchmarkRun(b *testing.B) {
	a, err := archive.Open(filepath.Join(b.TempDir(), "a.db"), archive.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	var sb strings.Builder
	for i := 0; i < 50; i++ {
		name := fmt.Sprintf("第%d市公安局", i)
		fmt.Fprintf(&sb, "http://a%d.gov.cn/ %s\n", i, name)
		for y := 2015; y < 2025; y++ {
			for cp := 0; cp < 2; cp++ {
				url := fmt.Sprintf("http://a%d.gov.cn/%d/%d.html", i, y, cp)
				c := &archive.Capture{URL: url, Status: 200, Agency: name, FetchedAt: time.Date(y+1, 2, 1+cp, 0, 0, 0, 0, time.UTC)}
				if err := a.Put(c, []byte(url), ""); err != nil {
					b.Fatal(err)
				}
				pub := fmt.Sprintf("%d-01-%02d", y+1, 10+cp*25%20)
				data, _ := json.Marshal(report.Report{Agency: name, Year: y, Published: &pub, Source: report.Source{URL: url, CaptureID: c.ID}})
				if err := a.PutReport(c.ID, data); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	ags, err := seeds.Parse(strings.NewReader(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	asof := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for b.Loop() {
		got, err := Run(a, ags, 2015, 2024, asof)
		if err != nil || len(got) != 500 || got[0].Status != OnTime || len(got[0].Copies) != 1 {
			b.Fatalf("Run: %v, %d entries", err, len(got))
		}
	}
}

// TestRunLandingPageDated: the extractor no longer stores a landing page
// as a report; the attachment's report carries the page's date
// (dated_by "landing_page"), and the audit names the page it came from.
func TestRunLandingPageDated(t *testing.T) {
	const (
		page = "http://a.gov.cn/art/2024/1/26/art_1.html"
		pdf  = "http://a.gov.cn/module/download/P020240126.pdf"
	)
	a := build(t, []fixture{
		{url: page, crawlAgency: "甲局", fetched: "2024-03-01T00:00:00Z", noReport: true},
		{url: pdf, crawlAgency: "甲局", fetched: "2024-03-01T00:00:01Z", agency: "甲局", year: 2023, published: "2024-01-26",
			datedBy: report.DatedByLandingPage, tables: true, from: page},
	})
	got, err := Run(a, agencies(t, "http://a.gov.cn/ 甲局\n"), 2023, 2023, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d entries", len(got))
	}
	check(t, got[0], want{status: OnTime, deadline: "2024-01-31", published: str("2024-01-26"), datedBy: page, firstSeen: str("2024-03-01"), url: pdf})
}
