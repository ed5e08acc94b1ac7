// Package audit owns the publication audit: for every agency of the seeds
// file and every report year in a range, one status (on time, late,
// undated, missing, not yet due) decided from the extracted reports stored
// in the archive and the statutory deadlines of the 政府信息公开条例.
//
// # Which capture is the report of agency A for year Y
//
// Only stored extracted reports count (archive.EachReport, the JSON of
// report.Report): their agency and year decide, never the URL. A report is
// attributed to a seeds agency by this precedence, names compared after
// report.NormAgency (white space and zero-width characters removed, full-width ASCII folded to
// half-width):
//
//  1. the report's agency equals a seeds agency's name: that agency, wherever
//     it was crawled (a county government site hosting a bureau's report);
//  2. otherwise, when the capture's crawl agency (archive.Capture.Agency, the
//     seeds name the crawl was made for) is a seeds agency and the report's
//     agency is empty or a short form of it — its characters appear in the
//     seeds name in order and it ends with the same character ("公安局",
//     "长沙公安局" for 长沙市公安局), or it ends with the seeds name
//     ("湖南省长沙市公安局"), or it names the same organ after the last
//     division word (省 市 县 区 旗 州 盟) in a place starting with the same
//     character (济源市公安局 for 济源示范区公安局, 吴江市公安局 for
//     吴江区公安局 after a county became a district) — the crawl agency;
//  3. otherwise, when exactly one of the seeds agencies whose seed URL has
//     the capture's host accepts the report's agency by the same short-form
//     rules (several agencies seeded on one shared county site, the capture
//     credited to another of them): that agency;
//  4. otherwise the report is not attributed (a page of another agency on a
//     shared site, e.g. 湘潭县教育局 on www.xtx.gov.cn).
//
// Seeds lines with the same normalised name are one agency (the first
// line's level applies). Reports whose year is outside [from, to] are
// ignored.
//
// # Copies
//
// Several captures may hold the same report: re-captures of one URL,
// reposts under other URLs, a page and its attachment. Captures of one URL
// are folded into one candidate (its publication date is the earliest stated
// by any of them, its capture the earliest capture stating that date).
//
// An undated candidate discovered from (archive.Capture.DiscoveredFrom) the
// page of a dated candidate of the same agency-year takes that page's date:
// an attachment announced by a dated page (Entry.DatedBy names the page).
// Among the candidates of an agency-year, the earliest publication date
// wins; a dated candidate beats an undated one; on the same date a candidate
// with the template's tables (Table 2 or 3) beats one without, so the report
// in an attachment beats the page that only links to it and failed_checks
// are the report's own; then the earliest first_seen wins, then the lowest
// capture ID. The other candidates are listed in Entry.Copies, one per URL,
// in the same order.
//
// # Dates
//
// first_seen is the date (China Standard Time, UTC+8) of the earliest
// successful capture of the candidate's URL (archive.ByURL; failed fetches
// do not count), so it is per URL: each copy carries its own. Deadlines: for
// report year Y ≥ 2019 a department's is Y+1-01-31 and a government's
// Y+1-03-31 (条例 2019 art. 49/50); for Y ≤ 2018 Y+1-03-31 for every body
// (条例 2008 art. 31/32).
//
// # Statuses
//
//   - on_time: published on or before the deadline (days_late 0);
//   - late: published after it; days_late = calendar days after the deadline;
//   - undated: a report was found but no copy states a publication date;
//     first_seen is reported and days_late is 0, because the first crawl of
//     a page bounds its publication date only from above and says nothing
//     about lateness;
//   - missing: no report found and the deadline is before the audit date;
//   - not_due: no report found and the deadline is on or after the audit
//     date (a report already found is judged as above even before its
//     deadline).
//
// The audit date only decides which deadlines have passed: every report in
// the archive counts, whenever it was captured (an audit "as of" a past
// date is not a replay of what the archive held then).
package audit

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

// Statuses an Entry can have.
const (
	OnTime  = "on_time"
	Late    = "late"
	Undated = "undated"
	Missing = "missing"
	NotDue  = "not_due"
)

