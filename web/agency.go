package web

import (
	"fmt"
	"sort"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/report"
)

// AgencyPage is the data of an agency page and of /api/agencies/{name}.
type AgencyPage struct {
	Agency string `json:"agency"`
	Level  string `json:"level"`
	// Site is the seed URL ("" for an agency known only from captures).
	Site string `json:"site"`
	// InSeeds is true when the agency is in the seeds file (then Entries
	// holds its audit for the dashboard's years).
	InSeeds bool          `json:"in_seeds"`
	Entries []audit.Entry `json:"entries"`
	// AuditSource says where Entries come from (absent when not in seeds).
	AuditSource *AuditSource `json:"audit_source,omitempty"`
	// Reports are every stored report of the agency, newest year first.
	Reports []ReportRef `json:"reports"`
	// URLs are every URL captured for the agency, by URL.
	URLs []URLSummary `json:"urls"`
}

// ReportRef is a short description of one stored report.
type ReportRef struct {
	CaptureID    string          `json:"capture_id"`
	URL          string          `json:"url"`
	Agency       string          `json:"agency"`
	Year         int             `json:"year"`
	Template     report.Template `json:"template"`
	Title        string          `json:"title"`
	Published    *string         `json:"published"`
	FailedChecks int             `json:"failed_checks"`
	Warnings     int             `json:"warnings"`
}

// URLSummary sums up the captures of one URL.
type URLSummary struct {
	URL           string       `json:"url"`
	Role          archive.Role `json:"role"`
	Title         string       `json:"title"`
	Captures      int          `json:"captures"`
	Revisits      int          `json:"revisits"`
	Errors        int          `json:"errors"`
	FirstFetched  time.Time    `json:"first_fetched"`
	LastFetched   time.Time    `json:"last_fetched"`
	LastStatus    int          `json:"last_status"`
	LastCaptureID string       `json:"last_capture_id"`
	// LastArchivedID is the latest capture with an archived body ("" when
	// every fetch failed): the one a person views.
	LastArchivedID string `json:"last_archived_id"`
	// Digests is the number of distinct payloads captured.
	Digests int `json:"digests"`
}

// refOf describes a stored report by its summary.
func refOf(s *archive.ReportSummary) ReportRef {
	return ReportRef{CaptureID: s.CaptureID, URL: s.URL, Agency: s.Agency, Year: s.Year, Template: report.Template(s.Template),
		Title: s.Title, Published: s.Published, FailedChecks: s.FailedChecks, Warnings: s.Warnings}
}

// agency builds the page of the agency called name in one read of the
// archive.
func (s *Server) agency(name string) (*AgencyPage, error) {
	if name == "" || len(name) > 300 {
		return nil, notFoundf("no agency %q", name)
	}
	var p *AgencyPage
	err := s.Archive.View(func(r *archive.Reader) (err error) {
		p, err = s.buildAgency(r, name)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "agency %s", name)
	}
	return p, nil
}

// buildAgency reads the agency page through r.
func (s *Server) buildAgency(r *archive.Reader, name string) (*AgencyPage, error) {
	p := &AgencyPage{Agency: name, Entries: []audit.Entry{}, Reports: []ReportRef{}, URLs: []URLSummary{}}
	seed, inSeeds := s.seedAgency(name)
	if inSeeds {
		p.Agency, p.Level, p.Site, p.InSeeds = seed.Name, seed.Level, seed.URL, true
	} else if !r.HasAgency(name) {
		return nil, notFoundf("no agency %q in the seeds or the archive", name)
	}
	if inSeeds {
		from, to := s.years()
		entries, src, err := s.auditOf(r, auditQuery{from: from, to: to, asof: s.now()})
		if err != nil {
			return nil, err
		}
		p.AuditSource = &src
		for _, e := range entries {
			if e.Agency == p.Agency {
				p.Entries = append(p.Entries, e)
			}
		}
	}
	caps, err := r.ByAgency(p.Agency)
	if err != nil {
		return nil, fmt.Errorf("captures: %w", err)
	}
	p.URLs = summarizeURLs(caps)
	mine := map[string]bool{}
	for _, c := range caps {
		mine[c.ID] = true
	}
	if p.Reports, err = s.agencyReports(r, p.Agency, mine); err != nil {
		return nil, err
	}
	return p, nil
}

// summarizeURLs sums up captures by URL, reports first, then by URL.
func summarizeURLs(caps []*archive.Capture) []URLSummary {
	byURL := map[string]*URLSummary{}
	digests := map[string]map[string]bool{}
	for _, c := range caps {
		u := byURL[c.URL]
		if u == nil {
			u = &URLSummary{URL: c.URL, FirstFetched: c.FetchedAt}
			byURL[c.URL] = u
			digests[c.URL] = map[string]bool{}
		}
		u.Captures++
		if c.Revisit {
			u.Revisits++
		}
		if c.Error != "" || c.Status >= 400 {
			u.Errors++
		}
		if c.Digest != "" {
			digests[c.URL][c.Digest] = true
		}
		if c.Title != "" {
			u.Title = c.Title
		}
		if c.Role != "" {
			u.Role = c.Role
		}
		u.LastFetched, u.LastStatus, u.LastCaptureID = c.FetchedAt, c.Status, c.ID
		if c.Digest != "" {
			u.LastArchivedID = c.ID
		}
	}
	out := make([]URLSummary, 0, len(byURL))
	for url, u := range byURL {
		u.Digests = len(digests[url])
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := roleRank(out[i].Role), roleRank(out[j].Role)
		if ri != rj {
			return ri < rj
		}
		return out[i].URL < out[j].URL
	})
	return out
}

// agencyReports lists the stored reports captured for the agency (mine) or
// naming it, newest year first: from the report index (the summaries of
// those reports only) when the archive has one, else by decoding every
// stored report.
func (s *Server) agencyReports(r *archive.Reader, agency string, mine map[string]bool) ([]ReportRef, error) {
	out, indexed := indexedAgencyReports(r, agency, mine)
	if !indexed {
		var err error
		if out, err = s.scanAgencyReports(r, agency, mine); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Year != out[j].Year {
			return out[i].Year > out[j].Year
		}
		return idNum(out[i].CaptureID) < idNum(out[j].CaptureID)
	})
	return out, nil
}

// roleRank orders URLs on the agency page: reports first.
func roleRank(role archive.Role) int {
	switch role {
	case archive.RoleReport:
		return 0
	case archive.RoleAttachment:
		return 1
	case archive.RoleList:
		return 2
	}
	return 3
}

// idNum is the numeric value of a capture ID (0 when malformed).
func idNum(id string) uint64 { return archive.IDNum(id) }
