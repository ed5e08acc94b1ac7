package extractrun

import (
	"cmp"
	"slices"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// A report's cross-year checks read only the current report of its own
// agency (normalised) for the year before, and "current" is the latest
// capture of a source URL. So the reports a run's parses can change are
// those of the agencies the parsed reports name, closed over source URLs:
// every stored report of a URL whose reports are read is read too (a newer
// capture may have been parsed under another agency, taking the URL out of
// the old agency's group), and its agency with it. The cross pass reads
// just those, through the report index, instead of every stored report.

// affectedReports returns the capture IDs of the stored reports the cross
// pass must read for the reports in parsed, and false when the file has no
// report index (every stored report is read then).
func affectedReports(rd *archive.Reader, parsed map[string]parsedInfo) (map[string]bool, bool) {
	if !rd.ReportIndexed() {
		return nil, false
	}
	ids := map[string]bool{}
	agencies := map[string]bool{}
	urls := map[string]bool{}
	var agencyQueue, urlQueue []string
	addAgency := func(name string) {
		if n := report.NormAgency(name); n != "" && !agencies[n] {
			agencies[n] = true
			agencyQueue = append(agencyQueue, name)
		}
	}
	addURL := func(u string) {
		if u != "" && !urls[u] {
			urls[u] = true
			urlQueue = append(urlQueue, u)
		}
	}
	for id, p := range parsed {
		ids[id] = true
		addAgency(p.agency)
		addURL(p.url)
	}
	for len(agencyQueue) > 0 || len(urlQueue) > 0 {
		for len(agencyQueue) > 0 {
			name := agencyQueue[0]
			agencyQueue = agencyQueue[1:]
			sums, _ := rd.ReportsOfAgency(name)
			for _, s := range sums {
				ids[s.CaptureID] = true
				addURL(s.URL)
			}
		}
		for len(urlQueue) > 0 {
			u := urlQueue[0]
			urlQueue = urlQueue[1:]
			sums, _ := rd.ReportsOfURL(u)
			for _, s := range sums {
				ids[s.CaptureID] = true
				addAgency(s.Agency)
			}
		}
	}
	return ids, true
}

// sortedIDs returns the capture IDs of set in capture order.
func sortedIDs(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(archive.IDNum(a), archive.IDNum(b)) })
	return out
}
