package web

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/archivetest"
)

const damagedURL = "http://gaj.example.gov.cn/index.html"

// damageSource writes and closes a small archive: 300 captures of one URL
// (so that the captures bucket has pages of its own) and a run listing it.
func damageSource(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "source.db")
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		c := &archive.Capture{URL: damagedURL, Status: 200, ContentType: "text/html", Agency: "示例局",
			FetchedAt: fixtureStart.Add(time.Duration(i) * time.Minute)}
		if err := a.Put(c, []byte(fmt.Sprintf("<p>version %d %s</p>", i, strings.Repeat("x", 200))), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.PutRun(&archive.Run{Kind: "harvest", Started: fixtureStart, New: []string{damagedURL}, Status: "done"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDamagedArchive: a damaged archive file (a zeroed page, an undecodable
// record) makes a page or API answer 500 saying the archive is damaged and
// what to run, naming the file by its base name only; the log has the rest.
func TestDamagedArchive(t *testing.T) {
	src := damageSource(t)
	for _, v := range []struct {
		name  string
		make  func() string
		paths []string
	}{
		{"captures root page zeroed", func() string { return archivetest.ZeroedBucketRoot(t, src, "captures") },
			[]string{"/", "/api/dashboard", "/history?url=" + url.QueryEscape(damagedURL), "/api/history?url=" + url.QueryEscape(damagedURL),
				"/replay/1", "/view/1", "/replay/at/20250110020000/" + damagedURL}},
		{"capture record undecodable", func() string { return archivetest.CorruptRecord(t, src, "captures", archivetest.CaptureKey(1)) },
			[]string{"/replay/1", "/view/1", "/api/captures/1", "/diff?a=1&b=2"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			db := v.make()
			a, err := archive.Open(db, archive.Options{})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer a.Close()
			logs := &syncBuffer{}
			s := &Server{Archive: a, From: 2023, To: 2024, Now: func() time.Time { return fixtureStart },
				Logger: slog.New(slog.NewTextHandler(logs, nil))}
			ts := httptest.NewServer(s.Handler())
			defer ts.Close()
			for _, p := range v.paths {
				resp, body := get(t, ts, "GET", p)
				if resp.StatusCode != 500 {
					t.Errorf("%s: %d, want 500\n%.300s", p, resp.StatusCode, body)
					continue
				}
				for _, want := range []string{"damaged", "archive check -db " + filepath.Base(db), "archive salvage -db " + filepath.Base(db)} {
					if !strings.Contains(body, want) {
						t.Errorf("%s: the answer does not say %q:\n%.600s", p, want, body)
					}
				}
				if strings.Contains(body, filepath.Dir(db)) {
					t.Errorf("%s: the answer shows the archive's directory", p)
				}
			}
			if l := logs.String(); !strings.Contains(l, "damaged=true") || !strings.Contains(l, db) {
				t.Errorf("log lacks the damage:\n%s", l)
			}
		})
	}
}
