package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nianbao/nianbao/archive"
)

// visit is what processing one frontier item produced besides the items
// it leads to.
type visit struct {
	// capt and body are the page just fetched, with its content as read
	// (decoded): discoverMore looks at it without reading it back from
	// the archive.
	capt *archive.Capture
	body []byte
	// put is the capture made, not stored yet: it is committed with the
	// item's completion, in one transaction (nil: none, or already
	// stored because something else had to be written first).
	put *pendingPut
	// wrote is set once the visit made a capture: its completion is
	// then written at once, not with a run of skipped items.
	wrote bool
	// links is the record of what the page led to, to be stored with the
	// completion under linksURL; discoverMore adds the items it finds.
	links    *archive.PageLinks
	linksURL string
	// stored is set when discoverMore has nothing to add: the items came
	// from a stored links record (found items included), or the URL is an
	// archived attachment, which leads nowhere.
	stored bool
	// lookOnly asks process to stop before anything it would fetch or
	// keep, setting wouldFetch instead (see expand); archivedRole is then
	// the role of an archived report or attachment, counted only once
	// expand takes the item.
	lookOnly, wouldFetch bool
	archivedRole         archive.Role
	// seen is the URLs the site's loop met already (skipRun.seen): the
	// items a links record leads to leave them out, as expand would.
	seen map[string]bool
}

// pendingPut is a capture waiting for its transaction.
type pendingPut struct {
	capt *archive.Capture
	body []byte
	text string
	it   *archive.FrontierItem
}

// past is what the archive knew of a URL before this visit: its state,
// and whether it had one at all.
type past struct {
	archive.URLState
	found bool
}

// process handles one frontier item and returns the items it leads to and
// whether it made a request; a page it fetched and archived is left in got.
// Its error is ctx's or the archive's.
func (c *Crawler) process(ctx context.Context, f *hostFetcher, it *archive.FrontierItem, v *visit) ([]*archive.FrontierItem, bool, error) {
	u, err := url.Parse(it.URL)
	if err != nil {
		return nil, false, nil
	}
	if dup := c.indexTwin(it, u); dup != nil {
		return dup, false, nil
	}
	capt := c.newCapture(it, u)
	// The URL as fetched: under the scheme that works on the host.
	fu, denial, err := f.prepare(ctx, it.URL)
	if err != nil {
		return nil, false, err
	}
	capt.URL, capt.FinalURL = fu.String(), fu.String()
	if denial != "" && v.lookOnly {
		v.wouldFetch = true
		return nil, false, nil
	}
	if denial != "" {
		capt.Error = denial
		capt.FetchedAt = time.Now().UTC()
		return nil, false, c.keep(v, capt, nil, "", it)
	}
	st, found, err := c.a.URLState(capt.URL)
	if err != nil {
		return nil, false, err
	}
	was := past{URLState: st, found: found}
	if items, skip := c.fromPast(it, capt, was, v); skip {
		return items, false, nil
	}
	if v.lookOnly {
		v.wouldFetch = true
		return nil, false, nil
	}
	limit, timeout := c.fetchLimits(capt.Role)
	res, err := f.fetch(ctx, capt.URL, limit, timeout, c.conditionalHeader(was))
	if err != nil {
		return nil, false, err
	}
	c.recordResponse(capt, res)
	switch {
	case res.err != "":
		return nil, true, c.fetchFailed(capt, res, it, v)
	case res.redirect != "":
		items, err := c.redirected(capt, res, was, it, v)
		return items, true, err
	case res.raw.Status == http.StatusNotModified:
		items, err := c.notModified(capt, was, it, v)
		return items, true, err
	}
	items, err := c.takePage(f, u, capt, res, was, it, v)
	return items, true, err
}

