package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

// maxRuns is how many runs the dashboard lists.
const maxRuns = 10

// maxNew is how many URLs of the latest run the dashboard describes.
const maxNew = 200

// Dashboard is the data of the dashboard page and of /api/dashboard.
type Dashboard struct {
	// AsOf is the audit date (YYYY-MM-DD): the stored audit's date when the
	// grid shows the audit the latest harvest stored.
	AsOf string `json:"asof"`
	// AuditSource says whether the grid is the stored audit (and of which
	// run) or one computed for the request.
	AuditSource AuditSource `json:"audit_source"`
	From        int         `json:"from"`
	To          int         `json:"to"`
	// Years are the grid's columns, From..To.
	Years []int `json:"years"`
	// Agencies are the grid's rows, in seeds order.
	Agencies []AgencyRow `json:"agencies"`
	// Counts has the number of agency-years per status (every status present).
	Counts map[string]int `json:"counts"`
	// FailedReports counts the grid cells whose report failed validation rules.
	FailedReports int `json:"failed_reports"`
	// Runs are the last runs, newest first, each with at most maxNew of its
	// New URLs.
	Runs []RunSummary `json:"runs"`
	// New lists what the latest run archived first (its Run.New URLs, at
	// most maxNew of them); NewTotal is how many URLs the run listed;
	// NewList is the path of the run's full list, paged
	// (/api/runs/{id}/new; "" when no run is recorded).
	New      []NewItem `json:"new"`
	NewTotal int       `json:"new_total"`
	NewList  string    `json:"new_list"`
	// LatestRun is the ID of the run New comes from ("" when no run is recorded).
	LatestRun string `json:"latest_run"`
}

// RunSummary is a run as the dashboard lists it: its record with New cut
// to at most maxNew URLs, NewTotal, how many the run listed, and NewList,
// the path of its full list, paged (/api/runs/{id}/new).
type RunSummary struct {
	archive.Run
	NewTotal int    `json:"new_total"`
	NewList  string `json:"new_list"`
}

// summarize returns runs (read with New cut, see archive.Reader.LatestRuns)
// as RunSummary values, New cut to maxNew.
func summarize(runs []*archive.Run) []RunSummary {
	out := make([]RunSummary, 0, len(runs))
	for _, r := range runs {
		sum := RunSummary{Run: *r, NewTotal: max(r.NewCount, len(r.New)), NewList: runNewPath(r.ID)}
		sum.New = r.New[:min(len(r.New), maxNew)]
		out = append(out, sum)
	}
	return out
}

// AgencyRow is one agency of the dashboard with its entry per year.
type AgencyRow struct {
	Agency string `json:"agency"`
	Level  string `json:"level"`
	// Entries has one audit entry per year of Dashboard.Years, in order.
	Entries []audit.Entry `json:"entries"`
}

