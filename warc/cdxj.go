package warc

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// IndexEntry is one line of a CDXJ index: where a response or revisit
// record of a URL lies in which WARC file.
type IndexEntry struct {
	URL      string
	Date     time.Time
	Mime     string // the payload's media type; "warc/revisit" for a revisit
	Status   int
	Digest   string // the payload digest without its algorithm label
	Length   int64  // the record's length in the file (compressed)
	Offset   int64
	Filename string // relative to the index
}

// cdxjFields is the JSON block of a CDXJ line, in pywb's field order and
// with its string-typed numbers.
type cdxjFields struct {
	URL      string `json:"url"`
	Mime     string `json:"mime,omitempty"`
	Status   string `json:"status,omitempty"`
	Digest   string `json:"digest,omitempty"`
	Length   string `json:"length"`
	Offset   string `json:"offset"`
	Filename string `json:"filename"`
}

// Line returns the entry as a CDXJ line (without its newline): SURT key,
// 14-digit timestamp, JSON block — the form pywb reads and warcio
// cdx-index writes.
func (e IndexEntry) Line() (string, error) {
	f := cdxjFields{URL: e.URL, Mime: e.Mime, Digest: e.Digest, Length: strconv.FormatInt(e.Length, 10),
		Offset: strconv.FormatInt(e.Offset, 10), Filename: e.Filename}
	if e.Status > 0 {
		f.Status = strconv.Itoa(e.Status)
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return "", fmt.Errorf("cdxj line of %s: %w", e.URL, err)
	}
	return SURT(e.URL) + " " + e.Date.UTC().Format("20060102150405") + " " + strings.TrimSuffix(sb.String(), "\n"), nil
}

// sortedIndex collects CDXJ lines and writes them sorted (byte order, as
// `LC_ALL=C sort` and pywb expect) with memory bounded by chunk lines:
// each full chunk is sorted and spilled to a temporary file, and Close
// merges the runs.
type sortedIndex struct {
	path  string // the index being written
	tmp   string // directory of the spilled runs
	chunk int
	lines []string
	runs  []string
	count int
}

func newSortedIndex(path string, chunk int) (*sortedIndex, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".cdxj-sort-")
	if err != nil {
		return nil, fmt.Errorf("cdxj index %s: %w", path, err)
	}
	if chunk <= 0 {
		chunk = 100_000
	}
	return &sortedIndex{path: path, tmp: tmp, chunk: chunk}, nil
}

// Add adds one line.
func (s *sortedIndex) Add(line string) error {
	s.lines = append(s.lines, line)
	s.count++
	if len(s.lines) >= s.chunk {
		return s.spill()
	}
	return nil
}

func (s *sortedIndex) spill() error {
	slices.Sort(s.lines)
	name := filepath.Join(s.tmp, fmt.Sprintf("run-%06d", len(s.runs)))
	if err := writeLines(name, s.lines); err != nil {
		return fmt.Errorf("cdxj index %s: spill: %w", s.path, err)
	}
	s.runs = append(s.runs, name)
	s.lines = s.lines[:0]
	return nil
}

// Close writes the sorted index and removes the runs.
func (s *sortedIndex) Close() error {
	defer os.RemoveAll(s.tmp)
	if len(s.runs) == 0 {
		slices.Sort(s.lines)
		if err := writeLines(s.path, s.lines); err != nil {
			return fmt.Errorf("cdxj index %s: %w", s.path, err)
		}
		return nil
	}
	if len(s.lines) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	if err := mergeRuns(s.path, s.runs); err != nil {
		return fmt.Errorf("cdxj index %s: merge: %w", s.path, err)
	}
	return nil
}

// Abort removes the runs without writing the index.
func (s *sortedIndex) Abort() { os.RemoveAll(s.tmp) }

func writeLines(path string, lines []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// run is one sorted run being merged: its reader and current line.
type run struct {
	sc   *bufio.Scanner
	line string
}

type runHeap []*run

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return h[i].line < h[j].line }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*run)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeRuns merges sorted files into path.
func mergeRuns(path string, names []string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	h := &runHeap{}
	var files []io.Closer
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			out.Close()
			return err
		}
		files = append(files, f)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		if sc.Scan() {
			heap.Push(h, &run{sc: sc, line: sc.Text()})
		}
	}
	for h.Len() > 0 {
		r := (*h)[0]
		w.WriteString(r.line)
		w.WriteByte('\n')
		if r.sc.Scan() {
			r.line = r.sc.Text()
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
