package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/archivetest"
	"github.com/nianbao/nianbao/internal/fixtureworld"
)

// buildCommands builds the named commands into a temporary directory and
// returns it: the damage test runs them as a user does, as processes, so a
// panic shows as the stack trace and exit status 2 a user would see.
func buildCommands(t testing.TB, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	for _, n := range names {
		args = append(args, "github.com/nianbao/nianbao/cmd/"+n)
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// result is one command's run.
type result struct {
	code   int
	stderr string
}

func runCommand(t *testing.T, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = new(bytes.Buffer), &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: did not finish in 60 s (hang)", filepath.Base(bin), strings.Join(args, " "))
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	return result{code, stderr.String()}
}

// TestDamagedArchiveCommands runs every command that opens an archive on
// damaged copies of a real crawled archive: each exits 2 with a message
// naming the file and what to run, never a Go stack trace.
func TestDamagedArchiveCommands(t *testing.T) {
	bin := buildCommands(t, "crawl", "extract", "lookup", "audit", "serve")
	src := archivetest.Crawled(t)
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	seedsFile := filepath.Join(t.TempDir(), "seeds.txt")
	if err := os.WriteFile(seedsFile, []byte(w.Seeds()), 0o644); err != nil {
		t.Fatal(err)
	}
	var resolveFlags []string
	hosts := make([]string, 0, len(resolve))
	for h := range resolve {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		resolveFlags = append(resolveFlags, "-resolve", h+"="+resolve[h])
	}

	commands := []struct {
		name string
		args func(db string) []string
	}{
		{"lookup", func(db string) []string { return []string{"-db", db} }},
		{"lookup", func(db string) []string { return []string{"-db", db, "-role", "report"} }},
		{"lookup", func(db string) []string { return []string{"-db", db, "-raw", "1"} }},
		{"extract", func(db string) []string { return []string{"-db", db} }},
		{"extract", func(db string) []string { return []string{"-db", db, "-csv", "-"} }},
		{"audit", func(db string) []string {
			return []string{"-db", db, "-seeds", seedsFile, "-from", "2019", "-to", "2023", "-asof", "2024-06-01"}
		}},
		{"crawl", func(db string) []string {
			return append([]string{"-db", db, "-seeds", seedsFile, "-delay", "0", "-retries", "0", "-timeout", "5s"}, resolveFlags...)
		}},
		{"serve", func(db string) []string {
			return append([]string{"-db", db, "-seeds", seedsFile, "-once", "-delay", "0", "-timeout", "5s"}, resolveFlags...)
		}},
	}
	variants := []struct {
		name string
		make func(t *testing.T) string
	}{
		{"truncated to half", func(t *testing.T) string { return archivetest.Truncated(t, src, 0.5) }},
		{"captures root page zeroed", func(t *testing.T) string { return archivetest.ZeroedBucketRoot(t, src, "captures") }},
	}
	for _, v := range variants {
		for _, c := range commands {
			db := v.make(t)
			args := c.args(db)
			t.Run(v.name+"/"+c.name+" "+strings.Join(args[2:min(len(args), 4)], " "), func(t *testing.T) {
				r := runCommand(t, filepath.Join(bin, c.name), args...)
				if r.code != 2 {
					t.Errorf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
				}
				for _, bad := range []string{"panic:", "goroutine ", ".go:"} {
					if strings.Contains(r.stderr, bad) {
						t.Errorf("stderr has %q (a stack trace):\n%s", bad, r.stderr)
					}
				}
				for _, want := range []string{db, "damaged", "archive check", "archive salvage"} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
					}
				}
			})
		}
	}
}

// TestUndecodableRecordIsSkipped corrupts one capture record of a real
// archive: readers pass over it, say which one, and go on.
func TestUndecodableRecordIsSkipped(t *testing.T) {
	bin := buildCommands(t, "extract", "lookup")
	src := archivetest.Crawled(t)
	// A report capture: extract reads reports and attachments (through
	// the role index), lookup every capture; both meet it.
	id := firstOfRole(t, src, archive.RoleReport)
	db := archivetest.CorruptRecord(t, src, "captures", archivetest.CaptureKey(id))

	r := runCommand(t, filepath.Join(bin, "lookup"), "-db", db)
	if r.code != 0 || !strings.Contains(r.stderr, fmt.Sprintf("bucket=captures key=%d", id)) {
		t.Errorf("lookup: exit %d, stderr %q; want 0 and the skipped record named", r.code, r.stderr)
	}
	r = runCommand(t, filepath.Join(bin, "extract"), "-db", db, "-all")
	if r.code != 0 || !strings.Contains(r.stderr, "damaged records skipped: 1") || !strings.Contains(r.stderr, fmt.Sprintf("captures %d:", id)) {
		t.Errorf("extract: exit %d, stderr:\n%s\nwant 0 and one skipped record counted", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "reports parsed") || strings.Contains(r.stderr, " 0 reports parsed") {
		t.Errorf("extract parsed nothing past the damaged record:\n%s", r.stderr)
	}
}

// firstOfRole returns the ID of the first capture with role in the archive
// at path.
func firstOfRole(t *testing.T, path string, role archive.Role) uint64 {
	t.Helper()
	a, err := archive.Open(path, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	caps, err := a.ByRole(role)
	if err != nil || len(caps) == 0 {
		t.Fatalf("no %s capture in %s: %v", role, path, err)
	}
	return archive.IDNum(caps[0].ID)
}
