// Package benchworld owns the scale benchmarks of issue 11: a quick
// generator of big archives (Prefill) and, in its tests, the benchmarks
// scripts/bench.sh runs (nianbao against one serial wget, the no-change
// re-crawl, fresh against pre-filled archives, dashboard latency).
package benchworld

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/seeds"
)

// reportJSON is a real extracted report (extract's golden 000), stored
// under every pre-filled report capture with its agency and year changed,
// so reading the archive decodes reports of a real size.
//
//go:embed report.json
var reportJSON []byte

// PerHost is how many captures Prefill writes per pre-filled host.
const PerHost = 500

// reportYears are the years of the report captures of each host.
var reportYears = []int{2021, 2022, 2023, 2024}

// PrefillHost returns the host name of pre-filled site i.
func PrefillHost(i int) string { return fmt.Sprintf("www.pre%04d.gov.cn", i) }

// PrefillAgency returns the agency name of pre-filled site i.
func PrefillAgency(i int) string { return fmt.Sprintf("预填%04d县公安局", i) }

// PrefillAgencies returns the seeds agencies of a Prefill of n captures.
func PrefillAgencies(n int) []seeds.Agency {
	out := make([]seeds.Agency, 0, hosts(n))
	for i := 0; i < hosts(n); i++ {
		out = append(out, seeds.Agency{URL: "http://" + PrefillHost(i) + "/", Name: PrefillAgency(i), Level: seeds.Department})
	}
	return out
}

func hosts(n int) int { return (n + PerHost - 1) / PerHost }

// Prefill writes n captures into a, PerHost to a host: per host a
// homepage, one report page per year of reportYears with a stored report,
// and news articles, each a distinct ~3 KB HTML body. It records one
// finished crawl run whose New lists every URL of the last 10 hosts, as a
// big crawl's would. workers writers put concurrently (the archive groups
// their commits).
func Prefill(ctx context.Context, a *archive.Archive, n, workers int) error {
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := putOne(a, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := 0; i < n; i++ {
		select {
		case jobs <- i:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err == nil {
		err = <-errs
	}
	if err != nil {
		return fmt.Errorf("prefill archive: %w", err)
	}
	return putRun(a, n)
}

// captureURL returns the URL and role of capture i of a Prefill.
func captureURL(i int) (string, archive.Role, int) {
	host, j := PrefillHost(i/PerHost), i%PerHost
	switch {
	case j == 0:
		return "http://" + host + "/", archive.RoleOther, 0
	case j <= len(reportYears):
		y := reportYears[j-1]
		return fmt.Sprintf("http://%s/xxgk/ndbg/%d.html", host, y), archive.RoleReport, y
	default:
		return fmt.Sprintf("http://%s/news/%06d.html", host, j), archive.RoleOther, 0
	}
}

func putOne(a *archive.Archive, i int) error {
	u, role, year := captureURL(i)
	agency := PrefillAgency(i / PerHost)
	body, text := page(i, agency)
	c := &archive.Capture{URL: u, FetchedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Status: 200,
		ContentType: "text/html; charset=utf-8", Role: role, Agency: agency}
	if err := a.Put(c, body, text); err != nil {
		return err
	}
	if role != archive.RoleReport {
		return nil
	}
	data, err := reportFor(agency, year, c)
	if err != nil {
		return err
	}
	return a.PutReport(c.ID, data)
}

// page returns a distinct HTML page and its text for capture i.
func page(i int, agency string) ([]byte, string) {
	rnd := rand.New(rand.NewPCG(uint64(i), 11))
	words := []string{"政务公开", "信息公开", "依申请公开", "行政复议", "行政诉讼", "工作动态", "年度报告", "主动公开", "政府网站", "新闻发布"}
	var t strings.Builder
	fmt.Fprintf(&t, "%s 第%d条\n", agency, i)
	for t.Len() < 2500 {
		t.WriteString(words[rnd.IntN(len(words))])
		fmt.Fprintf(&t, "%d，", rnd.IntN(10000))
	}
	text := t.String()
	body := "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + agency + "</title></head><body><p>" + text + "</p></body></html>\n"
	return []byte(body), text
}

// reportFor returns reportJSON re-labelled for agency, year and capture c.
func reportFor(agency string, year int, c *archive.Capture) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(reportJSON, &m); err != nil {
		return nil, fmt.Errorf("embedded report: %w", err)
	}
	m["agency"], m["year"] = agency, year
	m["title"] = fmt.Sprintf("%s%d年政府信息公开年报", agency, year)
	m["source"] = map[string]any{"url": c.URL, "capture_id": c.ID, "digest": c.Digest,
		"fetched_at": c.FetchedAt.Format(time.RFC3339)}
	return json.Marshal(m)
}

// putRun records the crawl that "archived" the Prefill: New lists every
// URL of its last 10 hosts, as one big crawl's run record would.
func putRun(a *archive.Archive, n int) error {
	r := &archive.Run{Kind: "crawl", Started: time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC),
		Ended: time.Date(2025, 1, 2, 4, 0, 0, 0, time.UTC), Pages: n, NewCaptures: n, Status: "done"}
	for i := max(0, n-10*PerHost); i < n; i++ {
		u, role, _ := captureURL(i)
		r.New = append(r.New, u)
		if role == archive.RoleReport {
			r.NewReports++
		}
	}
	if err := a.PutRun(r); err != nil {
		return fmt.Errorf("prefill run: %w", err)
	}
	return nil
}
