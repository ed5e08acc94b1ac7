package crawler

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
	"golang.org/x/net/html"
)

// crawlSite runs the frontier loop of one host until its frontier is empty,
// its page budget is spent or ctx is cancelled. Its frontier and visited
// set stay in the archive until the whole crawl completes (Run resets
// them), so a host finished before a crash is not crawled again on resume.
//
// An item the archive answers for (skipped: no request, no capture) is
// completed in memory: a run of them is written in one transaction, with
// the next item that made a capture or when the run is long enough (see
// skipRun). Completions are committed in the background (committer)
// while the loop goes on with the items not being committed.
func (c *Crawler) crawlSite(ctx context.Context, s *site) (err error) {
	f := c.newHostFetcher(ctx, s.host)
	pages, err := c.seedSite(s)
	if err != nil {
		return err
	}
	run := skipRun{commits: c.newCommitter(), seen: map[string]bool{}}
	defer func() {
		if cerr := run.commits.close(); err == nil {
			err = cerr
		}
	}()
	if run.answers, err = c.a.HasURLsOf(s.host); err != nil {
		return fmt.Errorf("crawl %s: %w", s.host, err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if why := s.health.abandoned; why != "" {
			c.log.Warn("host abandoned for this run; the next run tries again", "host", s.host, "why", why)
			break
		}
		it, ok, err := c.a.NextFrontierSkipping(s.host, run.after, run.commits.skipping())
		if err != nil {
			return fmt.Errorf("crawl %s: %w", s.host, err)
		}
		if !ok {
			if len(run.done) > 0 { // the run's children may be waiting
				if err := c.complete(&run, nil); err != nil {
					return err
				}
				continue
			}
			if run.commits.pending() { // so may the children of pages committing
				if err := run.commits.drain(); err != nil {
					return err
				}
				continue
			}
			break
		}
		c.taken.Add(1)
		if pages >= c.cfg.MaxPagesPerHost {
			c.log.Warn("page budget spent; dropping the rest of the frontier", "host", s.host, "pages", pages)
			break
		}
		fetched, err := c.visitItem(ctx, f, s, it, &run)
		if err != nil {
			return err
		}
		if fetched {
			pages++
		}
	}
	if err := c.complete(&run, nil); err != nil {
		return err
	}
	return ctx.Err()
}

// visitItem processes one frontier item and completes it: in memory when
// the archive answered for it, else together with the skipped run before
// it. It reports whether it made a request.
func (c *Crawler) visitItem(ctx context.Context, f *hostFetcher, s *site, it *archive.FrontierItem, run *skipRun) (bool, error) {
	v := visit{seen: run.seen}
	children, fetched, err := c.process(ctx, f, it, &v)
	if err != nil {
		return false, err
	}
	if children, err = c.discoverMore(ctx, f, s, it, children, fetched, &v); err != nil {
		return false, err
	}
	children, extra, err := c.expand(ctx, f, s, children, run)
	if err != nil {
		return false, err
	}
	done := archive.Completion{Item: it, Children: children, LinksURL: v.linksURL, Links: v.links}
	if !fetched && !v.wrote {
		run.add(done, extra)
		if len(run.done) >= maxSkipRun {
			return false, c.complete(run, nil)
		}
		return false, nil
	}
	run.add(done, extra)
	return fetched, c.complete(run, v.put)
}

// maxSkipRun is the most skipped items completed in one transaction: a
// crash redoes at most that many look-ups.
const maxSkipRun = 512

// skipRun is the items completed in memory since the last write: the
// archive answered for each (no request, no capture), so a crash that
// loses their completions only makes the next run look them up again.
// Until they are handed to the committer, the host's frontier is read past
// after, the key of the last item taken. Items that commits add meanwhile
// before after are read once the run is handed over and reading starts
// from the head again, passing over the items still being committed.
//
// seen is the URLs expand met in this crawl of the site: expanded ones
// (done, without a visited mark in the archive) and ones found queued or
// visited (at most the site's pages). answers is whether the archive knew
// any URL of the site when its crawl began: if not (a first crawl), it
// answers for nothing that expand could take, and expand looks nothing up.
type skipRun struct {
	done    []archive.Completion
	after   []byte
	seen    map[string]bool
	answers bool
	commits *committer
}

// add appends the completion of a frontier item and those of the items
// expanded from it (not in the frontier: they leave after as it is).
func (r *skipRun) add(d archive.Completion, expanded []archive.Completion) {
	r.done = append(r.done, d)
	r.done = append(r.done, expanded...)
	r.after = d.Item.Key
}

func (r *skipRun) see(url string) { r.seen[url] = true }

// complete hands the run's completions (and the pending capture, whose
// item is the last of them) to the site's committer, to be written in one
// transaction, and starts a new run from the head of the frontier.
func (c *Crawler) complete(run *skipRun, p *pendingPut) error {
	if len(run.done) == 0 {
		return nil
	}
	job := commitJob{put: p, done: run.done}
	run.done, run.after = nil, nil
	return run.commits.submit(job)
}

// seedSite queues the seeds of a site (a seed already queued or visited is
// not queued again) and returns the pages its frontier has done: more than
// none when an interrupted crawl is resumed, whose scope it then restores.
func (c *Crawler) seedSite(s *site) (pages int, err error) {
	var seedItems []*archive.FrontierItem
	for _, ag := range s.seeds {
		base, _ := url.Parse(ag.URL)
		u, ok := normalize(base, ag.URL)
		if !ok {
			return 0, fmt.Errorf("crawl: seed %q of %s", ag.URL, ag.Name)
		}
		seedItems = append(seedItems, &archive.FrontierItem{URL: u.String(), Host: s.host, Agency: ag.Name,
			Priority: prioList, Role: archive.RoleList, Title: ag.Name})
	}
	if _, err := c.a.Enqueue(seedItems); err != nil {
		return 0, fmt.Errorf("crawl %s: %w", s.host, err)
	}
	queued, pages, err := c.a.FrontierCounts(s.host)
	if err != nil {
		return 0, fmt.Errorf("crawl %s: %w", s.host, err)
	}
	c.addQueued(queued)
	if pages > 0 {
		c.log.Info("resuming host", "host", s.host, "done", pages, "queued", queued)
		c.resumeScope(s)
	}
	return pages, nil
}

func (c *Crawler) addQueued(n int) {
	c.mu.Lock()
	c.stats.Queued += n
	if c.stats.Queued < 0 {
		c.stats.Queued = 0
	}
	c.mu.Unlock()
}

// analysis is what a payload says about itself.
type analysis struct {
	text, charset string
	mediaType     string
	page          *page // nil when the payload is not parsed HTML
	binaryAsText  bool
}

func analyze(base *url.URL, body []byte, contentType string) analysis {
	an := analysis{mediaType: mediaType(contentType, body)}
	mt := an.mediaType
	isPage, dataStore := false, false
	switch {
	case isHTML(mt, body):
		isPage = true
	case strings.Contains(mt, "xml") && bytes.Contains(body, []byte("<![CDATA[")):
		// A Hanweb data store (dataproxy.jsp): its records are CDATA
		// HTML fragments, read like the <script type="text/xml"> of a
		// list page.
		dataStore = true
	case strings.HasPrefix(mt, "text/") && mt != "text/css" && mt != "text/javascript":
	default:
		return an
	}
	if isBinary(body) {
		an.binaryAsText = true
		return an
	}
	text, cs := decode(body, contentType)
	an.charset = cs
	switch {
	case isPage:
		doc, err := html.Parse(strings.NewReader(text))
		if err != nil {
			return an
		}
		an.page = parsePage(base, doc)
		an.text = pageText(doc)
	case dataStore:
		doc, err := html.Parse(strings.NewReader(`<script type="text/xml">` + strings.ReplaceAll(text, "</script", "") + `</script>`))
		if err != nil {
			return an
		}
		an.page = parsePage(base, doc)
	default:
		an.text = text
	}
	return an
}

// hasReportTables reports whether a page's text holds at least two of the
// report's table labels (report.Markers).
func hasReportTables(text string) bool {
	n := 0
	for _, m := range report.Markers {
		if strings.Contains(text, m) {
			n++
		}
	}
	return n >= 2
}

func roleOr(a, b archive.Role) archive.Role {
	if a != "" {
		return a
	}
	return b
}

// pageRole decides what a fetched page is: an attachment stays one; a
// page whose title or headline names a report, or that was reached by a
// report link, is a report; a page linking to reports, or reached as a
// list, is a list.
func pageRole(hint archive.Role, linkTitle string, p *page) (role archive.Role, title string) {
	if hint == archive.RoleAttachment {
		return hint, linkTitle
	}
	if p != nil {
		for _, t := range []string{p.Headline, p.Title} {
			if reportYear(t) > 0 {
				return archive.RoleReport, t
			}
		}
	}
	if hint == archive.RoleReport {
		return hint, linkTitle
	}
	if p != nil {
		for _, l := range p.Links {
			if reportYear(l.Text) > 0 {
				return archive.RoleList, firstNonEmpty(p.Headline, p.Title, linkTitle)
			}
		}
	}
	if hint == archive.RoleList {
		return hint, firstNonEmpty(linkTitle, p.title())
	}
	if p != nil && (hint == "" || hint == archive.RoleOther) && (isListTitle(p.Headline) || isListTitle(p.Title)) {
		// a column named 政府信息公开年报 reached by 更多>> or a path
		return archive.RoleList, p.title()
	}
	return archive.RoleOther, firstNonEmpty(p.title(), linkTitle)
}

func (p *page) title() string {
	if p == nil {
		return ""
	}
	return firstNonEmpty(p.Headline, p.Title)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// resumed derives the items of a page captured by an interrupted crawl:
// the target of a redirect, or the links of the archived page.
func (c *Crawler) resumed(it *archive.FrontierItem, key string, st archive.URLState, v *visit) []*archive.FrontierItem {
	if st.Status >= 300 && st.Status < 400 && st.Status != http.StatusNotModified {
		caps, err := c.a.ByURL(it.URL)
		if err != nil || len(caps) == 0 {
			return nil
		}
		last := caps[len(caps)-1]
		target, err := url.Parse(last.FinalURL)
		if err != nil || last.FinalURL == it.URL || !c.inScope(target, it.Host) || trap(target) != "" {
			return nil
		}
		return []*archive.FrontierItem{{URL: last.FinalURL, Host: it.Host, Agency: it.Agency, Depth: it.Depth,
			Priority: it.Priority, Role: it.Role, Title: it.Title, DiscoveredFrom: it.URL}}
	}
	return c.fromArchive(it, key, st, v)
}

// fromArchive derives the items an archived page (URL key, state st) leads
// to: from its stored links record when it has one of the payload st
// names, else from its stored body, parsed again, whose record v then
// carries to be stored.
func (c *Crawler) fromArchive(it *archive.FrontierItem, key string, st archive.URLState, v *visit) []*archive.FrontierItem {
	role := roleOr(st.Role, it.Role)
	if role == archive.RoleAttachment {
		v.stored = true // an attachment leads nowhere: nothing to add
		return nil
	}
	if st.Digest == "" {
		return nil
	}
	if pl, ok, err := c.a.Links(key, st.Digest); err == nil && ok {
		v.stored = true
		return c.fromLinks(it, role, pl, v.seen)
	}
	body, err := c.bodyByDigest(st.Digest)
	if err != nil {
		return nil
	}
	ct := ""
	if st.LastCaptureID != "" {
		if cp, err := c.a.Get(st.LastCaptureID); err == nil {
			ct = cp.ContentType
			body = contentOf(body, cp.Header, c.cfg.MaxBodySize)
			if cp.FinalURL != "" {
				it = &archive.FrontierItem{URL: cp.FinalURL, Host: it.Host, Agency: it.Agency, Depth: it.Depth}
			}
		}
	}
	base, err := url.Parse(it.URL)
	if err != nil {
		return nil
	}
	an := analyze(base, body, ct)
	v.links, v.linksURL = linksRecord(st.Digest, key, it.URL, an.page), key
	return c.children(it, role, an.page)
}

// children turns the links of a page into frontier items: in scope, no
// trap, worth fetching, within depth.
func (c *Crawler) children(it *archive.FrontierItem, role archive.Role, p *page) []*archive.FrontierItem {
	return c.childrenExcept(it, role, p, nil)
}

// childrenExcept is children leaving out the URLs met already (seen: the
// site loop's skipRun.seen, which expand passes over anyway) before it
// ranks their links: a re-crawl rebuilds the items of every archived page,
// whose links are mostly the site's menus, met on the first page.
func (c *Crawler) childrenExcept(it *archive.FrontierItem, role archive.Role, p *page, seen map[string]bool) []*archive.FrontierItem {
	if p == nil {
		return nil
	}
	var out []*archive.FrontierItem
	for _, l := range p.Links {
		u, err := url.Parse(l.URL)
		if err != nil {
			continue
		}
		u = c.canonical(it.Host, u)
		us := u.String()
		if seen[us] || !c.inScope(u, it.Host) || us == it.URL {
			continue
		}
		if why := trap(u); why != "" {
			c.log.Debug("trap guard", "url", l.URL, "why", why)
			continue
		}
		prio, hint, ok := classify(l, u, role)
		if !ok {
			continue
		}
		depth := it.Depth + 1
		if depth > c.cfg.MaxDepth && !(prio == prioReport && depth == c.cfg.MaxDepth+1) {
			continue
		}
		out = append(out, &archive.FrontierItem{URL: us, Host: it.Host, Agency: it.Agency, Depth: depth,
			Priority: prio, Role: hint, Title: l.Text, DiscoveredFrom: it.URL})
	}
	return out
}

// keep holds a capture of the visit for its completion's transaction; a
// capture kept before it is stored first.
func (c *Crawler) keep(v *visit, capt *archive.Capture, body []byte, text string, it *archive.FrontierItem) error {
	if err := c.storeKept(v); err != nil {
		return err
	}
	c.stampWorker(capt)
	v.put, v.wrote = &pendingPut{capt: capt, body: body, text: text, it: it}, true
	return nil
}

// stampWorker names this crawl's cluster worker (if any) on a capture that
// names none, before it is stored or handed to the committer.
func (c *Crawler) stampWorker(capt *archive.Capture) {
	if capt.Worker == "" {
		capt.Worker = c.cfg.Worker
	}
}

// storeKept stores the visit's kept capture now, on its own, when
// something else must be written before its completion (a rendering).
func (c *Crawler) storeKept(v *visit) error {
	if v.put == nil {
		return nil
	}
	p := v.put
	v.put = nil
	return c.put(p.capt, p.body, p.text, p.it)
}

// put stores a capture and counts it.
func (c *Crawler) put(capt *archive.Capture, body []byte, text string, it *archive.FrontierItem) error {
	c.stampWorker(capt)
	if err := c.a.Put(capt, body, text); err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	c.account(capt, body, it)
	return nil
}

// account counts a stored capture in the summary and the statistics.
func (c *Crawler) account(capt *archive.Capture, body []byte, it *archive.FrontierItem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	as := c.byAgency[agencyKey(it.Host, it.Agency)]
	rep := &hostReport{}
	if s := c.sites[it.Host]; s != nil {
		rep = s.report
	}
	c.sum.Pages++
	if capt.Error == "" && (body != nil || capt.Revisit) {
		rep.archived++
	}
	switch {
	case capt.Error != "":
		c.sum.Errors++
		c.stats.Errors++
		rep.noteError(capt.Error)
		if as != nil {
			as.Errors++
		}
	case capt.Revisit:
		c.sum.Revisits++
	case body == nil:
		// a first redirect: recorded, but no payload to extract
	default:
		c.sum.NewCaptures++
		c.stats.New++
		c.sum.New = append(c.sum.New, capt.ID)
		c.sum.NewURLs = append(c.sum.NewURLs, capt.URL)
		if as != nil && (capt.Role == archive.RoleReport || capt.Role == archive.RoleAttachment) {
			as.NewReports++
		}
	}
	if capt.Error == "" {
		c.noteReportLocked(agencyKey(it.Host, it.Agency), capt.Role, capt.Title)
	}
}

func (c *Crawler) noteReport(it *archive.FrontierItem, role archive.Role, title string) {
	c.mu.Lock()
	c.noteReportLocked(agencyKey(it.Host, it.Agency), role, title)
	c.mu.Unlock()
}

func (c *Crawler) noteReportLocked(key string, role archive.Role, title string) {
	if role != archive.RoleReport && role != archive.RoleAttachment {
		return
	}
	c.stats.Reports++
	c.noteYearLocked(key, role, title)
}

// noteYearLocked records the report year a report or attachment title
// names, for the summary of the agency keyed key (agencyKey).
func (c *Crawler) noteYearLocked(key string, role archive.Role, title string) {
	if role != archive.RoleReport && role != archive.RoleAttachment {
		return
	}
	if y := reportYear(title); y > 0 {
		if c.years[key] == nil {
			c.years[key] = map[int]bool{}
		}
		c.years[key][y] = true
	}
}
