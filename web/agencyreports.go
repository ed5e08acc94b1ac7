package web

import (
	"encoding/json"
	"fmt"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// indexedAgencyReports lists, from the report index, the reports captured
// for the agency (mine) or naming it, in no particular order; false when
// the archive has no report index.
func indexedAgencyReports(r *archive.Reader, agency string, mine map[string]bool) ([]ReportRef, bool) {
	if !r.ReportIndexed() {
		return nil, false
	}
	out := []ReportRef{}
	seen := map[string]bool{}
	for id := range mine { // agencyReports sorts them

		if sum, ok := r.ReportSummary(id); ok {
			seen[id] = true
			out = append(out, refOf(sum))
		}
	}
	if report.NormAgency(agency) == "" {
		return out, true
	}
	named, _ := r.ReportsOfAgency(agency)
	for _, sum := range named {
		if !seen[sum.CaptureID] && sum.Agency != "" {
			out = append(out, refOf(sum))
		}
	}
	return out, true
}

// scanAgencyReports is indexedAgencyReports for an archive without the
// report index: it decodes every stored report.
func (s *Server) scanAgencyReports(r *archive.Reader, agency string, mine map[string]bool) ([]ReportRef, error) {
	out := []ReportRef{}
	norm := report.NormAgency(agency)
	err := r.EachReport(func(id string, data []byte) error {
		var rep report.Report
		if err := json.Unmarshal(data, &rep); err != nil {
			s.logger().Warn("web: undecodable stored report", "capture", id, "err", err)
			return nil
		}
		if mine[id] || (rep.Agency != "" && report.NormAgency(rep.Agency) == norm) {
			out = append(out, refOf(archive.SummarizeReport(id, &rep)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return out, nil
}
