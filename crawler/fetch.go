package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"
)

// errRedirect is returned by the redirect handler for a refused redirect.
type errRedirect struct{ msg string }

// Error says why the redirect was refused.
func (e *errRedirect) Error() string { return e.msg }

// hostFetcher fetches the URLs of one site, one at a time, politely: the
// pause between requests is Config.Delay or the robots.txt Crawl-delay,
// whichever is longer.
type hostFetcher struct {
	site         *site
	cfg          Config
	log          *slog.Logger
	ctx          context.Context
	col          *colly.Collector
	rec          *recorder
	robots       map[string]*robotsRules // by origin
	robotsClient *http.Client
	delay        time.Duration
	// last is when the server had the previous request: when its
	// response began to arrive (the end of the request when none did).
	// The next request is due delay after it; parsing and storing the
	// page happen during the pause. Counting from the first byte rather
	// than the end of the body keeps a slow body from lengthening it.
	last time.Time
	// movedTo is set by the redirect handler when the seed being fetched
	// moved to its twin or the other scheme.
	movedTo string
}

// newHostFetcher returns the fetcher of the site keyed key (a site of its
// own when the Run does not know key: tests).
func (c *Crawler) newHostFetcher(ctx context.Context, key string) *hostFetcher {
	s := c.siteOf(key)
	if s == nil {
		s = newSite(key, "http")
	}
	rec := &recorder{base: c.net.transport, tls: c.net.tls}
	col := colly.NewCollector(
		colly.UserAgent(c.cfg.UserAgent),
		colly.StdlibContext(ctx),
		colly.AllowURLRevisit(), // the frontier decides what is fetched
		colly.MaxBodySize(0),    // the recorder caps bodies; colly gets none
	)
	col.WithTransport(rec)
	col.SetRequestTimeout(c.cfg.Timeout)
	f := &hostFetcher{site: s, cfg: c.cfg, log: c.log, ctx: ctx, col: col, rec: rec,
		robots: map[string]*robotsRules{}, delay: c.cfg.Delay,
		robotsClient: &http.Client{Transport: c.net.transport, Timeout: c.cfg.Timeout, CheckRedirect: robotsRedirect}}
	// SetRedirectHandler keeps colly's CheckRedirect wrapper; SetClient
	// would drop it, so the client is never replaced.
	col.SetRedirectHandler(f.redirect)
	return f
}

// redirect is colly's redirect handler: it refuses targets off the site's
// scope (a seed moving to its twin or other scheme moves the scope) or
// disallowed by robots.txt, follows a redirect back to the page itself,
// and stops at any other target, which is queued in the frontier.
func (f *hostFetcher) redirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return &errRedirect{fmt.Sprintf("stopped after %d redirects", len(via))}
	}
	sc := f.site.scope
	from := via[0].URL.String()
	if !sc.contains(req.URL) || (sc.seeds[from] && req.URL.Scheme != via[0].URL.Scheme) {
		if !sc.adopt(from, req.URL) {
			return &errRedirect{fmt.Sprintf("redirect to %s refused: off scope (crawl stays on %s)", req.URL, sc.key)}
		}
		f.movedTo = req.URL.String()
		f.log.Info("seed moved", "seed", from, "to", f.movedTo)
	}
	if why, err := f.denied(f.ctx, req.URL); err != nil {
		return err
	} else if why != "" {
		return &errRedirect{fmt.Sprintf("redirect to %s refused: %s", req.URL, why)}
	}
	// A redirect back to the page itself (a CMS setting a session
	// cookie, or the other scheme of the same page) is followed, as colly
	// does.
	if req.URL.String() == from || f.site.canon.canonical(sc, req.URL).String() == f.site.canon.canonical(sc, via[0].URL).String() {
		return nil
	}
	// Any other in-scope target is not followed here but queued in the
	// frontier, so it is claimed, fetched and archived under its own URL
	// exactly once.
	return http.ErrUseLastResponse
}

