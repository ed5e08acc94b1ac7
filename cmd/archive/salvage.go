package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// runSalvage is `archive salvage`.
func runSalvage(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("salvage", "salvage -db FILE -out NEW [-wait D] [-q]", stderr)
	db := fs.String("db", "", "damaged archive file to read (never written)")
	out := fs.String("out", "", "new archive file to write (must not exist)")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for a crawl or serve holding the archive")
	quiet := fs.Bool("q", false, "do not log progress (the report is printed all the same)")
	if code, done := parse(fs, args, stderr); done {
		return code
	}
	if *db == "" || *out == "" {
		fmt.Fprintln(stderr, "archive salvage: -db FILE and -out NEW are required")
		fs.Usage()
		return exitFail
	}
	log := newLogger(stderr, !*quiet)
	rep, err := archive.Salvage(ctx, *db, *out, archive.SalvageOptions{Timeout: *wait, Logger: log})
	if err != nil {
		if rep != nil {
			_ = rep.WriteText(stderr, maxListed)
		}
		fmt.Fprintf(stderr, "archive salvage: %v\n", err)
		return exitFail
	}
	if err := rep.WriteText(stdout, maxListed); err != nil {
		fmt.Fprintf(stderr, "archive salvage: write: %v\n", err)
		return exitFail
	}
	if rep.Complete() {
		fmt.Fprintf(stderr, "archive salvage: %s salvaged into %s; nothing was lost\n", *db, *out)
	} else {
		fmt.Fprintf(stderr, "archive salvage: %s salvaged into %s; some records were lost (listed above)\n", *db, *out)
	}
	return exitOK
}
