package warc_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/warc"
)

// synthetic makes an archive of n captures of distinct 32 KiB pages, every
// tenth followed by a revisit of it.
func synthetic(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("synthetic-%d.db", n))
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	at := time.Date(2024, 2, 1, 8, 0, 0, 0, time.UTC)
	filler := bytes.Repeat([]byte("政府信息公开工作年度报告 "), 32<<10/36)
	for i := range n {
		u := fmt.Sprintf("http://www.example.gov.cn/xxgk/%d/index.html", i)
		body := append([]byte(fmt.Sprintf("<html><head><title>第%d页</title></head><body><p>", i)), filler...)
		h := http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Etag": {fmt.Sprintf(`"%d"`, i)}}
		c := &archive.Capture{URL: u, FinalURL: u, FetchedAt: at.Add(time.Duration(i) * time.Second), Status: 200, Header: h,
			ContentType: "text/html; charset=utf-8", Agency: "某市公安局", Role: archive.RoleList}
		if err := a.Put(c, body, "第"+fmt.Sprint(i)+"页"); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			r := &archive.Capture{URL: u, FinalURL: u, FetchedAt: c.FetchedAt.Add(time.Hour), Status: 304, Header: h,
				Digest: c.Digest, Revisit: true, Agency: c.Agency, Role: c.Role}
			if err := a.Put(r, nil, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	return path
}

// peakHeap exports the archive at path and returns the largest live heap
// sampled while it ran.
func peakHeap(t *testing.T, path string, opts warc.ExportOptions) (uint64, *warc.ExportSummary) {
	t.Helper()
	a := openArchive(t, path)
	defer a.Close()
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	sum, err := warc.Export(context.Background(), a, opts)
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	return peak.Load(), sum
}

// TestExportMemoryBounded exports archives of 300 and 3,000 captures (10
// and 100 MB of payload): the live heap does not grow with the archive,
// the index of the larger one is spilled and merged in sorted order, and
// the files rotate.
func TestExportMemoryBounded(t *testing.T) {
	small, large := synthetic(t, 300), synthetic(t, 3000)
	opts := func() warc.ExportOptions {
		return warc.ExportOptions{Dir: filepath.Join(t.TempDir(), "warc"), MaxSize: 1 << 20, IndexChunk: 500}
	}
	ps, sumS := peakHeap(t, small, opts())
	o := opts()
	pl, sumL := peakHeap(t, large, o)
	t.Logf("peak heap: %d captures %.1f MiB, %d captures %.1f MiB; %d files", sumS.Captures, float64(ps)/(1<<20), sumL.Captures, float64(pl)/(1<<20), len(sumL.Files))
	if sumL.Captures != 3300 || sumL.Revisits != 300 || len(sumL.Files) < 2 {
		t.Fatalf("large export: %+v", sumL)
	}
	if pl > ps*2+16<<20 {
		t.Errorf("peak heap grew from %d to %d bytes with ten times the captures", ps, pl)
	}
	idx, err := os.ReadFile(filepath.Join(o.Dir, warc.IndexName))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(idx), "\n"), "\n")
	if len(lines) != 3300 || !slices.IsSorted(lines) {
		t.Errorf("index: %d lines, sorted %v", len(lines), slices.IsSorted(lines))
	}
}

// BenchmarkExport measures one export of 300 captures (allocations per
// capture are what -benchmem reports divided by 330).
func BenchmarkExport(b *testing.B) {
	path := synthetic(b, 300)
	a, err := archive.Open(path, archive.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	b.ReportAllocs()
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "warc")
		if _, err := warc.Export(context.Background(), a, warc.ExportOptions{Dir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}
