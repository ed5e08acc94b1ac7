package warc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/nianbao/nianbao/archive"
)

// IndexName is the CDXJ index an export writes beside its WARC files.
const IndexName = "index.cdxj"

// ExportOptions select what Export writes and where.
type ExportOptions struct {
	// Dir receives the WARC files and the index; it is created if
	// missing and must not hold an index already.
	Dir string
	// Agency, when set, exports only that agency's captures.
	Agency string
	// RunID, when set, exports only the captures that run made (a
	// cluster worker's spool holds the job's earlier captures too).
	RunID string
	// Since and Until bound fetched-at: Since inclusive, Until exclusive;
	// zero means unbounded.
	Since, Until time.Time
	// MaxSize is the size after which a new file is begun; zero means
	// 1 GiB.
	MaxSize int64
	// Software, UserAgent, Robots and SeedsDigest go into each file's
	// warcinfo record: this program and version, the crawl's User-Agent,
	// its robots policy ("obey") and the seeds file's digest ("" when
	// unknown).
	Software, UserAgent, Robots, SeedsDigest string
	// Logger receives progress lines (every ProgressEvery captures, zero
	// meaning 1000) and the captures skipped; nil discards them.
	Logger        *slog.Logger
	ProgressEvery int
	// IndexChunk is how many index lines are sorted in memory before they
	// are spilled to a temporary file; zero means 100,000.
	IndexChunk int
}

// ExportSummary counts what Export wrote.
type ExportSummary struct {
	Captures    int // captures exported
	Responses   int
	Revisits    int
	Requests    int
	Conversions int
	Reports     int // metadata records holding a report
	Failures    int // metadata records of failed fetches
	Rendered    int // conversion records of documents a browser built
	// Skipped lists the captures that could not be exported (a payload
	// missing from a damaged archive), "id url: reason".
	Skipped []string
	// Files are the WARC files written, in order; Index is the CDXJ index.
	Files []string
	Index string
}

// Records is the number of records written, warcinfo records aside.
func (s *ExportSummary) Records() int {
	return s.Responses + s.Revisits + s.Requests + s.Conversions + s.Reports + s.Failures + s.Rendered
}

// exporter is one Export run.
type exporter struct {
	opts  ExportOptions
	log   *slog.Logger
	fw    *fileWriter
	index *sortedIndex
	sum   *ExportSummary
	start time.Time
}

// Export writes the archive's captures as WARC/1.1 files in opts.Dir, one
// capture after another in capture order, and a sorted CDXJ index of
// their response and revisit records. It reads the archive in one view
// and holds one capture at a time: memory does not grow with the archive.
func Export(ctx context.Context, a *archive.Archive, opts ExportOptions) (*ExportSummary, error) {
	x, err := newExporter(opts)
	if err != nil {
		return nil, err
	}
	err = a.View(func(r *archive.Reader) error {
		return r.Each(func(c *archive.Capture) error {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("export stopped after %d captures: %w", x.sum.Captures, context.Cause(ctx))
			}
			if !x.selected(c) {
				return nil
			}
			return x.capture(r, c)
		})
	})
	files, cerr := x.fw.Close()
	x.sum.Files = files
	if err == nil {
		err = cerr
	}
	if err != nil {
		x.index.Abort()
		return x.sum, fmt.Errorf("export %s to %s: %w", a.Path(), opts.Dir, err)
	}
	if err := x.index.Close(); err != nil {
		return x.sum, fmt.Errorf("export %s: %w", a.Path(), err)
	}
	x.log.Info("export done", "captures", x.sum.Captures, "records", x.sum.Records(), "files", len(files),
		"skipped", len(x.sum.Skipped), "elapsed", time.Since(x.start).Round(time.Millisecond))
	return x.sum, nil
}

func newExporter(opts ExportOptions) (*exporter, error) {
	if opts.Dir == "" {
		return nil, errors.New("export: no directory given")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	indexPath := filepath.Join(opts.Dir, IndexName)
	if _, err := os.Stat(indexPath); err == nil {
		return nil, fmt.Errorf("export: %s already holds an export (%s); choose an empty directory", opts.Dir, IndexName)
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = 1 << 30
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 1000
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	index, err := newSortedIndex(indexPath, opts.IndexChunk)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	start := time.Now()
	x := &exporter{opts: opts, log: log, index: index, start: start, sum: &ExportSummary{Index: indexPath}}
	x.fw = newFileWriter(opts.Dir, opts.MaxSize, newFileNamer(opts.Dir, start), x.warcinfo)
	return x, nil
}

// selected reports whether the options select c.
func (x *exporter) selected(c *archive.Capture) bool {
	if x.opts.Agency != "" && c.Agency != x.opts.Agency {
		return false
	}
	if x.opts.RunID != "" && c.RunID != x.opts.RunID {
		return false
	}
	if !x.opts.Since.IsZero() && c.FetchedAt.Before(x.opts.Since) {
		return false
	}
	return x.opts.Until.IsZero() || c.FetchedAt.Before(x.opts.Until)
}

// warcinfo fills the warcinfo record that opens every file.
func (x *exporter) warcinfo(rb gowarc.WarcRecordBuilder) error {
	fields := []string{
		"software", x.opts.Software,
		"format", "WARC File Format 1.1",
		"conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
		"http-header-user-agent", x.opts.UserAgent,
		"robots", x.opts.Robots,
		"isPartOf", "nianbao",
		"description", "Chinese government information-disclosure annual reports (政府信息公开工作年度报告) and the pages that lead to them, exported from a nianbao archive",
		"nianbao-seeds-digest", x.opts.SeedsDigest,
	}
	for i := 0; i < len(fields); i += 2 {
		if fields[i+1] == "" {
			continue
		}
		if _, err := fmt.Fprintf(rb, "%s: %s\r\n", fields[i], fields[i+1]); err != nil {
			return fmt.Errorf("warcinfo: %w", err)
		}
	}
	return nil
}
