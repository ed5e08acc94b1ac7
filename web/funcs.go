package web

import (
	"fmt"
	"html/template"
	"net/url"
	"time"

	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/seeds"
)

// funcs are the template functions of the pages.
var funcs = template.FuncMap{
	"statusText":  statusText,
	"statusName":  statusName,
	"levelName":   levelName,
	"entryTitle":  entryTitle,
	"pathesc":     url.PathEscape,
	"fmtTime":     fmtTime,
	"fmtCST":      fmtCST,
	"mediaTypeOf": mediaType,
	"rfc3339":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"took":        took,
	"bytes":       humanBytes,
	"shortDigest": func(d string) string {
		const p = "sha256:"
		if len(d) > len(p)+12 {
			return d[len(p) : len(p)+12]
		}
		return d
	},
	"fmtNum": formatFloat,
	"seq":    func(n int) []int { return make([]int, n) },
	"minus":  func(a, b int) int { return a - b },
	"plus":   func(a, b int) int { return a + b },
}

// statusNames are the English names of the audit statuses.
var statusNames = map[string]string{
	audit.OnTime:  "on time",
	audit.Late:    "late",
	audit.Missing: "missing",
	audit.Undated: "undated",
	audit.NotDue:  "not due",
}

// statusName is the display name of an audit status.
func statusName(st string) string {
	if n, ok := statusNames[st]; ok {
		return n
	}
	return st
}

// statusText is the short text of a grid cell: the status, with the days
// of a late report.
func statusText(e audit.Entry) string {
	if e.Status == audit.Late && e.DaysLate > 0 {
		return fmt.Sprintf("late %d d", e.DaysLate)
	}
	return statusName(e.Status)
}

// entryTitle is the hover text of a grid cell.
func entryTitle(e audit.Entry) string {
	s := fmt.Sprintf("%s %d: %s; deadline %s", e.Agency, e.Year, statusText(e), e.Deadline)
	if e.Published != nil {
		s += "; published " + *e.Published
	}
	if e.FirstSeen != nil {
		s += "; first seen " + *e.FirstSeen
	}
	if e.FailedChecks > 0 {
		s += fmt.Sprintf("; %d failed validation rules", e.FailedChecks)
	}
	if n := len(e.Copies); n > 0 {
		s += fmt.Sprintf("; %d other copies", n)
	}
	return s
}

// levelName is the display name of a seeds level.
func levelName(level string) string {
	switch level {
	case seeds.Department:
		return "department · 部门"
	case seeds.Government:
		return "government · 政府"
	}
	return level
}

// fmtTime prints a time in UTC to the minute ("—" for the zero time).
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// took prints the duration of a run ("running" when it has not ended).
func took(start, end time.Time) string {
	if end.IsZero() {
		return "running"
	}
	d := end.Sub(start)
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
}

// humanBytes prints a size in B, KB or MB.
func humanBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