// wait sleeps until the delay has passed since the server had the previous
// request.
func (f *hostFetcher) wait(ctx context.Context) error {
	if f.last.IsZero() || f.delay <= 0 {
		return ctx.Err()
	}
	return sleep(ctx, time.Until(f.last.Add(f.delay)))
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

// fetchResult is the outcome of one fetch, retries included.
type fetchResult struct {
	url      string       // the URL requested (its scheme may be the working one)
	raw      *rawResponse // nil when no response arrived
	finalURL string
	redirect string // the in-scope Location of a 3xx, to be queued
	err      string // why the fetch failed ("" when it did not)
	class    errClass
	movedTo  string // where the seed moved, if it did
	at       time.Time
}

// fetch GETs u with colly. Transient failures (5xx, 429, timeouts,
// resets) are retried with backoff, Retry-After honoured up to
// MaxRetryAfter; a longer Retry-After postpones the host for this run. A
// scheme failing at connect or handshake is replaced by the other one for
// the rest of the host. Consecutive connection failures pause and then
// abandon the host (health.go). The error is ctx's or robots.txt's.
func (f *hostFetcher) fetch(ctx context.Context, u string, limit int64, timeout time.Duration, hdr http.Header) (*fetchResult, error) {
	var res *fetchResult
	for attempt := 0; ; attempt++ {
		if err := f.wait(ctx); err != nil {
			return nil, err
		}
		res = f.fetchOnce(u, limit, timeout, hdr)
		f.last = time.Now()
		if at := f.rec.answeredAt(); !at.IsZero() {
			f.last = at
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if next, ok, err := f.twinScheme(ctx, res); err != nil {
			return nil, err
		} else if ok {
			u, attempt = next, attempt-1
			continue
		}
		pause := f.site.health.observe(res.class, res.err, f.cfg.RetryBackoff)
		if f.site.health.abandoned != "" {
			return res, nil
		}
		wait := f.cfg.RetryBackoff << attempt
		if ra, ok := res.retryAfter(); ok {
			if ra > f.cfg.MaxRetryAfter {
				f.site.health.abandon(fmt.Sprintf("postponed for this run: Retry-After %s is beyond the %s cap", ra, f.cfg.MaxRetryAfter))
				res.err += fmt.Sprintf(" (Retry-After %s: host postponed for this run)", ra)
				return res, nil
			}
			wait = ra
		}
		if attempt >= f.cfg.Retries || !res.class.transient() {
			return res, sleep(ctx, pause)
		}
		if err := sleep(ctx, max(wait, pause)-f.delay); err != nil {
			return nil, err
		}
	}
}

// twinScheme returns the URL to try next when res failed at connect or
// handshake on a scheme whose twin is untried and allowed.
func (f *hostFetcher) twinScheme(ctx context.Context, res *fetchResult) (string, bool, error) {
	if !res.class.perScheme() {
		return "", false, nil
	}
	u, err := url.Parse(res.url)
	if err != nil || !f.site.scope.contains(u) || !f.switchScheme(u.Scheme, res.err) {
		return "", false, nil
	}
	next, denial, err := f.prepare(ctx, res.url)
	if err != nil || denial != "" || next.Scheme == u.Scheme {
		return "", false, err
	}
	return next.String(), true, nil
}

// retryAfter is the wait a 429 or 5xx response asks for.
func (r *fetchResult) retryAfter() (time.Duration, bool) {
	if r.raw == nil || (r.class != classThrottled && r.class != classServer) {
		return 0, false
	}
	return retryAfter(r.raw.Header.Get("Retry-After"), r.at)
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

// fetchOnce makes one request for u (following only redirects the
// handler allows) and describes its outcome.
func (f *hostFetcher) fetchOnce(u string, limit int64, timeout time.Duration, hdr http.Header) *fetchResult {
	f.rec.reset(limit, f.cfg.MaxAttachmentSize)
	f.col.SetRequestTimeout(timeout)
	f.movedTo = ""
	h := http.Header{}
	for k, v := range hdr {
		h[k] = append([]string(nil), v...)
	}
	h.Set("User-Agent", f.cfg.UserAgent)
	if h.Get("Accept") == "" {
		h.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	}
	res := &fetchResult{url: u, finalURL: u}
	start := time.Now()
	err := f.col.Request(http.MethodGet, u, nil, nil, h)
	res.at = time.Now().UTC()
	res.movedTo = f.movedTo
	raw, _ := f.rec.result()
	res.raw = raw
	if raw != nil {
		res.finalURL = raw.URL
	}
	res.err, res.class = outcome(raw, err, limit, time.Since(start) >= timeout*9/10, timeout)
	if res.class == classOK && raw.Status >= 300 && raw.Status < 400 && raw.Status != http.StatusNotModified {
		base, _ := url.Parse(raw.URL)
		if loc := raw.Header.Get("Location"); loc != "" && base != nil {
			if target, ok := normalize(base, loc); ok {
				res.redirect = target.String()
				return res
			}
		}
		res.err = fmt.Sprintf("HTTP %d %s without a usable Location", raw.Status, http.StatusText(raw.Status))
		res.class = classOther
	}
	return res
}

// outcome names the failure of a request (err from colly, raw what the
// recorder read) and its class; "" and classOK when it succeeded.
// timedOut says the request took about its whole timeout: a client
// timeout surfaces as "request canceled" while the body is read.
func outcome(raw *rawResponse, err error, limit int64, timedOut bool, timeout time.Duration) (string, errClass) {
	named := func(msg string, k errClass) (string, errClass) {
		if timedOut && (k == classOther || k == classReset || k == classTimeout) {
			if !strings.Contains(msg, "timeout") {
				msg = fmt.Sprintf("timeout after %s: %s", timeout, msg)
			}
			return msg, classTimeout
		}
		return msg, k
	}
	var redir *errRedirect
	switch {
	case raw == nil && err != nil:
		if errors.As(err, &redir) {
			return redir.msg, classOther
		}
		return named(describe(err), classifyErr(err))
	case raw == nil:
		return "no response", classOther
	case raw.ReadErr != nil:
		return named("read body: "+describe(raw.ReadErr), classifyErr(raw.ReadErr))
	case errors.As(err, &redir):
		return redir.msg, classOther
	case raw.Truncated:
		return fmt.Sprintf("body exceeds %d bytes", limit), classOther
	case raw.DecodeTruncated:
		return fmt.Sprintf("decoded body exceeds %d bytes (Content-Encoding %s)", limit, raw.Header.Get("Content-Encoding")), classOther
	case raw.Status >= 400:
		return fmt.Sprintf("HTTP %d %s", raw.Status, http.StatusText(raw.Status)), classifyStatus(raw.Status)
	}
	return "", classOK
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
