// Package fixtureworld owns the offline fixture worlds nianbao's crawler is
// tested against: realistic copies of the seed agencies' government CMS
// sites (Default), a large generated world for benchmarks (Generate) and a
// host of misbehaving endpoints (Hostile). A World is an http.Handler that
// dispatches on the request's Host, records every request it serves, and
// knows the truth a crawl test checks: which report pages and attachments
// must be archived (Expected) and which URLs must never be fetched
// (Forbidden).
package fixtureworld

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// Expect is one report page or attachment a crawl of the world must archive.
type Expect struct {
	Host   string       // host without port
	URL    string       // absolute URL, http://HOST/path[?query]
	Role   archive.Role // "report" or "attachment"
	Year   int          // report year (the year reported on, not published)
	Agency string       // agency name as in Seeds()
}

// Request is one request the world served.
type Request struct {
	Host string    // host without port
	Path string    // request URI: path and raw query
	Time time.Time // when it arrived
}

// resource is what one URL serves. Static resources have a body; special
// ones have serve, which is called with the number of earlier requests for
// the same URL.
type resource struct {
	status int
	header http.Header
	body   []byte
	serve  func(w http.ResponseWriter, r *http.Request, hits int)
}

// World is a set of hosts served by one handler. Build one with Default,
// Generate or Hostile; it is safe for concurrent use.
type World struct {
	hosts     []string
	seeds     string
	expected  []Expect
	forbidden []string
	pages     map[string]*resource             // key: host + request URI
	gen       func(host, uri string) *resource // on-the-fly pages; nil result = 404
	logger    *slog.Logger

	mu       sync.Mutex
	requests []Request
	hits     map[string]int
}

func newWorld() *World {
	return &World{pages: map[string]*resource{}, hits: map[string]int{}, logger: slog.Default()}
}

// SetLogger sets the logger for unknown hosts and 404s (default slog.Default()).
func (w *World) SetLogger(l *slog.Logger) {
	if l != nil {
		w.logger = l
	}
}

// Hosts returns every host the world serves, sorted, including off-scope
// hosts that only exist so a wrong fetch is recorded.
func (w *World) Hosts() []string {
	out := append([]string(nil), w.hosts...)
	sort.Strings(out)
	return out
}

// Seeds returns seeds.txt text (URL AGENCY LEVEL per line) for the world's
// agencies.
func (w *World) Seeds() string { return w.seeds }

// Expected returns every report page and attachment a complete crawl must
// archive, sorted by URL.
func (w *World) Expected() []Expect {
	out := append([]Expect(nil), w.expected...)
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out
}

// Forbidden returns absolute URLs that a polite, in-scope crawl must never
// fetch: robots.txt-disallowed pages and off-scope pages.
func (w *World) Forbidden() []string {
	out := append([]string(nil), w.forbidden...)
	sort.Strings(out)
	return out
}

// Requests returns a copy of every request served so far, in arrival order.
func (w *World) Requests() []Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Request(nil), w.requests...)
}

// Body returns the exact bytes served with status 200 for an absolute URL
// (http://HOST/path?query) of a static or generated page; false for unknown
// URLs and for special endpoints whose body is not fixed.
func (w *World) Body(url string) ([]byte, bool) {
	host, uri, ok := splitURL(url)
	if !ok {
		return nil, false
	}
	res := w.find(host, uri)
	if res == nil || res.serve != nil && res.body == nil {
		return nil, false
	}
	return res.body, true
}

// URLs returns the absolute URLs of the world's static resources (pages
// with fixed bytes, including /robots.txt files and redirects), sorted. Pages
// generated on the fly (Generate, the calendar and path traps) are not
// listed.
func (w *World) URLs() []string {
	out := make([]string, 0, len(w.pages))
	for k := range w.pages { // key: host + request URI
		out = append(out, "http://"+k)
	}
	sort.Strings(out)
	return out
}

