package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/seeds"
)

// Rendering modes (Config.Render): when a page is also rendered in a
// headless browser.
const (
	// RenderAuto renders a report list or disclosure column whose static
	// HTML yields no report links but carries scripts, and a page
	// answered by a JS cookie challenge.
	RenderAuto = "auto"
	// RenderAlways renders every HTML page fetched.
	RenderAlways = "always"
	// RenderNever never starts a browser.
	RenderNever = "never"
)

// Bounds of one rendering.
const (
	// renderMaxRequests caps the requests one rendered page may make.
	renderMaxRequests = 60
	// renderQuiet is how long a page must make no request to count as
	// built.
	renderQuiet = 400 * time.Millisecond
	// renderMaxPerSite caps the renderings of one site in one crawl.
	renderMaxPerSite = 30
)

// pageGate is what a rendering asks of the site's fetcher for every
// request the page makes: whether it may be made, and the politeness
// pause around it. Requests are made one at a time.
type pageGate interface {
	// admit returns why u may not be requested ("" when it may): off
	// the site's scope, or disallowed by robots.txt.
	admit(ctx context.Context, u *url.URL) (string, error)
	// pace waits until the site's delay has passed since its previous
	// request.
	pace(ctx context.Context) error
	// done marks the end of a request.
	done()
}

// renderedPage is the document a browser built from a page.
type renderedPage struct {
	finalURL string
	status   int // of the last main-frame document, 0 when none was served
	html     string
	// cookies are the page's cookies after rendering (a JS challenge's
	// answer among them).
	cookies []*http.Cookie
	// requests counts the requests served; blocked the ones refused
	// (off scope or robots.txt).
	requests, blocked int
}

// browser renders pages in one headless Chromium shared by a crawl: it is
// started at the first rendering and closed by close. Each rendering runs
// in a tab of its own, closed when it ends. Chromium makes no request of
// its own: every request a page makes is intercepted (Fetch domain) and
// either refused or made by Go through the crawl's transport, politely,
// and only in scope; a dead proxy and a resolver that resolves nothing
// stop anything that would escape the interception.
type browser struct {
	path      string // "" to look Chromium up in PATH
	userAgent string
	transport http.RoundTripper
	timeout   time.Duration // one rendering
	reqTime   time.Duration // one request
	maxBody   int64
	log       *slog.Logger

	mu       sync.Mutex
	ctx      context.Context // the browser's chromedp context once started
	cancel   context.CancelFunc
	startErr error
}

// errNoBrowser wraps the reason no browser could be started.
var errNoBrowser = errors.New("no headless browser")

// findBrowser returns the Chromium executable: path when it is set (an
// error if it does not exist), else the first of the usual names in PATH.
func findBrowser(path string) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("%w: %v", errNoBrowser, err)
		}
		return path, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: Chromium not found in PATH (install chromium, or give its path)", errNoBrowser)
}

// start returns the browser's context, starting Chromium the first time.
// A failed start is remembered: it is not tried again in this crawl.
func (b *browser) start() (context.Context, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx != nil || b.startErr != nil {
		return b.ctx, b.startErr
	}
	path, err := findBrowser(b.path)
	if err != nil {
		b.startErr = err
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserAgent(b.userAgent),
		// Nothing leaves the browser but through the interception.
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("blink-settings", "imagesEnabled=false"),
		// Pages are asked for under the scheme the crawl uses: no
		// upgrade of http navigations to https.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,HttpsFirstModeV2ForEngagedSites"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // root in a container or CI
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		bcancel()
		acancel()
		b.startErr = fmt.Errorf("%w: start %s: %v", errNoBrowser, path, err)
		return nil, b.startErr
	}
	b.ctx = bctx
	b.cancel = func() { bcancel(); acancel() }
	b.log.Info("headless browser started", "path", path)
	return bctx, nil
}

// close stops the browser if it was started.
func (b *browser) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancel != nil {
		b.cancel()
		b.cancel, b.ctx = nil, nil
	}
}

