package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extractrun"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

func crawlConfig(resolve map[string]string) crawler.Config {
	cfg := crawler.DefaultConfig()
	cfg.Delay = 0
	cfg.Parallel = 4
	cfg.Timeout = 5 * time.Second
	cfg.Retries = 1
	cfg.RetryBackoff = 10 * time.Millisecond
	cfg.MaxPagesPerHost = 300
	cfg.Resolve = resolve
	return cfg
}

// TestUnseenWorld crawls, extracts and audits a world of CMS patterns the
// crawler's own fixture world does not have, and checks every step.
func TestUnseenWorld(t *testing.T) {
	w := buildWorld(t)
	resolve := serve(t, w)
	ags, err := seeds.Parse(strings.NewReader(w.seeds))
	if err != nil {
		t.Fatalf("seeds: %v", err)
	}
	a, err := archive.Open(filepath.Join(t.TempDir(), "e2e.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var logs bytes.Buffer
	cfg := crawlConfig(resolve)
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := crawler.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := c.Run(ctx, ags)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	first := w.requests()
	t.Logf("crawl 1: %d requests, %d captures, %d new, %d errors in %v", len(first), sum.Pages, sum.NewCaptures, sum.Errors, time.Since(start))

	t.Run("archived", func(t *testing.T) {
		w.mu.Lock()
		gz := w.gzipped
		w.mu.Unlock()
		if gz == 0 {
			t.Error("no page was served gzipped: the crawler never accepted gzip")
		}
		for _, r := range w.reports {
			caps, err := a.ByURL(r.URL)
			if err != nil || len(caps) == 0 {
				t.Errorf("%s %d: %s not archived (%v)", r.Agency, r.Year, r.URL, err)
				continue
			}
			cp := caps[len(caps)-1]
			body, err := a.Body(cp.ID)
			if err != nil {
				t.Errorf("%s: body: %v", r.URL, err)
				continue
			}
			want := w.static[strings.TrimPrefix(r.URL, "http://")]
			if want == nil || !bytes.Equal(body, want.body) {
				t.Errorf("%s: archived %d bytes differ from the %d served", r.URL, len(body), len(want.body))
			}
			if strings.HasPrefix(cp.ContentType, "text/html") {
				// the stored UTF-8 text is the page decoded right
				text, err := a.Text(cp.ID)
				if err != nil || !strings.Contains(text, "政府信息公开工作年度报告") {
					t.Errorf("%s: stored text (charset %q) does not read 政府信息公开工作年度报告: %.80q (%v)", r.URL, cp.Charset, text, err)
				}
			}
			if cp.Role != r.Role {
				t.Errorf("%s: role %q, want %q", r.URL, cp.Role, r.Role)
			}
			seed := r.Agency
			if r.Seed != "" {
				seed = r.Seed
			}
			if cp.Agency != seed {
				t.Errorf("%s: agency %q, want %q", r.URL, cp.Agency, seed)
			}
		}
	})
	t.Run("scope", func(t *testing.T) {
		perHost := map[string]int{}
		for _, q := range first {
			u := q.Host + q.URI
			for _, f := range w.forbidden {
				if strings.HasPrefix(u, f) {
					t.Errorf("requested forbidden %s", u)
				}
			}
			perHost[q.Host]++
			if strings.Contains(q.URI, "/hdjl/rili/") {
				perHost["calendar"]++
			}
		}
		t.Logf("requests per host: %v", perHost)
		for _, u := range w.blocked {
			caps, err := a.ByURL(u)
			if err != nil || len(caps) == 0 || caps[0].Error != "robots.txt disallows" {
				t.Errorf("%s: not recorded as disallowed by robots.txt (%d captures, %v)", u, len(caps), err)
			}
		}
		if perHost["calendar"] > 12 {
			t.Errorf("calendar trap: %d requests", perHost["calendar"])
		}
		for h, n := range perHost {
			if n > 120 {
				t.Errorf("%s: %d requests, unbounded", h, n)
			}
		}
	})

	// Extraction.
	es, err := extractrun.Run(ctx, a, extractrun.RunOptions{Workers: 2})
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	for _, f := range es.Failed {
		t.Logf("extract failed: %s: %s", f.URL, f.Reason)
	}
	reps := map[string]*report.Report{}
	err = a.View(func(rd *archive.Reader) error {
		return rd.EachReport(func(id string, data []byte) error {
			var r report.Report
			if err := json.Unmarshal(data, &r); err != nil {
				return err
			}
			reps[r.Source.URL] = &r
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("no extra reports", func(t *testing.T) {
		want := map[string]bool{}
		for _, r := range w.reports {
			want[r.URL] = true
		}
		for u, r := range reps {
			if !want[u] {
				t.Errorf("report %s %d (%s, template %s) extracted from %s, which holds none", r.Agency, r.Year, r.Title, r.Template, u)
			}
		}
	})
	t.Run("extracted", func(t *testing.T) {
		// the date of each agency-year's wrapper page, and whether an
		// attachment of that agency-year was extracted
		wrapperDate := map[string]string{}
		attachment := map[string]bool{}
		for _, want := range w.reports {
			k := want.Agency + " " + strconv.Itoa(want.Year)
			if want.Wrapper {
				wrapperDate[k] = want.Published
			}
			if want.Role == "attachment" && reps[want.URL] != nil {
				attachment[k] = true
			}
		}
		for _, want := range w.reports {
			r := reps[want.URL]
			k := want.Agency + " " + strconv.Itoa(want.Year)
			if r == nil && want.Wrapper && attachment[k] {
				continue // a landing page: its attachment is the report
			}
			if r == nil {
				t.Errorf("%s %d: no report from %s", want.Agency, want.Year, want.URL)
				continue
			}
			tmpl := report.Template2021
			if want.Wrapper {
				tmpl = report.TemplateUnknown
			}
			if report.NormAgency(r.Agency) != report.NormAgency(want.Agency) || r.Year != want.Year || r.Template != tmpl {
				t.Errorf("%s: got %s %d template %s, want %s %d %s", want.URL, r.Agency, r.Year, r.Template, want.Agency, want.Year, tmpl)
			}
			if want.Total > 0 {
				var got *float64
				if r.Applications != nil && len(r.Applications.Rows["total"]) == 7 {
					got = r.Applications.Rows["total"][6]
				}
				if got == nil || *got != want.Total {
					t.Errorf("%s: Table 3 total %v, want %v", want.URL, deref(got), want.Total)
				}
			}
			for row, cells := range want.Apps {
				var got []*float64
				if r.Applications != nil {
					got = r.Applications.Rows[row]
				}
				if len(got) != 7 {
					t.Errorf("%s: Table 3 row %s missing", want.URL, row)
					continue
				}
				for i, v := range cells {
					// A zero written "-" may read as a blank cell.
					if (got[i] == nil && v != 0) || (got[i] != nil && *got[i] != v) {
						t.Errorf("%s: Table 3 %s[%d] = %v, want %v", want.URL, row, i, deref(got[i]), v)
					}
				}
			}
			pub := ""
			if r.Published != nil {
				pub = *r.Published
			}
			if pub != want.Published && (want.Published != "" || r.DatedBy != report.DatedByLandingPage || pub != wrapperDate[k]) {
				// an undated attachment may carry its landing page's date
				t.Errorf("%s: published %q (dated_by %q), want %q", want.URL, pub, r.DatedBy, want.Published)
			}
		}
	})

	// Audit.
	entries, err := audit.Run(a, ags, 2021, 2024, time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	t.Run("not due", func(t *testing.T) {
		es, err := audit.Run(a, ags, 2025, 2025, time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Status != "not_due" {
				t.Errorf("%s 2025 as of 2025-06-30: %s, want not_due", e.Agency, e.Status)
			}
		}
		if len(es) != len(w.audit) {
			t.Errorf("%d entries for 2025, want %d", len(es), len(w.audit))
		}
	})
	t.Run("audit", func(t *testing.T) {
		seen := 0
		for _, e := range entries {
			want, ok := w.audit[e.Agency][e.Year]
			if !ok {
				t.Errorf("unexpected audit entry %s %d", e.Agency, e.Year)
				continue
			}
			seen++
			t.Logf("%s %d: %s late %d published %v url %s", e.Agency, e.Year, e.Status, e.DaysLate, deref2(e.Published), e.URL)
			if want.Copies > 0 && len(e.Copies) != want.Copies {
				t.Errorf("%s %d: %d copies listed, want %d", e.Agency, e.Year, len(e.Copies), want.Copies)
			}
			if e.Status != want.Status || e.DaysLate != want.DaysLate {
				t.Errorf("%s %d: %s late %d (%s), want %s late %d", e.Agency, e.Year, e.Status, e.DaysLate, e.URL, want.Status, want.DaysLate)
			}
		}
		if seen != 32 {
			t.Errorf("%d audit entries matched, want 32", seen)
		}
	})

	// Between the crawls the platform site publishes its 2022 report: the
	// changed list page (new Last-Modified) must lead the second crawl to it.
	newReport := "http://" + gkHost + "/xxgk/detail.jsp?id=251"
	{
		n := loadNumbers(t, "005_huaian_2024.expected.json", 30)
		const title = "洪泽区人民政府2022年政府信息公开工作年度报告"
		w.mu.Lock()
		lp := w.static[gkHost+"/zfxxgk/fdzdgknr/ndbg/"]
		lp.body = bytes.Replace(lp.body, []byte(`<ul class="list">`), []byte(`<ul class="list">
<li><a href="/xxgk/detail.jsp?id=251" target="_blank">2022年</a><span>2025-06-10</span></li>`), 1)
		lp.mod = w.modTime.Add(24 * time.Hour)
		w.static[gkHost+"/xxgk/detail.jsp?id=251"] = &resource{ctype: "text/html; charset=utf-8",
			body: []byte(chrome(title, "", reportBodyTitled(title, "淮安市洪泽区人民政府", 2022, "发布日期：2025-06-10", n, styleSpans)))}
		w.mu.Unlock()
	}
	// A second crawl fetches no report page or attachment again.
	cfg2 := crawlConfig(resolve)
	cfg2.RunID = "second"
	c2, err := crawler.New(a, cfg2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Run(ctx, ags); err != nil {
		t.Fatalf("crawl 2: %v", err)
	}
	second := w.requests()[len(first):]
	t.Run("second crawl", func(t *testing.T) {
		reportURL := map[string]bool{}
		for _, r := range w.reports {
			reportURL[r.URL] = true
		}
		for _, q := range second {
			if reportURL["http://"+q.Host+reSessionID.ReplaceAllString(q.URI, "")] {
				t.Errorf("second crawl fetched report %s%s again", q.Host, q.URI)
			}
		}
		t.Logf("crawl 2: %d requests", len(second))
		lists, revisits := 0, 0
		err := a.View(func(rd *archive.Reader) error {
			return rd.Each(func(c *archive.Capture) error {
				if c.RunID != "second" || c.Error != "" {
					return nil
				}
				w.mu.Lock()
				res := w.static[strings.TrimPrefix(c.URL, "http://")]
				w.mu.Unlock()
				if res != nil && res.session {
					return nil // its links carry a new session id each time: it did change
				}
				if c.Role == archive.RoleList && c.URL != "http://"+gkHost+"/zfxxgk/fdzdgknr/ndbg/" {
					lists++
					if c.Revisit {
						revisits++
					} else {
						t.Errorf("unchanged list %s captured again as new", c.URL)
					}
				}
				if !c.Revisit && c.Status == 200 && c.URL != newReport && c.URL != "http://"+gkHost+"/zfxxgk/fdzdgknr/ndbg/" {
					t.Errorf("unchanged page %s (%s) stored as new", c.URL, c.Role)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if lists == 0 {
			t.Error("second crawl revalidated no list page")
		}
		t.Logf("crawl 2: %d list pages revalidated, %d revisits", lists, revisits)
		caps, err := a.ByURL(newReport)
		if err != nil || len(caps) != 1 || caps[0].Role != archive.RoleReport || caps[0].RunID != "second" {
			t.Errorf("the report published between the crawls: %d captures (%v)", len(caps), err)
		}
	})
	// Extraction and audit after the second crawl pick up only the new
	// report: the platform's 2022 report, two years late.
	t.Run("after second crawl", func(t *testing.T) {
		es2, err := extractrun.Run(ctx, a, extractrun.RunOptions{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if es2.NewReports != 1 {
			t.Errorf("second extraction: %d new reports, want 1 (failed %v)", es2.NewReports, es2.Failed)
		}
		entries, err := audit.Run(a, ags, 2022, 2022, time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		want := int(time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC).Sub(time.Date(2023, 3, 31, 0, 0, 0, 0, time.UTC)).Hours() / 24)
		for _, e := range entries {
			if e.Agency == "淮安市洪泽区人民政府" && (e.Status != "late" || e.DaysLate != want || e.URL != newReport) {
				t.Errorf("%s %d: %s late %d at %s, want late %d at %s", e.Agency, e.Year, e.Status, e.DaysLate, e.URL, want, newReport)
			}
		}
	})
	if t.Failed() {
		t.Logf("crawl log:\n%s", logs.String())
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func deref2(p *string) string {
	if p == nil {
		return "-"
	}
	return *p
}
