package extractrun

// This file is archive mode: it parses the report and attachment captures
// of an archive, stores each report (JSON) keyed by its capture, and adds
// the cross-year checks between reports of the same agency.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// RunOptions configure Run.
type RunOptions struct {
	// All parses every eligible capture (every version of every URL) and
	// re-parses captures whose report is already stored. Without it only the
	// latest capture of each URL is considered, and it is skipped when its
	// report is already stored for the same payload digest.
	All bool
	// Only restricts the run to these capture IDs (empty: every capture).
	Only []string
	// Logger receives progress and per-capture failures; nil discards them.
	Logger *slog.Logger
	// OnReport, when set, is called once for every report this run parsed,
	// in capture order, after the cross-year checks were added (so the
	// report is exactly what was stored).
	OnReport func(*report.Report)
	// ProgressEvery is how many parsed captures go between two progress log
	// lines; zero means 100.
	ProgressEvery int
	// Workers is how many captures are parsed and stored at once; zero
	// means 4×GOMAXPROCS, at most 16 (a worker spends most of its time
	// waiting for the archive's batched write of its report).
	Workers int
}

// Failure is a capture that could not be parsed, or was not a report.
type Failure struct {
	URL       string `json:"url"`
	CaptureID string `json:"capture_id"`
	Reason    string `json:"reason"`
}

// Summary says what one Run did.
type Summary struct {
	// Candidates is how many captures the run considered (after the
	// latest-per-URL and Only selection).
	Candidates int `json:"candidates"`
	// ByTemplate counts the reports parsed this run per template name.
	ByTemplate map[string]int `json:"by_template"`
	// Parsed is how many reports this run parsed and stored.
	Parsed int `json:"parsed"`
	// WithFailedRules is how many of them have at least one failed check
	// (cross-year checks included).
	WithFailedRules int `json:"with_failed_rules"`
	// Warnings is the number of parse warnings in them.
	Warnings int `json:"warnings"`
	// Failed lists the captures that could not be read or parsed.
	Failed []Failure `json:"failed"`
	// NotReports lists the captures that parsed as documents but are not
	// annual reports (ErrNotReport: a list page, a notice); they are skipped.
	NotReports []Failure `json:"not_reports"`
	// KnownNotReports is how many captures were skipped because an earlier
	// run found the same payload is not a report (-all parses them again).
	KnownNotReports int `json:"known_not_reports"`
	// Skipped lists the archive records that could not be decoded and were
	// passed over (a damaged capture or report record).
	Skipped []archive.Skipped `json:"skipped_records"`
	// NewReports is how many captures got a report for the first time.
	NewReports int `json:"new_reports"`
	// Unchanged is how many captures were skipped because their report is
	// already stored for the same payload.
	Unchanged int `json:"unchanged"`
	// CrossUpdated is how many already stored reports were stored again
	// because their cross-year checks changed (a neighbouring year arrived).
	CrossUpdated int `json:"cross_updated"`
}

