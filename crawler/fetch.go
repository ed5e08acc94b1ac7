package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"
)

// netClient holds the transport shared by every host: one connection pool,
// host names routed through Config.Resolve.
type netClient struct {
	transport *http.Transport
}

func newNetClient(cfg Config) *netClient {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	resolve := make(map[string]string, len(cfg.Resolve))
	for h, a := range cfg.Resolve {
		resolve[strings.ToLower(h)] = a
	}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err == nil {
				if to, ok := resolve[strings.ToLower(host)]; ok {
					addr = to
				}
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
	}
	return &netClient{transport: tr}
}

// rawResponse is one HTTP response as the recorder read it off the wire
// (after transfer decoding, before colly touched it).
type rawResponse struct {
	URL       string // the URL requested for this hop
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
	ReadErr   error
}

// recorder is the http.RoundTripper handed to colly. It reads each body
// itself, at most limit bytes (decompressed, so a gzip bomb stops at the
// cap), keeps the bytes and headers, and passes colly an empty body: the
// crawler parses the raw bytes, never colly's re-encoded copy. A host
// worker fetches one URL at a time, so one slot suffices.
type recorder struct {
	base http.RoundTripper

	mu    sync.Mutex
	limit int64
	// docLimit replaces limit when the response turns out to be a
	// document (attachment) behind an ordinary-looking URL.
	docLimit int64
	last     *rawResponse
	hops     int
}

func (r *recorder) reset(limit, docLimit int64) {
	r.mu.Lock()
	r.limit, r.docLimit, r.last, r.hops = limit, docLimit, nil, 0
	r.mu.Unlock()
}

func (r *recorder) result() (*rawResponse, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last, r.hops
}

// RoundTrip records the response of req and hands colly a bodiless copy.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	limit := r.limit
	if isDocument(resp.Header) && r.docLimit > limit {
		limit = r.docLimit
	}
	r.mu.Unlock()
	body, truncated, rerr := readCapped(resp.Body, limit)
	resp.Body.Close()
	rec := &rawResponse{URL: req.URL.String(), Status: resp.StatusCode, Header: resp.Header.Clone(),
		Body: body, Truncated: truncated, ReadErr: rerr}
	r.mu.Lock()
	r.last = rec
	r.hops++
	r.mu.Unlock()
	if rerr != nil {
		return nil, rerr
	}
	// Colly would gunzip a body whose type or name says gzip, without a
	// cap: it gets no body and no encoding to act on.
	h := resp.Header.Clone()
	h.Del("Content-Encoding")
	if strings.Contains(strings.ToLower(h.Get("Content-Type")), "gzip") {
		h.Set("Content-Type", "application/octet-stream")
	}
	resp.Header = h
	resp.Body = http.NoBody
	resp.ContentLength = 0
	return resp, nil
}

// isDocument reports whether response headers announce a document
// attachment: a document media type or a Content-Disposition file name
// with a document extension (download.jsp?id=… URLs).
func isDocument(h http.Header) bool {
	switch mediaType(h.Get("Content-Type"), []byte{}) {
	case "application/pdf", "application/msword", "application/vnd.ms-excel", "application/vnd.ms-works",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/kswps", "application/wps-office.wps", "application/wps-office.et", "application/x-pdf", "application/ofd":
		return true
	}
	if cd := h.Get("Content-Disposition"); cd != "" {
		if _, params, err := mime.ParseMediaType(cd); err == nil {
			if attachmentExt[strings.ToLower(path.Ext(params["filename"]))] {
				return true
			}
		}
	}
	return false
}

// readCapped reads at most limit bytes of rc and reports whether more was
// there.
func readCapped(rc io.Reader, limit int64) ([]byte, bool, error) {
	if limit <= 0 {
		limit = 10 << 20
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, limit+1))
	if err != nil {
		return buf.Bytes(), false, err
	}
	if n > limit {
		return buf.Bytes()[:limit], true, nil
	}
	return buf.Bytes(), false, nil
}

// errRedirect is returned by the redirect handler for a refused redirect.
type errRedirect struct{ msg string }

// Error says why the redirect was refused.
func (e *errRedirect) Error() string { return e.msg }

