// Command archive looks after the archive file itself: it checks it and
// rescues what can be read of a damaged one.
//
//	archive check -db FILE [-deep]       say what is wrong with the file
//	archive salvage -db FILE -out NEW    copy every readable record into NEW (-q: no progress log)
//
// check opens the file read-only, runs bbolt's consistency check and
// nianbao's own (every record decodes, every index entry and payload
// reference resolves; with -deep every payload matches its digest and
// every text decompresses), and prints the records and problems of each
// bucket, then "healthy" or "damaged: N problems". Exit codes: 0 healthy,
// 1 damaged (a truncated file whose meta page is readable is damaged, not
// unreadable), 2 the file cannot be inspected at all (missing, in use, not
// a bbolt file or both of its meta pages destroyed, not an archive) or a
// usage error.
//
// salvage never writes FILE. It copies every capture (same ID, same
// record), payload, text, URL state, report, run, audit and extraction
// mark it can read into NEW, which must not exist, rebuilds the indexes
// and the URL states that were lost, drops the crawl frontier (the next
// crawl starts from the seeds), and prints what was kept and lost. Exit
// codes: 0 salvage completed (records may have been lost: the report says
// which), 2 it could not run.
//
// Each subcommand is one entry of the commands table; archive -h lists
// them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes shared by the subcommands.
const (
	exitOK      = 0
	exitDamaged = 1 // check: the file is damaged
	exitFail    = 2 // usage error, or the command could not run
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands is the subcommand table; export, import and compact will join
// it.
var commands = map[string]command{
	"check":   {name: "check", summary: "check -db FILE [-deep]: say what is wrong with an archive file (exit 0 healthy, 1 damaged, 2 unreadable)", run: runCheck},
	"salvage": {name: "salvage", summary: "salvage -db FILE -out NEW: copy every readable record of a damaged archive into a new one (FILE is never written)", run: runSalvage},
	"export":  {name: "export", summary: "export -db FILE -warc DIR [-agency NAME] [-since DATE] [-until DATE] [-max-size 1GB]: write the captures as WARC/1.1 files and a CDXJ index", run: runExport},
	"import":  {name: "import", summary: "import -db FILE -warc FILE... [-seeds seeds.txt] [-agency NAME]: take in the responses and revisits of WARC files (exit 1 when records were skipped)", run: runImport},
}

// run is main with its streams and exit code made explicit for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitFail
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "archive: unknown subcommand %q\n", args[0])
		usage(stderr)
		return exitFail
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: archive SUBCOMMAND [flags]")
	fmt.Fprintln(w, "subcommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", commands[n].summary)
	}
	fmt.Fprintln(w, "run archive SUBCOMMAND -h for its flags")
}

// newFlags is the flag set of a subcommand: errors go to stderr, and
// parse reports -h (exit 0) apart from a usage error (exit 2).
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("archive "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: archive %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; done is true when the command should exit with code.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		return exitFail, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return exitFail, true
	}
	return 0, false
}

// newLogger logs to stderr: progress when verbose, else warnings only.
func newLogger(stderr io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if !verbose {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}
