package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/extract"
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
	// Reports are every stored report of the agency, newest year first.
	Reports []ReportRef `json:"reports"`
	// URLs are every URL captured for the agency, by URL.
	URLs []URLSummary `json:"urls"`
}

// ReportRef is a short description of one stored report.
type ReportRef struct {
	CaptureID    string  `json:"capture_id"`
	URL          string  `json:"url"`
	Agency       string  `json:"agency"`
	Year         int     `json:"year"`
	Template     string  `json:"template"`
	Title        string  `json:"title"`
	Published    *string `json:"published"`
	FailedChecks int     `json:"failed_checks"`
	Warnings     int     `json:"warnings"`
}

// URLSummary sums up the captures of one URL.
type URLSummary struct {
	URL           string    `json:"url"`
	Role          string    `json:"role"`
	Title         string    `json:"title"`
	Captures      int       `json:"captures"`
	Revisits      int       `json:"revisits"`
	Errors        int       `json:"errors"`
	FirstFetched  time.Time `json:"first_fetched"`
	LastFetched   time.Time `json:"last_fetched"`
	LastStatus    int       `json:"last_status"`
	LastCaptureID string    `json:"last_capture_id"`
	// Digests is the number of distinct payloads captured.
	Digests int `json:"digests"`
}

// refOf describes a stored report.
func refOf(captureID string, r *extract.Report) ReportRef {
	ref := ReportRef{CaptureID: captureID, URL: r.Source.URL, Agency: r.Agency, Year: r.Year, Template: r.Template,
		Title: r.Title, Published: r.Published, Warnings: len(r.Warnings)}
	for _, c := range r.Checks {
		if !c.OK && c.Severity != extract.SeverityWarning {
			ref.FailedChecks++
		}
	}
	return ref
}

// agency builds the page of the agency called name.
func (s *Server) agency(name string) (*AgencyPage, error) {
	if name == "" || len(name) > 300 {
		return nil, notFoundf("no agency %q", name)
	}
	p := &AgencyPage{Agency: name, Entries: []audit.Entry{}, Reports: []ReportRef{}, URLs: []URLSummary{}}
	seed, inSeeds := s.seedAgency(name)
	captured, err := s.Archive.Agencies()
	if err != nil {
		return nil, fmt.Errorf("agency %s: list agencies: %w", name, err)
	}
	if inSeeds {
		p.Agency, p.Level, p.Site, p.InSeeds = seed.Name, seed.Level, seed.URL, true
	} else if !slices.Contains(captured, name) {
		return nil, notFoundf("no agency %q in the seeds or the archive", name)
	}
	if inSeeds {
		from, to := s.years()
		entries, err := audit.Run(s.Archive, s.Agencies, from, to, s.now())
		if err != nil {
			return nil, fmt.Errorf("agency %s: audit: %w", name, err)
		}
		for _, e := range entries {
			if e.Agency == p.Agency {
				p.Entries = append(p.Entries, e)
			}
		}
	}
	caps, err := s.Archive.ByAgency(p.Agency)
	if err != nil {
		return nil, fmt.Errorf("agency %s: captures: %w", name, err)
	}
	mine := map[string]bool{}
	byURL := map[string]*URLSummary{}
	digests := map[string]map[string]bool{}
	for _, c := range caps {
		mine[c.ID] = true
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
	}
	for url, u := range byURL {
		u.Digests = len(digests[url])
		p.URLs = append(p.URLs, *u)
	}
	sort.Slice(p.URLs, func(i, j int) bool {
		ri, rj := roleRank(p.URLs[i].Role), roleRank(p.URLs[j].Role)
		if ri != rj {
			return ri < rj
		}
		return p.URLs[i].URL < p.URLs[j].URL
	})
	norm := audit.Normalize(p.Agency)
	err = s.Archive.View(func(rd *archive.Reader) error {
		return rd.EachReport(func(id string, data []byte) error {
			var r extract.Report
			if err := json.Unmarshal(data, &r); err != nil {
				s.logger().Warn("web: undecodable stored report", "capture", id, "err", err)
				return nil
			}
			if mine[id] || (r.Agency != "" && audit.Normalize(r.Agency) == norm) {
				p.Reports = append(p.Reports, refOf(id, &r))
			}
			return nil
		})
	})

	if err != nil {
		return nil, fmt.Errorf("agency %s: reports: %w", name, err)
	}
	sort.SliceStable(p.Reports, func(i, j int) bool {
		if p.Reports[i].Year != p.Reports[j].Year {
			return p.Reports[i].Year > p.Reports[j].Year
		}
		return idNum(p.Reports[i].CaptureID) < idNum(p.Reports[j].CaptureID)
	})
	return p, nil
}

// roleRank orders URLs on the agency page: reports first.
func roleRank(role string) int {
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
func idNum(id string) uint64 {
	n, _ := strconv.ParseUint(id, 10, 64)
	return n
}