// hostFetcher fetches the URLs of one host, one at a time, politely.
type hostFetcher struct {
	host   string
	cfg    Config
	col    *colly.Collector
	rec    *recorder
	robots *robotstxt.Group
	// robotsDown is set when robots.txt could not be fetched (5xx or a
	// network error after the retries): the host is then treated as fully
	// disallowed for this crawl, as RFC 9309 §2.3.1.4 requires.
	robotsDown string
	client     *http.Client
	last       time.Time // when the previous request ended
}

func (c *Crawler) newHostFetcher(ctx context.Context, host string) *hostFetcher {
	rec := &recorder{base: c.net.transport}
	col := colly.NewCollector(
		colly.UserAgent(c.cfg.UserAgent),
		colly.StdlibContext(ctx),
		colly.AllowURLRevisit(), // the frontier decides what is fetched
		colly.MaxBodySize(0),    // the recorder caps bodies; colly gets none
	)
	col.WithTransport(rec)
	col.SetRequestTimeout(c.cfg.Timeout)
	f := &hostFetcher{host: host, cfg: c.cfg, col: col, rec: rec,
		client: &http.Client{Transport: rec, Timeout: c.cfg.Timeout}}
	// SetRedirectHandler keeps colly's CheckRedirect wrapper; SetClient
	// would drop it, so the client is never replaced.
	col.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return &errRedirect{fmt.Sprintf("stopped after %d redirects", len(via))}
		}
		if !inScope(req.URL, host) {
			return &errRedirect{fmt.Sprintf("redirect to %s refused: off scope (crawl stays on %s)", req.URL, host)}
		}
		if !f.allowed(req.URL) {
			return &errRedirect{fmt.Sprintf("redirect to %s refused: robots.txt disallows", req.URL)}
		}
		// A redirect back to the page itself (a CMS setting a session
		// cookie) is followed, as colly does.
		if req.URL.String() == via[0].URL.String() {
			return nil
		}
		// Any other in-scope target is not followed here but queued in
		// the frontier, so it is claimed, fetched and archived under its
		// own URL exactly once.
		return http.ErrUseLastResponse
	})
	// robots.txt may redirect (http → https, a CMS path) within the host.
	f.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 || !inScope(req.URL, host) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return f
}

// wait sleeps until Delay has passed since the previous request.
func (f *hostFetcher) wait(ctx context.Context) error {
	if f.last.IsZero() || f.cfg.Delay <= 0 {
		return ctx.Err()
	}
	return sleep(ctx, time.Until(f.last.Add(f.cfg.Delay)))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// loadRobots fetches the host's robots.txt once. A missing file (4xx)
// allows everything. A server error (5xx) or a network error is retried
// like any fetch; if robots.txt stays unreachable the host is treated as
// fully disallowed for this crawl (RFC 9309 §2.3.1.4): nothing is fetched,
// every URL is recorded with the reason, and the next run tries again.
func (f *hostFetcher) loadRobots(ctx context.Context, scheme string) error {
	backoff := f.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		reason, err := f.fetchRobots(ctx, scheme)
		if err != nil {
			return err
		}
		if reason == "" {
			f.robotsDown = ""
			return nil
		}
		f.robotsDown = reason
		if attempt >= f.cfg.Retries {
			return nil
		}
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
		backoff *= 2
	}
}

// fetchRobots makes one request for robots.txt. It returns a reason when
// the file is unreachable (server or network error), "" when the crawl may
// go on (a file was read, or there is none).
func (f *hostFetcher) fetchRobots(ctx context.Context, scheme string) (string, error) {
	if err := f.wait(ctx); err != nil {
		return "", err
	}
	defer func() { f.last = time.Now() }()
	f.rec.reset(512<<10, 0)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+f.host+"/robots.txt", nil)
	if err != nil {
		return "", nil
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return fmt.Sprintf("robots.txt unreachable (%v)", err), nil
	}
	resp.Body.Close()
	raw, _ := f.rec.result()
	if raw == nil {
		return "", nil
	}
	if raw.Status >= 500 {
		return fmt.Sprintf("robots.txt unreachable (HTTP %d)", raw.Status), nil
	}
	if raw.Status != http.StatusOK {
		return "", nil
	}
	data, err := robotstxt.FromStatusAndBytes(raw.Status, raw.Body)
	if err != nil {
		return "", nil
	}
	f.robots = data.FindGroup(f.cfg.UserAgent)
	return "", nil
}

