package warc_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/internal/archivetest"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/warc"
)

// shared is the archive crawledTwice builds once per test binary (a
// crawl of the fixture world takes tens of seconds); TestMain removes it.
var shared struct {
	once     sync.Once
	dir      string
	path     string
	agencies []seeds.Agency
	err      string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// crawledTwice returns a copy of an archive made by crawling the default
// fixture world twice (the second run revalidates: revisits) and
// extracting it, and the world's seeds.
func crawledTwice(t *testing.T) (string, []seeds.Agency) {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "nianbao-warc-test-")
		if err != nil {
			shared.err = err.Error()
			return
		}
		shared.dir, shared.path = dir, filepath.Join(dir, "crawled.db")
		for range 2 {
			shared.agencies = archivetest.CrawlInto(t, shared.path)
		}
	})
	if shared.err != "" || shared.agencies == nil {
		t.Fatalf("the shared crawl failed: %s", shared.err)
	}
	return archivetest.Copy(t, shared.path), shared.agencies
}

func openArchive(t *testing.T, path string) *archive.Archive {
	t.Helper()
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// export exports the archive at path into a new directory.
func export(t *testing.T, path string, opts warc.ExportOptions) (*warc.ExportSummary, string) {
	t.Helper()
	a := openArchive(t, path)
	defer a.Close()
	if opts.Dir == "" {
		opts.Dir = filepath.Join(t.TempDir(), "warc")
	}
	opts.Software, opts.UserAgent, opts.Robots = "nianbao test", crawler.UserAgent, "obey"
	sum, err := warc.Export(context.Background(), a, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sum, opts.Dir
}

// warcFiles returns the WARC files of dir, in name order.
func warcFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no WARC files in %s (%v)", dir, err)
	}
	return files
}

// tool returns the path of an external program, skipping the test when
// it is missing unless NIANBAO_REQUIRE_WARCIO is set (CI sets it).
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("NIANBAO_REQUIRE_WARCIO") != "" {
			t.Fatalf("%s is not installed and NIANBAO_REQUIRE_WARCIO is set", name)
		}
		t.Skipf("%s is not installed (npm install -g warcio; apt-get install wget)", name)
	}
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// exportOpts are the options of a test export (small files, to rotate).
func exportOpts() warc.ExportOptions { return warc.ExportOptions{MaxSize: 1 << 20} }
