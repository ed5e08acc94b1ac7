package web

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// TestRunNewPaged: /api/runs/{id}/new pages through a run's whole New
// list, each URL described by its latest capture; the dashboard links it.
func TestRunNewPaged(t *testing.T) {
	f := newFixture(t)
	var reportID string
	for _, id := range f.reports {
		reportID = id
		break
	}
	rc, err := f.a.Get(reportID)
	if err != nil {
		t.Fatal(err)
	}
	const total = maxNew + 51
	run := &archive.Run{Kind: "crawl", Started: fixtureStart.Add(time.Hour), Status: "done"}
	for i := range total {
		u := fmt.Sprintf("http://gaj.ningbo.gov.cn/p/%d.html", i)
		if i == 230 {
			u = rc.URL // a captured report page, on the second page
		}
		run.New = append(run.New, u)
	}
	if err := f.a.PutRun(run); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	base := "/api/runs/" + run.ID + "/new"

	var d Dashboard
	getJSON(t, ts, "/api/dashboard", &d)
	if d.NewList != base || d.NewTotal != total || len(d.New) != maxNew || d.Runs[0].NewList != base || d.Runs[1].NewList != "/api/runs/"+d.Runs[1].ID+"/new" {
		t.Errorf("dashboard: new_list %q, new_total %d, %d new; runs' new_list %q, %q", d.NewList, d.NewTotal, len(d.New), d.Runs[0].NewList, d.Runs[1].NewList)
	}
	if _, body := get(t, ts, "GET", "/"); !strings.Contains(body, `<a href="`+base+`">the full list as JSON</a>`) {
		t.Errorf("dashboard page does not link %s", base)
	}

	tests := []struct {
		query            string
		offset, limit, n int
		first, next      string
		reportAt         int // index in the page of the captured report, -1 none
	}{
		{"", 0, maxNew, maxNew, "http://gaj.ningbo.gov.cn/p/0.html", base + "?offset=200&limit=200", -1},
		{"?offset=200", 200, maxNew, 51, "http://gaj.ningbo.gov.cn/p/200.html", "", 30},
		{"?offset=225&limit=10", 225, 10, 10, "http://gaj.ningbo.gov.cn/p/225.html", base + "?offset=235&limit=10", 5},
		{"?limit=1000", 0, 1000, total, "http://gaj.ningbo.gov.cn/p/0.html", "", 230},
		{"?offset=251", 251, maxNew, 0, "", "", -1},
		{"?offset=900&limit=1", 900, 1, 0, "", "", -1},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var p RunNewPage
			getJSON(t, ts, base+tc.query, &p)
			if p.RunID != run.ID || p.Total != total || p.Offset != tc.offset || p.Limit != tc.limit || len(p.New) != tc.n || p.Next != tc.next {
				t.Fatalf("page: run %q total %d offset %d limit %d, %d items, next %q; want offset %d limit %d, %d items, next %q",
					p.RunID, p.Total, p.Offset, p.Limit, len(p.New), p.Next, tc.offset, tc.limit, tc.n, tc.next)
			}
			if tc.n > 0 && p.New[0].URL != tc.first {
				t.Errorf("first item %q, want %q", p.New[0].URL, tc.first)
			}
			for i, it := range p.New {
				want := i == tc.reportAt
				if got := it.CaptureID == reportID && it.HasReport && it.Role == archive.RoleReport && it.URL == rc.URL; got != want {
					t.Errorf("item %d %+v: described as the report capture %s = %v, want %v", i, it, reportID, got, want)
				}
			}
		})
	}
}

// TestRunNewErrors: bad paging parameters are a 400, an unknown run a 404,
// both with a JSON error naming what was wrong.
func TestRunNewErrors(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	var d Dashboard
	getJSON(t, ts, "/api/dashboard", &d)
	base := "/api/runs/" + d.LatestRun + "/new"
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{base + "?limit=0", "limit=\"0\"", 400},
		{base + "?limit=1001", "limit=\"1001\"", 400},
		{base + "?offset=-1", "offset=\"-1\"", 400},
		{base + "?offset=ten", "offset=\"ten\"", 400},
		{"/api/runs/999/new", "no run \"999\"", 404},
	} {
		resp, body := get(t, ts, "GET", tc.path)
		var e struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != tc.status || e.Status != tc.status || !strings.Contains(e.Error, tc.want) {
			t.Errorf("GET %s: %d %s; want %d with an error containing %s", tc.path, resp.StatusCode, body, tc.status, tc.want)
		}
	}
}
