package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOfflineCrawlSaysWhy: a crawl whose host cannot be reached does not
// end with a bare error count: the summary groups the errors by reason
// and stderr names the host that archived nothing.
func TestOfflineCrawlSaysWhy(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	closed.Close()
	dir := t.TempDir()
	seedsFile := filepath.Join(dir, "seeds.txt")
	os.WriteFile(seedsFile, []byte("http://gone.test.gov.cn/ 甲局\nhttp://gone.test.gov.cn/xxgk/ 乙局\n"), 0o644)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-seeds", seedsFile, "-db", filepath.Join(dir, "a.db"), "-delay", "0",
		"-retries", "0", "-resolve", "gone.test.gov.cn=" + addr}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "errors      gone.test.gov.cn: robots.txt unreachable: connection refused ×2") {
		t.Errorf("summary:\n%s", out.String())
	}
	for _, name := range []string{"甲局", "乙局"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("summary lacks %s:\n%s", name, out.String())
		}
	}
	if !strings.Contains(errb.String(), "crawl: nothing archived from gone.test.gov.cn (甲局, 乙局): robots.txt unreachable: connection refused ×2") {
		t.Errorf("stderr:\n%s", errb.String())
	}
}

// TestPortSeedCrawl: a seed addressed as 127.0.0.1:PORT, without
// -resolve, is crawled (its robots.txt is fetched from that port).
func TestPortSeedCrawl(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("User-agent: *\nDisallow: /private/\n")) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><body><a href="/nb/2023.html">2023年政府信息公开工作年度报告</a></body></html>`))
	})
	mux.HandleFunc("/nb/2023.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><head><title>测试局2023年政府信息公开工作年度报告</title></head><body></body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	seedsFile := filepath.Join(dir, "seeds.txt")
	os.WriteFile(seedsFile, []byte(srv.URL+"/ 测试局\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-seeds", seedsFile, "-db", filepath.Join(dir, "a.db"), "-delay", "0"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if !strings.Contains(out.String(), host) || !strings.Contains(out.String(), "2023") || strings.Contains(errb.String(), "nothing archived") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	}
}
