package fixtureworld

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/seeds"
)

var (
	hrefRE = regexp.MustCompile(`href="([^"#]+)"`)
	trsRE  = regexp.MustCompile(`createPageHTML\((\d+), *(\d+), *"(\w+)", *"(\w+)"\)`)
)

// crawlInProcess walks a world from every seed through its handler, like a
// crawler restricted to the seed hosts, and returns the URLs of the HTML
// pages found (status 200).
func crawlInProcess(t *testing.T, w *World) map[string][]byte {
	return crawlInProcessSkip(t, w, func(string) bool { return false })
}

// crawlInProcessSkip is crawlInProcess not following links skip approves
// (nor Forbidden ones).
func crawlInProcessSkip(t *testing.T, w *World, skip func(url string) bool) map[string][]byte {
	t.Helper()
	ag, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatal(err)
	}
	h := w.Handler()
	seen := map[string]bool{}
	pages := map[string][]byte{}
	var queue []string
	for _, f := range w.Forbidden() {
		seen[f] = true
	}
	for _, a := range ag {
		queue = append(queue, a.URL)
		seen[a.URL] = true
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		host, uri, _ := splitURL(u)
		req := httptest.NewRequest(http.MethodGet, uri, nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError { // retry once
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, req)
		}
		if loc := rec.Header().Get("Location"); rec.Code/100 == 3 && loc != "" {
			if strings.HasPrefix(loc, "/") {
				loc = "http://" + host + loc
			}
			if lh, _, _ := splitURL(loc); lh == host && !seen[loc] {
				seen[loc] = true
				queue = append(queue, loc)
			}
			continue
		}
		if rec.Code != 200 {
			t.Errorf("%s: status %d", u, rec.Code)
			continue
		}
		pages[u] = rec.Body.Bytes()
		baseURL, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		var links []string
		for _, m := range hrefRE.FindAllSubmatch(rec.Body.Bytes(), -1) {
			links = append(links, html.UnescapeString(string(m[1])))
		}
		// TRS paging: the page links exist only as createPageHTML arguments.
		for _, m := range trsRE.FindAllSubmatch(rec.Body.Bytes(), -1) {
			n, _ := strconv.Atoi(string(m[1]))
			for i := 1; i < n; i++ {
				links = append(links, fmt.Sprintf("%s_%d.%s", m[3], i, m[4]))
			}
		}
		for _, l := range links {
			if strings.HasPrefix(l, "javascript:") {
				continue
			}
			ref, err := url.Parse(l)
			if err != nil {
				continue
			}
			link := baseURL.ResolveReference(ref).String()
			lh, _, _ := splitURL(link)
			if lh != host || seen[link] || strings.Contains(link, "/search/") || strings.HasSuffix(link, ".css") || skip(link) {
				continue
			}
			seen[link] = true
			queue = append(queue, link)
		}
	}
	return pages
}

func TestGenerateSize(t *testing.T) {
	// The per-host shape is what matters; 20 × 250 is checked cheaply below.
	tests := []struct{ hosts, pages int }{{1, 10}, {3, 100}, {2, 257}, {2, 250}, {4, 60}}
	for _, tt := range tests {
		w := Generate(tt.hosts, tt.pages, 42)
		if len(w.Hosts()) != tt.hosts {
			t.Errorf("%d hosts, want %d", len(w.Hosts()), tt.hosts)
		}
		pages := crawlInProcess(t, w)
		if len(pages) != tt.hosts*tt.pages {
			t.Errorf("Generate(%d, %d): %d pages reachable, want %d", tt.hosts, tt.pages, len(pages), tt.hosts*tt.pages)
		}
		exp := w.Expected()
		if len(exp) != tt.hosts*4 {
			t.Errorf("%d expected, want %d", len(exp), tt.hosts*4)
		}
		for _, e := range exp {
			if _, ok := pages[e.URL]; !ok {
				t.Errorf("expected %s not reachable", e.URL)
			}
		}
		if n := len(w.Requests()); n != len(pages) {
			t.Errorf("%d requests recorded, want %d", n, len(pages))
		}
	}
}

func TestGenerateBenchmarkWorld(t *testing.T) {
	w := Generate(20, 250, 1)
	if len(w.Hosts()) != 20 || len(w.Expected()) != 80 {
		t.Errorf("%d hosts, %d expected; want 20, 80", len(w.Hosts()), len(w.Expected()))
	}
	g := Generate(1, 250, 1)
	if n := len(crawlInProcess(t, g)); n != 250 {
		t.Errorf("one host of the benchmark world has %d pages, want 250", n)
	}
}

// BenchmarkGeneratePage measures serving one generated page (list,
// article or report) through the handler.
func BenchmarkGeneratePage(b *testing.B) {
	w := Generate(2, 250, 1)
	h := w.Handler()
	uris := []string{"/news/index_3.html", "/news/202402/t_13.html", "/xxgk/ndbg/index.html"}
	for _, e := range w.Expected() {
		if e.Host == GenHost(0) {
			_, uri, _ := splitURL(e.URL)
			uris = append(uris, uri)
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodGet, uris[i%len(uris)], nil)
		req.Host = GenHost(0)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d", uris[i%len(uris)], rec.Code)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a, b, c := Generate(3, 60, 7), Generate(3, 60, 7), Generate(3, 60, 8)
	pa, pc := crawlInProcess(t, a), crawlInProcess(t, c)
	differ := 0
	for u, body := range pa {
		bb, ok := b.Body(u)
		if !ok || !bytes.Equal(body, bb) {
			t.Errorf("%s differs between two Generate(3, 60, 7)", u)
		}
		if cb, ok := pc[u]; !ok || !bytes.Equal(cb, body) {
			differ++
		}
	}
	if differ == 0 {
		t.Error("seed 8 gives the same world as seed 7")
	}
	if a.Seeds() != b.Seeds() || len(a.Expected()) != len(b.Expected()) {
		t.Error("seeds or expected differ")
	}
}

func TestGenerateStyles(t *testing.T) {
	w := Generate(4, 100, 3)
	body := func(host int, uri string) string {
		b, ok := w.Body("http://" + GenHost(host) + uri)
		if !ok {
			t.Fatalf("no %s%s", GenHost(host), uri)
		}
		return string(b)
	}
	if s := body(1, "/news/index.html"); !strings.Contains(s, `createPageHTML(5, 0, "index", "html")`) || strings.Contains(s, "index_1.html\"") {
		t.Error("host 1: news not TRS-paged")
	}
	if _, ok := w.Body("http://" + GenHost(1) + "/news/index_4.html"); !ok {
		t.Error("host 1: no index_4.html")
	}
	if s := body(0, "/news/index.html"); !strings.Contains(s, `<a href="/news/index_2.html">下一页</a>`) {
		t.Error("host 0: no plain 下一页")
	}
	if s := body(3, "/xxgk/ndbg/index.html"); !strings.Contains(s, "<record><![CDATA[") {
		t.Error("host 3: reports not in Hanweb records")
	}
}