// Statuses lists every status, in the order tables and totals show them.
var Statuses = []string{OnTime, Late, Undated, Missing, NotDue}

// dateLayout is the layout of every date an Entry holds.
const dateLayout = "2006-01-02"

// Entry is the audit result for one agency and one report year. Its JSON
// names are the contract of cmd/audit -json and the web API.
type Entry struct {
	Agency string `json:"agency"`
	Level  string `json:"level"`
	Year   int    `json:"year"`
	Status string `json:"status"`
	// Deadline is the last day (YYYY-MM-DD) the report was due.
	Deadline string `json:"deadline"`
	// Published is the publication date stated by the chosen report (or by
	// the page it was discovered from, see DatedBy), or nil.
	Published *string `json:"published"`
	// DatedBy is the URL of the page that states Published when it is not
	// the report's own URL ("" otherwise).
	DatedBy string `json:"dated_by,omitempty"`
	// FirstSeen is the date the chosen report's URL was first captured, or nil.
	FirstSeen *string `json:"first_seen"`
	// DaysLate is the number of days after the deadline (late only).
	DaysLate int `json:"days_late"`
	// URL and CaptureID name the chosen report ("" when none).
	URL       string `json:"url"`
	CaptureID string `json:"capture_id"`
	// FailedChecks counts the chosen report's failed validation checks of
	// severity error (a check without severity counts as an error).
	FailedChecks int `json:"failed_checks"`
	// FailedWarnings counts its failed checks of severity warning.
	FailedWarnings int `json:"failed_warnings"`
	// Copies are the other URLs holding the same report; never nil.
	Copies []Copy `json:"copies"`
}

// Copy is another archived copy of an Entry's report.
type Copy struct {
	URL       string  `json:"url"`
	CaptureID string  `json:"capture_id"`
	Published *string `json:"published"`
	DatedBy   string  `json:"dated_by,omitempty"`
	FirstSeen *string `json:"first_seen"`
}

