package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/archivetest"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"no subcommand", nil, 2, "", "subcommands:"},
		{"help lists the subcommands", []string{"-h"}, 0, "check -db FILE [-deep]", ""},
		{"help lists salvage", []string{"help"}, 0, "salvage -db FILE -out NEW", ""},
		{"unknown subcommand", []string{"compact", "-db", "x.db"}, 2, "", `unknown subcommand "compact"`},
		{"check without -db", []string{"check"}, 2, "", "-db FILE is required"},
		{"check -h", []string{"check", "-h"}, 0, "", "usage: archive check -db FILE"},
		{"check with a bad flag", []string{"check", "-db", "x.db", "-nope"}, 2, "", "flag provided but not defined"},
		{"check with an argument", []string{"check", "-db", "x.db", "extra"}, 2, "", `unexpected argument "extra"`},
		{"salvage without -out", []string{"salvage", "-db", "x.db"}, 2, "", "-db FILE and -out NEW are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inStderr) {
				t.Fatalf("archive %q: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
					tt.args, code, stdout, stderr, tt.code, tt.inStdout, tt.inStderr)
			}
		})
	}
}

func TestCheckUnreadable(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("junk"), 5000), 0o644)
	for _, p := range []string{filepath.Join(dir, "missing.db"), junk} {
		for _, sub := range []string{"check", "salvage"} {
			args := []string{sub, "-db", p}
			if sub == "salvage" {
				args = append(args, "-out", filepath.Join(dir, "out-"+filepath.Base(p)))
			}
			code, _, stderr := runArgs(args...)
			if code != 2 || !strings.Contains(stderr, p) {
				t.Errorf("archive %s of %s: exit %d, stderr %q; want 2 naming the file", sub, p, code, stderr)
			}
		}
	}
}

func fingerprint(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	return archive.Digest(b) + " " + st.ModTime().Format(time.RFC3339Nano)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestCheckAndSalvage runs both subcommands on a crawled archive and on
// damaged copies of it: check's exit code and last line say what it is;
// salvage never changes the file, and what it writes checks healthy.
func TestCheckAndSalvage(t *testing.T) {
	src := archivetest.Crawled(t)
	tests := []struct {
		name string
		file func(t *testing.T) string
		// code is check's exit code, -1 when the damage may only have hit
		// free pages (then 0 and 1 are both right, as the last line says).
		code int
		// names is what check's output must name.
		names []string
	}{
		{"healthy", func(t *testing.T) string { return archivetest.Copy(t, src) }, 0, nil},
		{"truncated", func(t *testing.T) string { return archivetest.Truncated(t, src, 0.5) }, 1, []string{"the file is truncated"}},
		{"zeroed middle", func(t *testing.T) string { return archivetest.ZeroedMiddle(t, src) }, -1, nil},
		{"zeroed captures root", func(t *testing.T) string { return archivetest.ZeroedBucketRoot(t, src, "captures") }, 1, []string{"captures page ", "self-identifies as page 0"}},
		{"zeroed reports root", func(t *testing.T) string { return archivetest.ZeroedBucketRoot(t, src, "reports") }, 1, []string{"reports"}},
		{"a capture record that does not decode", func(t *testing.T) string {
			return archivetest.CorruptRecord(t, src, "captures", archivetest.CaptureKey(5))
		}, 1, []string{"captures 5: record does not decode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.file(t)
			before := fingerprint(t, db)
			for _, deep := range []bool{false, true} {
				args := []string{"check", "-db", db}
				if deep {
					args = append(args, "-deep")
				}
				code, stdout, stderr := runArgs(args...)
				last := lastLine(stdout)
				switch {
				case tt.code >= 0 && code != tt.code:
					t.Fatalf("%q: exit %d, want %d\n%s%s", args, code, tt.code, stdout, stderr)
				case (code == 0) != (last == "healthy") || (code == 1) != strings.HasPrefix(last, "damaged: "):
					t.Fatalf("%q: exit %d with last line %q", args, code, last)
				case code == 1 && !strings.Contains(stderr, db):
					t.Errorf("%q: stderr %q does not name the file", args, stderr)
				}
				for _, n := range tt.names {
					if !strings.Contains(stdout, n) {
						t.Errorf("%q: output does not name %q:\n%s", args, n, stdout)
					}
				}
			}

			out := filepath.Join(t.TempDir(), "salvaged.db")
			code, stdout, stderr := runArgs("salvage", "-db", db, "-out", out)
			if code != 0 || !strings.Contains(stdout, "salvaged "+db+" into "+out) || !strings.Contains(stdout, "check of "+out+": healthy") {
				t.Fatalf("salvage: exit %d\n%s%s", code, stdout, stderr)
			}
			t.Logf("salvage of %s:\n%s", tt.name, stdout)
			if after := fingerprint(t, db); after != before {
				t.Fatalf("salvage changed %s: %s → %s", db, before, after)
			}
			if code, stdout, _ := runArgs("check", "-db", out, "-deep"); code != 0 || lastLine(stdout) != "healthy" {
				t.Fatalf("check of the salvaged archive: exit %d\n%s", code, stdout)
			}
			if code, _, stderr := runArgs("salvage", "-db", db, "-out", out); code != 2 || !strings.Contains(stderr, "exists") {
				t.Errorf("salvage onto an existing file: exit %d, stderr %q; want 2, exists", code, stderr)
			}
			if tt.name == "a capture record that does not decode" {
				checkRecovered(t, src, out, stdout)
			}
		})
	}
}

// checkRecovered checks capture 5, whose record was overwritten with
// garbage: its earlier, intact record is still on the page bbolt freed,
// and salvage takes it from there, or else reports it lost.
func checkRecovered(t *testing.T, src, out, salvageOut string) {
	t.Helper()
	get := func(path string) *archive.Capture {
		a, err := archive.Open(path, archive.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		c, err := a.Get("5")
		if err != nil {
			return nil
		}
		return c
	}
	want, got := get(src), get(out)
	if got == nil {
		if !strings.Contains(salvageOut, "captures lost: 5") {
			t.Fatalf("capture 5 neither kept nor reported lost:\n%s", salvageOut)
		}
		return
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if !bytes.Equal(wj, gj) {
		t.Fatalf("capture 5 salvaged as %s, the original was %s", gj, wj)
	}
	t.Logf("capture 5 recovered from a freed page")
}
