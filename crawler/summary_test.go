package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/nianbao/nianbao/seeds"
)

// TestResumedSummaryKeepsYears checks that the summary of a crawl resumed
// after an interruption names the report years archived before it, which the
// resumed frontier never visits again.
func TestResumedSummaryKeepsYears(t *testing.T) {
	site := newTestSite()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const report2021 = "/xxgk/nb/202201/t20220126_1.html"
	var served atomic.Bool
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Load() {
			cancel() // interrupt the first crawl at the request after the 2021 report
		}
		site.ServeHTTP(w, r)
		if r.URL.Path == report2021 && hits.Add(1) == 2 { // it fails once, then is served
			served.Store(true)
		}
	}))
	defer srv.Close()
	a := openArchive(t, filepath.Join(t.TempDir(), "a.db"))
	defer a.Close()
	agencies := []seeds.Agency{mustAgency(t, "http://"+siteHost+"/ 测试市公安局")}

	c, err := New(a, testConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, agencies); err == nil {
		t.Fatal("first crawl was not interrupted")
	}
	if caps, err := a.ByURL("http://" + siteHost + report2021); err != nil || len(caps) != 1 {
		t.Fatalf("2021 report archived by the interrupted crawl: %d captures, %v", len(caps), err)
	}

	served.Store(false)
	c, err = New(a, testConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), agencies)
	if err != nil {
		t.Fatalf("resumed crawl: %v", err)
	}
	if len(sum.Agencies) != 1 || !slices.Contains(sum.Agencies[0].Years, 2021) {
		t.Fatalf("resumed summary years = %+v, want 2021 among them", sum.Agencies)
	}
	if caps, _ := a.ByURL("http://" + siteHost + report2021); len(caps) != 1 {
		t.Errorf("2021 report captured %d times, want once", len(caps))
	}
}
