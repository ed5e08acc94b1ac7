package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestFetchSlowBody: a server that sends its headers and then stalls
// costs one timeout, not a hang.
func TestFetchSlowBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<p>start"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Timeout = 300 * time.Millisecond
	cfg.Retries = 1
	cfg.RetryBackoff = 10 * time.Millisecond
	cfg.Delay = 0
	c, err := New(openArchive(t, t.TempDir()+"/a.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	f := c.newHostFetcher(context.Background(), u.Hostname())
	start := time.Now()
	res, err := f.fetch(context.Background(), srv.URL+"/", 1<<20, cfg.Timeout, nil)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("slow body took %s", took)
	}
	if !strings.Contains(res.err, "timeout") && !strings.Contains(res.err, "deadline") {
		t.Errorf("error %q, want a timeout", res.err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{"Thu, 01 Jan 2026 00:00:10 GMT", 10 * time.Second, true},
		{"Wed, 31 Dec 2025 00:00:10 GMT", 0, true},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.v, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %s %v, want %s %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzAnalyze: discovery and text extraction never panic, whatever the
// payload and its claimed type.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte(`<html><script type="text/xml"><![CDATA[<a href="x">2021年年报</a>]]></script></html>`), "text/html")
	f.Add([]byte("\x00\x01\x02binary"), "text/html; charset=gbk")
	f.Add([]byte(`<script>createPageHTML(99999999999, 0, "index", "html")</script>`), "")
	f.Add([]byte(`<base href="::::"><a href="http://[::1">x</a><table><tr><td>a<table><tr><td>b`), "text/html; charset=nonsense")
	base, _ := url.Parse("http://h.gov.cn/a/b.html")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		an := analyze(base, body, ct)
		if an.page != nil {
			for _, l := range an.page.Links {
				u, err := url.Parse(l.URL)
				if err != nil {
					t.Fatalf("unparsable link %q", l.URL)
				}
				classify(l, u, "list")
				trap(u)
			}
		}
		doc, err := html.Parse(strings.NewReader(string(body)))
		if err == nil {
			pageText(doc)
		}
	})
}
