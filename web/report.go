package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extract"
)

// ReportData is the answer of /api/reports/{id}.
type ReportData struct {
	// Capture is the capture the report was extracted from.
	Capture *archive.Capture `json:"capture"`
	// Report is the stored extract.Report JSON, exactly as stored.
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
	extract.Check
}

// ReportPage is the data of the report page.
type ReportPage struct {
	Capture     *archive.Capture
	Report      *extract.Report
	Attachments []*archive.Capture
	Failed      []NumberedCheck
	Passed      []extract.Check
	Table2      *Table2
	Table3      *Table3
	Table4      *Table4
}

// FailedErrors counts the failed checks of severity error.
func (p *ReportPage) FailedErrors() int {
	n := 0
	for _, c := range p.Failed {
		if c.Severity != extract.SeverityWarning {
			n++
		}
	}
	return n
}

// loadReport returns the capture and stored report JSON of id.
func (s *Server) loadReport(id string) (*archive.Capture, []byte, error) {
	if !validID(id) {
		return nil, nil, notFoundf("no capture %q", id)
	}
	c, err := s.Archive.Get(id)
	if err != nil {
		return nil, nil, fmt.Errorf("report page: %w", err)
	}
	data, err := s.Archive.Report(id)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, nil, notFoundf("capture %s (%s) has no extracted report", id, c.URL)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("report page: %w", err)
	}
	return c, data, nil
}

// decodedReport is what the report page and /api/reports share: the
// capture and stored report JSON of id (loadReport), the report decoded,
// and the capture's attachments.
func (s *Server) decodedReport(id string) (*archive.Capture, []byte, *extract.Report, []*archive.Capture, error) {
	c, data, err := s.loadReport(id)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var r extract.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("decode report of capture %s: %w", id, err)
	}
	att, err := s.attachments(c)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return c, data, &r, att, nil
}

// attachments lists the latest capture of every URL discovered from c's page.
func (s *Server) attachments(c *archive.Capture) ([]*archive.Capture, error) {
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
		caps, err = s.Archive.ByAgency(c.Agency)
		for _, x := range caps {
			_ = visit(x)
		}
	} else {
		err = s.Archive.View(func(r *archive.Reader) error { return r.Each(visit) })
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
func numberChecks(checks []extract.Check) (failed []NumberedCheck, passed []extract.Check) {
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
	c, data, r, att, err := s.decodedReport(id)
	if err != nil {
		return nil, err
	}
	failed, _ := numberChecks(r.Checks)
	fc := map[string][]string{}
	for _, ch := range failed {
		for _, cell := range ch.Cells {
			fc[cell] = append(fc[cell], ch.Rule+": "+ch.Message)
		}
	}
	return &ReportData{Capture: c, Report: json.RawMessage(data), Attachments: att, FailedCells: fc}, nil
}

// reportPage builds the report page.
func (s *Server) reportPage(id string) (*ReportPage, error) {
	c, _, r, att, err := s.decodedReport(id)
	if err != nil {
		return nil, err
	}
	p := &ReportPage{Capture: c, Report: r, Attachments: att}
	p.Failed, p.Passed = numberChecks(r.Checks)
	f := newFailures(p.Failed)
	if p.Table2, err = buildTable2(r, f); err != nil {
		return nil, fmt.Errorf("report of capture %s: %w", id, err)
	}
	p.Table3 = buildTable3(r, f)
	p.Table4 = buildTable4(r, f)
	return p, nil
}