// Run parses the report and attachment captures of a (role "report" or
// "attachment", status 200 or a 304 revisit, no fetch error, not truncated)
// and stores each report, compact JSON, with a.PutReport under its capture
// ID. A revisit is parsed from the payload it revisited (its Digest).
// Each capture is parsed with Parse(CaptureName(c), body, Options{Agency:
// c.Agency, Source: …, ContentType: c.ContentType}): the document's own
// agency and year win, the capture's agency fills in (PreferAgency).
//
// Captures that are not reports (ErrNotReport, or not Usable) are listed in
// Summary.NotReports; captures that cannot be read are listed in
// Summary.Failed; neither stops the run. After parsing, every stored report
// gets its cross-year checks (CrossCheck against the previous year of the
// same agency, stored earlier or parsed now) and is stored again when they
// changed, so a run that parses only new captures still checks them
// against the stored years, and updates a stored year whose previous year
// just arrived.
//
// Run always returns a Summary. It returns an error only when the archive
// cannot be read or written, or ctx is cancelled (checked between
// captures; the reports parsed so far are stored and get their cross-year
// checks before Run returns).
func Run(ctx context.Context, a *archive.Archive, opts RunOptions) (*Summary, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = 100
	}
	sum := &Summary{ByTemplate: map[string]int{}}

	sel, err := selectCaptures(a, opts)
	if err != nil {
		return sum, err
	}
	stored := sel.stored
	sum.Candidates = len(sel.targets)
	sum.Skipped = append(sum.Skipped, sel.skipped...)

	// the captures to parse, in capture order
	var todo []*archive.Capture
	for _, c := range sel.targets {
		switch {
		case !opts.All && unchanged(c, sel.versions[c.URL], stored):
			sum.Unchanged++
		case !opts.All && sel.notReport[c.ID]:
			sum.KnownNotReports++
		default:
			todo = append(todo, c)
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = min(4*runtime.GOMAXPROCS(0), 16)
	}
	results := make([]parseResult, len(todo))
	jobs := make(chan int)
	done := make(chan int)
	fed := 0
	go func() {
		defer close(jobs)
		for i := range todo {
			select {
			case <-ctx.Done():
				return
			case jobs <- i:
				fed++
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if ctx.Err() != nil {
					results[i] = parseResult{skipped: true}
				} else {
					results[i] = parseAndStore(a, todo[i])
				}
				done <- i
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	start := time.Now()
	finished := 0
	for i := range done {
		res := results[i]
		if res.skipped {
			continue
		}
		finished++
		if res.info == nil {
			continue
		}
		sum.Parsed++
		if sum.Parsed%every == 0 {
			el := time.Since(start).Seconds()
			log.Info("extract progress", "parsed", sum.Parsed, "done", finished, "of", len(todo),
				"rate_per_s", strconv.FormatFloat(float64(sum.Parsed)/max(el, 1e-9), 'f', 1, 64))
		}
	}
	var runErr error
	skipped := len(todo) - fed
	for _, res := range results {
		if res.skipped {
			skipped++
		}
	}
	if skipped > 0 {
		runErr = fmt.Errorf("extract run: stopped after %d of %d captures: %w", finished, len(todo), context.Cause(ctx))
	}

	// summarise in capture order
	parsed := map[string]parsedInfo{}
	var order []string
	var storeErr error
	for i, res := range results {
		c := todo[i]
		switch {
		case res.storeErr != nil:
			if storeErr == nil {
				storeErr = fmt.Errorf("extract run: %w", res.storeErr)
			}
		case res.err != nil:
			f := Failure{URL: c.URL, CaptureID: c.ID, Reason: firstLine(res.err.Error())}
			if errors.Is(res.err, extract.ErrNotReport) {
				sum.NotReports = append(sum.NotReports, f)
				log.Debug("not a report", "url", c.URL, "capture", c.ID, "reason", f.Reason)
			} else {
				sum.Failed = append(sum.Failed, f)
				log.Warn("cannot parse capture", "url", c.URL, "capture", c.ID, "err", f.Reason)
			}
		case res.info != nil:
			if !stored[c.ID] {
				sum.NewReports++
			}
			stored[c.ID] = true
			parsed[c.ID] = *res.info
			order = append(order, c.ID)
			sum.ByTemplate[string(res.info.template)]++
			sum.Warnings += res.info.warnings
		}
	}
	if storeErr != nil {
		return sum, storeErr
	}
	if err := a.MarkExtracted(marks(todo, results)); err != nil {
		return sum, fmt.Errorf("extract run: %w", err)
	}

	cross, err := crossPass(a, parsed, workers)
	sum.Skipped = append(sum.Skipped, cross.skipped...)
	if err != nil {
		return sum, err
	}
	for id := range cross.updated {
		if _, ok := parsed[id]; !ok {
			sum.CrossUpdated++
		}
	}
	for _, id := range order {
		if cross.failed[id] > 0 {
			sum.WithFailedRules++
		}
	}
	if opts.OnReport != nil {
		if err := readBack(a, order, opts.OnReport); err != nil {
			return sum, err
		}
	}
	log.Info("extract done", "parsed", sum.Parsed, "new", sum.NewReports, "unchanged", sum.Unchanged,
		"with_failed_rules", sum.WithFailedRules, "not_reports", len(sum.NotReports), "failed", len(sum.Failed),
		"cross_updated", sum.CrossUpdated, "elapsed", time.Since(start).Round(time.Millisecond))
	return sum, runErr
}

// parseResult is what a worker made of one capture: a stored report (what
// the summary needs of it: the report itself is not kept, so a run's memory
// does not grow with the reports it parses), a parse error (the capture is
// skipped), or a storage error (the run fails).
type parseResult struct {
	info     *parsedInfo
	err      error
	storeErr error
	skipped  bool // the run was cancelled before the capture was parsed
}

// parseAndStore parses a capture and stores its report.
func parseAndStore(a *archive.Archive, c *archive.Capture) parseResult {
	r, err := parseCapture(a, c)
	if err != nil {
		return parseResult{err: err}
	}
	report.Localize(r.Checks)
	data, err := report.MarshalReportCompact(r)
	if err != nil {
		return parseResult{storeErr: fmt.Errorf("encode report of capture %s: %w", c.ID, err)}
	}
	if err := a.PutReport(c.ID, data); err != nil {
		return parseResult{storeErr: err}
	}
	return parseResult{info: &parsedInfo{agency: r.Agency, url: r.Source.URL, template: r.Template, warnings: len(r.Warnings)}}
}

// parsedInfo is what a run keeps of a report it parsed and stored.
type parsedInfo struct {
	agency, url string // the report's agency and source URL
	template    report.Template
	warnings    int // how many parse warnings it has
}

// eligible reports whether a capture holds a document Run should parse.
func eligible(c *archive.Capture) bool {
	if c.Role != archive.RoleReport && c.Role != archive.RoleAttachment {
		return false
	}
	if c.Error != "" || c.Truncated || c.Digest == "" {
		return false
	}
	return c.Status == 200 || (c.Revisit && c.Status == 304)
}

// version is one eligible capture of a URL.
type version struct{ id, digest string }

// selection is what Run reads of the archive before parsing, in one view.
type selection struct {
	targets   []*archive.Capture   // the captures to consider, in capture order
	versions  map[string][]version // every eligible version of each URL, oldest first
	stored    map[string]bool      // captures with a stored report
	notReport map[string]bool      // targets an earlier run found are not reports (same digest)
	skipped   []archive.Skipped    // records that did not decode
}

// selectCaptures reads, in one view of the archive, the captures to parse
// and what is already known of them.
func selectCaptures(a *archive.Archive, opts RunOptions) (*selection, error) {
	only := map[string]bool{}
	for _, id := range opts.Only {
		only[id] = true
	}
	sel := &selection{versions: map[string][]version{}, stored: map[string]bool{}, notReport: map[string]bool{}}
	var all []*archive.Capture
	latest := map[string]int{}
	err := a.View(func(r *archive.Reader) error {
		if err := r.EachReport(func(id string, _ []byte) error {
			sel.stored[id] = true
			return nil
		}); err != nil {
			return err
		}
		// Only reports and attachments are eligible: read the role index,
		// not every capture.
		err := r.EachOfRoles([]archive.Role{archive.RoleReport, archive.RoleAttachment}, func(c *archive.Capture) error {
			if !eligible(c) {
				return nil
			}
			sel.versions[c.URL] = append(sel.versions[c.URL], version{c.ID, c.Digest})
			if len(only) > 0 && !only[c.ID] {
				return nil
			}
			c.Header = nil // not needed; keeps memory down on big archives
			latest[c.URL] = len(all)
			all = append(all, c)
			if m, ok := r.Extracted(c.ID); ok && m.Outcome == archive.ExtractedNotReport && m.Digest == c.Digest {
				sel.notReport[c.ID] = true
			}
			return nil
		})
		sel.skipped = r.Skipped()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("extract run: list captures in %s: %w", a.Path(), err)
	}
	if opts.All {
		sel.targets = all
		return sel, nil
	}
	for i, c := range all {
		if latest[c.URL] == i {
			sel.targets = append(sel.targets, c)
		}
	}
	return sel, nil
}

// marks records what this run made of each capture it parsed, so later runs
// know which payloads are not reports.
func marks(todo []*archive.Capture, results []parseResult) map[string]archive.Extraction {
	out := map[string]archive.Extraction{}
	for i, res := range results {
		c := todo[i]
		switch {
		case res.skipped || res.storeErr != nil:
		case res.info != nil:
			out[c.ID] = archive.Extraction{Outcome: archive.ExtractedReport, Digest: c.Digest}
		case errors.Is(res.err, extract.ErrNotReport):
			out[c.ID] = archive.Extraction{Outcome: archive.ExtractedNotReport, Digest: c.Digest, Reason: firstLine(res.err.Error())}
		case res.err != nil:
			out[c.ID] = archive.Extraction{Outcome: archive.ExtractedFailed, Digest: c.Digest, Reason: firstLine(res.err.Error())}
		}
	}
	return out
}

// unchanged reports whether a report is already stored for c or for an
// earlier capture of the same URL with the same payload.
func unchanged(c *archive.Capture, versions []version, stored map[string]bool) bool {
	if stored[c.ID] {
		return true
	}
	for _, v := range versions {
		if v.digest == c.Digest && stored[v.id] {
			return true
		}
	}
	return false
}

// parseCapture reads a capture's payload and parses it.
func parseCapture(a *archive.Archive, c *archive.Capture) (*report.Report, error) {
	body, err := a.BodyByDigest(c.Digest)
	if err != nil {
		return nil, fmt.Errorf("read body of capture %s (%s): %w", c.ID, c.URL, err)
	}
	opts := extract.Options{
		Agency: c.Agency,
		Source: report.Source{
			URL:       c.URL,
			CaptureID: c.ID,
			Digest:    c.Digest,
			FetchedAt: c.FetchedAt.UTC().Format(time.RFC3339),
		},
		ContentType: contentType(c),
	}
	name := CaptureName(c)
	r, err := extract.Parse(name, body, opts)
	if err != nil {
		return nil, err
	}
	adoptLandingCapture(a, c, r) // landing.go
	if err := extract.Usable(r); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	r.Agency = report.PreferAgency(r.Agency, c.Agency)
	return r, nil
}

// contentType is the media type a capture is parsed as: its Content-Type,
// or HTML in its recorded charset when the response named none.
func contentType(c *archive.Capture) string {
	if c.ContentType == "" && c.Charset != "" {
		return "text/html; charset=" + c.Charset
	}
	return c.ContentType
}

// CaptureName is the file name Run passes to Parse for a capture: the last
// path element of its final URL (or URL), "index.html" for a directory.
func CaptureName(c *archive.Capture) string {
	raw := c.FinalURL
	if raw == "" {
		raw = c.URL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "capture-" + c.ID
	}
	base := path.Base(u.Path)
	if base == "" || base == "." || base == "/" || strings.HasSuffix(u.Path, "/") {
		return "index.html"
	}
	return base
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// skippedReport logs and describes a stored report that does not decode.
func skippedReport(a *archive.Archive, id string, err error) archive.Skipped {
	s := archive.Skipped{Bucket: "reports", Key: id, Reason: "report does not decode: " + err.Error()}
	slog.Warn("extract: skipping a stored report that does not decode", "file", a.Path(), "capture", id, "reason", err)
	return s
}

type yearKey struct {
	agency string
	year   int
}

// yearIndex picks, for every (agency, year), the report the next year is
// checked against: one with Table 3, a known template, the latest capture.
func yearIndex(reps []*report.Report) map[yearKey]*report.Report {
	idx := map[yearKey]*report.Report{}
	for _, r := range reps {
		if r.Agency == "" || r.Year == 0 {
			continue
		}
		k := yearKey{report.NormAgency(r.Agency), r.Year}
		if cur := idx[k]; cur == nil || better(r, cur) {
			idx[k] = r
		}
	}
	return idx
}

func better(a, b *report.Report) bool {
	if (a.Applications != nil) != (b.Applications != nil) {
		return a.Applications != nil
	}
	ka := a.Template == report.Template2021 || a.Template == report.Template2019
	kb := b.Template == report.Template2021 || b.Template == report.Template2019
	if ka != kb {
		return ka
	}
	return idLess(b.Source.CaptureID, a.Source.CaptureID)
}

// idLess orders capture IDs numerically.
func idLess(a, b string) bool { return archive.IDNum(a) < archive.IDNum(b) }

// Current keeps, for every source URL, the report of its latest capture
// (reports without a URL are all kept).
func Current(reps []*report.Report) []*report.Report {
	latest := map[string]*report.Report{}
	var out []*report.Report
	for _, r := range reps {
		u := r.Source.URL
		if u == "" {
			out = append(out, r)
			continue
		}
		if cur := latest[u]; cur == nil || idLess(cur.Source.CaptureID, r.Source.CaptureID) {
			latest[u] = r
		}
	}
	for _, r := range latest {
		out = append(out, r)
	}
	SortReports(out)
	return out
}

// SortReports orders reports by agency, year, source URL and capture.
func SortReports(reps []*report.Report) {
	sort.SliceStable(reps, func(i, j int) bool {
		a, b := reps[i], reps[j]
		if a.Agency != b.Agency {
			return a.Agency < b.Agency
		}
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		if a.Source.URL != b.Source.URL {
			return a.Source.URL < b.Source.URL
		}
		return idLess(a.Source.CaptureID, b.Source.CaptureID)
	})
}

// LoadReports reads the reports stored in a: with all, every stored
// report; otherwise only the latest capture's report of each URL. They are
// sorted by agency, year, URL and capture. A stored value that does not
// decode is skipped with a warning naming its capture.
func LoadReports(a *archive.Archive, all bool) ([]*report.Report, error) {
	var reps []*report.Report
	err := a.View(func(rd *archive.Reader) error {
		return rd.EachReport(func(id string, data []byte) error {
			var r report.Report
			if err := json.Unmarshal(data, &r); err != nil {
				skippedReport(a, id, err)
				return nil
			}
			if r.Source.CaptureID == "" {
				r.Source.CaptureID = id
			}
			reps = append(reps, &r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load reports from %s: %w", a.Path(), err)
	}
	if all {
		SortReports(reps)
		return reps, nil
	}
	return Current(reps), nil
}
