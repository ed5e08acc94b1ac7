// Package extractrun is the archive-aware batch over the parser: it selects
// the report and attachment captures of an archive to parse (the latest of
// each URL, or every one), parses them with extract, stores each report
// keyed by its capture with archive.PutReport, marks what it looked at, and
// adds the cross-year checks between reports of the same agency. It also
// reads the stored reports back (LoadReports, Current). cmd/extract and
// harvest run it.
package extractrun
