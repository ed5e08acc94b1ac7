// Command audit says, for every agency of the seeds file and every report
// year in a range, whether its annual report was published on time, late,
// without a date, is missing, or is not due yet, from the reports extracted
// into the archive (see package audit for the rules).
//
//	audit -db archive.db -seeds seeds.txt -from 2019 -to 2024            aligned table + totals
//	audit -db archive.db -from 2021 -to 2021 -json                       one JSON object per agency-year
//	audit -db archive.db -from 2019 -to 2024 -csv audit.csv              the same fields as CSV
//	audit -db archive.db -from 2019 -to 2024 -fail-on missing,late       exit 3 if any is found
//
// It opens the archive read-only; while a crawl, extract or serve holds it,
// it says so and exits 2 (or waits up to -wait). Exit codes: 0 ok, 1 usage,
// 2 runtime error (archive or seeds file), 3 a -fail-on status was found.
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/seeds"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Year bounds accepted by -from and -to.
const minYear, maxYear = 2000, 2100

// run is main with its streams and exit code made explicit for tests.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "archive.db", "archive file")
	seedsPath := fs.String("seeds", "seeds.txt", "seeds file: the agencies and their levels")
	from := fs.Int("from", 0, "first report year (required)")
	to := fs.Int("to", 0, "last report year (default: -from)")
	asofFlag := fs.String("asof", "", "audit date YYYY-MM-DD (default: today, local date)")
	asJSON := fs.Bool("json", false, "print one JSON object per agency-year instead of the table")
	csvPath := fs.String("csv", "", `also write the entries as CSV to this file ("-" for stdout instead of the table)`)
	failOn := fs.String("fail-on", "", "comma-separated statuses ("+strings.Join(audit.Statuses, ",")+") that make audit exit 3")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for a crawl, extract or serve holding the archive")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: audit [-db FILE] [-seeds FILE] -from Y1 [-to Y2] [-asof YYYY-MM-DD] [-json] [-csv FILE] [-fail-on missing,late] [-wait DURATION]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "audit: unexpected argument %q\n", fs.Arg(0))
		return 1
	}
	if *to == 0 {
		*to = *from
	}
	switch {
	case *from == 0:
		fmt.Fprintln(stderr, "audit: -from YEAR is required")
		return 1
	case *from < minYear || *from > maxYear || *to < minYear || *to > maxYear:
		fmt.Fprintf(stderr, "audit: years must be between %d and %d, got -from %d -to %d\n", minYear, maxYear, *from, *to)
		return 1
	case *from > *to:
		fmt.Fprintf(stderr, "audit: -from %d is after -to %d\n", *from, *to)
		return 1
	}
	asof := time.Now() // audit.Run takes its calendar day
	if *asofFlag != "" {
		t, err := time.Parse("2006-01-02", *asofFlag)
		if err != nil {
			fmt.Fprintf(stderr, "audit: -asof %q: want a date YYYY-MM-DD\n", *asofFlag)
			return 1
		}
		asof = t
	}
	fail := map[string]bool{}
	if *failOn != "" {
		for _, s := range strings.Split(*failOn, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if !slices.Contains(audit.Statuses, s) {
				fmt.Fprintf(stderr, "audit: -fail-on: unknown status %q (want some of %s)\n", s, strings.Join(audit.Statuses, ","))
				return 1
			}
			fail[s] = true
		}
	}
	if *asJSON && *csvPath == "-" {
		fmt.Fprintln(stderr, "audit: -json and -csv - both write to stdout; give one")
		return 1
	}

	agencies, err := seeds.Load(*seedsPath)
	if err != nil {
		fmt.Fprintf(stderr, "audit: %v\n", err)
		return 2
	}
	a, err := archive.Open(*db, archive.Options{ReadOnly: true, Timeout: *wait})
	if err != nil {
		if errors.Is(err, archive.ErrInUse) {
			fmt.Fprintf(stderr, "audit: %v\naudit: archive is held by another process (crawl or serve); rerun with -wait (e.g. -wait 5m)\n", err)
		} else {
			fmt.Fprintf(stderr, "audit: %v\n", err)
		}
		return 2
	}
	entries, err := audit.Run(a, agencies, *from, *to, asof)
	a.Close()
	if err != nil {
		fmt.Fprintf(stderr, "audit: %v\n", err)
		return 2
	}

	w := bufio.NewWriter(stdout)
	switch {
	case *asJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range entries {
			if err := enc.Encode(&entries[i]); err != nil {
				fmt.Fprintf(stderr, "audit: write: %v\n", err)
				return 2
			}
		}
	case *csvPath == "-":
		err = writeCSV(w, entries)
	default:
		err = writeTable(w, entries)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "audit: write: %v\n", err)
		return 2
	}
	if *csvPath != "" && *csvPath != "-" {
		if err := writeCSVFile(*csvPath, entries); err != nil {
			fmt.Fprintf(stderr, "audit: %v\n", err)
			return 2
		}
	}
	var hits []string
	for _, e := range entries {
		if fail[e.Status] {
			hits = append(hits, fmt.Sprintf("%s %d %s", e.Agency, e.Year, e.Status))
		}
	}
	if len(hits) > 0 {
		n := len(hits)
		if n > 10 {
			hits = append(hits[:10], fmt.Sprintf("and %d more", n-10))
		}
		fmt.Fprintf(stderr, "audit: %d agency-year(s) with a -fail-on status: %s\n", n, strings.Join(hits, "; "))
		return 3
	}
	return 0
}

