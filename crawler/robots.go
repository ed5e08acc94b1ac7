package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/temoto/robotstxt"
)

// robots.txt per RFC 9309: one file per origin (scheme, host and port),
// fetched before the origin's first URL. A missing file (4xx) allows
// everything. Redirects are followed up to five hops, to any host, and
// the rules found there apply; more hops count as a missing file. A file
// that stays unreachable after the retries (5xx, a network error) makes
// the origin fully disallowed for this crawl (§2.3.1.4), each URL recorded
// with the reason, and the next run tries again. Crawl-delay raises the
// pause between requests to the host (never lowers Config.Delay), capped
// at maxCrawlDelay.

// maxCrawlDelay caps the Crawl-delay a robots.txt may ask for.
const maxCrawlDelay = 60 * time.Second

// robotsMaxRedirects is how many redirects robots.txt may take.
const robotsMaxRedirects = 5

// robotsRules is what an origin's robots.txt says.
type robotsRules struct {
	group *robotstxt.Group // nil: everything allowed
	// down is why the file was unreachable ("" when it was read or is
	// missing); class is the failure's class.
	down  string
	class errClass
}

// robotsFor returns the rules of u's origin, loading them on first use.
func (f *hostFetcher) robotsFor(ctx context.Context, u *url.URL) (*robotsRules, error) {
	o := origin(u)
	if r, ok := f.robots[o]; ok {
		return r, nil
	}
	r, err := f.loadRobots(ctx, o)
	if err != nil {
		return nil, err
	}
	f.robots[o] = r
	if r.group != nil && r.group.CrawlDelay > 0 {
		f.crawlDelay(o, r.group.CrawlDelay)
	}
	return r, nil
}

// crawlDelay applies a Crawl-delay: the larger of it (capped) and the
// configured delay separates requests to the host from now on.
func (f *hostFetcher) crawlDelay(o string, d time.Duration) {
	if d > maxCrawlDelay {
		f.log.Warn("robots.txt Crawl-delay capped", "origin", o, "asked", d, "cap", maxCrawlDelay)
		d = maxCrawlDelay
	}
	if d > f.delay {
		f.log.Info("robots.txt Crawl-delay honoured", "origin", o, "delay", d)
		f.delay = d
	}
}

// loadRobots fetches an origin's robots.txt, retrying transient failures
// with backoff.
func (f *hostFetcher) loadRobots(ctx context.Context, o string) (*robotsRules, error) {
	backoff := f.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		r, err := f.fetchRobots(ctx, o)
		if err != nil {
			return nil, err
		}
		if r.down == "" || !r.class.transient() || attempt >= f.cfg.Retries {
			return r, nil
		}
		if err := sleep(ctx, backoff); err != nil {
			return nil, err
		}
		backoff *= 2
	}
}

// fetchRobots makes one request for o's robots.txt (its redirects
// included). Its error is ctx's.
func (f *hostFetcher) fetchRobots(ctx context.Context, o string) (*robotsRules, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	defer func() { f.last = time.Now() }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o+"/robots.txt", nil)
	if err != nil {
		return &robotsRules{}, nil
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	resp, err := f.robotsClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, errTooManyRedirects) {
			return &robotsRules{}, nil
		}
		return &robotsRules{down: fmt.Sprintf("robots.txt unreachable (%s)", describe(err)), class: classifyErr(err)}, nil
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500:
		return &robotsRules{down: fmt.Sprintf("robots.txt unreachable (HTTP %d)", resp.StatusCode), class: classServer}, nil
	case resp.StatusCode != http.StatusOK:
		return &robotsRules{}, nil
	}
	// RFC 9309 §2.5: at least 500 KiB are parsed.
	body, _, err := readCapped(resp.Body, 512<<10)
	if err != nil {
		k := classifyErr(err)
		return &robotsRules{down: fmt.Sprintf("robots.txt unreachable (read: %s)", describe(err)), class: k}, nil
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" {
		if dec, _, err := decodeContent(body, ce, 512<<10); err == nil {
			body = dec
		}
	}
	data, err := robotstxt.FromBytes(body)
	if err != nil {
		return &robotsRules{}, nil
	}
	if resp.Request != nil && resp.Request.URL.String() != req.URL.String() {
		f.log.Debug("robots.txt redirected", "origin", o, "to", resp.Request.URL.String())
	}
	return &robotsRules{group: data.FindGroup(f.cfg.UserAgent)}, nil
}

// errTooManyRedirects stops a robots.txt fetch after robotsMaxRedirects.
var errTooManyRedirects = errors.New("robots.txt: too many redirects")

// robotsRedirect follows robots.txt redirects to any host, at most
// robotsMaxRedirects of them.
func robotsRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > robotsMaxRedirects {
		return errTooManyRedirects
	}
	return nil
}

// denied returns why robots.txt forbids u ("" when it may be fetched).
func (f *hostFetcher) denied(ctx context.Context, u *url.URL) (string, error) {
	r, err := f.robotsFor(ctx, u)
	if err != nil {
		return "", err
	}
	if r.down != "" {
		return r.down + ": host treated as disallowed (RFC 9309)", nil
	}
	if r.group == nil {
		return "", nil
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if !r.group.Test(p) {
		return "robots.txt disallows", nil
	}
	return "", nil
}

// prepare decides how rawURL is fetched: under the scheme that works on
// the host, and only if robots.txt allows it. denial is the capture error
// when it may not be fetched. When robots.txt of one scheme fails at
// connect or handshake and the other scheme is untried, the other is
// used for this and every later URL of the host.
func (f *hostFetcher) prepare(ctx context.Context, rawURL string) (u *url.URL, denial string, err error) {
	u, err = url.Parse(rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("prepare %q: %w", rawURL, err)
	}
	u = f.preferred(u)
	for {
		r, err := f.robotsFor(ctx, u)
		if err != nil {
			return nil, "", err
		}
		if r.down != "" && r.class.perScheme() && f.switchScheme(u.Scheme, r.down) {
			u = withScheme(u, otherScheme(u.Scheme))
			continue
		}
		denial, err := f.denied(ctx, u)
		return u, denial, err
	}
}

// preferred returns u under the scheme that works on its host.
func (f *hostFetcher) preferred(u *url.URL) *url.URL {
	h := f.site.health
	if f.site.scope.contains(u) && h.down(u.Scheme) && !h.down(otherScheme(u.Scheme)) {
		return withScheme(u, otherScheme(u.Scheme))
	}
	return u
}

// switchScheme records that scheme failed on the host (why) and reports
// whether the other scheme is to be tried instead; the site then fetches
// and canonicalises with it.
func (f *hostFetcher) switchScheme(scheme, why string) bool {
	if !f.site.health.markDown(scheme, why) {
		return false
	}
	other := otherScheme(scheme)
	f.log.Warn("scheme fails on host; using the other", "host", f.site.scope.key, "failing", scheme, "using", other, "why", why)
	f.site.scope.scheme = other
	return true
}
