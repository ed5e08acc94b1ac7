package harvest

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
)

// logEnd writes the run's end line and what is new since the previous run.
func (h *Harvester) logEnd(run *archive.Run, prev *archive.Run) {
	log := h.logger()
	attrs := []any{"run", run.ID, "status", run.Status, "took", run.Ended.Sub(run.Started).Round(time.Millisecond).String(),
		"pages", run.Pages, "new_captures", run.NewCaptures, "new_reports", run.NewReports, "errors", run.Errors}
	if run.Skipped > 0 {
		attrs = append(attrs, "skipped_records", run.Skipped)
	}
	since := "since the first run"
	if prev != nil {
		since = fmt.Sprintf("since run %s (%s)", prev.ID, prev.Started.Format(time.RFC3339))
	}
	if len(run.New) == 0 {
		log.Info("harvest ended: nothing new "+since, attrs...)
		return
	}
	reports := h.reportURLs(run.New)
	if len(reports) > 0 {
		attrs = append(attrs, "new_report_urls", strings.Join(reports, " "))
	}
	attrs = append(attrs, "new", strings.Join(run.New, " "))
	log.Info(fmt.Sprintf("harvest ended: %d URLs new %s, %d of them report pages or attachments", len(run.New), since, len(reports)), attrs...)
}

// reportURLs returns the URLs of urls whose role is report or attachment,
// read in one view; none when the archive cannot be read.
func (h *Harvester) reportURLs(urls []string) []string {
	var out []string
	err := h.Archive.View(func(r *archive.Reader) error {
		for _, u := range urls {
			st, ok, err := r.URLState(u)
			if err == nil && ok && (st.Role == archive.RoleReport || st.Role == archive.RoleAttachment) {
				out = append(out, u)
			}
		}
		return nil
	})
	if err != nil {
		h.logger().Warn("cannot tell which new URLs are reports", "err", err)
		return nil
	}
	return out
}

// logAudit logs the audit's counts by status and names what is missing or
// late.
func logAudit(log *slog.Logger, runID string, entries []audit.Entry) {
	counts := map[string]int{}
	var missing, late []string
	for _, e := range entries {
		counts[e.Status]++
		switch e.Status {
		case audit.Missing:
			missing = append(missing, fmt.Sprintf("%s %d", e.Agency, e.Year))
		case audit.Late:
			late = append(late, fmt.Sprintf("%s %d (%d days)", e.Agency, e.Year, e.DaysLate))
		}
	}
	statuses := make([]string, 0, len(counts))
	for s := range counts {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	attrs := []any{"run", runID, "agency_years", len(entries)}
	for _, s := range statuses {
		attrs = append(attrs, s, counts[s])
	}
	if len(missing) > 0 {
		attrs = append(attrs, "missing_list", strings.Join(missing, "; "))
	}
	if len(late) > 0 {
		attrs = append(attrs, "late_list", strings.Join(late, "; "))
	}
	log.Info("audit", attrs...)
}