// splitURL splits http://host[:port]/uri into host (lower case, no port) and
// request URI.
func splitURL(u string) (host, uri string, ok bool) {
	rest, found := strings.CutPrefix(u, "http://")
	if !found {
		rest, found = strings.CutPrefix(u, "https://")
		if !found {
			return "", "", false
		}
	}
	host, uri = rest, "/"
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, uri = rest[:i], rest[i:]
		if strings.HasPrefix(uri, "?") {
			uri = "/" + uri
		}
	}
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri = uri[:i]
	}
	return hostOnly(host), uri, host != ""
}

// hostOnly strips a port and lower-cases a host.
func hostOnly(h string) string {
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	return strings.ToLower(h)
}

func (w *World) find(host, uri string) *resource {
	if res, ok := w.pages[host+uri]; ok {
		return res
	}
	if w.gen != nil {
		return w.gen(host, uri)
	}
	return nil
}

func (w *World) known(host string) bool {
	for _, h := range w.hosts {
		if h == host {
			return true
		}
	}
	return false
}

// Handler serves the world: it dispatches on r.Host without port, records
// the request, and answers 404 (logged) for unknown hosts and paths.
func (w *World) Handler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		host := hostOnly(r.Host)
		uri := r.URL.RequestURI()
		w.mu.Lock()
		w.requests = append(w.requests, Request{Host: host, Path: uri, Time: time.Now()})
		hits := w.hits[host+uri]
		w.hits[host+uri]++
		w.mu.Unlock()
		if !w.known(host) {
			w.logger.Warn("fixtureworld: unknown host", "host", host, "uri", uri)
			http.Error(rw, "unknown host", http.StatusNotFound)
			return
		}
		res := w.find(host, uri)
		if res == nil {
			w.logger.Debug("fixtureworld: not found", "host", host, "uri", uri)
			notFound(rw)
			return
		}
		if res.serve != nil {
			res.serve(rw, r, hits)
			return
		}
		serveStatic(rw, r, res)
	})
}

// serveStatic writes a static resource (headers, status, body), answering
// 304 Not Modified to a matching If-None-Match or If-Modified-Since when
// the resource has those validators.
func serveStatic(rw http.ResponseWriter, r *http.Request, res *resource) {
	for k, v := range res.header {
		rw.Header()[k] = v
	}
	status := res.status
	if status == 0 {
		status = http.StatusOK
	}
	if status == http.StatusOK && notModified(r, res.header) {
		rw.Header().Del("Content-Type")
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	rw.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = rw.Write(res.body)
	}
}

// notModified reports whether a conditional request matches the validators
// in h (If-None-Match wins over If-Modified-Since, as in RFC 9110).
func notModified(r *http.Request, h http.Header) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		etag := h.Get("ETag")
		if etag == "" {
			return false
		}
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	ims, lm := r.Header.Get("If-Modified-Since"), h.Get("Last-Modified")
	if ims == "" || lm == "" {
		return false
	}
	since, err1 := http.ParseTime(ims)
	mod, err2 := http.ParseTime(lm)
	return err1 == nil && err2 == nil && !mod.After(since)
}

func notFound(rw http.ResponseWriter) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(http.StatusNotFound)
	_, _ = rw.Write([]byte("<!DOCTYPE html><html><head><title>404 页面不存在</title></head><body><h1>404</h1><p>您访问的页面不存在或已被删除。</p><a href=\"/\">返回首页</a></body></html>\n"))
}

// Serve starts an httptest server for the world on loopback. resolve maps
// each of the world's hosts to the server's "127.0.0.1:PORT"; pass it to the
// crawler (crawler.Config.Resolve) or print it as -resolve flags. The caller
// closes srv.
func Serve(w *World) (srv *httptest.Server, resolve map[string]string) {
	srv = httptest.NewServer(w.Handler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	resolve = map[string]string{}
	for _, h := range w.hosts {
		resolve[h] = addr
	}
	return srv, resolve
}
