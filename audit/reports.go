package audit

import (
	"encoding/json"
	"log/slog"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// IndexedSource is a Source that can read the archive's report index
// (archive.Reader can): the audit then reads the summaries of the reports
// of the audited years only, instead of decoding every stored report.
type IndexedSource interface {
	Source
	// ReportsOfYears calls fn with the summary of every report of a year
	// in [from, to], in year then capture order; false when the archive
	// has no report index.
	ReportsOfYears(from, to int, fn func(*archive.ReportSummary) error) (bool, error)
}

// eachReport calls fn with the summary of every stored report of a year in
// [from, to]: from the report index when a has one, else by decoding every
// stored report (those that do not decode are skipped with a warning). Both
// give the same summaries (archive.SummarizeReport); within a year they
// come in capture order, which is all the audit depends on.
func eachReport(a Source, from, to int, fn func(*archive.ReportSummary) error) error {
	if ix, ok := a.(IndexedSource); ok {
		indexed, err := ix.ReportsOfYears(from, to, fn)
		if indexed || err != nil {
			return err
		}
	}
	log := slog.Default()
	return a.EachReport(func(captureID string, data []byte) error {
		var r report.Report
		if err := json.Unmarshal(data, &r); err != nil {
			log.Warn("audit: skipping undecodable report", "capture", captureID, "err", err)
			return nil
		}
		if r.Year < from || r.Year > to {
			return nil
		}
		return fn(archive.SummarizeReport(captureID, &r))
	})
}
