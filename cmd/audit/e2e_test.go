package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extractrun"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
)

// TestEndToEnd crawls the Default fixture world, extracts what was
// archived, and checks `audit -json` against the reports the world
// publishes (internal/fixtureworld/default.go): which agency published
// which year's report on which date. Besides the world's own seeds it
// audits three agencies whose reports sit on shared county government sites
// (湘潭县教育局 and 湘潭县财政局 on www.xtx.gov.cn, 嵊泗县卫生健康局 on
// www.shengsi.gov.cn): their reports are crawled for the police bureau and
// must be attributed by the report's own agency, and 湘潭县财政局's report
// states no date (undated).
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a fixture world")
	}
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "archive.db")
	seedText := w.Seeds() +
		"http://www.xtx.gov.cn/        湘潭县教育局       department\n" +
		"http://www.xtx.gov.cn/        湘潭县财政局       department\n" +
		"http://www.shengsi.gov.cn/    嵊泗县卫生健康局   department\n"
	seedsPath := filepath.Join(dir, "seeds.txt")
	if err := os.WriteFile(seedsPath, []byte(seedText), 0o644); err != nil {
		t.Fatal(err)
	}
	worldSeeds, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatal(err)
	}

	a, err := archive.Open(db, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := crawler.DefaultConfig()
	cfg.Delay = 0
	cfg.Resolve = resolve
	cfg.RetryBackoff = 10 * time.Millisecond
	cfg.Timeout = 10 * time.Second
	c, err := crawler.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	crawlStart := time.Now()
	if _, err := c.Run(ctx, worldSeeds); err != nil {
		t.Fatalf("crawl: %v", err)
	}
	crawlEnd := time.Now()
	sum, err := extractrun.Run(ctx, a, extractrun.RunOptions{})
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	t.Logf("extract: %d parsed, %d failed, %d not reports", sum.Parsed, len(sum.Failed), len(sum.NotReports))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	code := run([]string{"-db", db, "-seeds", seedsPath, "-from", "2020", "-to", "2024", "-asof", "2025-03-01", "-json", "-fail-on", "missing"}, &out, &errb)
	if code != 3 {
		t.Errorf("-fail-on missing: exit %d, want 3; stderr: %s", code, errb.String())
	}

	// The truth, from the pages the world serves.
	type truth struct {
		status    string
		published string // "" for none
		daysLate  int
	}
	want := map[string]truth{
		"长沙市公安局 2021":     {"on_time", "2022-01-28", 0}, // page dated 2022-01-28 09:30
		"济源示范区公安局 2021":   {"late", "2022-02-15", 15},   // report titled 公安局…, published after 31 Jan
		"湘潭县公安局 2024":     {"on_time", "2025-01-22", 0}, // page "2025年01月22日", report in a DOCX attachment
		"嵊泗县公安局 2020":     {"on_time", "2021-01-26", 0}, //
		"宁波市公安局 2021":     {"on_time", "2022-01-25", 0}, //
		"宁波市公安局 2022":     {"on_time", "2023-01-18", 0}, //
		"淮安市洪泽区人民政府 2023": {"on_time", "2024-01-31", 0}, // government: due 31 March; the report is a PDF attachment
		"淮安市洪泽区人民政府 2024": {"not_due", "", 0},           // due 2025-03-31, after the audit date
		"湘潭县教育局 2023":     {"on_time", "2024-01-25", 0}, // old URL redirects to the new one
		"湘潭县教育局 2024":     {"on_time", "2025-01-20", 0}, //
		"湘潭县财政局 2024":     {"undated", "", 0},           // no date on the page
		"嵊泗县卫生健康局 2021":   {"on_time", "2022-01-20", 0}, //
	}
	// Reports in attachments: the attachment is the report (it has the
	// tables), dated by the page that links to it. That page is the
	// attachment's landing page: the extractor stores no report for it,
	// so it is no copy of its own.
	attached := map[string]string{
		"湘潭县公安局 2024":     "http://www.xtx.gov.cn/zwgk/xxgkml/zfxxgknb/202501/P020250122512345678901.docx",
		"淮安市洪泽区人民政府 2023": "http://www.hongze.gov.cn/zfxxgk/ndbg/202401/P020240131567890.pdf",
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 9*5 {
		t.Fatalf("got %d entries, want 45 (9 agencies × 5 years):\n%s", len(lines), out.String())
	}
	counts := map[string]int{}
	for _, l := range lines {
		var e struct {
			Agency, Status, URL string
			Year                int
			Published           *string
			FirstSeen           *string `json:"first_seen"`
			DaysLate            int     `json:"days_late"`
			DatedBy             string  `json:"dated_by"`
			Copies              []struct{ URL string }
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		counts[e.Status]++
		k := fmt.Sprint(e.Agency, " ", e.Year)
		w, ok := want[k]
		if !ok {
			w = truth{status: "missing"}
		}
		if e.Status != w.status || opt(e.Published) != w.published || e.DaysLate != w.daysLate {
			t.Errorf("%s: status %s published %q days_late %d (url %s), want %s %q %d", k, e.Status, opt(e.Published), e.DaysLate, e.URL, w.status, w.published, w.daysLate)
		}
		if u, ok := attached[k]; ok && (e.URL != u || e.DatedBy == "" || e.DatedBy == u || len(e.Copies) != 0) {
			t.Errorf("%s: url %s dated_by %q copies %v, want the attachment %s dated by the page, no copies", k, e.URL, e.DatedBy, e.Copies, u)
		}
		if w.status != "missing" && w.status != "not_due" {
			// Found reports were first seen during this crawl (China time).
			lo, hi := crawlStart.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"), crawlEnd.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
			if fs := opt(e.FirstSeen); fs != lo && fs != hi {
				t.Errorf("%s: first_seen %q, want the crawl date %s", k, fs, lo)
			}
			if e.URL == "" {
				t.Errorf("%s: no URL", k)
			}
		}
	}
	t.Logf("statuses: %v", counts)
	for _, l := range lines {
		if !strings.Contains(l, `"missing"`) {
			t.Log(l)
		}
	}
}
