package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/warc"
)

// runExport is `archive export`.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("export", "export -db FILE -warc DIR [-agency NAME] [-since DATE] [-until DATE] [-max-size 1GB] [-seeds seeds.txt] [-wait D] [-v]", stderr)
	db := fs.String("db", "archive.db", "archive file to export (opened read-only)")
	dir := fs.String("warc", "", "directory for the WARC files and index.cdxj (created; must hold no index yet)")
	agency := fs.String("agency", "", "export only this agency's captures")
	since := fs.String("since", "", "export captures fetched on or after DATE (YYYY-MM-DD, China time, or RFC 3339)")
	until := fs.String("until", "", "export captures fetched on or before DATE (a whole day for YYYY-MM-DD)")
	maxSize := fs.String("max-size", "1GB", "begin a new WARC file once one reaches this size (KB, MB, GB, or bytes)")
	seedsFile := fs.String("seeds", "seeds.txt", "seeds file whose digest the warcinfo records name (skipped when the default is missing)")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for a crawl or serve holding the archive")
	verbose := fs.Bool("v", false, "log progress (always on a terminal)")
	if code, done := parse(fs, args, stderr); done {
		return code
	}
	opts, err := exportOptions(fs, *dir, *agency, *since, *until, *maxSize, *seedsFile)
	if err != nil {
		fmt.Fprintf(stderr, "archive export: %v\n", err)
		fs.Usage()
		return exitFail
	}
	opts.Logger = newLogger(stderr, *verbose || isTerminal(stderr))
	a, err := archive.Open(*db, archive.Options{ReadOnly: true, Timeout: *wait})
	if err != nil {
		fmt.Fprintf(stderr, "archive export: %v\n", err)
		return exitFail
	}
	defer a.Close()
	sum, err := warc.Export(ctx, a, opts)
	if err != nil {
		fmt.Fprintf(stderr, "archive export: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "exported %d captures of %s as %d records (%d responses, %d revisits, %d requests, %d texts, %d rendered, %d reports, %d failures) in %d WARC files in %s; index %s\n",
		sum.Captures, *db, sum.Records(), sum.Responses, sum.Revisits, sum.Requests, sum.Conversions, sum.Rendered, sum.Reports, sum.Failures,
		len(sum.Files), opts.Dir, sum.Index)
	if len(sum.Skipped) > 0 {
		fmt.Fprintf(stderr, "archive export: %d captures could not be read and were skipped (run archive check):\n", len(sum.Skipped))
		for _, s := range sum.Skipped {
			fmt.Fprintf(stderr, "  %s\n", s)
		}
		return exitDamaged
	}
	return exitOK
}

// exportOptions checks the flags of export.
func exportOptions(fs *flag.FlagSet, dir, agency, since, until, maxSize, seedsFile string) (warc.ExportOptions, error) {
	opts := warc.ExportOptions{Dir: dir, Agency: agency, Software: software(), UserAgent: crawler.UserAgent, Robots: "obey"}
	if dir == "" {
		return opts, errors.New("-warc DIR is required")
	}
	var err error
	if opts.Since, err = parseDate(since, false); err != nil {
		return opts, fmt.Errorf("-since: %w", err)
	}
	if opts.Until, err = parseDate(until, true); err != nil {
		return opts, fmt.Errorf("-until: %w", err)
	}
	if opts.MaxSize, err = parseSize(maxSize); err != nil {
		return opts, fmt.Errorf("-max-size: %w", err)
	}
	opts.SeedsDigest, err = fileDigest(seedsFile, flagSet(fs, "seeds"))
	return opts, err
}

// software names this program in warcinfo records.
func software() string {
	name, _, _ := strings.Cut(crawler.UserAgent, " ")
	return name + " (archive export; github.com/nlnwa/gowarc/v3)"
}

// chinaTime is the zone a bare date is read in.
var chinaTime = time.FixedZone("CST", 8*3600)

// parseDate reads YYYY-MM-DD (China time) or RFC 3339; end makes a bare
// date the end of its day (the returned time is exclusive).
func parseDate(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, chinaTime); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	if end {
		t = t.Add(time.Nanosecond)
	}
	return t, nil
}

// parseSize reads 1GB, 500MB, 64KB, 10MiB or a number of bytes.
func parseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, suf := range []struct {
		s string
		m int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(u, suf.s) {
			u, mult = strings.TrimSpace(strings.TrimSuffix(u, suf.s)), suf.m
			break
		}
	}
	n, err := strconv.ParseFloat(u, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 1GB, 500MB)", s)
	}
	return int64(n * float64(mult)), nil
}

// fileDigest is the "sha256:<hex>" of a file; a missing file is "" unless
// it was asked for.
func fileDigest(path string, asked bool) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if !asked && errors.Is(err, os.ErrNotExist) {
			return "", nil
		}
		return "", fmt.Errorf("seeds file: %w", err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// flagSet reports whether the flag was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// isTerminal reports whether w is a terminal (progress is then logged).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
