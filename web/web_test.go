package web

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/seeds"
)

func get(t *testing.T, ts *httptest.Server, method, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestRoutes(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	cs, nb := f.reports["长沙市公安局"], f.broken
	q := url.QueryEscape
	const htmlType, jsonType = "text/html; charset=utf-8", "application/json; charset=utf-8"
	tests := []struct {
		name, method, path string
		code               int
		ctype              string
		contains, absent   []string
	}{
		{"dashboard", "GET", "/", 200, htmlType,
			[]string{"长沙市公安局", `href="/agency/%E9%95%BF%E6%B2%99%E5%B8%82%E5%85%AC%E5%AE%89%E5%B1%80"`, "late 15 d", "on time", "undated", "missing", "not due",
				`href="/report/` + nb + `"`, "⚠ 2", "<b>21</b> missing", "<b>1</b> failed validation", "New since the last run", noticeURL, "2025-01-10 02:00 UTC"}, nil},
		{"dashboard HEAD", "HEAD", "/", 200, htmlType, nil, nil},
		{"dashboard POST", "POST", "/", 405, "", nil, nil},
		{"agency", "GET", "/agency/" + url.PathEscape("长沙市公安局"), 200, htmlType,
			[]string{"长沙市公安局2021年政府信息公开年报", attachURL, evilURL, "&lt;b&gt;archived&lt;/b&gt; &amp; title", "/history?url=http%3a%2f%2fgaj.changsha.gov.cn%2fevil.html", "2022-01-20"},
			[]string{"<b>archived</b>"}},
		{"agency with failed fetch", "GET", "/agency/" + url.PathEscape("济源示范区公安局"), 200, htmlType,
			[]string{failedURL, "公安局 2021 年政府信息公开工作年度报告"}, nil},
		{"agency unknown", "GET", "/agency/" + url.PathEscape("不存在的局"), 404, htmlType, []string{"404", "不存在的局"}, nil},
		{"report", "GET", "/report/" + cs, 200, htmlType,
			[]string{"长沙市公安局2021年政府信息公开年报", `data-cell="new_received.total"`, `<span class="v">30</span>`, "行政规范性文件",
				"一、本年新收政府信息公开申请数量", "自然人", "结果维持", "复议后起诉", `href="/view/` + cs + `"`, `href="/view/` + f.attach + `"`, "附件1：2021年年报.pdf",
				"一、总体情况", "checks passed"},
			[]string{`class="num fail"`}},
		{"report with failed cells", "GET", "/report/" + nb, 200, htmlType,
			[]string{`class="num fail" data-cell="new_received.total"`, "T3.balance", `href="#check-1"`, `id="check-1"`, "Failed checks"}, nil},
		{"report shows message_zh", "GET", "/report/" + nb, 200, htmlType,
			[]string{`<div class="zh" lang="zh-CN">总计：本年新收 &#43; 上年结转 = 48，但总计 &#43; 结转下年度继续办理 = 47`, `<span class="zh" lang="zh-CN">自然人：本年新收 &#43; 上年结转 = 46`}, nil},
		{"report of a capture without report", "GET", "/report/" + f.evil, 404, htmlType, []string{"has no extracted report"}, nil},
		{"report bad id", "GET", "/report/abc", 404, htmlType, nil, nil},
		{"report id zero", "GET", "/report/0", 404, htmlType, nil, nil},
		{"report unknown id", "GET", "/report/987654", 404, htmlType, []string{"not found"}, nil},
		{"history", "GET", "/history?url=" + q(noticeURL), 200, htmlType,
			[]string{noticeURL, "/diff?a=" + f.notice1 + "&amp;b=" + f.notice2, "diff with previous"}, nil},
		{"history of failed fetch", "GET", "/history?url=" + q(failedURL), 200, htmlType, []string{"context deadline exceeded"}, nil},
		{"history without url", "GET", "/history", 400, htmlType, []string{"missing parameter url"}, nil},
		{"history unknown url", "GET", "/history?url=" + q("http://example.invalid/"), 404, htmlType, nil, nil},
		{"diff", "GET", "/diff?a=" + f.notice1 + "&b=" + f.notice2, 200, htmlType,
			[]string{"<del>第二条 报告于1月31日前发布。\n</del>", "<ins>第二条 报告于3月31日前发布。\n</ins>", "+1", "−1"}, nil},
		{"diff missing b", "GET", "/diff?a=" + f.notice1, 400, htmlType, nil, nil},
		{"diff bad id", "GET", "/diff?a=" + f.notice1 + "&b=x1", 404, htmlType, nil, nil},
		{"replay html", "GET", "/replay/" + f.evil, 200, "text/html; charset=utf-8", []string{evilHTML}, nil},
		{"replay pdf", "GET", "/replay/" + f.attach, 200, "application/pdf", []string{"%PDF-1.4"}, nil},
		{"replay failed fetch", "GET", "/replay/" + f.failed, 404, htmlType, []string{"no archived body"}, nil},
		{"replay bad id", "GET", "/replay/-1", 404, htmlType, nil, nil},
		{"static css", "GET", "/static/style.css", 200, "text/css; charset=utf-8", []string{".st-on_time"}, nil},
		{"unknown page", "GET", "/nope", 404, htmlType, []string{"no page at /nope"}, nil},
		{"api dashboard", "GET", "/api/dashboard", 200, jsonType, []string{`"counts"`}, nil},
		{"api agency", "GET", "/api/agencies/" + url.PathEscape("宁波市公安局"), 200, jsonType, []string{`"urls"`}, nil},
		{"api agency unknown", "GET", "/api/agencies/x", 404, jsonType, []string{`"error"`}, nil},
		{"api report", "GET", "/api/reports/" + nb, 200, jsonType, []string{`"failed_cells"`}, nil},
		{"api report bad id", "GET", "/api/reports/1x", 404, jsonType, nil, nil},
		{"api history", "GET", "/api/history?url=" + q(noticeURL), 200, jsonType, nil, nil},
		{"api history missing url", "GET", "/api/history", 400, jsonType, nil, nil},
		{"api diff", "GET", "/api/diff?a=" + f.notice1 + "&b=" + f.notice2, 200, jsonType, nil, nil},
		{"api runs", "GET", "/api/runs", 200, jsonType, nil, nil},
		{"api audit", "GET", "/api/audit", 200, jsonType, nil, nil},
		{"api audit bad year", "GET", "/api/audit?from=abc", 400, jsonType, nil, nil},
		{"api audit bad range", "GET", "/api/audit?from=2024&to=2020", 400, jsonType, nil, nil},
		{"api audit bad asof", "GET", "/api/audit?asof=2025-13-01", 400, jsonType, nil, nil},
		{"api capture", "GET", "/api/captures/" + f.evil, 200, jsonType, []string{`"has_report": false`}, nil},
		{"api capture unknown", "GET", "/api/captures/424242", 404, jsonType, nil, nil},
		{"api unknown", "GET", "/api/nope", 404, jsonType, []string{`"error"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, ts, tt.method, tt.path)
			if resp.StatusCode != tt.code {
				t.Fatalf("%s %s: status %d, want %d; body:\n%.600s", tt.method, tt.path, resp.StatusCode, tt.code, body)
			}
			if tt.ctype != "" {
				if got := resp.Header.Get("Content-Type"); got != tt.ctype {
					t.Errorf("Content-Type %q, want %q", got, tt.ctype)
				}
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(body, s) {
					t.Errorf("body has %q", s)
				}
			}
		})
	}
}

func TestReplayHeaders(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	for _, id := range []string{f.evil, f.attach, f.reports["长沙市公安局"]} {
		resp, body := get(t, ts, "GET", "/replay/"+id)
		if resp.StatusCode != 200 {
			t.Fatalf("replay %s: %d", id, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != replayCSP {
			t.Errorf("replay %s: Content-Security-Policy %q, want %q", id, got, replayCSP)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("replay %s: X-Content-Type-Options %q", id, got)
		}
		want, err := f.a.Body(id)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(want) {
			t.Errorf("replay %s: body differs from the archived bytes", id)
		}
	}
	// The UI's own pages forbid scripts altogether.
	resp, _ := get(t, ts, "GET", "/")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") {
		t.Errorf("dashboard CSP %q lacks script-src 'none'", csp)
	}
}

func TestReplayContentType(t *testing.T) {
	tests := []struct {
		c    archive.Capture
		want string
	}{
		{archive.Capture{Header: http.Header{"Content-Type": {"text/html; charset=GBK"}}, ContentType: "text/html", Charset: "gbk"}, "text/html; charset=GBK"},
		{archive.Capture{ContentType: "text/html", Charset: "gb18030"}, "text/html; charset=gb18030"},
		{archive.Capture{ContentType: "application/pdf"}, "application/pdf"},
		{archive.Capture{ContentType: "text/plain; charset=utf-8", Charset: "utf-8"}, "text/plain; charset=utf-8"},
		{archive.Capture{}, "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := replayContentType(&tt.c); got != tt.want {
			t.Errorf("replayContentType(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func getJSON(t *testing.T, ts *httptest.Server, path string, v any) {
	t.Helper()
	resp, body := get(t, ts, "GET", path)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: status %d: %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v\n%.500s", path, err, body)
	}
}

func TestAPIDashboard(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	var d struct {
		AsOf     string `json:"asof"`
		Years    []int  `json:"years"`
		Agencies []struct {
			Agency  string        `json:"agency"`
			Level   string        `json:"level"`
			Entries []audit.Entry `json:"entries"`
		} `json:"agencies"`
		Counts        map[string]int   `json:"counts"`
		FailedReports int              `json:"failed_reports"`
		Runs          []map[string]any `json:"runs"`
		New           []NewItem        `json:"new"`
		LatestRun     string           `json:"latest_run"`
	}
	getJSON(t, ts, "/api/dashboard", &d)
	if d.AsOf != "2025-01-15" || !slices.Equal(d.Years, []int{2019, 2020, 2021, 2022, 2023, 2024}) {
		t.Errorf("asof %q years %v", d.AsOf, d.Years)
	}
	wantCounts := map[string]int{"on_time": 2, "late": 1, "undated": 2, "missing": 21, "not_due": 4}
	for k, v := range wantCounts {
		if d.Counts[k] != v {
			t.Errorf("counts[%s] = %d, want %d (all: %v)", k, d.Counts[k], v, d.Counts)
		}
	}
	if d.FailedReports != 1 {
		t.Errorf("failed_reports %d, want 1", d.FailedReports)
	}
	if len(d.Agencies) != 5 || d.Agencies[0].Agency != "长沙市公安局" || d.Agencies[4].Agency != "宁波市公安局" {
		t.Fatalf("agencies %+v", d.Agencies)
	}
	type cell struct {
		status    string
		daysLate  int
		captureID string
		failed    bool
	}
	want := map[string]map[int]cell{
		"长沙市公安局":   {2021: {"on_time", 0, f.reports["长沙市公安局"], false}, 2024: {"not_due", 0, "", false}, 2020: {"missing", 0, "", false}},
		"济源示范区公安局": {2021: {"undated", 0, f.reports["济源示范区公安局"], false}},
		"湘潭县公安局":   {2024: {"undated", 0, f.reports["湘潭县公安局"], false}},
		"嵊泗县公安局":   {2020: {"on_time", 0, f.reports["嵊泗县公安局"], false}},
		"宁波市公安局":   {2021: {"late", 15, f.broken, true}},
	}
	for _, row := range d.Agencies {
		if len(row.Entries) != 6 || row.Level != "department" {
			t.Errorf("%s: %d entries, level %q", row.Agency, len(row.Entries), row.Level)
			continue
		}
		for i, e := range row.Entries {
			if e.Year != 2019+i {
				t.Errorf("%s entry %d has year %d", row.Agency, i, e.Year)
			}
			w, ok := want[row.Agency][e.Year]
			if !ok {
				continue
			}
			got := cell{e.Status, e.DaysLate, e.CaptureID, e.FailedChecks > 0}
			if got != w {
				t.Errorf("%s %d: %+v, want %+v", row.Agency, e.Year, got, w)
			}
		}
	}
	if d.LatestRun != "2" || len(d.Runs) != 2 || d.Runs[0]["id"] != "2" || d.Runs[0]["new_reports"] != 5.0 {
		t.Errorf("latest run %q runs %v", d.LatestRun, d.Runs)
	}
	if len(d.New) != 2 || d.New[0].URL != seedReports[4].url || d.New[0].CaptureID != f.broken || !d.New[0].HasReport ||
		d.New[1].URL != noticeURL || d.New[1].CaptureID != f.notice2 || d.New[1].HasReport {
		t.Errorf("new %+v", d.New)
	}
}

func TestAPIReport(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	type reportJSON struct {
		Capture struct {
			ID  string `json:"id"`
			URL string `json:"url"`
		} `json:"capture"`
		Report struct {
			Agency       string  `json:"agency"`
			Year         int     `json:"year"`
			Published    *string `json:"published"`
			Applications struct {
				Rows map[string][]*float64 `json:"rows"`
			} `json:"applications"`
			Active struct {
				NormativeDocuments map[string]*float64 `json:"normative_documents"`
			} `json:"active"`
			Checks []struct {
				Rule string `json:"rule"`
				OK   bool   `json:"ok"`
			} `json:"checks"`
		} `json:"report"`
		Attachments []struct {
			ID, URL, Role string
		} `json:"attachments"`
		FailedCells map[string][]string `json:"failed_cells"`
	}
	var cs reportJSON
	getJSON(t, ts, "/api/reports/"+f.reports["长沙市公安局"], &cs)
	if cs.Capture.ID != f.reports["长沙市公安局"] || cs.Report.Agency != "长沙市公安局" || cs.Report.Year != 2021 ||
		cs.Report.Published == nil || *cs.Report.Published != "2022-01-20" {
		t.Errorf("长沙 report: %+v", cs.Report)
	}
	if nr := cs.Report.Applications.Rows["new_received"]; len(nr) != 7 || nr[0] == nil || *nr[0] != 30 || nr[6] == nil || *nr[6] != 30 {
		t.Errorf("长沙 new_received %v, want natural_person 30 and total 30", nr)
	}
	if v := cs.Report.Active.NormativeDocuments["issued"]; v == nil || *v != 6 {
		t.Errorf("长沙 normative_documents.issued %v, want 6", v)
	}
	if len(cs.Attachments) != 1 || cs.Attachments[0].URL != attachURL {
		t.Errorf("attachments %+v", cs.Attachments)
	}
	if len(cs.FailedCells) != 0 {
		t.Errorf("长沙 failed cells %v, want none", cs.FailedCells)
	}
	var nb reportJSON
	getJSON(t, ts, "/api/reports/"+f.broken, &nb)
	msgs := nb.FailedCells[f.brokenCell]
	if len(msgs) != 2 || !strings.HasPrefix(msgs[0], "T3.balance: total: new_received + carried_over = 48 but total + carried_forward = 47") ||
		!strings.HasPrefix(msgs[1], "T3.total_column: new_received") {
		t.Errorf("failed cell %s: %q", f.brokenCell, msgs)
	}
	if _, ok := nb.FailedCells["new_received.natural_person"]; !ok {
		t.Errorf("failed cells %v lack new_received.natural_person (named by T3.total_column)", nb.FailedCells)
	}
	failed := 0
	for _, c := range nb.Report.Checks {
		if !c.OK {
			failed++
		}
	}
	if failed != 2 || len(nb.Attachments) != 0 {
		t.Errorf("宁波: %d failed checks, %d attachments; want 2 and 0", failed, len(nb.Attachments))
	}
}

func TestAPIHistoryDiffRunsAuditCapture(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()

	var h History
	getJSON(t, ts, "/api/history?url="+url.QueryEscape(noticeURL), &h)
	if h.URL != noticeURL || len(h.Captures) != 2 || h.Captures[0].ID != f.notice1 || h.Captures[1].ID != f.notice2 ||
		h.Captures[0].Digest == h.Captures[1].Digest || h.State == nil || h.State.LastCaptureID != f.notice2 {
		t.Errorf("history %+v", h)
	}
	var fh History
	getJSON(t, ts, "/api/history?url="+url.QueryEscape(failedURL), &fh)
	if len(fh.Captures) != 1 || fh.Captures[0].Error != "fetch: context deadline exceeded" || fh.Captures[0].Digest != "" {
		t.Errorf("history of failed fetch %+v", fh.Captures)
	}

	var d Diff
	getJSON(t, ts, "/api/diff?a="+f.notice1+"&b="+f.notice2, &d)
	if d.A.ID != f.notice1 || d.B.ID != f.notice2 || d.Inserted != 1 || d.Deleted != 1 || d.Identical {
		t.Errorf("diff a=%s b=%s +%d -%d identical=%v", d.A.ID, d.B.ID, d.Inserted, d.Deleted, d.Identical)
	}
	var ops []string
	for _, o := range d.Ops {
		ops = append(ops, o.Op+":"+o.Text)
	}
	wantOps := []string{"equal:关于政府信息公开工作的通知\n第一条 按期公开年度报告。\n", "delete:第二条 报告于1月31日前发布。\n",
		"insert:第二条 报告于3月31日前发布。\n", "equal:联系电话：0574-87062074\n"}
	if !slices.Equal(ops, wantOps) {
		t.Errorf("diff ops %q, want %q", ops, wantOps)
	}
	var same Diff
	getJSON(t, ts, "/api/diff?a="+f.notice2+"&b="+f.notice2, &same)
	if !same.Identical || same.Inserted != 0 || same.Deleted != 0 {
		t.Errorf("diff of a capture with itself: %+v", same)
	}
	var nt Diff
	getJSON(t, ts, "/api/diff?a="+f.attach+"&b="+f.notice1, &nt)
	if len(nt.Notes) != 1 || !strings.Contains(nt.Notes[0], "no stored text") || nt.Inserted != 4 {
		t.Errorf("diff from a capture without text: notes %q inserted %d", nt.Notes, nt.Inserted)
	}

	var runs []archive.Run
	getJSON(t, ts, "/api/runs", &runs)
	if len(runs) != 2 || runs[0].ID != "2" || runs[1].ID != "1" || runs[0].Pages != 52 || len(runs[0].New) != 2 {
		t.Errorf("runs %+v", runs)
	}

	var all AuditResult
	getJSON(t, ts, "/api/audit", &all)
	if all.From != 2019 || all.To != 2024 || all.AsOf != "2025-01-15" || len(all.Entries) != 30 {
		t.Errorf("audit %d-%d asof %s: %d entries", all.From, all.To, all.AsOf, len(all.Entries))
	}
	var y AuditResult
	getJSON(t, ts, "/api/audit?from=2024&to=2024&asof=2025-02-01", &y)
	if len(y.Entries) != 5 {
		t.Fatalf("audit 2024: %d entries", len(y.Entries))
	}
	for _, e := range y.Entries {
		want := "missing" // the deadline 2025-01-31 has passed on 2025-02-01
		if e.Agency == "湘潭县公安局" {
			want = "undated"
		}
		if e.Status != want {
			t.Errorf("audit 2024 asof 2025-02-01: %s %s, want %s", e.Agency, e.Status, want)
		}
	}

	var c CaptureInfo
	getJSON(t, ts, "/api/captures/"+f.broken, &c)
	if c.ID != f.broken || !c.HasReport || c.Role != archive.RoleReport || c.Agency != "宁波市公安局" {
		t.Errorf("capture %+v", c)
	}

	var ag AgencyPage
	getJSON(t, ts, "/api/agencies/"+url.PathEscape("长沙市公安局"), &ag)
	var urls []string
	for _, u := range ag.URLs {
		urls = append(urls, string(u.Role)+" "+u.URL)
	}
	wantURLs := []string{"report " + seedReports[0].url, "attachment " + attachURL, "other " + evilURL}
	if !ag.InSeeds || len(ag.Entries) != 6 || len(ag.Reports) != 1 || ag.Reports[0].CaptureID != f.reports["长沙市公安局"] || !slices.Equal(urls, wantURLs) {
		t.Errorf("agency 长沙: in seeds %v, %d entries, reports %+v, urls %q", ag.InSeeds, len(ag.Entries), ag.Reports, urls)
	}
	var jy AgencyPage
	getJSON(t, ts, "/api/agencies/"+url.PathEscape("济源示范区公安局"), &jy)
	if len(jy.Reports) != 1 || jy.Reports[0].Agency != "公安局" || len(jy.URLs) != 2 || jy.URLs[1].Errors != 1 {
		t.Errorf("agency 济源: reports %+v urls %+v", jy.Reports, jy.URLs)
	}
}

// TestTables checks the official layout: every template row once, spans
// adding up, and failed cells marked with the check numbers.
func TestTables(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		id       string
		template string
		t3rows   int
	}{
		{f.reports["长沙市公安局"], "2021", 25},
		{f.reports["嵊泗县公安局"], "2019", 23},
		{f.broken, "2021", 25},
	} {
		p, err := f.srv.reportPage(tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Table2 == nil || string(p.Table2.Template) != tt.template {
			t.Fatalf("report %s: table 2 %+v, want template %s", tt.id, p.Table2, tt.template)
		}
		if p.Table3 == nil || len(p.Table3.Rows) != tt.t3rows {
			t.Fatalf("report %s: table 3 has %d rows, want %d", tt.id, len(p.Table3.Rows), tt.t3rows)
		}
		// every row spans the 3 label columns (rowspans from rows above count)
		covered := make([]int, len(p.Table3.Rows))
		for i, r := range p.Table3.Rows {
			for _, l := range r.Labels {
				span := max(l.Rowspan, 1)
				for k := i; k < i+span; k++ {
					covered[k] += max(l.Colspan, 1)
				}
			}
			if len(r.Cells) != 7 {
				t.Errorf("report %s row %s: %d cells", tt.id, r.Key, len(r.Cells))
			}
		}
		for i, n := range covered {
			if n != 3 {
				t.Errorf("report %s row %s: labels cover %d columns, want 3", tt.id, p.Table3.Rows[i].Key, n)
			}
		}
		if p.Table4 == nil || len(p.Table4.Cells) != 15 || p.Table4.Cells[0].Key != "review.upheld" || p.Table4.Cells[14].Key != "litigation_after_review.total" {
			t.Errorf("report %s: table 4 %+v", tt.id, p.Table4)
		}
		for _, s := range p.Table2.Sections {
			for _, r := range s.Rows {
				w := 0
				for _, c := range r.Cells {
					w += max(c.Colspan, 1)
				}
				if w != 3 {
					t.Errorf("report %s table 2 row %s spans %d value columns, want 3", tt.id, r.Key, w)
				}
			}
		}
	}
	p, err := f.srv.reportPage(f.broken)
	if err != nil {
		t.Fatal(err)
	}
	var marked []string
	for _, r := range p.Table3.Rows {
		for _, c := range r.Cells {
			if len(c.Fail) > 0 {
				marked = append(marked, fmt.Sprintf("%s%v", c.Key, c.Fail))
			}
		}
	}
	want := []string{"new_received.natural_person[2]", "new_received.commercial[2]", "new_received.research[2]", "new_received.social_welfare[2]",
		"new_received.legal_service[2]", "new_received.other_org[2]", "new_received.total[1 2]", "carried_over.total[1]", "total.total[1]", "carried_forward.total[1]"}
	if !slices.Equal(marked, want) {
		t.Errorf("marked cells %q, want %q", marked, want)
	}
	if p.FailedErrors() != 2 || p.Failed[0].Rule != "T3.balance" || p.Failed[1].Rule != "T3.total_column" {
		t.Errorf("failed checks %+v", p.Failed)
	}
}

// TestServerErrors: a broken archive gives a 500 with a generic message and
// a logged error, never the details.
func TestServerErrors(t *testing.T) {
	a, err := archive.Open(filepath.Join(t.TempDir(), "closed.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	s := &Server{Archive: a, From: 2020, To: 2021, Now: func() time.Time { return time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC) },
		Logger: slog.New(slog.NewTextHandler(logs, nil))}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for _, p := range []string{"/", "/api/runs", "/api/dashboard"} {
		resp, body := get(t, ts, "GET", p)
		if resp.StatusCode != 500 {
			t.Errorf("%s on a closed archive: %d, want 500", p, resp.StatusCode)
		}
		if !strings.Contains(body, "internal error") || strings.Contains(body, "closed.db") {
			t.Errorf("%s: body %q", p, body)
		}
	}
	if l := logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "path=/api/runs") || !strings.Contains(l, "closed.db") {
		t.Errorf("log lacks the error: %s", l)
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{"1": true, "42": true, "9223372036854775807": true, "0": false, "01": false, "": false,
		"-1": false, "1a": false, "1e3": false, "12345678901234567890": false, " 1": false} {
		if got := validID(id); got != want {
			t.Errorf("validID(%q) = %v", id, got)
		}
	}
}

// TestDashboardMarkup checks the grid cell of the late, failing report as
// HTML: its colour class, days late and failed-rule mark.
func TestDashboardMarkup(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	_, body := get(t, ts, "GET", "/")
	re := regexp.MustCompile(`(?s)<td class="st st-late" title="宁波市公安局 2021: late 15 d; deadline 2022-01-31; published 2022-02-15;[^"]*2 failed validation rules">\s*<a href="/report/` + f.broken + `">late 15 d</a>\s*<span class="fail-mark"[^>]*>⚠ 2</span>`)
	if !re.MatchString(body) {
		i := strings.Index(body, "st-late")
		t.Errorf("late cell not rendered as expected near: %.600s", body[max(i-20, 0):])
	}
}

// TestEmptyArchive: a new archive with no seeds, captures or runs renders
// every page without error.
func TestEmptyArchive(t *testing.T) {
	a, err := archive.Open(filepath.Join(t.TempDir(), "empty.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	s := &Server{Archive: a, Now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, body := get(t, ts, "GET", "/")
	if resp.StatusCode != 200 || !strings.Contains(body, "No agencies") || !strings.Contains(body, "Annual reports 2021–2025") ||
		!strings.Contains(body, "no run recorded yet") {
		t.Errorf("empty dashboard: %d\n%.2000s", resp.StatusCode, body)
	}
	var d Dashboard
	getJSON(t, ts, "/api/dashboard", &d)
	if d.From != 2021 || d.To != 2025 || len(d.Agencies) != 0 || d.Runs == nil || d.New == nil || d.Counts["missing"] != 0 {
		t.Errorf("empty dashboard JSON %+v", d)
	}
	var runs []archive.Run
	getJSON(t, ts, "/api/runs", &runs)
	if runs == nil || len(runs) != 0 {
		t.Errorf("runs %v, want []", runs)
	}
}

func TestTook(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{1500 * time.Microsecond: "2ms", 42 * time.Second: "42 s",
		20*time.Minute + 5*time.Second: "20 min 5 s", 26*time.Hour + 3*time.Minute: "26 h 3 min"} {
		if got := took(t0, t0.Add(d)); got != want {
			t.Errorf("took(%v) = %q, want %q", d, got, want)
		}
	}
	if got := took(t0, time.Time{}); got != "running" {
		t.Errorf("took of a running run = %q", got)
	}
}

// TestDashboardNewCapped: a run listing many URLs is described up to maxNew
// of them, with the total.
func TestDashboardNewCapped(t *testing.T) {
	f := newFixture(t)
	run := &archive.Run{Kind: "harvest", Started: fixtureStart.Add(time.Hour), Status: "running"}
	for i := range maxNew + 50 {
		run.New = append(run.New, fmt.Sprintf("http://gaj.ningbo.gov.cn/p/%d.html", i))
	}
	if err := f.a.PutRun(run); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	var d Dashboard
	getJSON(t, ts, "/api/dashboard", &d)
	if d.LatestRun != run.ID || len(d.New) != maxNew || d.NewTotal != maxNew+50 || d.New[0].CaptureID != "" || d.Runs[0].Status != "running" {
		t.Errorf("latest %q: %d new of %d, first %+v", d.LatestRun, len(d.New), d.NewTotal, d.New[0])
	}
	// Each listed run's own New list is cut the same way, with its count.
	if len(d.Runs[0].New) != maxNew || d.Runs[0].NewTotal != maxNew+50 || len(d.Runs[1].New) != 2 || d.Runs[1].NewTotal != 2 {
		t.Errorf("runs: %d new of %d, %d of %d", len(d.Runs[0].New), d.Runs[0].NewTotal, len(d.Runs[1].New), d.Runs[1].NewTotal)
	}
	_, body := get(t, ts, "GET", "/")
	if !strings.Contains(body, "… and 50 more") || !strings.Contains(body, "<td>running</td>") ||
		!strings.Contains(body, fmt.Sprintf("<summary>%d more</summary>", maxNew-newShown)) {
		t.Errorf("dashboard lacks the cap note or the running run")
	}
}

// TestEscaping: names from the seeds file and the archive are escaped on
// every page that shows them.
func TestEscaping(t *testing.T) {
	a, err := archive.Open(filepath.Join(t.TempDir(), "esc.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const name = `<script>alert(1)</script>局`
	agencies, err := seeds.Parse(strings.NewReader("http://x.gov.cn/ " + name + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := &archive.Capture{URL: `http://x.gov.cn/"><img src=x onerror=alert(1)>`, Status: 200, ContentType: "text/html",
		Agency: name, Role: archive.RoleOther, Title: `<img src=x onerror=alert(2)>`}
	if err := a.Put(c, []byte("<p>x</p>"), "x"); err != nil {
		t.Fatal(err)
	}
	if err := a.PutRun(&archive.Run{Kind: "harvest", Started: fixtureStart, New: []string{c.URL}, Status: "done"}); err != nil {
		t.Fatal(err)
	}
	s := &Server{Archive: a, Agencies: agencies, From: 2023, To: 2024, Now: func() time.Time { return fixtureStart }}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for _, p := range []string{"/", "/agency/" + url.PathEscape(name), "/history?url=" + url.QueryEscape(c.URL), "/agency/" + url.PathEscape(name+"x")} {
		_, body := get(t, ts, "GET", p)
		for _, bad := range []string{"<script>alert", "<img src=x"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: unescaped %q in the page", p, bad)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;局") {
			t.Errorf("%s: the escaped agency name is missing", p)
		}
	}
}

// TestNavLinks: the pages mounted beside the UI (a coordinator's
// /workers) are linked from every page's header, and only when set.
func TestNavLinks(t *testing.T) {
	a, err := archive.Open(filepath.Join(t.TempDir(), "nav.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	now := func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	const link = `<a href="/workers">Workers</a>`
	for _, tc := range []struct {
		nav  []NavLink
		want bool
	}{{nil, false}, {[]NavLink{{Text: "Workers", Href: "/workers"}}, true}} {
		ts := httptest.NewServer((&Server{Archive: a, Now: now, Nav: tc.nav}).Handler())
		for _, path := range []string{"/", "/agency/x"} {
			_, body := get(t, ts, "GET", path)
			if strings.Contains(body, link) != tc.want {
				t.Errorf("nav %v, %s: link shown = %v, want %v", tc.nav, path, !tc.want, tc.want)
			}
		}
		ts.Close()
	}
}
