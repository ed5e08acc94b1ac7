// Command lookup reads the archive: every capture as JSON lines, the
// captures of one URL, agency, role or digest, or one capture's raw bytes or
// text.
//
//	lookup -db archive.db                 every capture, one JSON object a line
//	lookup -db archive.db -url URL        that URL's captures, oldest first
//	lookup -db archive.db -raw ID         the capture's raw body bytes
//	lookup -db archive.db -text ID        the capture's UTF-8 text
//
// It opens the archive read-only; while a crawl or serve holds it, it says
// so and exits 2 (or waits up to -wait).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nianbao/nianbao/archive"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its streams and exit code made explicit for tests:
// 0 ok, 1 usage error, 2 archive error (missing, in use, unknown ID).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "archive.db", "archive file")
	url := fs.String("url", "", "print the captures of this exact URL, oldest first")
	agency := fs.String("agency", "", "print the captures made for this agency")
	role := fs.String("role", "", "print the captures with this role (list, report, attachment, other)")
	digest := fs.String("digest", "", `print the captures whose payload has this digest ("sha256:<hex>")`)
	raw := fs.String("raw", "", "write this capture's raw body bytes to stdout")
	text := fs.String("text", "", "write this capture's UTF-8 text to stdout")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for a crawl or serve holding the archive")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: lookup [-db FILE] [-url URL | -agency NAME | -role ROLE | -digest D | -raw ID | -text ID]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lookup: unexpected argument %q\n", fs.Arg(0))
		return 1
	}
	selectors := 0
	for _, s := range []string{*url, *agency, *role, *digest, *raw, *text} {
		if s != "" {
			selectors++
		}
	}
	if selectors > 1 {
		fmt.Fprintln(stderr, "lookup: give at most one of -url, -agency, -role, -digest, -raw, -text")
		return 1
	}
	a, err := archive.Open(*db, archive.Options{ReadOnly: true, Timeout: *wait})
	if err != nil {
		if errors.Is(err, archive.ErrInUse) {
			fmt.Fprintf(stderr, "lookup: %v\nlookup: the archive is held by a running crawl, extract or serve; retry when it ends, or pass -wait 5m\n", err)
		} else {
			fmt.Fprintf(stderr, "lookup: %v\n", err)
		}
		return 2
	}
	defer a.Close()

	switch {
	case *raw != "":
		b, err := a.Body(*raw)
		if err != nil {
			fmt.Fprintf(stderr, "lookup: raw body of capture %s: %v\n", *raw, err)
			return 2
		}
		if _, err := stdout.Write(b); err != nil {
			fmt.Fprintf(stderr, "lookup: write: %v\n", err)
			return 2
		}
		return 0
	case *text != "":
		s, err := a.Text(*text)
		if err != nil {
			fmt.Fprintf(stderr, "lookup: text of capture %s: %v\n", *text, err)
			return 2
		}
		if _, err := io.WriteString(stdout, s); err != nil {
			fmt.Fprintf(stderr, "lookup: write: %v\n", err)
			return 2
		}
		return 0
	}

	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	emit := func(c *archive.Capture) error { return enc.Encode(c) }
	var caps []*archive.Capture
	switch {
	case *url != "":
		caps, err = a.ByURL(*url)
	case *agency != "":
		caps, err = a.ByAgency(*agency)
	case *role != "":
		caps, err = a.ByRole(archive.Role(*role))
	case *digest != "":
		caps, err = a.ByDigest(*digest)
	default:
		err = a.View(func(r *archive.Reader) error { return r.Each(emit) })
	}
	for _, c := range caps {
		if err == nil {
			err = emit(c)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "lookup: %v\n", err)
		return 2
	}
	if *url != "" && len(caps) == 0 {
		fmt.Fprintf(stderr, "lookup: no captures of %s\n", *url)
	}
	return 0
}
