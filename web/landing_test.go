package web

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/extractrun"
	"github.com/nianbao/nianbao/seeds"
)

// TestDashboardLandingPage archives a report's landing page (an article
// page with an info bar that only links the PDF) and the attachment it
// links, runs the extractor, and expects the dashboard to count one
// report: the attachment's, dated by the landing page, with the rules the
// report itself breaks and no copy for the landing page.
func TestDashboardLandingPage(t *testing.T) {
	landing, err := os.ReadFile(filepath.Join("..", "extract", "testdata", "landing", "landing_hanweb.html"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join("..", "extract", "testdata", "corpus", "003_hongze_2023.txt"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(filepath.Join(t.TempDir(), "a.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	const (
		page = "http://www.hongze.gov.cn/art/2024/1/26/art_1.html"
		att  = "http://www.hongze.gov.cn/module/download/downfile.txt"
	)
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []*archive.Capture{
		{URL: page, Status: 200, ContentType: "text/html; charset=utf-8", Agency: "淮安市洪泽区人民政府", Role: archive.RoleReport, FetchedAt: at},
		{URL: att, Status: 200, ContentType: "text/plain; charset=utf-8", Agency: "淮安市洪泽区人民政府", Role: archive.RoleAttachment,
			DiscoveredFrom: page, FetchedAt: at.Add(time.Second)},
	} {
		body := landing
		if c.URL == att {
			body = text
		}
		if err := a.Put(c, body, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := extractrun.Run(t.Context(), a, extractrun.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	agencies, err := seeds.Parse(strings.NewReader("http://www.hongze.gov.cn/ 淮安市洪泽区人民政府 government\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Archive: a, Agencies: agencies, From: 2023, To: 2023,
		Now: func() time.Time { return time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC) }}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	var d struct {
		Agencies []struct {
			Entries []audit.Entry `json:"entries"`
		} `json:"agencies"`
		Counts        map[string]int `json:"counts"`
		FailedReports int            `json:"failed_reports"`
	}
	getJSON(t, ts, "/api/dashboard", &d)
	if len(d.Agencies) != 1 || len(d.Agencies[0].Entries) != 1 {
		t.Fatalf("agencies %+v", d.Agencies)
	}
	e := d.Agencies[0].Entries[0]
	if e.URL != att || e.Status != audit.OnTime || e.Published == nil || *e.Published != "2024-01-26" || e.DatedBy != page || len(e.Copies) != 0 {
		t.Errorf("entry %+v, want the attachment on time, dated 2024-01-26 by %s, no copies", e, page)
	}
	// the Hongze 2023 report itself breaks two Table 4 totals (its
	// expected.json lists them) and report.complete (its single
	// （六）其他处理 row in a 2021 report): one failed report, with those
	// three checks and none of a landing page's
	if d.FailedReports != 1 || e.FailedChecks != 3 || d.Counts[audit.OnTime] != 1 {
		t.Errorf("failed_reports %d failed_checks %d counts %v, want 1, 3 and one on_time", d.FailedReports, e.FailedChecks, d.Counts)
	}
}
