package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	neturl "net/url"
	"slices"
	"strings"
	"time"

	"github.com/nianbao/nianbao/report"
	bolt "go.etcd.io/bbolt"
)

// The report index lets the audit, the dashboard and the agency page read
// what they show instead of decoding every stored report:
//
//	report_index       capture id8 → ReportSummary (JSON)
//	idx_report_year    year (4-byte big-endian) id8 → empty
//	idx_report_agency  report.NormAgency(agency) 0x00 id8 → empty
//	idx_report_crawl   report.NormAgency(capture's agency) 0x00 id8 → empty
//	idx_report_host    HostOf(capture's URL) 0x00 id8 → empty
//
// The last two let the audit find the reports its rules may attribute to
// the seeds agencies (by the report's agency, the crawl agency, or a seed
// URL's host) without reading the others.
//
// PutReport keeps the three in step with the reports bucket. A file
// written before the index existed gets it built when it is opened for
// writing (buildReportIndex); a read-only open of such a file has no index,
// and readers fall back to decoding every report (ReportIndexed is false).
// The index buckets are not created with the others: their presence says
// the index is complete, so a file whose reports were copied in without it
// (archive salvage writes the reports bucket directly) is indexed again on
// its next open for writing.
var (
	bucketReportIndex  = []byte("report_index")
	bucketReportYear   = []byte("idx_report_year")
	bucketReportAgency = []byte("idx_report_agency")
	bucketReportCrawl  = []byte("idx_report_crawl")
	bucketReportHost   = []byte("idx_report_host")
	reportIndexBuckets = [][]byte{bucketReportIndex, bucketReportYear, bucketReportAgency, bucketReportCrawl, bucketReportHost}
)

// ReportSummary is what the audit and the pages read of a stored report:
// the fields they show or decide on, kept in the report index so that they
// are read without decoding the report's JSON.
type ReportSummary struct {
	// CaptureID is the capture the report is stored under (not stored: the
	// key says it).
	CaptureID string `json:"-"`
	Agency    string `json:"agency"`
	Year      int    `json:"year"`
	Template  string `json:"template"`
	Title     string `json:"title"`
	// Published is the report's publication date as it states it, or nil.
	Published *string `json:"published"`
	// DatedBy is report.Report.DatedBy.
	DatedBy string `json:"dated_by,omitempty"`
	// URL and FetchedAt are the report's source.url and source.fetched_at.
	URL       string `json:"url"`
	FetchedAt string `json:"fetched_at"`
	// FailedChecks counts the failed checks of severity error (or of no
	// severity), FailedWarnings the failed checks of severity warning.
	FailedChecks   int `json:"failed_checks"`
	FailedWarnings int `json:"failed_warnings"`
	// Warnings is the number of the report's parse warnings.
	Warnings int `json:"warnings"`
	// Tables is true when the report has Table 2 or Table 3.
	Tables bool `json:"tables"`
}

// SummarizeReport returns the summary of r as the report index keeps it.
func SummarizeReport(captureID string, r *report.Report) *ReportSummary {
	s := &ReportSummary{CaptureID: captureID, Agency: r.Agency, Year: r.Year, Template: string(r.Template),
		Title: r.Title, Published: r.Published, DatedBy: r.DatedBy, URL: r.Source.URL, FetchedAt: r.Source.FetchedAt,
		Warnings: len(r.Warnings), Tables: r.Active != nil || r.Applications != nil}
	for _, c := range r.Checks {
		switch {
		case c.OK:
		case c.Severity == report.SeverityWarning:
			s.FailedWarnings++
		default:
			s.FailedChecks++
		}
	}
	return s
}

// reportHead is the part of a stored report's JSON (report.Report's
// stored form) its summary is made of: decoding only these fields skips
// the tables and texts, about 4 times faster than decoding a report.
type reportHead struct {
	Source struct {
		URL       string `json:"url"`
		FetchedAt string `json:"fetched_at"`
	} `json:"source"`
	Agency    string  `json:"agency"`
	Year      int     `json:"year"`
	Template  string  `json:"template"`
	Title     string  `json:"title"`
	Published *string `json:"published"`
	DatedBy   string  `json:"dated_by"`
	// Active and Applications are only tested for presence; an object
	// decodes into struct{}, anything else fails as it fails for a report.
	Active       *struct{} `json:"active"`
	Applications *struct{} `json:"applications"`
	Checks       []struct {
		OK       bool   `json:"ok"`
		Severity string `json:"severity"`
	} `json:"checks"`
	Warnings []string `json:"warnings"`
}