// csvHeader is the column order of -csv.
var csvHeader = []string{"agency", "level", "year", "status", "deadline", "published", "dated_by", "first_seen", "days_late", "url", "capture_id", "failed_checks", "failed_warnings", "copies"}

func writeCSVFile(path string, entries []audit.Entry) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create csv %s: %w", path, err)
	}
	bw := bufio.NewWriter(f)
	err = writeCSV(bw, entries)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write csv %s: %w", path, err)
	}
	return nil
}

// writeCSV writes the entries with csvHeader; copies are their URLs
// separated by a space.
func writeCSV(w io.Writer, entries []audit.Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, e := range entries {
		var copies []string
		for _, c := range e.Copies {
			copies = append(copies, c.URL)
		}
		if err := cw.Write([]string{e.Agency, e.Level, strconv.Itoa(e.Year), e.Status, e.Deadline, opt(e.Published), e.DatedBy, opt(e.FirstSeen),
			strconv.Itoa(e.DaysLate), e.URL, e.CaptureID, strconv.Itoa(e.FailedChecks), strconv.Itoa(e.FailedWarnings), strings.Join(copies, " ")}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// writeTable writes an aligned table (CJK characters counted two columns
// wide) and a totals line.
func writeTable(w io.Writer, entries []audit.Entry) error {
	rows := [][]string{{"AGENCY", "LEVEL", "YEAR", "STATUS", "DEADLINE", "PUBLISHED", "FIRST SEEN", "LATE", "FAILED", "COPIES", "URL"}}
	count := map[string]int{}
	for _, e := range entries {
		count[e.Status]++
		late, failed, copies := "", "", ""
		if e.Status == audit.Late {
			late = strconv.Itoa(e.DaysLate) + "d"
		}
		if e.URL != "" {
			failed = strconv.Itoa(e.FailedChecks)
		}
		if len(e.Copies) > 0 {
			copies = "+" + strconv.Itoa(len(e.Copies))
		}
		rows = append(rows, []string{e.Agency, e.Level, strconv.Itoa(e.Year), e.Status, e.Deadline, dash(e.Published), dash(e.FirstSeen), late, failed, copies, e.URL})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	parts := make([]string, 0, len(audit.Statuses))
	for _, s := range audit.Statuses {
		parts = append(parts, fmt.Sprintf("%s %d", s, count[s]))
	}
	_, err := fmt.Fprintf(w, "total %d: %s\n", len(entries), strings.Join(parts, ", "))
	return err
}

func dash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// displayWidth estimates the terminal width of s: East Asian wide and
// full-width runes (golang.org/x/text/width) take two columns, everything
// else one.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