// render loads pageURL in a new tab, lets its scripts run until it makes
// no request for renderQuiet (at most the rendering timeout), and returns
// the document it built. Every request goes through gate.
func (b *browser) render(ctx context.Context, pageURL string, gate pageGate) (*renderedPage, error) {
	bctx, err := b.start()
	if err != nil {
		return nil, err
	}
	tab, closeTab := chromedp.NewContext(bctx)
	defer closeTab()
	defer context.AfterFunc(ctx, closeTab)()
	tctx, cancel := context.WithTimeout(tab, b.timeout)
	defer cancel()

	st := &tabState{gate: gate, b: b, last: time.Now()}
	events := chromedp.Events(tctx, fetch.RequestPaused)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev, err := range events {
			if err != nil {
				return
			}
			st.pending.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				st.serve(tctx, &ev)
			}()
		}
	}()
	defer wg.Wait()
	defer cancel() // ends the event loop before the wait

	if _, err := chromedp.Call(tctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return nil, fmt.Errorf("render %s: enable interception: %w", pageURL, err)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate(pageURL)); err != nil && tctx.Err() != nil {
		return nil, fmt.Errorf("render %s: %w", pageURL, err)
	}
	// A challenge page reloads itself; a list asks its API: wait until
	// the page is quiet.
	st.settle(tctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	html, err := chromedp.Run(tctx, chromedp.Evaluate[string]("document.documentElement ? document.documentElement.outerHTML : ''"))
	if err != nil {
		return nil, fmt.Errorf("render %s: read the document: %w", pageURL, err)
	}
	loc, err := chromedp.Run(tctx, chromedp.Location())
	if err != nil {
		loc = pageURL
	}
	out := &renderedPage{finalURL: loc, html: html}
	if res, err := chromedp.Call(tctx, network.GetCookies, network.GetCookiesParams{URLs: []string{loc}}); err == nil {
		for _, ck := range res.Cookies {
			out.cookies = append(out.cookies, &http.Cookie{Name: ck.Name, Value: ck.Value, Path: ck.Path})
		}
	}
	st.mu.Lock()
	out.status, out.requests, out.blocked = st.docStatus, st.requests, st.blocked
	st.mu.Unlock()
	return out, nil
}

// tabState is what one rendering's request handlers share.
type tabState struct {
	gate    pageGate
	b       *browser
	pending atomic.Int64 // requests paused and not answered yet

	mu        sync.Mutex // serialises the requests made for the tab
	last      time.Time  // last request answered
	mainFrame string
	docStatus int
	requests  int
	blocked   int
}

// settle waits until no request is pending and none was answered for
// renderQuiet, or ctx ends.
func (st *tabState) settle(ctx context.Context) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		st.mu.Lock()
		quiet := time.Since(st.last)
		st.mu.Unlock()
		if st.pending.Load() == 0 && quiet >= renderQuiet {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// blockedTypes are resources a document's links never depend on.
var blockedTypes = map[network.ResourceType]bool{network.ResourceTypeImage: true, network.ResourceTypeMedia: true,
	network.ResourceTypeFont: true, network.ResourceTypeStylesheet: true, network.ResourceTypePing: true,
	network.ResourceTypeCSPViolationReport: true, network.ResourceTypeManifest: true, network.ResourceTypeTextTrack: true,
	network.ResourceTypeWebSocket: true, network.ResourceTypeEventSource: true}

// serve answers one paused request: refused when it is off scope,
// disallowed, of a type not needed or over the budget; otherwise made
// through the crawl's transport and fulfilled with the response.
func (st *tabState) serve(ctx context.Context, ev *fetch.EventRequestPaused) {
	defer func() {
		st.mu.Lock()
		st.last = time.Now()
		st.mu.Unlock()
		st.pending.Add(-1)
	}()
	fail := func() {
		_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
	}
	u, err := url.Parse(ev.Request.URL)
	if err != nil || blockedTypes[ev.ResourceType] {
		fail()
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if why, err := st.gate.admit(ctx, u); err != nil || why != "" {
		st.blocked++
		st.b.log.Debug("rendering: request refused", "url", u.String(), "why", why)
		fail()
		return
	}
	if st.requests >= renderMaxRequests {
		fail()
		return
	}
	st.requests++
	if err := st.gate.pace(ctx); err != nil {
		fail()
		return
	}
	resp, body, err := st.b.do(ctx, ev)
	st.gate.done()
	if err != nil {
		st.b.log.Debug("rendering: request failed", "url", u.String(), "error", err)
		_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonFailed})
		return
	}
	if ev.ResourceType == network.ResourceTypeDocument && (st.mainFrame == "" || st.mainFrame == string(ev.FrameID)) {
		st.mainFrame = string(ev.FrameID)
		st.docStatus = resp.StatusCode
	}
	var hdr []*fetch.HeaderEntry
	for k, vs := range resp.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Encoding", "Content-Length", "Transfer-Encoding", "Connection":
			continue
		}
		for _, v := range vs {
			hdr = append(hdr, &fetch.HeaderEntry{Name: k, Value: v})
		}
	}
	_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID,
		ResponseCode: int64(resp.StatusCode), ResponseHeaders: hdr, Body: body})
}