// summarizeStored decodes a stored report's summary from its JSON; it is
// SummarizeReport of the decoded report (tests check they agree). A report
// that does not decode has none (readers of the index skip it, as readers
// of the reports skip it).
func summarizeStored(captureID string, data []byte) (*ReportSummary, error) {
	var h reportHead
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("report of capture %s does not decode: %w", captureID, err)
	}
	s := &ReportSummary{CaptureID: captureID, Agency: h.Agency, Year: h.Year, Template: h.Template, Title: h.Title,
		Published: h.Published, DatedBy: h.DatedBy, URL: h.Source.URL, FetchedAt: h.Source.FetchedAt,
		Warnings: len(h.Warnings), Tables: h.Active != nil || h.Applications != nil}
	for _, c := range h.Checks {
		switch {
		case c.OK:
		case report.Severity(c.Severity) == report.SeverityWarning:
			s.FailedWarnings++
		default:
			s.FailedChecks++
		}
	}
	return s, nil
}

// yearKey is the idx_report_year key of a report of year for capture key id.
func yearKey(year int, id []byte) []byte {
	k := make([]byte, 4, 12)
	binary.BigEndian.PutUint32(k, uint32(max(year, 0)))
	return append(k, id...)
}

// HostOf returns the lower-cased host (with port) of a URL, "" if none: the
// host the report index and the audit compare.
func HostOf(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// captureKeys returns the idx_report_crawl and idx_report_host keys of the
// report stored under id: from its capture, or when the capture is missing
// from the report's own source URL (as the audit reads it).
func captureKeys(a *Archive, tx *bolt.Tx, id []byte, sum *ReportSummary) (crawl, host []byte) {
	var agency, url string
	if c, err := (&Reader{a: a, tx: tx}).capture(id); err == nil {
		agency, url = c.Agency, c.URL
	} else if sum != nil {
		url = sum.URL
	}
	if n := report.NormAgency(agency); n != "" {
		crawl = indexKey(n, id)
	}
	if h := HostOf(url); h != "" {
		host = indexKey(h, id)
	}
	return crawl, host
}

// indexReportTx puts the index entries of the report stored under id,
// removing those of the report it replaces. sum is nil for a report that
// does not decode (it is then left out of the index).
func indexReportTx(a *Archive, tx *bolt.Tx, id []byte, sum *ReportSummary) error {
	idx := tx.Bucket(bucketReportIndex)
	if idx == nil {
		return nil // no index in this file yet: the next open for writing builds it
	}
	if old := idx.Get(id); old != nil {
		var o ReportSummary
		if err := json.Unmarshal(old, &o); err == nil {
			if err := tx.Bucket(bucketReportYear).Delete(yearKey(o.Year, id)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketReportAgency).Delete(indexKey(report.NormAgency(o.Agency), id)); err != nil {
				return err
			}
			if err := deleteCaptureKeys(a, tx, id, &o); err != nil {
				return err
			}
		}
		if err := idx.Delete(id); err != nil {
			return err
		}
	}
	if sum == nil {
		return nil
	}
	v, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	if err := idx.Put(id, v); err != nil {
		return err
	}
	if err := tx.Bucket(bucketReportYear).Put(yearKey(sum.Year, id), nil); err != nil {
		return err
	}
	if err := tx.Bucket(bucketReportAgency).Put(indexKey(report.NormAgency(sum.Agency), id), nil); err != nil {
		return err
	}
	crawl, host := captureKeys(a, tx, id, sum)
	for _, kb := range []struct {
		bucket, key []byte
	}{{bucketReportCrawl, crawl}, {bucketReportHost, host}} {
		if kb.key == nil {
			continue
		}
		if err := tx.Bucket(kb.bucket).Put(kb.key, nil); err != nil {
			return err
		}
	}
	return nil
}

// deleteCaptureKeys removes the crawl and host keys of the report o.
func deleteCaptureKeys(a *Archive, tx *bolt.Tx, id []byte, o *ReportSummary) error {
	crawl, host := captureKeys(a, tx, id, o)
	if crawl != nil {
		if err := tx.Bucket(bucketReportCrawl).Delete(crawl); err != nil {
			return err
		}
	}
	if host != nil {
		return tx.Bucket(bucketReportHost).Delete(host)
	}
	return nil
}

// buildReportIndex creates the report index of a file opened for writing
// that has stored reports but no index (written before the index existed,
// or salvaged), in the open's transaction. A file without reports gets no
// index buckets until PutReport stores the first report.
func (a *Archive) buildReportIndex(tx *bolt.Tx) error {
	if tx.Bucket(bucketReportHost) != nil {
		return nil
	}
	for _, b := range reportIndexBuckets { // a partial index (of an earlier build of this version) is rebuilt
		if tx.Bucket(b) != nil {
			if err := tx.DeleteBucket(b); err != nil {
				return fmt.Errorf("drop bucket %s: %w", b, err)
			}
		}
	}
	reports := tx.Bucket(bucketReports)
	if k, _ := reports.Cursor().First(); k == nil {
		return nil
	}
	start := time.Now()
	if err := createReportIndex(tx); err != nil {
		return err
	}
	n, undecodable := 0, 0
	err := reports.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return nil
		}
		sum, err := summarizeStored(idString(k), v)
		if err != nil {
			undecodable++
		}
		n++
		return indexReportTx(a, tx, k, sum)
	})
	if err != nil {
		return fmt.Errorf("build the report index: %w", err)
	}
	slog.Info("archive: built the report index", "file", a.path, "reports", n, "undecodable", undecodable,
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

func createReportIndex(tx *bolt.Tx) error {
	for _, b := range reportIndexBuckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	return nil
}

// ReportIndexed reports whether the file has the report index; when it has
// not (a file written before it, opened read-only), EachReportSummary and
// ReportSummaries are unavailable and readers decode the reports.
func (r *Reader) ReportIndexed() bool { return r.tx.Bucket(bucketReportHost) != nil }

// ReportSummary returns the indexed summary of the report stored for a
// capture, and false when the capture has no report, its report does not
// decode, or the file has no index.
func (r *Reader) ReportSummary(captureID string) (*ReportSummary, bool) {
	key, err := parseID(captureID)
	if err != nil {
		return nil, false
	}
	return r.summary(key)
}

func (r *Reader) summary(key []byte) (*ReportSummary, bool) {
	b := r.tx.Bucket(bucketReportIndex)
	if b == nil {
		return nil, false
	}
	v := b.Get(key)
	if v == nil {
		return nil, false
	}
	var s ReportSummary
	if err := json.Unmarshal(v, &s); err != nil {
		r.skip(bucketReportIndex, idString(key), err)
		return nil, false
	}
	s.CaptureID = idString(key)
	return &s, true
}

// ReportsOfYears calls fn, in year then capture order, with the summary of
// every indexed report whose year is in [from, to]. It returns false
// without calling fn when the file has no report index.
func (r *Reader) ReportsOfYears(from, to int, fn func(*ReportSummary) error) (bool, error) {
	b := r.tx.Bucket(bucketReportYear)
	if !r.ReportIndexed() {
		return false, nil
	}
	if from > to {
		return true, nil
	}
	end := yearKey(to+1, nil)
	c := b.Cursor()
	for k, _ := c.Seek(yearKey(from, nil)); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
		if len(k) != 12 {
			continue
		}
		s, ok := r.summary(k[4:])
		if !ok {
			continue
		}
		if err := fn(s); err != nil {
			return true, err
		}
	}
	return true, nil
}

