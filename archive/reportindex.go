package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
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
	reportIndexBuckets = [][]byte{bucketReportIndex, bucketReportYear, bucketReportAgency}
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

// indexReportTx puts the index entries of the report stored under id,
// removing those of the report it replaces. sum is nil for a report that
// does not decode (it is then left out of the index).
func indexReportTx(tx *bolt.Tx, id []byte, sum *ReportSummary) error {
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
	return tx.Bucket(bucketReportAgency).Put(indexKey(report.NormAgency(sum.Agency), id), nil)
}

// buildReportIndex creates the report index of a file opened for writing
// that has stored reports but no index (written before the index existed,
// or salvaged), in the open's transaction. A file without reports gets no
// index buckets until PutReport stores the first report.
func (a *Archive) buildReportIndex(tx *bolt.Tx) error {
	if tx.Bucket(bucketReportIndex) != nil {
		return nil
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
		return indexReportTx(tx, k, sum)
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
func (r *Reader) ReportIndexed() bool { return r.tx.Bucket(bucketReportIndex) != nil }

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
	if b == nil || r.tx.Bucket(bucketReportIndex) == nil {
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
	b := r.tx.Bucket(bucketReportAgency)
	if b == nil || r.tx.Bucket(bucketReportIndex) == nil {
		return nil, false
	}
	var out []*ReportSummary
	prefix := append([]byte(report.NormAgency(agency)), 0)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id := k[len(prefix):]
		if len(id) != 8 {
			continue
		}
		if s, ok := r.summary(id); ok {
			out = append(out, s)
		}
	}
	return out, true
}