// Deadline returns the last day a report for year is due from an agency of
// level (seeds.Department or seeds.Government; anything else is treated as a
// department), as a UTC midnight.
func Deadline(level string, year int) time.Time {
	if year >= 2019 && level != seeds.Government {
		return time.Date(year+1, time.January, 31, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(year+1, time.March, 31, 0, 0, 0, 0, time.UTC)
}

// Years returns the report years [from, to] with their defaults as of now:
// a zero to is the year before now's, a zero from is to-4, and a from after
// to is clamped to to.
func Years(from, to int, now time.Time) (int, int) {
	if to == 0 {
		to = now.Year() - 1
	}
	if from == 0 {
		from = to - 4
	}
	if from > to {
		from = to
	}
	return from, to
}

// shortFormOf reports whether short is an abbreviation of full: its runes
// appear in full in order and both end with the same rune, or short is
// full with a prefix (a province before a city).
func shortFormOf(short, full string) bool {
	if short == "" || full == "" {
		return false
	}
	if strings.HasSuffix(short, full) {
		return true
	}
	ls, _ := utf8.DecodeLastRuneInString(short)
	lf, _ := utf8.DecodeLastRuneInString(full)
	if ls != lf {
		return false
	}
	rest := full
	for _, r := range short {
		i := strings.IndexRune(rest, r)
		if i < 0 {
			return false
		}
		rest = rest[i+utf8.RuneLen(r):]
	}
	return true
}

// splitOrgan splits a name after its last division word (省 市 县 区 旗 州
// 盟) into the place and the organ: "济源示范区公安局" → "济源示范区",
// "公安局". A name without one is all organ.
func splitOrgan(name string) (place, organ string) {
	i := strings.LastIndexAny(name, "省市县区旗州盟")
	if i < 0 {
		return "", name
	}
	_, n := utf8.DecodeRuneInString(name[i:])
	return name[:i+n], name[i+n:]
}

// sameOrgan reports whether a and b name the same organ in places starting
// with the same character (or a names no place).
func sameOrgan(a, b string) bool {
	pa, oa := splitOrgan(a)
	pb, ob := splitOrgan(b)
	if oa == "" || oa != ob {
		return false
	}
	if pa == "" {
		return true
	}
	ra, _ := utf8.DecodeRuneInString(pa)
	rb, _ := utf8.DecodeRuneInString(pb)
	return ra == rb
}

// candidate is one URL holding a report of an agency-year.
type candidate struct {
	url       string
	captureID string
	capNum    uint64
	published *time.Time
	datedBy   string
	firstSeen *time.Time
	failed    int
	warnings  int
	tables    bool   // the report has Table 2 or Table 3
	from      string // the capture's DiscoveredFrom
}

type key struct {
	agency int
	year   int
}

// Run audits every agency of agencies for every report year in [from, to]
// as of the date of asof (in asof's location), reading the archive's stored
// reports. Entries come in seeds order (duplicate names folded), years
// ascending. Undecodable stored reports are skipped with a warning on the
// default logger.
func Run(a *archive.Archive, agencies []seeds.Agency, from, to int, asof time.Time) (entries []Entry, err error) {
	err = a.View(func(r *archive.Reader) error {
		entries, err = Compute(r, agencies, from, to, asof)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", a.Path(), err)
	}
	return entries, nil
}

// Source is what an audit reads: one consistent view of the archive, as an
// *archive.Reader gives it.
type Source interface {
	EachReport(fn func(captureID string, data []byte) error) error
	Get(id string) (*archive.Capture, error)
	ByURL(url string) ([]*archive.Capture, error)
}

// Compute is Run over a view the caller holds (inside archive.View), for
// callers that read more than the audit in the same transaction.
func Compute(a Source, agencies []seeds.Agency, from, to int, asof time.Time) ([]Entry, error) {
	if from > to {
		return nil, fmt.Errorf("audit: year range %d-%d is empty", from, to)
	}
	log := slog.Default()
	asofDay := time.Date(asof.Year(), asof.Month(), asof.Day(), 0, 0, 0, 0, time.UTC)

	m := newMatcher(agencies)
	list := m.list

	// Candidates per agency-year, one per URL.
	cands := map[key]map[string]*candidate{}
	firstSeen := map[string]*time.Time{}
	caps := &captureLookup{src: a, byURL: map[string][]*archive.Capture{}}
	err := eachReport(a, m, from, to, func(r *archive.ReportSummary) error {
		captureID := r.CaptureID
		var capAgency, url, discovered string
		var fetched time.Time
		c, err := caps.capture(captureID, r.URL)
		switch {
		case err == nil:
			capAgency, url, fetched, discovered = c.Agency, c.URL, c.FetchedAt, c.DiscoveredFrom
		case errors.Is(err, archive.ErrNotFound):
			url = r.URL
			fetched, _ = time.Parse(time.RFC3339, r.FetchedAt)
		default:
			return fmt.Errorf("capture %s of a stored report: %w", captureID, err)
		}
		idx, ok := m.attribute(report.NormAgency(r.Agency), report.NormAgency(capAgency), hostOf(url))
		if !ok {
			return nil
		}
		if url == "" {
			url = "capture:" + captureID
		}
		k := key{idx, r.Year}
		byURL := cands[k]
		if byURL == nil {
			byURL = map[string]*candidate{}
			cands[k] = byURL
		}
		var pub *time.Time
		if r.Published != nil {
			if t, err := time.Parse(dateLayout, strings.TrimSpace(*r.Published)); err == nil {
				pub = &t
			} else {
				log.Warn("audit: unreadable publication date", "capture", captureID, "published", *r.Published)
			}
		}
		failed, warnings, tables := r.FailedChecks, r.FailedWarnings, r.Tables
		num := archive.IDNum(captureID)
		cur := byURL[url]
		if cur == nil {
			fs, ok := firstSeen[url]
			if !ok {
				fs, err = caps.earliest(url, fetched)
				if err != nil {
					return err
				}
				firstSeen[url] = fs
			}
			byURL[url] = &candidate{url: url, captureID: captureID, capNum: num, published: pub, firstSeen: fs, failed: failed, warnings: warnings, tables: tables, from: discovered}
			if r.DatedBy == report.DatedByLandingPage && pub != nil {
				byURL[url].datedBy = discovered // the extractor dated it by its landing page
			}
			return nil
		}
		// Same URL captured again: keep the capture with the earliest
		// stated date, then the earliest capture.
		if better(pub, num, cur.published, cur.capNum) {
			cur.captureID, cur.capNum, cur.published, cur.failed, cur.warnings, cur.tables = captureID, num, pub, failed, warnings, tables
		}
		if cur.from == "" {
			cur.from = discovered
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stored reports: %w", err)
	}

	var out []Entry
	for i, ag := range list {
		for y := from; y <= to; y++ {
			dl := Deadline(ag.level, y)
			e := Entry{Agency: ag.name, Level: ag.level, Year: y, Deadline: dl.Format(dateLayout), Copies: []Copy{}}
			byURL := cands[key{i, y}]
			var cs []*candidate
			for _, c := range byURL {
				cs = append(cs, c)
			}
			for _, c := range cs {
				if p := byURL[c.from]; c.published == nil && c.from != "" && p != nil && p.published != nil && p.datedBy == "" {
					c.published, c.datedBy = p.published, p.url
				}
			}
			if len(cs) == 0 {
				if dl.Before(asofDay) {
					e.Status = Missing
				} else {
					e.Status = NotDue
				}
				out = append(out, e)
				continue
			}
			sort.Slice(cs, func(i, j int) bool { return less(cs[i], cs[j]) })
			best := cs[0]
			e.URL, e.CaptureID = best.url, best.captureID
			e.Published, e.DatedBy, e.FirstSeen = dateString(best.published), best.datedBy, dateString(best.firstSeen)
			e.FailedChecks, e.FailedWarnings = best.failed, best.warnings
			switch {
			case best.published == nil:
				e.Status = Undated
			case best.published.After(dl):
				e.Status = Late
				e.DaysLate = int(best.published.Sub(dl).Hours() / 24)
			default:
				e.Status = OnTime
			}
			for _, c := range cs[1:] {
				e.Copies = append(e.Copies, Copy{URL: c.url, CaptureID: c.captureID, Published: dateString(c.published), DatedBy: c.datedBy, FirstSeen: dateString(c.firstSeen)})
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// agency is one seeds agency as the audit sees it.
type agency struct{ name, norm, level string }

// matcher attributes reports to seeds agencies.
type matcher struct {
	list   []agency
	byNorm map[string]int   // normalised name → index in list
	byHost map[string][]int // seed URL host → indexes in list
}

// newMatcher folds agencies with the same normalised name into one (the
// first line's level applies; levels other than government are department).
func newMatcher(agencies []seeds.Agency) *matcher {
	m := &matcher{byNorm: map[string]int{}, byHost: map[string][]int{}}
	for _, ag := range agencies {
		n := report.NormAgency(ag.Name)
		if n == "" {
			continue
		}
		i, ok := m.byNorm[n]
		if !ok {
			level := ag.Level
			if level != seeds.Government {
				level = seeds.Department
			}
			i = len(m.list)
			m.byNorm[n] = i
			m.list = append(m.list, agency{name: ag.Name, norm: n, level: level})
		}
		if h := hostOf(ag.URL); h != "" && !slices.Contains(m.byHost[h], i) {
			m.byHost[h] = append(m.byHost[h], i)
		}
	}
	return m
}

// attribute picks the seeds agency (by index) a report belongs to, by the
// precedence documented in the package comment. Names are normalised.
func (m *matcher) attribute(reportAgency, crawlAgency, host string) (int, bool) {
	if i, ok := m.byNorm[reportAgency]; ok && reportAgency != "" {
		return i, true
	}
	accepts := func(i int) bool {
		return reportAgency == "" || shortFormOf(reportAgency, m.list[i].norm) || sameOrgan(reportAgency, m.list[i].norm)
	}
	if i, ok := m.byNorm[crawlAgency]; ok && crawlAgency != "" && accepts(i) {
		return i, true
	}
	if reportAgency == "" {
		return 0, false
	}
	found, n := 0, 0
	for _, i := range m.byHost[host] {
		if accepts(i) {
			found, n = i, n+1
		}
	}
	return found, n == 1
}

// hostOf returns the lower-cased host (with port) of a URL, "" if none
// (archive.HostOf: the form the report index keys hosts by).
func hostOf(raw string) string { return archive.HostOf(raw) }

// better reports whether a capture stating date p with number n beats one
// stating q with number m as the representative of their common URL.
func better(p *time.Time, n uint64, q *time.Time, m uint64) bool {
	switch {
	case p != nil && q == nil:
		return true
	case p == nil && q != nil:
		return false
	case p != nil && !p.Equal(*q):
		return p.Before(*q)
	}
	return n < m
}

// less orders candidates: dated before undated, earliest publication, with
// tables before without, earliest first_seen, lowest capture number.
func less(a, b *candidate) bool {
	if (a.published == nil) != (b.published == nil) {
		return a.published != nil
	}
	if a.published != nil && !a.published.Equal(*b.published) {
		return a.published.Before(*b.published)
	}
	if a.tables != b.tables {
		return a.tables
	}
	if (a.firstSeen == nil) != (b.firstSeen == nil) {
		return a.firstSeen != nil
	}
	if a.firstSeen != nil && !a.firstSeen.Equal(*b.firstSeen) {
		return a.firstSeen.Before(*b.firstSeen)
	}
	if a.capNum != b.capNum {
		return a.capNum < b.capNum
	}
	return a.url < b.url
}

// captureLookup reads the captures one Compute needs, the captures of
// each URL once: a report's own capture is usually among the captures of
// its source URL, which first_seen reads anyway, so it is not decoded twice.
type captureLookup struct {
	src   Source
	byURL map[string][]*archive.Capture
}

// ofURL returns every capture of url (Source.ByURL), read once per lookup.
func (l *captureLookup) ofURL(url string) ([]*archive.Capture, error) {
	if caps, ok := l.byURL[url]; ok {
		return caps, nil
	}
	caps, err := l.src.ByURL(url)
	if err != nil {
		return nil, fmt.Errorf("captures of %s: %w", url, err)
	}
	l.byURL[url] = caps
	return caps, nil
}

// capture returns capture id: from the captures of hint (the report's
// source URL) when it is one of them, else read by its ID (Source.Get).
func (l *captureLookup) capture(id, hint string) (*archive.Capture, error) {
	if hint != "" {
		caps, err := l.ofURL(hint)
		if err != nil {
			return nil, err
		}
		for _, c := range caps {
			if c.ID == id {
				return c, nil
			}
		}
	}
	return l.src.Get(id)
}

// earliest returns the earliest fetch time of a successful capture of url,
// falling back to fallback (the report's own capture) when the index has
// none; nil when neither is known.
func (l *captureLookup) earliest(url string, fallback time.Time) (*time.Time, error) {
	caps, err := l.ofURL(url)
	if err != nil {
		return nil, fmt.Errorf("first capture: %w", err)
	}
	var best time.Time
	for _, c := range caps {
		if c.Error != "" || !(c.Status == 0 || (c.Status >= 200 && c.Status < 300) || c.Status == http.StatusNotModified) {
			continue
		}
		if best.IsZero() || c.FetchedAt.Before(best) {
			best = c.FetchedAt
		}
	}
	if best.IsZero() {
		best = fallback
	}
	if best.IsZero() {
		return nil, nil
	}
	best = best.In(china())
	return &best, nil
}

// china is China Standard Time, the zone publication dates are written in.
func china() *time.Location { return time.FixedZone("CST", 8*3600) }

// dateString formats t as a date in its own location (publication dates
// are UTC midnights, first-seen times are already in China Standard Time).
func dateString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(dateLayout)
	return &s
}