// newCapture starts the capture of a frontier item, with the role its link
// suggested (an attachment by its URL whatever the link said).
func (c *Crawler) newCapture(it *archive.FrontierItem, u *url.URL) *archive.Capture {
	capt := &archive.Capture{URL: it.URL, FinalURL: it.URL, Agency: it.Agency, Role: it.Role,
		DiscoveredFrom: it.DiscoveredFrom, Title: it.Title, RunID: c.cfg.RunID}
	if capt.Role == "" {
		capt.Role = archive.RoleOther
	}
	if isAttachment(u) {
		capt.Role = archive.RoleAttachment
	}
	return capt
}

// fromPast decides whether the archive already answers for the item, and
// if it does (skip) returns the items its stored capture leads to.
func (c *Crawler) fromPast(it *archive.FrontierItem, capt *archive.Capture, was past, v *visit) (items []*archive.FrontierItem, skip bool) {
	st := was.URLState
	switch {
	case was.found && st.LastFetched.After(it.Enqueued):
		// Captured after it was queued: an interrupted crawl got this far
		// before it stopped. Take its links from the archive.
		c.noteArchived(it, st.Role, v)
		return c.resumed(it, capt.URL, st, v), true
	case was.found && st.Archived && !c.cfg.Refresh && (capt.Role == archive.RoleReport || capt.Role == archive.RoleAttachment ||
		st.Role == archive.RoleReport || st.Role == archive.RoleAttachment):
		// Reports and attachments are archived once.
		c.noteArchived(it, st.Role, v)
		return c.fromArchive(it, capt.URL, st, v), true
	case was.found && st.Archived && !revalidated(it, st):
		// Ordinary pages are not revisited; their links still count.
		return c.fromArchive(it, capt.URL, st, v), true
	}
	return nil, false
}

// noteArchived counts an archived report or attachment met again, unless
// the visit only looks (expand counts it if it takes the item).
func (c *Crawler) noteArchived(it *archive.FrontierItem, role archive.Role, v *visit) {
	if v.lookOnly {
		v.archivedRole = role
		return
	}
	c.noteReport(it, role, it.Title)
}

// maxNavLabel is the longest link text (in characters) taken for the
// label of a column or a path (政府信息公开, 县公安局, 下一页) rather than
// for a headline.
const maxNavLabel = 12

// revalidated reports whether an archived page is fetched again (if
// changed) when the crawl meets it: a seed, a page stored as a list or
// reached as one (a list title, its paging), a page reached by a report
// link (under -refresh; else fromPast answers for reports and
// attachments before asking), and a page on the way to the
// lists — a link ranked above ordinary pages whose URL is a disclosure
// path or whose text is a short label. A news article whose headline
// mentions the agency or 政务公开 is an ordinary page: not refetched, its
// links still count.
func revalidated(it *archive.FrontierItem, st archive.URLState) bool {
	if it.Depth == 0 || st.Role == archive.RoleList || it.Role == archive.RoleList || it.Priority == prioReport {
		return true // (a report or an attachment is only ever refetched by -refresh: fromPast)
	}
	if it.Priority >= prioOther {
		return false
	}
	if u, err := url.Parse(it.URL); err == nil && disclosurePath(u.Path) {
		return true
	}
	return utf8.RuneCountInString(strings.Join(strings.Fields(it.Title), "")) <= maxNavLabel
}

// conditionalHeader asks for the page only if it changed since the
// archived capture (If-None-Match, If-Modified-Since); empty on a refresh.
func (c *Crawler) conditionalHeader(was past) http.Header {
	hdr := http.Header{}
	if was.found && was.Archived && was.Digest != "" && !c.cfg.Refresh {
		if was.ETag != "" {
			hdr.Set("If-None-Match", was.ETag)
		}
		if was.LastModified != "" {
			hdr.Set("If-Modified-Since", was.LastModified)
		}
	}
	return hdr
}

// fetchLimits are the body size limit and timeout of a fetch: attachments
// get their own size limit and four times the time.
func (c *Crawler) fetchLimits(role archive.Role) (limit int64, timeout time.Duration) {
	if role == archive.RoleAttachment {
		return c.cfg.MaxAttachmentSize, 4 * c.cfg.Timeout
	}
	return c.cfg.MaxBodySize, c.cfg.Timeout
}