// do makes a paused request through the crawl's transport: the browser's
// headers (its cookies added, the crawl's User-Agent, no compression
// asked), its method and body, redirects handed back to the browser.
func (b *browser) do(ctx context.Context, ev *fetch.EventRequestPaused) (*http.Response, []byte, error) {
	var body io.Reader
	if ev.Request.HasPostData {
		var buf bytes.Buffer
		for _, e := range ev.Request.PostDataEntries {
			buf.Write(e.Bytes)
		}
		body = &buf
	}
	rctx, cancel := context.WithTimeout(ctx, b.reqTime)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, ev.Request.Method, ev.Request.URL, body)
	if err != nil {
		return nil, nil, fmt.Errorf("request %s: %w", ev.Request.URL, err)
	}
	for k, v := range ev.Request.Headers {
		if s, ok := v.(string); ok {
			req.Header.Set(k, s)
		}
	}
	req.Header.Del("Accept-Encoding")
	req.Header.Set("User-Agent", b.userAgent)
	if req.Header.Get("Cookie") == "" {
		if res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{ev.Request.URL}}); err == nil {
			var parts []string
			for _, ck := range res.Cookies {
				parts = append(parts, ck.Name+"="+ck.Value)
			}
			if len(parts) > 0 {
				req.Header.Set("Cookie", strings.Join(parts, "; "))
			}
		}
	}
	resp, err := b.transport.RoundTrip(req)
	if err != nil {
		return nil, nil, fmt.Errorf("request %s: %w", ev.Request.URL, err)
	}
	defer resp.Body.Close()
	data, _, err := readCapped(resp.Body, b.maxBody)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", ev.Request.URL, err)
	}
	return resp, data, nil
}

// fetcherGate lets a rendering request what the site's fetcher may: in
// scope, allowed by robots.txt, one request at a time, the site's delay
// apart (the fetcher's own clock, so static and rendered requests share
// one pace).
type fetcherGate struct{ f *hostFetcher }

func (g fetcherGate) admit(ctx context.Context, u *url.URL) (string, error) {
	if !g.f.site.scope.contains(u) {
		return "off scope", nil
	}
	return g.f.denied(ctx, u)
}

func (g fetcherGate) pace(ctx context.Context) error { return g.f.wait(ctx) }

func (g fetcherGate) done() { g.f.last = time.Now() }

var (
	reScriptTag = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	reScriptSrc = regexp.MustCompile(`(?i)\bsrc\s*=\s*['"]?([^'"\s>]+)`)
	// reLibrary names scripts that build no list: libraries, analytics,
	// page tools, and the CMS paging read statically (jpage).
	reLibrary = regexp.MustCompile(`(?i)(?:^|/)(?:jquery|bootstrap|vue|avalon|layui|layer|swiper|echarts|hm|analytics|gtag|ga|common|public|base|util|jpage|dataproxy|fontsize|font|print|share|zoom|counter|jsq|tongji|wza|aria|barrierfree|slide|nav|menu)[\w.\-]*\.js`)
	// reBuilds are the signs of an inline script that fetches data or
	// builds elements.
	reBuilds = regexp.MustCompile(`XMLHttpRequest|\.ajax\s*\(|\$\.(?:get|post|getJSON)\s*\(|\bfetch\s*\(|axios|innerHTML|appendChild|\.append\s*\(|\.html\s*\(|new\s+Vue|avalon\.define|template\s*\(`)
)

// buildsByScript reports whether an HTML page carries a script that may
// build its content: an inline script fetching data or adding elements,
// or a script file that is not a known library or page tool. Hanweb data
// stores (<script type="text/xml">) are read statically and do not count.
func buildsByScript(html []byte) bool {
	for _, m := range reScriptTag.FindAllSubmatch(html, 200) {
		attrs := m[1]
		if bytes.Contains(bytes.ToLower(attrs), []byte("xml")) {
			continue
		}
		if src := reScriptSrc.FindSubmatch(attrs); src != nil {
			if !reLibrary.Match(src[1]) {
				return true
			}
			continue
		}
		if reBuilds.Match(m[2]) {
			return true
		}
	}
	return false
}

