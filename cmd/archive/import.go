package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/warc"
)

// exitSkipped is import's exit code when some records were skipped.
const exitSkipped = 1

// fileList is a repeatable -warc flag.
type fileList []string

func (l *fileList) String() string     { return strings.Join(*l, " ") }
func (l *fileList) Set(v string) error { *l = append(*l, v); return nil }

// runImport is `archive import`.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("import", "import -db FILE -warc FILE... [-seeds seeds.txt] [-agency NAME] [-wait D] [-v]", stderr)
	db := fs.String("db", "archive.db", "archive file to import into (created if missing)")
	var files fileList
	fs.Var(&files, "warc", "WARC file to import (.warc or .warc.gz; repeat the flag, or list more files after the flags)")
	seedsFile := fs.String("seeds", "seeds.txt", "seeds file: each capture's agency by the authority of its URL (skipped when the default is missing)")
	agency := fs.String("agency", "", "agency of every capture imported (instead of the seeds)")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for a crawl or serve holding the archive")
	verbose := fs.Bool("v", false, "log progress (always on a terminal)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitFail
	}
	files = append(files, fs.Args()...)
	if len(files) == 0 {
		fmt.Fprintln(stderr, "archive import: -warc FILE is required")
		fs.Usage()
		return exitFail
	}
	agencies, err := loadSeeds(*seedsFile, flagSet(fs, "seeds"))
	if err != nil {
		fmt.Fprintf(stderr, "archive import: %v\n", err)
		return exitFail
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			fmt.Fprintf(stderr, "archive import: %v\n", err)
			return exitFail
		}
	}
	a, err := archive.Open(*db, archive.Options{Timeout: *wait})
	if err != nil {
		fmt.Fprintf(stderr, "archive import: %v\n", err)
		return exitFail
	}
	defer a.Close()
	sum, err := warc.Import(ctx, a, files, warc.ImportOptions{Seeds: agencies, Agency: *agency,
		Logger: newLogger(stderr, *verbose || isTerminal(stderr))})
	if sum != nil {
		fmt.Fprintf(stdout, "read %d records of %d files: %d captures added to %s, %d already there, %d not captures, %d skipped\n",
			sum.Records, len(files), sum.Captures, *db, sum.Duplicates, sum.Ignored, len(sum.Skipped))
	}
	if err != nil {
		fmt.Fprintf(stderr, "archive import: %v\n", err)
		return exitFail
	}
	if len(sum.Skipped) > 0 {
		fmt.Fprintf(stderr, "archive import: %d records skipped:\n", len(sum.Skipped))
		for _, s := range sum.Skipped {
			fmt.Fprintf(stderr, "  %s\n", s)
		}
		return exitSkipped
	}
	return exitOK
}

// loadSeeds reads the seeds file; a missing default is no seeds.
func loadSeeds(path string, asked bool) ([]seeds.Agency, error) {
	if _, err := os.Stat(path); err != nil && !asked && errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return seeds.Load(path)
}
