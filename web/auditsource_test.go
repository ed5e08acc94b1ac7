package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/audit"
)

// storeAudit stores, as run 2's, the fixture's audit for years from..to as
// of asof, with 长沙 2020 marked on time so that a page showing it is known
// to read the stored audit.
func storeAudit(t *testing.T, f *fixture, from, to int, asof string) {
	t.Helper()
	day, err := time.Parse("2006-01-02", asof)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := audit.Run(f.a, f.srv.Agencies, from, to, day)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if e.Agency == "长沙市公安局" && e.Year == 2020 {
			entries[i].Status = audit.OnTime
		}
	}
	snap := &audit.Snapshot{RunID: "2", AsOf: asof, From: from, To: to, Computed: time.Date(2025, 1, 12, 3, 4, 0, 0, time.UTC), Entries: entries}
	if err := audit.Store(f.a, snap); err != nil {
		t.Fatal(err)
	}
}

// TestStoredAudit: the dashboard, the agency page and /api/audit read the
// audit the latest harvest stored when it is of the same years (and date,
// when one is asked), and compute it otherwise; they say which.
func TestStoredAudit(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()

	var d Dashboard
	getJSON(t, ts, "/api/dashboard", &d)
	if d.AuditSource.Source != SourceLive || d.AsOf != "2025-01-15" || d.Counts["on_time"] != 2 {
		t.Fatalf("without a stored audit: source %+v asof %s counts %v", d.AuditSource, d.AsOf, d.Counts)
	}
	storeAudit(t, f, 2019, 2024, "2025-01-12")

	d = Dashboard{}
	getJSON(t, ts, "/api/dashboard", &d)
	if d.AuditSource.Source != SourceStored || d.AuditSource.RunID != "2" || d.AsOf != "2025-01-12" || d.Counts["on_time"] != 3 {
		t.Errorf("with a stored audit: source %+v asof %s counts %v", d.AuditSource, d.AsOf, d.Counts)
	}
	_, body := get(t, ts, "GET", "/")
	if !strings.Contains(body, "audit as of 2025-01-12") || !strings.Contains(body, "stored by harvest run 2 (computed 2025-01-12 03:04 UTC)") {
		t.Errorf("dashboard does not say where its audit comes from")
	}
	var ag AgencyPage
	getJSON(t, ts, "/api/agencies/"+url.PathEscape("长沙市公安局"), &ag)
	if ag.AuditSource == nil || ag.AuditSource.Source != SourceStored || ag.Entries[1].Year != 2020 || ag.Entries[1].Status != audit.OnTime {
		t.Errorf("agency page: source %+v entries %+v", ag.AuditSource, ag.Entries)
	}
	_, body = get(t, ts, "GET", "/agency/"+url.PathEscape("长沙市公安局"))
	if !strings.Contains(body, "stored by harvest run 2") {
		t.Error("agency page does not say where its audit comes from")
	}

	for _, tt := range []struct {
		query, source, asof string
		entries             int
	}{
		{"", SourceStored, "2025-01-12", 30},
		{"?asof=2025-01-12", SourceStored, "2025-01-12", 30},
		{"?asof=2025-01-13", SourceLive, "2025-01-13", 30},
		{"?from=2020", SourceLive, "2025-01-15", 25},
		{"?from=2019&to=2024", SourceStored, "2025-01-12", 30},
	} {
		var res AuditResult
		getJSON(t, ts, "/api/audit"+tt.query, &res)
		if res.AuditSource.Source != tt.source || res.AsOf != tt.asof || len(res.Entries) != tt.entries {
			t.Errorf("/api/audit%s: source %+v asof %s, %d entries; want %s %s %d", tt.query, res.AuditSource, res.AsOf,
				len(res.Entries), tt.source, tt.asof, tt.entries)
		}
	}

	// A seeds file edited since the harvest: the stored audit is stale.
	fewer := *f.srv
	fewer.Agencies = f.srv.Agencies[:3]
	ts2 := httptest.NewServer(fewer.Handler())
	defer ts2.Close()
	d = Dashboard{}
	getJSON(t, ts2, "/api/dashboard", &d)
	if d.AuditSource.Source != SourceLive || len(d.Agencies) != 3 {
		t.Errorf("with other seeds: source %+v, %d agencies", d.AuditSource, len(d.Agencies))
	}

	// A newer stored audit of other years is not used.
	storeAuditRun(t, f, "3", 2020, 2024)
	d = Dashboard{}
	getJSON(t, ts, "/api/dashboard", &d)
	if d.AuditSource.Source != SourceLive {
		t.Errorf("with a stored audit of other years: source %+v", d.AuditSource)
	}
}

func storeAuditRun(t *testing.T, f *fixture, run string, from, to int) {
	t.Helper()
	entries, err := audit.Run(f.a, f.srv.Agencies, from, to, f.srv.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.Store(f.a, &audit.Snapshot{RunID: run, AsOf: "2025-01-15", From: from, To: to, Entries: entries}); err != nil {
		t.Fatal(err)
	}
}
