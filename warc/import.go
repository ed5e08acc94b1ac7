package warc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// ImportOptions tune Import.
type ImportOptions struct {
	// Seeds give each capture its agency, by the authority (host:port)
	// of its URL, and mark the seed URLs (the crawler reaches them as
	// lists). Agency, when set, is every capture's agency instead.
	Seeds  []seeds.Agency
	Agency string
	// MaxBodySize caps a payload; a longer one is cut and recorded
	// truncated. Zero means the crawler's attachment cap.
	MaxBodySize int64
	// RunID is stored in every capture made.
	RunID string
	// Worker, when set, is every capture's worker (the cluster worker
	// whose upload this is); otherwise a record's Nianbao-Worker field
	// gives it.
	Worker string
	// Allow, when set, admits only the records whose target URL it
	// returns true for; the others are skipped (listed in Skipped) and
	// never written: a cluster upload may hold only its job's sites.
	Allow func(url string) bool
	// Logger receives progress (every ProgressEvery records, zero
	// meaning 1000) and every record skipped; nil discards them.
	Logger        *slog.Logger
	ProgressEvery int
}

// ImportSummary counts what Import did.
type ImportSummary struct {
	Records    int // records read
	Captures   int // captures added
	Duplicates int // records already in the archive (a second import)
	Ignored    int // records that are no capture: warcinfo, request, text conversions, other metadata
	// Skipped are the bad records, "file@offset: reason".
	Skipped []string
}

// Import reads WARC files (gzip or plain; written by wget, Heritrix,
// Zeno, Browsertrix or Export) and makes a capture of every response and
// revisit record, and of Export's own failure and rendered-document
// records: URL, date, status, headers, the payload as the tool recorded
// it (de-chunked), its text, the agency from the seeds by authority and
// the role the crawler would give it. It reads each file twice: first for
// the links between pages (a page's role can come from the link that led
// to it), then for the captures. Records already imported (same record
// ID, or same URL, date and payload digest) add nothing. A bad record is
// skipped and listed; the error is for what stops the import (ctx, the
// archive, a file that cannot be opened).
func Import(ctx context.Context, a *archive.Archive, files []string, opts ImportOptions) (*ImportSummary, error) {
	im := newImporter(a, opts)
	for _, f := range files {
		if err := im.scanLinks(ctx, f); err != nil {
			return im.sum, err
		}
	}
	for _, f := range files {
		if err := im.importFile(ctx, f); err != nil {
			return im.sum, err
		}
	}
	im.log.Info("import done", "records", im.sum.Records, "captures", im.sum.Captures, "duplicates", im.sum.Duplicates,
		"ignored", im.sum.Ignored, "skipped", len(im.sum.Skipped), "elapsed", time.Since(im.start).Round(time.Millisecond))
	return im.sum, nil
}

// importer is one Import run.
type importer struct {
	a     *archive.Archive
	opts  ImportOptions
	log   *slog.Logger
	sum   *ImportSummary
	start time.Time
	// agencies maps an authority to the seeds on it; seedURLs are the
	// seeds themselves.
	agencies map[string][]seeds.Agency
	seedURLs map[string]bool
	// hints are the links found on the imported pages: the role and
	// title the crawler would have queued each URL with.
	hints map[string]crawler.LinkHint
	// from is the page each link of hints was found on: the capture's
	// DiscoveredFrom (an attachment's landing page dates its report).
	from map[string]string
}

func newImporter(a *archive.Archive, opts ImportOptions) *importer {
	if opts.MaxBodySize <= 0 {
		opts.MaxBodySize = crawler.DefaultConfig().MaxAttachmentSize
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 1000
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	im := &importer{a: a, opts: opts, log: log, sum: &ImportSummary{}, start: time.Now(),
		agencies: map[string][]seeds.Agency{}, seedURLs: map[string]bool{}, hints: map[string]crawler.LinkHint{}, from: map[string]string{}}
	for _, ag := range opts.Seeds {
		k := authorityOf(ag.URL)
		im.agencies[k] = append(im.agencies[k], ag)
		im.seedURLs[ag.URL] = true
	}
	return im
}

// eachRecord calls fn for every record of a WARC file; a record the
// reader cannot make sense of ends the file (its framing is lost) and is
// listed as skipped.
//
// The file is read by two gowarc readers in step. gowarc caches a block
// (so it can be read after its digests were checked) only when it
// validates the record, and validating blanks a field it cannot parse —
// the WARC/1.0 WARC-Target-URI in <> that wget writes. So the blocks come
// from a validating reader and the fields, as written, from a lenient
// one.
func (im *importer) eachRecord(ctx context.Context, file string, fn func(rec gowarc.Record) error) error {
	r, err := gowarc.NewWarcFileReader(file, 0, readOptions(gowarc.ErrWarn)...)
	if err != nil {
		return fmt.Errorf("import %s: %w", file, err)
	}
	defer r.Close()
	fields, err := gowarc.NewWarcFileReader(file, 0, readOptions(gowarc.ErrIgnore)...)
	if err != nil {
		return fmt.Errorf("import %s: %w", file, err)
	}
	defer fields.Close()
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("import %s: %w", file, context.Cause(ctx))
		}
		rec, err := r.Next()
		if errors.Is(err, io.EOF) && rec.WarcRecord == nil {
			return nil
		}
		if err != nil {
			rec.Close()
			return &badFile{offset: rec.Offset, err: err}
		}
		if f, ferr := fields.Next(); ferr == nil && f.Offset == rec.Offset && f.WarcRecord != nil {
			*rec.WarcRecord.WarcHeader() = *f.WarcRecord.WarcHeader()
			f.Close()
		}
		err = fn(rec)
		rec.Close()
		if err != nil {
			return err
		}
	}
}

// badFile is a file whose framing is lost at offset: the rest of it is
// skipped.
type badFile struct {
	offset int64
	err    error
}

func (e *badFile) Error() string {
	return fmt.Sprintf("unreadable from offset %d on (rest of the file skipped): %v", e.offset, e.err)
}

// readOptions read leniently: other tools' deviations are findings, not
// failures; spec sets whether records are validated (see eachRecord).
func readOptions(spec gowarc.ErrorPolicy) []gowarc.WarcRecordOption {
	return []gowarc.WarcRecordOption{
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrWarn),
		gowarc.WithSpecViolationPolicy(spec),
		gowarc.WithUnknownRecordTypePolicy(gowarc.ErrIgnore),
		gowarc.WithBlockErrorPolicy(gowarc.ErrWarn),
		gowarc.WithBufferMaxMemBytes(1 << 20),
	}
}

func (im *importer) skip(file string, offset int64, err error) {
	s := file + "@" + strconv.FormatInt(offset, 10) + ": " + err.Error()
	im.sum.Skipped = append(im.sum.Skipped, s)
	im.log.Warn("import: record skipped", "file", file, "offset", offset, "reason", err)
}

func (im *importer) progress() {
	if im.sum.Records%im.opts.ProgressEvery == 0 {
		el := time.Since(im.start).Seconds()
		im.log.Info("import progress", "records", im.sum.Records, "captures", im.sum.Captures, "duplicates", im.sum.Duplicates,
			"skipped", len(im.sum.Skipped), "rate_per_s", strconv.FormatFloat(float64(im.sum.Records)/max(el, 1e-9), 'f', 1, 64))
	}
}