// ReportsOfAgency returns the summaries of the indexed reports whose agency
// normalises (report.NormAgency) to the same name as agency, in capture
// order, and false when the file has no report index.
func (r *Reader) ReportsOfAgency(agency string) ([]*ReportSummary, bool) {
	if !r.ReportIndexed() {
		return nil, false
	}
	return r.summaries(r.indexIDs(bucketReportAgency, report.NormAgency(agency))), true
}

// ReportsOfURL returns the summaries of the indexed reports of url's
// captures, in capture order (through idx_url: no capture is decoded), and
// false when the file has no report index.
func (r *Reader) ReportsOfURL(url string) ([]*ReportSummary, bool) {
	if !r.ReportIndexed() {
		return nil, false
	}
	return r.summaries(r.indexIDs(bucketByURL, url)), true
}

// summaries returns the report summaries stored under the capture keys
// ids, passing over captures without one.
func (r *Reader) summaries(ids [][]byte) []*ReportSummary {
	var out []*ReportSummary
	for _, id := range ids {
		if s, ok := r.summary(id); ok {
			out = append(out, s)
		}
	}
	return out
}

// ReportsFor calls fn, in capture order, with the summary of every indexed
// report of a year in [from, to] that names one of agencies (compared
// normalised), was captured for one of them, or was captured on one of
// hosts (HostOf form): every report the audit's rules may attribute to
// seeds agencies with those names and seed hosts. It returns false without
// calling fn when the file has no report index.
func (r *Reader) ReportsFor(agencies, hosts []string, from, to int, fn func(*ReportSummary) error) (bool, error) {
	if !r.ReportIndexed() {
		return false, nil
	}
	ids := map[ID]bool{}
	collect := func(bucket []byte, value string) {
		if value == "" {
			return
		}
		for _, id := range r.indexIDs(bucket, value) {
			ids[idOfKey(id)] = true
		}
	}
	for _, a := range agencies {
		n := report.NormAgency(a)
		collect(bucketReportAgency, n)
		collect(bucketReportCrawl, n)
	}
	for _, h := range hosts {
		collect(bucketReportHost, h)
	}
	sorted := make([]ID, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	slices.Sort(sorted)
	for _, id := range sorted {
		s, ok := r.summary(id.key())
		if !ok || s.Year < from || s.Year > to {
			continue
		}
		if err := fn(s); err != nil {
			return true, err
		}
	}
	return true, nil
}
