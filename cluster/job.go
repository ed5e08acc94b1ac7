package cluster

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
)

// Job is one site to crawl in one harvest: what a worker needs to crawl
// it incrementally. Its JSON is the stream entry's "job" field.
type Job struct {
	// ID is "RUN/SITE".
	ID   string `json:"id"`
	Run  string `json:"run"`
	Site string `json:"site"`
	// Agencies are the seeds on the site, in seed order.
	Agencies []Agency `json:"agencies"`
	// States are the archived URLs of the site to revalidate (If-None-
	// Match / If-Modified-Since) or, for ordinary pages, to read links
	// from without fetching them again.
	States []State `json:"states,omitempty"`
	// Skip are the archived report pages and attachments: never fetched
	// again (unless Limits.Refresh).
	Skip []Skipped `json:"skip,omitempty"`
	// Limits are the crawl limits of the harvest.
	Limits Limits `json:"limits"`
}

// Agency is one seed of a job (a seeds.Agency without its line number).
type Agency struct {
	URL   string `json:"url"`
	Name  string `json:"name"`
	Level string `json:"level,omitempty"`
	Code  string `json:"code,omitempty"`
}

// State is what the archive knows of one URL of a job's site.
type State struct {
	URL      string       `json:"url"`
	FinalURL string       `json:"final_url,omitempty"`
	Fetched  time.Time    `json:"fetched"`
	Role     archive.Role `json:"role,omitempty"`
	Agency   string       `json:"agency,omitempty"`
	// Digest names the payload archived last; the worker fetches it from
	// the coordinator (GET /api/cluster/bodies/{digest}).
	Digest string `json:"digest,omitempty"`
	// Header holds the validators and the headers needed to read the
	// payload (Content-Type, Content-Encoding, ETag, Last-Modified).
	Header http.Header `json:"header,omitempty"`
}

// Skipped is an archived report page or attachment.
type Skipped struct {
	URL    string       `json:"url"`
	Role   archive.Role `json:"role"`
	Agency string       `json:"agency,omitempty"`
}

// Limits are the crawl limits a job carries. Delay is a floor: a worker
// with a longer -delay keeps its own.
type Limits struct {
	DelayMS   int64  `json:"delay_ms"`
	MaxDepth  int    `json:"max_depth,omitempty"`
	MaxPages  int    `json:"max_pages,omitempty"`
	Refresh   bool   `json:"refresh,omitempty"`
	StrictTLS bool   `json:"strict_tls,omitempty"`
	Render    string `json:"render,omitempty"`
}

// LimitsOf returns the limits of a crawl configuration.
func LimitsOf(cfg crawler.Config) Limits {
	return Limits{DelayMS: cfg.Delay.Milliseconds(), MaxDepth: cfg.MaxDepth, MaxPages: cfg.MaxPagesPerHost,
		Refresh: cfg.Refresh, StrictTLS: cfg.StrictTLS, Render: cfg.Render}
}

// Apply returns base with the job's limits: its delay when longer, its
// depth, page budget, refresh, TLS policy and rendering.
func (l Limits) Apply(base crawler.Config) crawler.Config {
	if d := time.Duration(l.DelayMS) * time.Millisecond; d > base.Delay {
		base.Delay = d
	}
	if l.MaxDepth > 0 {
		base.MaxDepth = l.MaxDepth
	}
	if l.MaxPages > 0 {
		base.MaxPagesPerHost = l.MaxPages
	}
	base.Refresh = l.Refresh
	base.StrictTLS = base.StrictTLS || l.StrictTLS
	if l.Render != "" {
		base.Render = l.Render
	}
	return base
}

// Seeds returns the job's agencies as seeds.
func (j *Job) Seeds() ([]seeds.Agency, error) {
	var b strings.Builder
	for _, a := range j.Agencies {
		fmt.Fprintf(&b, "%s %s %s", a.URL, a.Name, a.Level)
		if a.Code != "" {
			fmt.Fprintf(&b, " code=%s", a.Code)
		}
		b.WriteByte('\n')
	}
	ags, err := seeds.Parse(strings.NewReader(b.String()))
	if err != nil {
		return nil, fmt.Errorf("job %s: seeds: %w", j.ID, err)
	}
	return ags, nil
}

