package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// maxListed is how many problems (or lost records) a report lists before
// "and N more".
const maxListed = 50

// runCheck is `archive check`.
func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "check -db FILE [-deep] [-wait D]", stderr)
	db := fs.String("db", "", "archive file to check (opened read-only)")
	deep := fs.Bool("deep", false, "also decompress every payload and text and check each payload against its digest")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for a crawl or serve holding the archive")
	if code, done := parse(fs, args, stderr); done {
		return code
	}
	if *db == "" {
		fmt.Fprintln(stderr, "archive check: -db FILE is required")
		fs.Usage()
		return exitFail
	}
	rep, err := archive.CheckFile(*db, archive.CheckOptions{Deep: *deep, Timeout: *wait})
	if err != nil {
		fmt.Fprintf(stderr, "archive check: %v\n", err)
		if errors.Is(err, archive.ErrInUse) {
			fmt.Fprintf(stderr, "archive check: %s is held by a running crawl, extract or serve; retry when it ends, or pass -wait 5m\n", *db)
		}
		return exitFail
	}
	if err := rep.WriteText(stdout, maxListed); err != nil {
		fmt.Fprintf(stderr, "archive check: write: %v\n", err)
		return exitFail
	}
	if !rep.Healthy() {
		fmt.Fprintf(stderr, "archive check: %s is damaged (%d problems); `archive salvage -db %s -out NEW.db` copies every readable record into a new file\n",
			*db, len(rep.Problems), *db)
		return exitDamaged
	}
	return exitOK
}