// recordResponse counts the fetch and writes what the response said on
// the capture: URLs, time, status, headers, peer and TLS outcome.
func (c *Crawler) recordResponse(capt *archive.Capture, res *fetchResult) {
	capt.URL, capt.SeedMovedTo = res.url, res.movedTo
	c.mu.Lock()
	c.stats.Fetched++
	c.mu.Unlock()
	capt.FetchedAt = res.at
	capt.FinalURL = res.finalURL
	raw := res.raw
	if raw == nil {
		return
	}
	capt.Status = raw.Status
	capt.Header = raw.Header
	capt.RequestHeader, capt.IP, capt.Proto = raw.Request, raw.IP, raw.Proto
	capt.ContentType = raw.Header.Get("Content-Type")
	if raw.TLS != nil {
		verified := raw.TLS.verified
		capt.TLSVerified, capt.TLSError = &verified, raw.TLS.err
	}
}

// fetchFailed archives a failed fetch with its error, and the body as
// received when it was truncated or could not be decoded.
func (c *Crawler) fetchFailed(capt *archive.Capture, res *fetchResult, it *archive.FrontierItem, v *visit) error {
	raw := res.raw
	capt.Error = res.err
	var body []byte
	if raw != nil && raw.Truncated {
		capt.Truncated = true
		body = raw.Body
	}
	if raw != nil && raw.DecodeErr != nil {
		body = raw.Body // archived as received, though unreadable
	}
	c.log.Debug("fetch failed", "url", it.URL, "error", res.err)
	return c.keep(v, capt, body, "", it)
}

// redirected records a redirect as such; its in-scope target is queued
// with the same depth, priority and role hint.
func (c *Crawler) redirected(capt *archive.Capture, res *fetchResult, was past, it *archive.FrontierItem, v *visit) ([]*archive.FrontierItem, error) {
	capt.FinalURL = res.redirect
	capt.Role = archive.RoleOther
	capt.Revisit = was.found && was.Status == res.raw.Status
	if err := c.keep(v, capt, nil, "", it); err != nil {
		return nil, err
	}
	target, err := url.Parse(res.redirect)
	if err != nil || !c.inScope(target, it.Host) || trap(target) != "" {
		return nil, nil
	}
	return []*archive.FrontierItem{{URL: c.canonical(it.Host, target).String(), Host: it.Host, Agency: it.Agency, Depth: it.Depth,
		Priority: it.Priority, Role: it.Role, Title: it.Title, DiscoveredFrom: it.URL}}, nil
}

// notModified records a 304 as a revisit of the archived payload, whose
// links it then takes from the archive.
func (c *Crawler) notModified(capt *archive.Capture, was past, it *archive.FrontierItem, v *visit) ([]*archive.FrontierItem, error) {
	capt.Revisit = true
	capt.Digest = was.Digest
	capt.Role = roleOr(was.Role, capt.Role)
	if err := c.keep(v, capt, nil, "", it); err != nil {
		return nil, err
	}
	return c.fromArchive(it, capt.URL, was.URLState, v), nil
}

// takePage analyses a fetched payload (role, title, charset, links),
// keeps it for archiving (as a revisit when its digest is unchanged) with
// the record of its links, teaches the host's canonicaliser its digest,
// and leaves a readable page in v.
func (c *Crawler) takePage(f *hostFetcher, u *url.URL, capt *archive.Capture, res *fetchResult, was past, it *archive.FrontierItem, v *visit) ([]*archive.FrontierItem, error) {
	raw := res.raw
	base, _ := url.Parse(res.finalURL)
	if base == nil {
		base = u
	}
	digest := archive.Digest(raw.Body)
	if items, ok, err := c.unchangedPage(f, capt, raw, was, it, digest, v); ok || err != nil {
		return items, err
	}
	an := c.classifyPage(base, capt, raw, it.Title)
	if was.found && was.Digest != "" && was.Digest == digest {
		capt.Revisit = true
		capt.Digest = was.Digest
		capt.Size = int64(len(raw.Body))
		if err := c.keep(v, capt, nil, "", it); err != nil {
			return nil, err
		}
	} else {
		capt.Digest = digest
		if err := c.keep(v, capt, raw.Body, an.text, it); err != nil {
			return nil, err
		}
	}
	if cu, err := url.Parse(capt.URL); err == nil {
		f.site.canon.learn(cu, capt.Digest)
	}
	if capt.Error == "" {
		seen := *capt
		seen.Role = archive.StrongerRole(was.Role, capt.Role) // as the URL's state now says
		v.capt, v.body = &seen, raw.content()
		if !capt.Revisit || !c.hasLinks(capt.URL, capt.Digest) { // an unchanged page keeps its record
			v.links, v.linksURL = linksRecord(capt.Digest, capt.URL, base.String(), an.page), capt.URL
		}
	}
	return c.children(it, capt.Role, an.page), nil
}

