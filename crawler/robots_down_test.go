package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nianbao/nianbao/seeds"
)

// TestRobotsUnreachable checks RFC 9309 §2.3.1.4: a robots.txt that answers
// with a server error (after the retries) makes the host fully disallowed
// for the crawl, every URL recorded with the reason; one that fails once and
// then answers lets the crawl go on; a missing one (404) allows all.
func TestRobotsUnreachable(t *testing.T) {
	tests := []struct {
		name        string
		robotsFails int // how many robots.txt requests answer 503
		robots404   bool
		wantPages   bool
	}{
		{"always 503", 1000, false, false},
		{"503 once, then served", 1, false, true},
		{"404", 0, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			robotsCalls, pageCalls := 0, 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.URL.Path == "/robots.txt" {
					robotsCalls++
					if robotsCalls <= tc.robotsFails {
						http.Error(w, "busy", http.StatusServiceUnavailable)
						return
					}
					if tc.robots404 {
						http.NotFound(w, r)
						return
					}
					w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
					return
				}
				pageCalls++
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte(`<html><body><a href="/xxgk/nb/">政府信息公开年报</a></body></html>`))
			}))
			defer srv.Close()
			a := openArchive(t, filepath.Join(t.TempDir(), "a.db"))
			defer a.Close()
			c, err := New(a, testConfig(srv))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Run(context.Background(), []seeds.Agency{mustAgency(t, "http://"+siteHost+"/ 测试市公安局")}); err != nil {
				t.Fatalf("run: %v", err)
			}
			mu.Lock()
			gotPages := pageCalls > 0
			calls := robotsCalls
			mu.Unlock()
			if gotPages != tc.wantPages {
				t.Fatalf("pages fetched: %v (%d), want %v; robots.txt requests %d", gotPages, pageCalls, tc.wantPages, calls)
			}
			caps, err := a.ByURL("http://" + siteHost + "/")
			if err != nil || len(caps) != 1 {
				t.Fatalf("captures of the seed: %d, %v", len(caps), err)
			}
			if tc.wantPages {
				if caps[0].Error != "" || caps[0].Status != 200 {
					t.Errorf("seed capture: status %d error %q", caps[0].Status, caps[0].Error)
				}
				return
			}
			if !strings.Contains(caps[0].Error, "robots.txt unreachable (HTTP 503)") || !strings.Contains(caps[0].Error, "RFC 9309") {
				t.Errorf("seed capture error = %q", caps[0].Error)
			}
			if calls != testConfig(srv).Retries+1 {
				t.Errorf("robots.txt requested %d times, want %d (one and the retries)", calls, testConfig(srv).Retries+1)
			}
		})
	}
}
