package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// ReportData is the answer of /api/reports/{id}.
type ReportData struct {
	// Capture is the capture the report was extracted from.
	Capture *archive.Capture `json:"capture"`
	// Report is the stored report.Report JSON, exactly as stored.
	Report json.RawMessage `json:"report"`
	// Attachments are the latest captures of the URLs discovered from the
	// report's page (DiscoveredFrom equals its URL), one per URL, among the
	// captures of the same agency (of all captures when it has none).
	Attachments []*archive.Capture `json:"attachments"`
	// FailedCells maps each cell ("row.column") named by a failed check to
	// the failed rules' messages ("T3.balance: …").
	FailedCells map[string][]string `json:"failed_cells"`
}

// NumberedCheck is a failed check with its number on the report page.
type NumberedCheck struct {
	N int
	report.Check
}

// ReportPage is the data of the report page.
type ReportPage struct {
	Capture     *archive.Capture
	Report      *report.Report
	Attachments []*archive.Capture
	Failed      []NumberedCheck
	Passed      []report.Check
	Table2      *Table2
	Table3      *Table3
	Table4      *Table4
}

// FailedErrors counts the failed checks of severity error.
func (p *ReportPage) FailedErrors() int {
	n := 0
	for _, c := range p.Failed {
		if c.Severity != report.SeverityWarning {
			n++
		}
	}
	return n
}

// loadedReport is what the report page and /api/reports share: the capture,
// its stored report JSON and the report decoded, and the capture's
// attachments.
type loadedReport struct {
	capture     *archive.Capture
	data        []byte
	report      *report.Report
	attachments []*archive.Capture
}

// loadReport reads the report of capture id in one read of the archive.
func (s *Server) loadReport(id string) (*loadedReport, error) {
	if !validID(id) {
		return nil, notFoundf("no capture %q", id)
	}
	var lr *loadedReport
	err := s.Archive.View(func(r *archive.Reader) (err error) {
		lr, err = readReport(r, id)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "report of capture %s", id)
	}
	return lr, nil
}

// readReport reads the report of capture id through r.
func readReport(r *archive.Reader, id string) (*loadedReport, error) {
	c, err := r.Get(id)
	if err != nil {
		return nil, err
	}
	data, err := r.Report(id)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, notFoundf("capture %s (%s) has no extracted report", id, c.URL)
	}
	if err != nil {
		return nil, err
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	report.Localize(rep.Checks) // a report stored before message_zh existed
	att, err := attachments(r, c)
	if err != nil {
		return nil, err
	}
	return &loadedReport{capture: c, data: data, report: &rep, attachments: att}, nil
}

// attachments lists the latest capture of every URL discovered from c's page.
func attachments(r *archive.Reader, c *archive.Capture) ([]*archive.Capture, error) {
	latest := map[string]*archive.Capture{}
	visit := func(x *archive.Capture) error {
		if x.DiscoveredFrom == "" || x.ID == c.ID {
			return nil
		}
		if x.DiscoveredFrom == c.URL || (c.FinalURL != "" && x.DiscoveredFrom == c.FinalURL) {
			if p := latest[x.URL]; p == nil || idNum(x.ID) > idNum(p.ID) {
				latest[x.URL] = x
			}
		}
		return nil
	}
	// The crawler files what it finds on an agency's page under that
	// agency, so only the agency's captures are scanned when it is known.
	var err error
	if c.Agency != "" {
		var caps []*archive.Capture
		caps, err = r.ByAgency(c.Agency)
		for _, x := range caps {
			_ = visit(x)
		}
	} else {
		err = r.Each(visit)
	}
	if err != nil {
		return nil, fmt.Errorf("attachments of capture %s: %w", c.ID, err)
	}
	out := make([]*archive.Capture, 0, len(latest))
	for _, x := range latest {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}

// numberChecks splits checks into failed (numbered from 1) and passed.
func numberChecks(checks []report.Check) (failed []NumberedCheck, passed []report.Check) {
	for _, c := range checks {
		if c.OK {
			passed = append(passed, c)
			continue
		}
		failed = append(failed, NumberedCheck{N: len(failed) + 1, Check: c})
	}
	return failed, passed
}

// reportData builds /api/reports/{id}.
func (s *Server) reportData(id string) (*ReportData, error) {
	lr, err := s.loadReport(id)
	if err != nil {
		return nil, err
	}
	failed, _ := numberChecks(lr.report.Checks)
	fc := map[string][]string{}
	for _, ch := range failed {
		for _, cell := range ch.Cells {
			fc[cell] = append(fc[cell], ch.Rule+": "+ch.Message)
		}
	}
	return &ReportData{Capture: lr.capture, Report: json.RawMessage(lr.data), Attachments: lr.attachments, FailedCells: fc}, nil
}

// reportPage builds the report page.
func (s *Server) reportPage(id string) (*ReportPage, error) {
	lr, err := s.loadReport(id)
	if err != nil {
		return nil, err
	}
	r := lr.report
	p := &ReportPage{Capture: lr.capture, Report: r, Attachments: lr.attachments}
	p.Failed, p.Passed = numberChecks(r.Checks)
	f := newFailures(p.Failed)
	if p.Table2, err = buildTable2(r, f); err != nil {
		return nil, fmt.Errorf("report of capture %s: %w", id, err)
	}
	p.Table3 = buildTable3(r, f)
	p.Table4 = buildTable4(r, f)
	return p, nil
}