// NewItem is a URL first archived (or changed) in the latest run.
type NewItem struct {
	URL       string       `json:"url"`
	CaptureID string       `json:"capture_id"`
	Role      archive.Role `json:"role"`
	Agency    string       `json:"agency"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	// HasReport is true when an extracted report is stored for the capture.
	HasReport bool `json:"has_report"`
}

// newShown is how many new URLs the dashboard shows before folding the rest.
const newShown = 12

// newSorted returns New with report pages first, then attachments, then
// the rest, each in run order.
func (d *Dashboard) newSorted() []NewItem {
	out := slices.Clone(d.New)
	slices.SortStableFunc(out, func(a, b NewItem) int {
		ra, rb := roleRank(a.Role), roleRank(b.Role)
		if a.HasReport {
			ra = -1
		}
		if b.HasReport {
			rb = -1
		}
		return ra - rb
	})
	return out
}

// NewHead is the part of New the dashboard shows, reports first.
func (d *Dashboard) NewHead() []NewItem {
	n := d.newSorted()
	return n[:min(len(n), newShown)]
}

// NewRest is the part of New the dashboard folds.
func (d *Dashboard) NewRest() []NewItem {
	n := d.newSorted()
	return n[min(len(n), newShown):]
}

// StatusCount is a status with its count, in display order.
type StatusCount struct {
	Status string
	Count  int
}

// OrderedCounts returns Counts in the order of audit.Statuses.
func (d *Dashboard) OrderedCounts() []StatusCount {
	out := make([]StatusCount, 0, len(audit.Statuses))
	for _, st := range audit.Statuses {
		out = append(out, StatusCount{st, d.Counts[st]})
	}
	return out
}

// dashboardPage is the data of the dashboard page: the dashboard and its
// grid's rows as HTML (gridRowHTML), written in Go rather than by the
// template: with 200 agencies the grid has 800 cells, and the template's
// actions (each a reflective call of its escaper) cost more than the rest of
// the page.
type dashboardPage struct {
	*Dashboard
	Rows []template.HTML
}

// page returns d with its grid rows for the page template.
func (d *Dashboard) page() *dashboardPage {
	p := &dashboardPage{Dashboard: d, Rows: make([]template.HTML, 0, len(d.Agencies))}
	var b strings.Builder
	for _, a := range d.Agencies {
		b.Reset()
		gridRowHTML(&b, a)
		p.Rows = append(p.Rows, template.HTML(b.String()))
	}
	return p
}

// dashboardHTML builds the data of the dashboard page.
func (s *Server) dashboardHTML(r *http.Request) (any, error) {
	d, err := s.dashboard(r)
	if err != nil {
		return nil, err
	}
	return d.(*Dashboard).page(), nil
}

// dashboard builds the dashboard in one read of the archive.
func (s *Server) dashboard(*http.Request) (any, error) {
	var d *Dashboard
	err := s.Archive.View(func(r *archive.Reader) (err error) {
		d, err = s.buildDashboard(r)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "dashboard")
	}
	return d, nil
}

// buildDashboard reads the dashboard through r.
func (s *Server) buildDashboard(r *archive.Reader) (*Dashboard, error) {
	from, to := s.years()
	entries, src, err := s.auditOf(r, auditQuery{from: from, to: to, asof: s.now()})
	if err != nil {
		return nil, err
	}
	d := &Dashboard{AsOf: src.AsOf, AuditSource: src, From: from, To: to, Counts: map[string]int{},
		Agencies: []AgencyRow{}, New: []NewItem{}}
	for y := from; y <= to; y++ {
		d.Years = append(d.Years, y)
	}
	for _, st := range audit.Statuses {
		d.Counts[st] = 0
	}
	idx := map[string]int{}
	for _, e := range entries {
		i, ok := idx[e.Agency]
		if !ok {
			i = len(d.Agencies)
			idx[e.Agency] = i
			d.Agencies = append(d.Agencies, AgencyRow{Agency: e.Agency, Level: e.Level})
		}
		d.Agencies[i].Entries = append(d.Agencies[i].Entries, e)
		d.Counts[e.Status]++
		if e.FailedChecks > 0 {
			d.FailedReports++
		}
	}
	runs := r.LatestRuns(maxRuns, maxNew)
	if len(runs) > 0 {
		page, err := newPage(r, runs[0].ID, runs[0].New, runs[0].NewCount, 0, maxNew)
		if err != nil {
			return nil, err
		}
		d.LatestRun, d.New, d.NewTotal, d.NewList = runs[0].ID, page.New, page.Total, runNewPath(runs[0].ID)
	}
	d.Runs = summarize(runs)
	return d, nil
}

// newItem describes a URL of Run.New by its latest capture.
func newItem(r *archive.Reader, u string) (NewItem, error) {
	it := NewItem{URL: u}
	caps, err := r.ByURL(u)
	if err != nil {
		return it, fmt.Errorf("captures of new URL %s: %w", u, err)
	}
	if len(caps) == 0 {
		return it, nil
	}
	c := caps[len(caps)-1]
	it.CaptureID, it.Role, it.Agency, it.Title, it.Status = c.ID, c.Role, c.Agency, c.Title, c.Status
	it.HasReport = r.HasReport(c.ID)
	return it, nil
}

// runs lists every recorded run, newest first.
func (s *Server) runs() (any, error) {
	var runs []*archive.Run
	err := s.Archive.View(func(r *archive.Reader) (err error) {
		runs, err = r.Runs()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	if runs == nil {
		runs = []*archive.Run{}
	}
	return runs, nil
}

// AuditResult is the answer of /api/audit.
type AuditResult struct {
	AsOf string `json:"asof"`
	From int    `json:"from"`
	To   int    `json:"to"`
	// AuditSource says whether Entries are the audit the latest harvest
	// stored or one computed for the request.
	AuditSource AuditSource   `json:"audit_source"`
	Entries     []audit.Entry `json:"entries"`
}

// auditAPI answers the audit with optional from, to and asof parameters:
// the stored audit when it fits them (auditOf), else computed live.
func (s *Server) auditAPI(r *http.Request) (any, error) {
	from, to := s.years()
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		v    *int
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1990 || n > 2200 {
				return nil, badRequestf("%s=%q: want a year", p.name, v)
			}
			*p.v = n
		}
	}
	if from > to {
		return nil, badRequestf("from %d is after to %d", from, to)
	}
	if to-from > 50 {
		return nil, badRequestf("year range %d-%d is too long (at most 50 years)", from, to)
	}
	aq := auditQuery{from: from, to: to, asof: s.now()}
	if v := q.Get("asof"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return nil, badRequestf("asof=%q: want YYYY-MM-DD", v)
		}
		aq.asof, aq.pinned = t, true
	}
	var entries []audit.Entry
	var src AuditSource
	err := s.Archive.View(func(r *archive.Reader) (err error) {
		entries, src, err = s.auditOf(r, aq)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("api audit: %w", err)
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	return &AuditResult{AsOf: src.AsOf, From: from, To: to, AuditSource: src, Entries: entries}, nil
}

// seedAgency finds the seeds agency named name (compared normalised).
func (s *Server) seedAgency(name string) (seeds.Agency, bool) {
	n := report.NormAgency(name)
	for _, a := range s.Agencies {
		if report.NormAgency(a.Name) == n {
			return a, true
		}
	}
	return seeds.Agency{}, false
}
