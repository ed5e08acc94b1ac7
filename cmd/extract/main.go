// Command extract turns annual reports into the JSON report model of
// report-model.md: one file, or every report capture of an archive.
//
//	extract -in FILE [-agency NAME] [-year Y]   parse one file, print its JSON report
//	extract -db archive.db [-all] [-json] [-csv FILE] [-wait 5m]
//
// With -in the format (HTML, text, markdown, DOCX, PDF, XLSX) is recognised
// by content. -agency and -year only fill in what the document does not
// state. The exit code is 0 when the file parsed, even if validation rules
// failed (see "checks"), 2 when it is not a report or cannot be read.
//
// With -db every report and attachment capture (the latest of each URL, or
// every version with -all) is parsed and its report stored in the archive
// with its checks, cross-year checks included; captures already extracted
// are skipped unless -all. -json prints the reports parsed by this run as
// JSON lines on stdout; -csv writes every stored report (latest per URL,
// every version with -all) as one CSV row, to a file or, with "-csv -", to
// stdout. A summary goes to stderr. The
// archive is locked while a crawl or serve runs: extract then fails at once
// with exit 2, or waits up to -wait for it.
//
// Exit codes: 0 ok, 1 usage error, 2 unreadable input, not a report, or
// archive error (missing, in use, interrupted).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/extractrun"
	"github.com/nianbao/nianbao/report"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// failFast is how long Open waits for the archive lock when -wait is not
// given: long enough for bbolt's first retry, short enough not to hang.
const failFast = 100 * time.Millisecond

// run is main with its streams and exit code made explicit for tests:
// 0 ok, 1 usage error, 2 input or archive error.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "parse this one file (html, txt, md, docx, pdf, xlsx) and print its JSON report")
	agency := fs.String("agency", "", "with -in: the agency, used only when the document does not name it")
	year := fs.Int("year", 0, "with -in: the report year, used only when the document does not state it")
	compact := fs.Bool("compact", false, "with -in: print the report on one line instead of indented")
	db := fs.String("db", "", "archive file: parse every report capture in it and store the reports")
	all := fs.Bool("all", false, "with -db: every version of every URL, re-parsing captures already extracted")
	jsonOut := fs.Bool("json", false, "with -db: print the reports parsed by this run as JSON lines on stdout")
	csvPath := fs.String("csv", "", `with -db: write the stored reports to this CSV file (UTF-8 with BOM; "-" for stdout)`)
	wait := fs.Duration("wait", 0, "with -db: wait up to this long for a crawl or serve holding the archive (default: fail at once)")
	verbose := fs.Bool("v", false, "log every capture that is not a report")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: extract -in FILE [-agency NAME] [-year Y] [-compact]\n"+
			"       extract -db archive.db [-all] [-json] [-csv FILE] [-wait DURATION]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "extract: unexpected argument %q\n", fs.Arg(0))
		return 1
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *in != "" && *db != "":
		fmt.Fprintln(stderr, "extract: give -in FILE or -db FILE, not both")
		return 1
	case *in == "" && *db == "":
		fmt.Fprintln(stderr, "extract: give -in FILE (one file) or -db FILE (an archive)")
		fs.Usage()
		return 1
	case *in != "":
		for _, f := range []string{"all", "json", "csv", "wait"} {
			if set[f] {
				fmt.Fprintf(stderr, "extract: -%s goes with -db, not -in\n", f)
				return 1
			}
		}
		if *year != 0 && (*year < 1990 || *year > 2100) {
			fmt.Fprintf(stderr, "extract: -year %d is not a report year\n", *year)
			return 1
		}
		return parseFile(*in, *agency, *year, *compact, stdout, stderr)
	}
	for _, f := range []string{"agency", "year", "compact"} {
		if set[f] {
			fmt.Fprintf(stderr, "extract: -%s goes with -in, not -db\n", f)
			return 1
		}
	}
	if *csvPath == "-" && *jsonOut {
		fmt.Fprintln(stderr, "extract: -csv - and -json both write to stdout; give -csv a file name")
		return 1
	}
	if *wait < 0 {
		fmt.Fprintln(stderr, "extract: -wait must not be negative")
		return 1
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	return extractArchive(ctx, *db, *all, *jsonOut, *csvPath, *wait, logger, stdout, stderr)
}

// parseFile is -in mode.
func parseFile(path, agency string, year int, compact bool, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "extract: cannot read %s: %v\n", path, err)
		return 2
	}
	r, err := extract.Parse(filepath.Base(path), data, extract.Options{Agency: agency, Year: year})
	if err == nil {
		err = extract.Usable(r)
	}
	if err != nil {
		switch {
		case errors.Is(err, extract.ErrNotReport):
			fmt.Fprintf(stderr, "extract: %s is not an annual report: %v\n", path, err)
		case errors.Is(err, extract.ErrUnsupportedFormat):
			fmt.Fprintf(stderr, "extract: %s: unsupported format: %v\n", path, err)
		default:
			fmt.Fprintf(stderr, "extract: %s cannot be parsed: %v\n", path, err)
		}
		return 2
	}
	r.Agency = report.PreferAgency(r.Agency, agency)
	report.Localize(r.Checks)
	var out []byte
	if compact {
		out, err = report.MarshalReportCompact(r)
	} else {
		out, err = report.MarshalReport(r)
	}
	if err != nil {
		fmt.Fprintf(stderr, "extract: encode report of %s: %v\n", path, err)
		return 2
	}
	if _, err := stdout.Write(append(out, '\n')); err != nil {
		fmt.Fprintf(stderr, "extract: write: %v\n", err)
		return 2
	}
	return 0
}

