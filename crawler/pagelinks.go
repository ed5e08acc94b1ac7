package crawler

import (
	"github.com/nianbao/nianbao/archive"
)

// Links records (archive.PageLinks): what a page led to, stored with its
// completion so that a re-crawl rebuilds the page's frontier items without
// reading its body back and parsing it again.

// linksRecord is the record of a page's own links, read from the payload
// with digest at URL key (base: the URL its links were resolved against);
// nil without a digest.
func linksRecord(digest, key, base string, p *page) *archive.PageLinks {
	if digest == "" {
		return nil
	}
	pl := &archive.PageLinks{Digest: digest}
	if base != key {
		pl.Base = base
	}
	for _, l := range linksOf(p) {
		pl.Links = append(pl.Links, archive.PageLink{URL: l.URL, Text: l.Text, Paging: l.Paging})
	}
	return pl
}

// noteFound adds to a record the items a page led to other than by its
// links (as discoverMore found them, before they are re-ranked).
func noteFound(pl *archive.PageLinks, items []*archive.FrontierItem) {
	if pl == nil {
		return
	}
	for _, it := range items {
		pl.Found = append(pl.Found, archive.FoundLink{URL: it.URL, Title: it.Title, Priority: it.Priority, Role: it.Role})
	}
}

// fromLinks rebuilds the items of an archived page reached by it (role:
// the page's) from its links record, as children and direct would have,
// leaving out its links to URLs in seen (see childrenExcept).
func (c *Crawler) fromLinks(it *archive.FrontierItem, role archive.Role, pl *archive.PageLinks, seen map[string]bool) []*archive.FrontierItem {
	found := it
	if pl.Base != "" {
		it = &archive.FrontierItem{URL: pl.Base, Host: it.Host, Agency: it.Agency, Depth: it.Depth}
	}
	p := &page{Links: make([]Link, len(pl.Links))}
	for i, l := range pl.Links {
		p.Links[i] = Link{URL: l.URL, Text: l.Text, Paging: l.Paging}
	}
	out := c.childrenExcept(it, role, p, seen)
	for _, f := range pl.Found {
		out = append(out, c.direct(found, []string{f.URL}, f.Priority, f.Role, f.Title)...)
	}
	return out
}

// bodyByDigest reads an archived body back, counting the reads: a crawl
// that finds nothing changed reads none (only pages without a links
// record, written before there were such records, are parsed again).
func (c *Crawler) bodyByDigest(digest string) ([]byte, error) {
	c.bodyReads.Add(1)
	return c.a.BodyByDigest(digest)
}

// hasLinks reports whether the links record of the payload with digest
// at URL key is stored (a failed look-up says no: the record is written
// again).
func (c *Crawler) hasLinks(key, digest string) bool {
	_, ok, err := c.a.Links(key, digest)
	return err == nil && ok
}
