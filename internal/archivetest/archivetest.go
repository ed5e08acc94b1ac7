// Package archivetest makes archives for tests: a real one, crawled from the
// default fixture world and extracted the way a user makes it, and damaged
// copies of it (truncated, or with a range of bytes zeroed) the way a full
// disk, a killed copy or a bad sector leaves a file.
package archivetest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

// Crawled returns the path of a closed archive, in a temporary directory of
// t, made by crawling the default fixture world (with every report
// extracted). Build it once per test and copy it for each variant.
func Crawled(t testing.TB) string {
	t.Helper()
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	agencies, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "crawled.db")
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := crawler.DefaultConfig()
	cfg.Delay, cfg.Parallel, cfg.Resolve = 0, 8, resolve
	cfg.Timeout, cfg.Retries, cfg.RetryBackoff = 5*time.Second, 0, time.Millisecond
	c, err := crawler.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := c.Run(ctx, agencies); err != nil {
		t.Fatal(err)
	}
	if _, err := extract.Run(ctx, a, extract.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Copy copies the file src to a new file in a temporary directory of t and
// returns its path.
func Copy(t testing.TB, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Truncated returns a copy of src cut to fraction (0 < fraction < 1) of its
// size, as a copy interrupted by a full disk leaves it.
func Truncated(t testing.TB, src string, fraction float64) string {
	t.Helper()
	dst := Copy(t, src)
	st, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(dst, int64(float64(st.Size())*fraction)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Zeroed returns a copy of src with n bytes zeroed from offset, as a bad
// sector leaves it.
func Zeroed(t testing.TB, src string, offset, n int64) string {
	t.Helper()
	dst := Copy(t, src)
	f, err := os.OpenFile(dst, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, n), offset); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// ZeroedMiddle returns a copy of src with 64 KiB zeroed at the middle of the
// file (page-aligned).
func ZeroedMiddle(t testing.TB, src string) string {
	t.Helper()
	st, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	off := (st.Size() / 2) &^ 4095
	return Zeroed(t, src, off, 64<<10)
}