// unchangedPage takes a 200 whose payload is the archived one (digest)
// as a 304 is taken, without parsing it again: a revisit with the role of
// the URL's state, leading where its stored links record says. Its role
// could only come out differently through the link's hint (pageRole
// reads the link's text only for the title; the rest is the page's, which
// has not changed), so it declines (ok false) for a link hinting a report
// or an attachment or ranked as one (a truncated report title), for a
// list hint on a URL not stored as a list, for a document served, under
// -refresh, and when the record or the last capture is missing. The title
// is the last capture's, or the link's text for a list hint (as pageRole
// names a list reached as one).
func (c *Crawler) unchangedPage(f *hostFetcher, capt *archive.Capture, raw *rawResponse, was past, it *archive.FrontierItem, digest string, v *visit) (items []*archive.FrontierItem, ok bool, err error) {
	if c.cfg.Refresh || !was.found || !was.Archived || was.Digest != digest || was.LastCaptureID == "" ||
		it.Priority == prioReport || (was.Role != archive.RoleList && was.Role != archive.RoleOther) ||
		archive.StrongerRole(was.Role, capt.Role) != was.Role || isDocument(raw.Header) {
		return nil, false, nil
	}
	pl, found, err := c.a.Links(capt.URL, digest)
	if err != nil || !found {
		return nil, false, nil
	}
	prev, err := c.a.Get(was.LastCaptureID)
	if err != nil || prev.Error != "" || prev.Digest != digest {
		return nil, false, nil
	}
	capt.Revisit, capt.Digest, capt.Size = true, digest, int64(len(raw.Body))
	capt.Role, capt.Title, capt.Charset = was.Role, prev.Title, prev.Charset
	if it.Role == archive.RoleList && it.Title != "" {
		capt.Title = it.Title
	}
	if err := c.keep(v, capt, nil, "", it); err != nil {
		return nil, true, err
	}
	if cu, err := url.Parse(capt.URL); err == nil {
		f.site.canon.learn(cu, digest)
	}
	c.unparsed.Add(1)
	v.stored = true
	return c.fromLinks(it, capt.Role, pl, v.seen), true, nil
}

// classifyPage analyses a payload and writes on the capture its charset,
// its role and title, and the error of a binary payload served as text.
func (c *Crawler) classifyPage(base *url.URL, capt *archive.Capture, raw *rawResponse, linkTitle string) analysis {
	if capt.Role != archive.RoleAttachment && isDocument(raw.Header) {
		capt.Role = archive.RoleAttachment
	}
	an := analyze(base, raw.content(), capt.ContentType)
	capt.Charset = an.charset
	if an.binaryAsText {
		capt.Error = fmt.Sprintf("binary payload served as %s; not parsed", an.mediaType)
	}
	capt.Role, capt.Title = pageRole(capt.Role, linkTitle, an.page)
	if (capt.Role == archive.RoleList || capt.Role == archive.RoleOther) && an.page != nil && hasReportTables(an.text) {
		// titled without a year (…政府信息公开工作年度报告), but it holds
		// the report's own tables
		capt.Role = archive.RoleReport
	}
	return an
}
