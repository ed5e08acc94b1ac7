package crawler

import (
	"context"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// expand takes the items a page led to that the archive answers for at
// once (an unchanged re-crawl meets mostly those: archived reports and
// attachments, and ordinary pages whose links records say where they
// lead) and completes them in memory, with the page's own completion,
// instead of queueing them: they never enter the frontier nor the
// visited set (the site's loop remembers them, see skipRun.seen), so a
// no-change re-crawl writes nothing for them. What they lead to is
// expanded the same way, up to maxSkipRun completions in a run; every
// other item is kept, to be queued by the completion of the page or of
// the expanded item it came from.
//
// Nothing is lost to a crash: the expanded items' completions, with the
// items they keep, are written in the page's completion's transaction, or
// none is and the page is taken from the frontier again. After a crash
// the loop has forgotten what it expanded; an item met again is expanded
// again, still without a request.
func (c *Crawler) expand(ctx context.Context, f *hostFetcher, s *site, kids []*archive.FrontierItem, run *skipRun) ([]*archive.FrontierItem, []archive.Completion, error) {
	if !run.answers {
		return kids, nil, nil
	}
	type pending struct {
		it    *archive.FrontierItem
		owner int // index in extra of the completion that queues it; -1: the page's
	}
	queue := make([]pending, 0, len(kids))
	for _, k := range kids {
		queue = append(queue, pending{k, -1})
	}
	var keep []*archive.FrontierItem
	var extra []archive.Completion
	hold := func(p pending) {
		if p.it.Host == s.host {
			// met: the completion holding it queues it (or finds it
			// queued), so a later page meeting it passes it over without
			// looking it up again, also while that completion commits
			run.see(p.it.URL)
		}
		if p.owner < 0 {
			keep = append(keep, p.it)
		} else {
			extra[p.owner].Children = append(extra[p.owner].Children, p.it)
		}
	}
	for i := 0; i < len(queue); i++ {
		p := queue[i]
		if p.it.Host != s.host || len(run.done)+len(extra) >= maxSkipRun {
			hold(p)
			continue
		}
		if run.seen[p.it.URL] {
			continue // met already in this crawl of the site
		}
		known, err := c.a.FrontierKnown(p.it.Host, p.it.URL)
		if err != nil {
			return nil, nil, err
		}
		if known {
			run.see(p.it.URL) // queued or done: Enqueue would pass it over
			continue
		}
		items, done, ok, err := c.answer(ctx, f, s, p.it, run.seen)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			hold(p)
			continue
		}
		run.see(p.it.URL)
		c.expanded.Add(1)
		extra = append(extra, done)
		for _, it := range items {
			queue = append(queue, pending{it, len(extra) - 1})
		}
	}
	return keep, extra, nil
}

// answer looks it up as its visit would, without fetching or keeping
// anything, and reports whether the archive answers for it whole (from a
// stored links record, or as an archived attachment): then it returns its
// completion (no children yet) and the items it leads to.
func (c *Crawler) answer(ctx context.Context, f *hostFetcher, s *site, it *archive.FrontierItem, seen map[string]bool) ([]*archive.FrontierItem, archive.Completion, bool, error) {
	probe := *it
	probe.Enqueued = time.Now().UTC() // queued now, as Enqueue would stamp it
	v := visit{lookOnly: true, seen: seen}
	items, _, err := c.process(ctx, f, &probe, &v)
	if err != nil || v.wouldFetch || v.wrote || v.put != nil || !v.stored {
		return nil, archive.Completion{}, false, err
	}
	preferAgencies(s.seeds, items)
	if v.archivedRole != "" {
		c.noteReport(it, v.archivedRole, it.Title)
	}
	return items, archive.Completion{Item: it, LinksURL: v.linksURL, Links: v.links, Expanded: true}, true, nil
}