// challengeStatus are the statuses JS cookie challenges answer with until
// a script has set the cookie and reloaded (412, 202; 521 of some
// anti-bot services).
func challengeStatus(status int) bool {
	return status == http.StatusPreconditionFailed || status == http.StatusAccepted || status == 521
}

// renderMode is Config.Render, RenderNever when unset: a library crawl
// renders only when asked to (cmd/crawl asks for RenderAuto by default).
func (c *Crawler) renderMode() string {
	if c.cfg.Render == "" {
		return RenderNever
	}
	return c.cfg.Render
}

// renderer is a crawl's rendering: its browser (started at the first
// rendering, closed at the end of the Run), the renderings made per site
// and whether the note that no browser is there was made.
type renderer struct {
	b *browser

	mu      sync.Mutex
	perSite map[string]int
	noted   bool
}

// renderer returns the crawl's renderer, made at the first call.
func (c *Crawler) renderer() *renderer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rend == nil {
		timeout := c.cfg.RenderTimeout
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		c.rend = &renderer{perSite: map[string]int{}, b: &browser{path: c.cfg.BrowserPath, userAgent: c.cfg.UserAgent,
			transport: c.net.transport, timeout: timeout, reqTime: c.cfg.Timeout, maxBody: c.cfg.MaxBodySize, log: c.log}}
	}
	return c.rend
}

// closeBrowser stops the crawl's browser, if one was started.
func (c *Crawler) closeBrowser() {
	c.mu.Lock()
	r := c.rend
	c.rend = nil
	c.mu.Unlock()
	if r != nil {
		r.b.close()
	}
}

// take counts one rendering of site key and reports whether it is within
// renderMaxPerSite.
func (r *renderer) take(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.perSite[key] >= renderMaxPerSite {
		return false
	}
	r.perSite[key]++
	return true
}

// noteMissing records once per crawl, in the summary's notes and the log,
// that pages were not rendered for lack of a browser.
func (c *Crawler) noteMissing(r *renderer, err error) {
	r.mu.Lock()
	first := !r.noted
	r.noted = true
	r.mu.Unlock()
	if !first {
		return
	}
	note := fmt.Sprintf("pages built by script were not rendered: %v", err)
	c.log.Warn(note)
	c.mu.Lock()
	c.sum.Notes = append(c.sum.Notes, note)
	c.mu.Unlock()
}

// wantRender decides whether a page just fetched is also rendered: with
// RenderAlways every HTML page; with RenderAuto a page answered by a JS
// challenge, and a report list, disclosure column or seed whose static
// HTML gave no report link and no JSON list but carries scripts.
func (c *Crawler) wantRender(it *archive.FrontierItem, capt *archive.Capture, html []byte, kids []*archive.FrontierItem, apis int) bool {
	mode := c.renderMode()
	if mode == RenderNever || capt.Role == archive.RoleAttachment || capt.Role == archive.RoleReport {
		return false
	}
	if mode == RenderAlways {
		return true
	}
	if apis > 0 || !buildsByScript(html) {
		return false
	}
	if capt.Role != archive.RoleList && it.Priority != prioDisclosure && it.Depth > 0 {
		return false
	}
	for _, k := range kids {
		if k.Priority == prioReport {
			return false
		}
	}
	return true
}