// extractArchive is -db mode.
func extractArchive(ctx context.Context, db string, all, jsonOut bool, csvPath string, wait time.Duration, logger *slog.Logger, stdout, stderr io.Writer) int {
	if _, err := os.Stat(db); err != nil {
		fmt.Fprintf(stderr, "extract: archive %s: %v\n", db, err)
		return 2
	}
	timeout := wait
	if timeout == 0 {
		timeout = failFast
	}
	a, err := archive.Open(db, archive.Options{Timeout: timeout})
	if err != nil {
		if errors.Is(err, archive.ErrInUse) {
			if wait == 0 {
				fmt.Fprintf(stderr, "extract: archive %s is in use by another process (a crawl or `serve`); rerun with -wait 5m or stop it\n", db)
			} else {
				fmt.Fprintf(stderr, "extract: archive %s is still in use by another process (a crawl or `serve`) after waiting %s; rerun with a longer -wait or stop it\n", db, wait)
			}
			// the archive's error names the holder when serve recorded itself
			fmt.Fprintf(stderr, "extract: %v\n", err)
		} else {
			fmt.Fprintf(stderr, "extract: %v\n", err)
		}
		return 2
	}
	defer a.Close()

	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var writeErr error
	opts := extractrun.RunOptions{All: all, Logger: logger}
	if jsonOut {
		opts.OnReport = func(r *report.Report) {
			if writeErr == nil {
				writeErr = enc.Encode(r)
			}
		}
	}
	sum, runErr := extractrun.Run(ctx, a, opts)
	if writeErr == nil {
		writeErr = w.Flush()
	}
	code := 0
	if sum != nil {
		printSummary(stderr, db, sum)
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "extract: %v\n", runErr)
		code = 2
	}
	if writeErr != nil {
		fmt.Fprintf(stderr, "extract: write JSON lines: %v\n", writeErr)
		code = 2
	}
	if csvPath == "-" && runErr == nil {
		_, err := writeCSV(w, a, all)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			fmt.Fprintf(stderr, "extract: write csv to stdout: %v\n", err)
			return 2
		}
		return code
	}
	if csvPath != "" && runErr == nil {
		n, err := writeCSVFile(a, csvPath, all)
		if err != nil {
			fmt.Fprintf(stderr, "extract: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "extract: wrote %d reports to %s\n", n, csvPath)
	}
	return code
}

// writeCSVFile writes the stored reports to path through a temporary file
// renamed into place, so a failure never leaves half a CSV.
func writeCSVFile(a *archive.Archive, path string, all bool) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, fmt.Errorf("write csv %s: %w", path, err)
	}
	bw := bufio.NewWriter(tmp)
	n, err := writeCSV(bw, a, all)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("write csv %s: %w", path, err)
	}
	return n, nil
}

// writeCSV writes the stored reports (extractrun.LoadReports's selection
// and order) to w as CSV, one report decoded at a time
// (extractrun.EachReport), and returns how many it wrote.
func writeCSV(w io.Writer, a *archive.Archive, all bool) (int, error) {
	cw, err := report.NewCSVWriter(w)
	if err != nil {
		return 0, err
	}
	n, err := extractrun.EachReport(a, all, cw.Write)
	if err != nil {
		return n, err
	}
	return n, cw.Flush()
}

// maxListed is how many skipped non-report captures the summary names.
const maxListed = 20

// printSummary writes the end-of-run summary; every unparseable capture is
// named with its reason.
func printSummary(w io.Writer, db string, s *extractrun.Summary) {
	fmt.Fprintf(w, "extract %s: %d captures considered, %d reports parsed (%d new), %d unchanged skipped\n",
		db, s.Candidates, s.Parsed, s.NewReports, s.Unchanged)
	if len(s.ByTemplate) > 0 {
		var keys []string
		for k := range s.ByTemplate {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: %d", k, s.ByTemplate[k]))
		}
		fmt.Fprintf(w, "  by template: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "  reports with failed rules: %d\n", s.WithFailedRules)
	fmt.Fprintf(w, "  parse warnings: %d\n", s.Warnings)
	if s.CrossUpdated > 0 {
		fmt.Fprintf(w, "  stored reports given new cross-year checks: %d\n", s.CrossUpdated)
	}
	if s.KnownNotReports > 0 {
		fmt.Fprintf(w, "  known not to be reports (parsed by an earlier run; -all parses them again): %d\n", s.KnownNotReports)
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintf(w, "  damaged records skipped: %d (run `archive check -db %s`)\n", len(s.Skipped), db)
		for i, sk := range s.Skipped {
			if i == maxListed {
				fmt.Fprintf(w, "    … and %d more\n", len(s.Skipped)-maxListed)
				break
			}
			fmt.Fprintf(w, "    %s\n", sk)
		}
	}
	fmt.Fprintf(w, "  not reports (skipped): %d\n", len(s.NotReports))
	for i, f := range s.NotReports {
		if i == maxListed {
			fmt.Fprintf(w, "    … and %d more (run with -v to log them all)\n", len(s.NotReports)-maxListed)
			break
		}
		fmt.Fprintf(w, "    %s (capture %s)\n", f.URL, f.CaptureID)
	}
	fmt.Fprintf(w, "  unparseable: %d\n", len(s.Failed))
	for _, f := range s.Failed {
		fmt.Fprintf(w, "    %s (capture %s): %s\n", f.URL, f.CaptureID, f.Reason)
	}
}
