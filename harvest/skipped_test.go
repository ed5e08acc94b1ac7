package harvest

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/seeds"
	bolt "go.etcd.io/bbolt"
)

// corruptCapture writes garbage over the JSON record of capture id in the
// (closed) archive file at path, with bbolt directly, as a bad sector in a
// record's bytes would leave it.
func corruptCapture(t *testing.T, path, id string) {
	t.Helper()
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := binary.BigEndian.AppendUint64(nil, n)
	if err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("captures"))
		if b.Get(key) == nil {
			t.Fatalf("no capture %s to corrupt", id)
		}
		return b.Put(key, []byte("{\"url\":\"http://\x00\xff garbage"))
	}); err != nil {
		t.Fatal(err)
	}
}

// captureOf returns the ID of the latest successful capture of url.
func captureOf(t *testing.T, a *archive.Archive, url string) string {
	t.Helper()
	caps, err := a.ByURL(url)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(caps) - 1; i >= 0; i-- {
		if caps[i].Error == "" && caps[i].Status == 200 {
			return caps[i].ID
		}
	}
	t.Fatalf("no successful capture of %s", url)
	return ""
}

// TestHarvestPassesOverUndecodableRecord corrupts one capture record of a
// crawled archive and harvests it: the harvest completes (not "failed:
// extract"), extracts every other report, audits, and records
// skipped_records 1.
func TestHarvestPassesOverUndecodableRecord(t *testing.T) {
	tests := []struct {
		name         string
		harvestFirst bool   // harvest once before corrupting
		path         string // path of the corrupted capture's URL on host 0
		wantReports  int    // reports stored after the harvest (of 8)
		wantMissing  int    // agency-years audited missing
	}{
		{"report page not yet extracted", false, "report2022", 7, 1},
		{"report page already extracted", true, "report2022", 8, 0},
		{"report list page", false, "/xxgk/ndbg/index.html", 8, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, id, agencies, cfg := corruptedArchive(t, tc.harvestFirst, tc.path)
			a, err := archive.Open(path, archive.Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			var logs syncBuffer
			h := &Harvester{Archive: a, Agencies: agencies, Crawl: cfg, From: 2021, To: 2024, Now: genNow,
				Logger: testLogger(&logs), Crawler: fakeCrawl(nil, nil, nil)}
			run, err := h.Run(context.Background())
			if err != nil || run.Status != StatusDone {
				t.Fatalf("harvest over a corrupt record: %+v, %v\n%s", run, err, logs.String())
			}
			if run.Skipped != 1 {
				t.Errorf("run skipped_records %d, want 1", run.Skipped)
			}
			if n := storedReports(t, a); n != tc.wantReports {
				t.Errorf("%d reports stored, want %d", n, tc.wantReports)
			}
			missing := 0
			for _, e := range h.Audit().Entries {
				if e.Status == audit.Missing {
					missing++
				}
			}
			if missing != tc.wantMissing {
				t.Errorf("%d agency-years missing, want %d", missing, tc.wantMissing)
			}
			if want := "captures/" + id + ": "; !strings.Contains(logs.String(), "passed over 1 archive record that does not decode") || !strings.Contains(logs.String(), want) {
				t.Errorf("log does not name the record %s:\n%s", want, logs.String())
			}
			runs, err := a.Runs()
			if err != nil || runs[0].ID != run.ID || runs[0].Skipped != 1 {
				t.Errorf("recorded run %+v %v, want skipped_records 1", runs[0], err)
			}
		})
	}
}

// corruptedArchive crawls a generated world of 2 sites with a one-shot
// crawl (and harvests it once when harvestFirst), then corrupts the record
// of the latest capture of path on the first site ("report2022": its 2022
// report page). It returns the closed file and the capture corrupted.
func corruptedArchive(t *testing.T, harvestFirst bool, path string) (string, string, []seeds.Agency, crawler.Config) {
	t.Helper()
	w, agencies, cfg := genWorld(t, 2, 20)
	file := filepath.Join(t.TempDir(), "archive.db")
	a, err := archive.Open(file, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	oneShotCrawl(t, a, cfg, agencies)
	if harvestFirst {
		h := &Harvester{Archive: a, Agencies: agencies, Crawl: cfg, From: 2021, To: 2024, Now: genNow,
			Logger: testLogger(&syncBuffer{}), Crawler: fakeCrawl(nil, nil, nil)}
		if _, err := h.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	host := w.Expected()[0].Host
	url := "http://" + host + path
	for _, e := range w.Expected() {
		if path == "report2022" && e.Host == host && e.Year == 2022 {
			url = e.URL
		}
	}
	id := captureOf(t, a, url)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	corruptCapture(t, file, id)
	return file, id, agencies, cfg
}

// TestSkipSetCountsARecordOnce: the survey, the extraction and an index
// walk meeting the same capture count it once.
func TestSkipSetCountsARecordOnce(t *testing.T) {
	s := newSkipSet()
	s.add(archive.Skipped{Bucket: "captures", Key: "12", Reason: "bad"},
		archive.Skipped{Bucket: "idx_url", Key: `"http://h/a" → capture 12`, Reason: "bad"},
		archive.Skipped{Bucket: "captures", Key: "12", Reason: "bad"},
		archive.Skipped{Bucket: "reports", Key: "12", Reason: "bad"},
		archive.Skipped{Bucket: "captures", Key: "13", Reason: "bad"})
	if s.len() != 3 {
		t.Errorf("%d records, want 3 (captures 12 and 13, report 12): %v", s.len(), s.list)
	}
	var logs syncBuffer
	s.log(testLogger(&logs), "7", "a.db")
	if !strings.Contains(logs.String(), "passed over 3 archive records") || !strings.Contains(logs.String(), "archive check -db a.db") {
		t.Errorf("log %q", logs.String())
	}
}