// allowed tests u against robots.txt.
func (f *hostFetcher) allowed(u *url.URL) bool {
	if f.robotsDown != "" {
		return false
	}
	if f.robots == nil {
		return true
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return f.robots.Test(p)
}

// fetchResult is the outcome of one fetch, retries included.
type fetchResult struct {
	raw      *rawResponse // nil when no response arrived
	finalURL string
	redirect string // the in-scope Location of a 3xx, to be queued
	err      string // why the fetch failed ("" when it did not)
	at       time.Time
}

// fetch GETs u with colly, retrying 5xx, 429 and network errors with
// backoff (Retry-After honoured up to MaxRetryAfter). It returns
// ctx.Err() only when the crawl is being stopped.
func (f *hostFetcher) fetch(ctx context.Context, u string, limit int64, timeout time.Duration, hdr http.Header) (*fetchResult, error) {
	var res *fetchResult
	for attempt := 0; ; attempt++ {
		if err := f.wait(ctx); err != nil {
			return nil, err
		}
		res = f.fetchOnce(u, limit, timeout, hdr)
		f.last = time.Now()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt >= f.cfg.Retries || !res.retryable() {
			return res, nil
		}
		wait := f.cfg.RetryBackoff << attempt
		if res.raw != nil {
			if ra, ok := retryAfter(res.raw.Header.Get("Retry-After"), res.at); ok {
				wait = ra
			}
		}
		if wait > f.cfg.MaxRetryAfter {
			wait = f.cfg.MaxRetryAfter
		}
		if err := sleep(ctx, wait-f.cfg.Delay); err != nil {
			return nil, err
		}
	}
}

func (r *fetchResult) retryable() bool {
	if r.raw == nil || r.raw.ReadErr != nil {
		return r.err != "" && !strings.Contains(r.err, "refused")
	}
	s := r.raw.Status
	return s >= 500 || s == http.StatusTooManyRequests
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func (f *hostFetcher) fetchOnce(u string, limit int64, timeout time.Duration, hdr http.Header) *fetchResult {
	f.rec.reset(limit, f.cfg.MaxAttachmentSize)
	f.col.SetRequestTimeout(timeout)
	h := http.Header{}
	for k, v := range hdr {
		h[k] = append([]string(nil), v...)
	}
	h.Set("User-Agent", f.cfg.UserAgent)
	if h.Get("Accept") == "" {
		h.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	}
	res := &fetchResult{finalURL: u}
	start := time.Now()
	err := f.col.Request(http.MethodGet, u, nil, nil, h)
	// A client timeout surfaces as "request canceled" while the body is
	// read: name it.
	timedOut := func(msg string) string {
		if time.Since(start) >= timeout*9/10 && !strings.Contains(msg, "timeout") {
			return fmt.Sprintf("timeout after %s: %s", timeout, msg)
		}
		return msg
	}
	res.at = time.Now().UTC()
	raw, _ := f.rec.result()
	res.raw = raw
	if raw != nil {
		res.finalURL = raw.URL
	}
	var redir *errRedirect
	switch {
	case raw == nil && err != nil:
		res.err = timedOut(describe(err))
	case raw == nil:
		res.err = "no response"
	case raw.ReadErr != nil:
		res.err = timedOut("read body: " + describe(raw.ReadErr))
	case errors.As(err, &redir):
		res.err = redir.msg
	case raw.Truncated:
		res.err = fmt.Sprintf("body exceeds %d bytes", limit)
	case raw.Status >= 300 && raw.Status < 400 && raw.Status != http.StatusNotModified:
		base, _ := url.Parse(raw.URL)
		if loc := raw.Header.Get("Location"); loc != "" && base != nil {
			if target, ok := normalize(base, loc); ok {
				res.redirect = target.String()
				break
			}
		}
		res.err = fmt.Sprintf("HTTP %d %s without a usable Location", raw.Status, http.StatusText(raw.Status))
	case raw.Status >= 400:
		res.err = fmt.Sprintf("HTTP %d %s", raw.Status, http.StatusText(raw.Status))
	}
	return res
}

// describe shortens an error from net/http to its cause.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var redir *errRedirect
	if errors.As(err, &redir) {
		return redir.msg
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout: " + err.Error()
	}
	return err.Error()
}