// renderItem renders the page of it, archives the document as a second
// capture of its URL marked Rendered (a revisit when it is the document
// of the previous rendering), hands the page's cookies (a challenge's
// answer) to the site's fetcher, and returns the items its links lead
// to. Without a browser it records the note and returns nothing.
func (c *Crawler) renderItem(ctx context.Context, f *hostFetcher, it *archive.FrontierItem, pageURL string) ([]*archive.FrontierItem, error) {
	r := c.renderer()
	if !r.take(it.Host) {
		c.log.Debug("rendering budget of the site spent", "host", it.Host, "url", pageURL)
		return nil, nil
	}
	rp, err := r.b.render(ctx, pageURL, fetcherGate{f})
	if errors.Is(err, errNoBrowser) {
		c.noteMissing(r, err)
		return nil, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	capt := &archive.Capture{URL: pageURL, FinalURL: pageURL, Agency: it.Agency, Role: archive.RoleOther, Rendered: true,
		DiscoveredFrom: it.DiscoveredFrom, Title: it.Title, RunID: c.cfg.RunID, FetchedAt: time.Now().UTC()}
	if err != nil {
		capt.Error = "rendering failed: " + err.Error()
		return nil, c.put(capt, nil, "", it)
	}
	if len(rp.cookies) > 0 {
		if err := f.col.SetCookies(pageURL, rp.cookies); err != nil {
			c.log.Debug("rendering: cookies not kept", "url", pageURL, "error", err)
		}
	}
	capt.FinalURL, capt.Status = rp.finalURL, rp.status
	capt.ContentType, capt.Charset = "text/html; charset=utf-8", "utf-8"
	if capt.Status == 0 {
		capt.Status = http.StatusOK
	}
	if capt.Status >= 400 {
		capt.Error = fmt.Sprintf("HTTP %d %s after rendering", capt.Status, http.StatusText(capt.Status))
	}
	base, err := url.Parse(rp.finalURL)
	if err != nil {
		base, _ = url.Parse(pageURL)
	}
	body := []byte(rp.html)
	an := analyze(base, body, capt.ContentType)
	capt.Role, capt.Title = pageRole(it.Role, it.Title, an.page)
	if capt.Role != archive.RoleReport && hasReportTables(an.text) {
		capt.Role = archive.RoleReport
	}
	c.log.Debug("rendered", "url", pageURL, "requests", rp.requests, "refused", rp.blocked, "links", len(linksOf(an.page)))
	if prev := c.lastRendered(pageURL); prev != "" && prev == archive.Digest(body) {
		capt.Revisit, capt.Digest, capt.Size = true, prev, int64(len(body))
		body = nil
	}
	if err := c.put(capt, body, an.text, it); err != nil {
		return nil, err
	}
	return c.children(it, capt.Role, an.page), nil
}

func linksOf(p *page) []Link {
	if p == nil {
		return nil
	}
	return p.Links
}

// lastRendered returns the digest of the newest rendered capture of u, ""
// when there is none.
func (c *Crawler) lastRendered(u string) string {
	caps, err := c.a.ByURL(u)
	if err != nil {
		return ""
	}
	for i := len(caps) - 1; i >= 0; i-- {
		if caps[i].Rendered && caps[i].Digest != "" {
			return caps[i].Digest
		}
	}
	return ""
}

// discoverMore runs, after an item was processed, the tricks that need
// more than the links of its page: a JS challenge is rendered; a JSON
// list answer gives its records and pages; an HTML page gives the report
// modules (module.go) and JSON list APIs (jsonlist.go) it shows, and is
// rendered when wantRender says so; then the items are re-ranked for the
// site's agencies (portal.go). kids are the items of the page's own
// links; fetched says whether a request was made for it now. Its error
// is ctx's or the archive's.
func (c *Crawler) discoverMore(ctx context.Context, f *hostFetcher, s *site, it *archive.FrontierItem, kids []*archive.FrontierItem, fetched bool, v *visit) ([]*archive.FrontierItem, error) {
	if v.stored { // the links record held what the page led to
		preferAgencies(s.seeds, kids)
		return kids, nil
	}
	capt, body := v.capt, v.body
	if capt == nil { // not fetched now (resumed, archived, failed): as archived
		var err error
		if capt, body, err = c.lastStatic(f, it); err != nil {
			return kids, err
		}
		if k := v.put; k != nil && challengeStatus(k.capt.Status) {
			// the challenge just met, kept but not stored yet: as the
			// URL's state will say
			capt, body = k.capt, nil
		}
	}
	var more []*archive.FrontierItem
	var err error
	switch {
	case capt == nil || capt.Role == archive.RoleAttachment:
	case challengeStatus(capt.Status):
		if fetched && c.renderMode() != RenderNever {
			if err := c.storeKept(v); err != nil { // the page's capture before its rendering's
				return kids, err
			}
			more, err = c.renderItem(ctx, f, it, capt.URL)
		}
	case body != nil:
		more, err = c.scriptItems(ctx, f, s, it, capt, body, kids, fetched, v)
	}
	if err != nil {
		return kids, err
	}
	noteFound(v.links, more)
	kids = append(kids, more...)
	preferAgencies(s.seeds, kids)
	return kids, nil
}

// lastStatic returns the newest state of it's URL (as the site fetches
// it) as a capture and the body it holds: nil when the URL has no state,
// no body when it failed or holds none, nor for an attachment, which leads
// nowhere (reading back a PDF of up to MaxAttachmentSize on every re-crawl
// to find that out is what this spares).
func (c *Crawler) lastStatic(f *hostFetcher, it *archive.FrontierItem) (*archive.Capture, []byte, error) {
	u, err := url.Parse(it.URL)
	if err != nil {
		return nil, nil, nil
	}
	key := f.preferred(u).String()
	st, found, err := c.a.URLState(key)
	if err != nil {
		return nil, nil, fmt.Errorf("crawl: %w", err)
	}
	if !found {
		return nil, nil, nil
	}
	capt := &archive.Capture{URL: key, FinalURL: key, Status: st.Status, Role: st.Role}
	if challengeStatus(st.Status) || !st.Archived || st.Digest == "" || st.Role == archive.RoleAttachment {
		return capt, nil, nil
	}
	if st.LastCaptureID != "" {
		if full, err := c.a.Get(st.LastCaptureID); err == nil {
			full.Role = roleOr(st.Role, full.Role)
			capt = full
		}
	}
	body, err := c.bodyByDigest(st.Digest)
	if err != nil {
		return capt, nil, nil
	}
	return capt, body, nil
}

// scriptItems returns the items a page built by script leads to: a JSON
// list's records and pages, the report modules and JSON APIs an HTML
// page shows, and the links of its rendering.
func (c *Crawler) scriptItems(ctx context.Context, f *hostFetcher, s *site, it *archive.FrontierItem, capt *archive.Capture, body []byte, kids []*archive.FrontierItem, fetched bool, v *visit) ([]*archive.FrontierItem, error) {
	base, err := url.Parse(firstNonEmpty(capt.FinalURL, capt.URL))
	if err != nil {
		return nil, nil
	}
	mt := mediaType(capt.ContentType, body)
	if !isHTML(mt, body) {
		if !isJSONBody(mt, body) {
			return nil, nil
		}
		links, pages, ok := jsonList(base, body)
		if !ok {
			return nil, nil
		}
		out := c.children(it, archive.RoleList, &page{Links: links})
		return append(out, c.direct(it, pages, prioList, archive.RoleList, it.Title)...), nil
	}
	src, _ := decode(body, capt.ContentType)
	var out []*archive.FrontierItem
	for _, l := range moduleItems(base, src, agencyOf(s, it.Agency), time.Now()) {
		if l.Paging {
			out = append(out, c.direct(it, []string{l.URL}, prioList, archive.RoleList, l.Text)...)
		} else {
			out = append(out, c.direct(it, []string{l.URL}, prioReport, "", "")...)
		}
	}
	var apis []string
	if capt.Role == archive.RoleList || it.Priority <= prioDisclosure || it.Depth == 0 {
		apis = jsonAPIs(base, src)
		out = append(out, c.direct(it, apis, prioList, archive.RoleList, it.Title)...)
	}
	if fetched && !capt.Rendered && c.wantRender(it, capt, body, append(kids, out...), len(apis)) {
		if err := c.storeKept(v); err != nil { // the page's capture before its rendering's
			return out, err
		}
		more, err := c.renderItem(ctx, f, it, capt.URL)
		if err != nil {
			return out, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// direct makes frontier items of URLs found by a trick rather than by a
// link (no classify: an API may end in .json), in scope, no trap, within
// depth (report items one further).
func (c *Crawler) direct(it *archive.FrontierItem, urls []string, prio int, role archive.Role, title string) []*archive.FrontierItem {
	var out []*archive.FrontierItem
	depth := it.Depth + 1
	if depth > c.cfg.MaxDepth && !(prio == prioReport && depth == c.cfg.MaxDepth+1) {
		return nil
	}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		u = c.canonical(it.Host, u)
		if !c.inScope(u, it.Host) || u.String() == it.URL || trap(u) != "" {
			continue
		}
		out = append(out, &archive.FrontierItem{URL: u.String(), Host: it.Host, Agency: it.Agency, Depth: depth,
			Priority: prio, Role: role, Title: title, DiscoveredFrom: it.URL})
	}
	return out
}

// agencyOf returns the seeds line of the agency named name on s.
func agencyOf(s *site, name string) seeds.Agency {
	for _, ag := range s.seeds {
		if ag.Name == name {
			return ag
		}
	}
	return seeds.Agency{Name: name}
}