// Allows reports whether rawURL belongs to the job's site: its authority,
// or the www./bare twin a seed may move to.
func (j *Job) Allows(rawURL string) bool {
	a := crawler.Authority(rawURL)
	return a != "" && (a == j.Site || crawler.Twins(a, j.Site))
}

// JobID is the ID of the job of site in run.
func JobID(run, site string) string { return run + "/" + site }

// BuildJobs returns one job per site of agencies (sites in seed order),
// with the URL states the archive holds for each, read in one view.
func BuildJobs(a *archive.Archive, agencies []seeds.Agency, run string, lim Limits) ([]*Job, error) {
	var jobs []*Job
	bySite := map[string]*Job{}
	for _, ag := range agencies {
		site := crawler.Authority(ag.URL)
		if site == "" {
			return nil, fmt.Errorf("build jobs: seed %q of %s has no host", ag.URL, ag.Name)
		}
		j := bySite[site]
		if j == nil {
			j = &Job{ID: JobID(run, site), Run: run, Site: site, Limits: lim}
			bySite[site] = j
			jobs = append(jobs, j)
		}
		j.Agencies = append(j.Agencies, Agency{URL: ag.URL, Name: ag.Name, Level: ag.Level, Code: ag.Code})
	}
	err := a.View(func(r *archive.Reader) error {
		urls, err := r.URLs()
		if err != nil {
			return err
		}
		for _, u := range urls {
			j := jobOf(bySite, u)
			if j == nil {
				continue
			}
			st, found, err := r.URLState(u)
			if err != nil {
				return err
			}
			if !found || !st.Archived {
				continue
			}
			addState(r, j, u, st)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("build jobs from %s: %w", a.Path(), err)
	}
	return jobs, nil
}

// jobOf returns the job whose site u belongs to, or nil: the site of its
// authority, else of its www./bare twin (looked up, not searched for:
// BuildJobs asks for every archived URL).
func jobOf(bySite map[string]*Job, u string) *Job {
	a := crawler.Authority(u)
	if a == "" {
		return nil
	}
	if j := bySite[a]; j != nil {
		return j
	}
	twins := []string{"www." + a}
	if bare, ok := strings.CutPrefix(a, "www."); ok {
		twins = append(twins, bare)
	}
	for _, t := range twins {
		if j := bySite[t]; j != nil && crawler.Twins(a, t) {
			return j
		}
	}
	return nil
}

// carried are the response headers a job's state keeps.
var carried = []string{"Content-Type", "Content-Encoding", "ETag", "Last-Modified"}

// addState adds what the archive knows of u to j: a report or attachment
// to skip, or a state to revalidate.
func addState(r *archive.Reader, j *Job, u string, st archive.URLState) {
	if (st.Role == archive.RoleReport || st.Role == archive.RoleAttachment) && !j.Limits.Refresh {
		j.Skip = append(j.Skip, Skipped{URL: u, Role: st.Role, Agency: st.Agency})
		return
	}
	s := State{URL: u, Fetched: st.LastFetched, Role: st.Role, Agency: st.Agency, Digest: st.Digest, Header: http.Header{}}
	if st.LastCaptureID != "" {
		if c, err := r.Get(st.LastCaptureID); err == nil {
			s.FinalURL = c.FinalURL
			for _, k := range carried {
				if v := c.Header.Get(k); v != "" {
					s.Header.Set(k, v)
				}
			}
			if s.Header.Get("Content-Type") == "" && c.ContentType != "" {
				s.Header.Set("Content-Type", c.ContentType)
			}
		}
	}
	if st.ETag != "" {
		s.Header.Set("ETag", st.ETag)
	}
	if st.LastModified != "" {
		s.Header.Set("Last-Modified", st.LastModified)
	}
	j.States = append(j.States, s)
}
