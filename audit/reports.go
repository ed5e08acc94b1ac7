package audit

import (
	"encoding/json"
	"log/slog"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// IndexedSource is a Source that can read the archive's report index
// (archive.Reader can): the audit then reads only the summaries of the
// reports its rules may attribute to the seeds agencies, instead of
// decoding every stored report.
type IndexedSource interface {
	Source
	// ReportsFor calls fn, in capture order, with the summary of every
	// report of a year in [from, to] that names one of agencies, was
	// captured for one of them or on one of hosts; false when the archive
	// has no report index (see archive.Reader.ReportsFor).
	ReportsFor(agencies, hosts []string, from, to int, fn func(*archive.ReportSummary) error) (bool, error)
}

// eachReport calls fn with the summary of every stored report of a year in
// [from, to] that m may attribute: from the report index when a has one
// (only those), else by decoding every stored report (those that do not
// decode are skipped with a warning). Both give the same summaries for the
// reports m attributes; per agency-year they come in capture order, which
// is all the audit depends on.
func eachReport(a Source, m *matcher, from, to int, fn func(*archive.ReportSummary) error) error {
	if ix, ok := a.(IndexedSource); ok {
		names := make([]string, 0, len(m.list))
		for _, ag := range m.list {
			names = append(names, ag.norm)
		}
		hosts := make([]string, 0, len(m.byHost))
		for h := range m.byHost {
			hosts = append(hosts, h)
		}
		indexed, err := ix.ReportsFor(names, hosts, from, to, fn)
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
