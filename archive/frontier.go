package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The crawler's persistent frontier lives in three buckets:
//
//	frontier  host 0x00 priority(1 byte) seq(8 bytes) → JSON FrontierItem
//	queued    host 0x00 url                            → its frontier key
//	visited   host 0x00 url                            → RFC 3339 time it was done
//
// A URL is claimed when it is enqueued (a key in queued), so it can never be
// queued twice; CompleteFrontier moves it from queued to visited and adds the
// URLs it led to in one transaction, so a crawl killed at any moment resumes
// with a consistent frontier. Lower priority bytes sort first, and within a
// priority items come out in the order they were added. A host's three sets
// are dropped by ResetFrontierHost when its crawl completes, so the next run
// starts from its seeds again.

// FrontierItem is one URL waiting to be fetched by the crawler.
type FrontierItem struct {
	// Key is the item's key in the frontier bucket (set by Enqueue and
	// NextFrontier).
	Key            []byte    `json:"-"`
	URL            string    `json:"url"`
	Host           string    `json:"host"`
	Agency         string    `json:"agency,omitempty"`
	Depth          int       `json:"depth"`
	Priority       int       `json:"priority"` // 0 first … 255 last
	Role           Role      `json:"role,omitempty"`
	Title          string    `json:"title,omitempty"`
	DiscoveredFrom string    `json:"discovered_from,omitempty"`
	Enqueued       time.Time `json:"enqueued"`
}

func hostKey(host string, rest []byte) []byte {
	k := make([]byte, 0, len(host)+1+len(rest))
	k = append(k, host...)
	k = append(k, 0)
	return append(k, rest...)
}

func clampPriority(p int) byte {
	if p < 0 {
		return 0
	}
	if p > 255 {
		return 255
	}
	return byte(p)
}

// enqueueTx adds it unless its URL is already queued or visited.
func enqueueTx(tx *bolt.Tx, it *FrontierItem) (bool, error) {
	if it.URL == "" || it.Host == "" {
		return false, errors.New("frontier item without URL or host")
	}
	qk := hostKey(it.Host, []byte(it.URL))
	queued, visited, front := tx.Bucket(bucketQueued), tx.Bucket(bucketVisited), tx.Bucket(bucketFrontier)
	if queued.Get(qk) != nil || visited.Get(qk) != nil {
		return false, nil
	}
	seq, err := front.NextSequence()
	if err != nil {
		return false, err
	}
	var rest [9]byte
	rest[0] = clampPriority(it.Priority)
	binary.BigEndian.PutUint64(rest[1:], seq)
	fk := hostKey(it.Host, rest[:])
	if it.Enqueued.IsZero() {
		it.Enqueued = time.Now().UTC()
	}
	v, err := json.Marshal(it)
	if err != nil {
		return false, err
	}
	if err := front.Put(fk, v); err != nil {
		return false, err
	}
	if err := queued.Put(qk, fk); err != nil {
		return false, err
	}
	it.Key = fk
	return true, nil
}

// Enqueue adds the items whose URLs are neither queued nor visited yet and
// returns how many it added.
func (a *Archive) Enqueue(items []*FrontierItem) (int, error) {
	var added int
	err := a.batch(func(tx *bolt.Tx) error {
		added = 0
		for _, it := range items {
			ok, err := enqueueTx(tx, it)
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue in %s: %w", a.path, err)
	}
	return added, nil
}

// NextFrontier returns the first item queued for host (best priority,
// oldest first) without removing it, and false when none is left.
func (a *Archive) NextFrontier(host string) (*FrontierItem, bool, error) {
	return a.NextFrontierAfter(host, nil)
}

// NextFrontierAfter is NextFrontier for the items whose frontier key sorts
// after after (nil: all of them). A crawler that completes a run of items
// in memory before writing their completions together passes the key of
// the last item it took, so it is not given the same items again.
func (a *Archive) NextFrontierAfter(host string, after []byte) (*FrontierItem, bool, error) {
	return a.NextFrontierSkipping(host, after, nil)
}

// NextFrontierSkipping is NextFrontierAfter passing over the items whose
// frontier key skip holds: a crawler whose completions of them are still
// being committed.
func (a *Archive) NextFrontierSkipping(host string, after []byte, skip map[string]bool) (*FrontierItem, bool, error) {
	var it *FrontierItem
	prefix := hostKey(host, nil)
	err := a.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFrontier).Cursor()
		k, v := c.Seek(prefix)
		if after != nil && bytes.HasPrefix(after, prefix) {
			k, v = c.Seek(after)
			if k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		for k != nil && skip[string(k)] {
			k, v = c.Next()
		}
		if k == nil || !bytes.HasPrefix(k, prefix) {
			return nil
		}
		it = &FrontierItem{}
		if err := json.Unmarshal(v, it); err != nil {
			return fmt.Errorf("decode frontier item: %w", err)
		}
		it.Key = append([]byte(nil), k...)
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("next frontier item of %s in %s: %w", host, a.path, err)
	}
	return it, it != nil, nil
}

// Completion is one frontier item done: the items it led to, and the
// record of what its page led to (Links, under LinksURL; nil when there is
// none to store).
//
// Expanded marks an item that was never queued (Item.Key is nil): the
// crawler answered for it from the archive in memory and remembers it
// itself, so its completion writes no visited mark, only its children and
// its links record.
type Completion struct {
	Item     *FrontierItem
	Children []*FrontierItem
	LinksURL string
	Links    *PageLinks
	Expanded bool
}

// CompleteFrontier marks it visited, removes it from the frontier and adds
// children (the URLs it led to) in one transaction. It returns how many
// children were new.
func (a *Archive) CompleteFrontier(it *FrontierItem, children []*FrontierItem) (int, error) {
	return a.Complete([]Completion{{Item: it, Children: children}})
}

// Complete writes the completions in order in one transaction, with their
// links records, as CompleteFrontier would one by one, and returns how
// many children were new.
func (a *Archive) Complete(done []Completion) (int, error) {
	if len(done) == 0 {
		return 0, nil
	}
	var added int
	err := a.batch(func(tx *bolt.Tx) (err error) {
		added, err = a.pageTx(tx, &PageWrite{Done: done}, nil)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("complete frontier item %s in %s: %w", done[0].Item.URL, a.path, err)
	}
	return added, nil
}

// completeTx moves d's item from queued to visited, enqueues its children
// and stores its links record; it returns how many children were new.
func (a *Archive) completeTx(tx *bolt.Tx, d *Completion) (int, error) {
	it := d.Item
	qk := hostKey(it.Host, []byte(it.URL))
	if it.Key != nil {
		if err := tx.Bucket(bucketFrontier).Delete(it.Key); err != nil {
			return 0, err
		}
	}
	if !d.Expanded {
		if err := tx.Bucket(bucketQueued).Delete(qk); err != nil {
			return 0, err
		}
		if err := tx.Bucket(bucketVisited).Put(qk, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
			return 0, err
		}
	}
	added := 0
	for _, c := range d.Children {
		ok, err := enqueueTx(tx, c)
		if err != nil {
			return 0, err
		}
		if ok {
			added++
		}
	}
	if d.Links != nil {
		if err := a.putLinksTx(tx, d.LinksURL, d.Links); err != nil {
			return 0, err
		}
	}
	return added, nil
}

// FrontierVisited reports whether url was already done in the current crawl
// of host.
func (a *Archive) FrontierVisited(host, url string) (bool, error) {
	return a.frontierHas(host, url, bucketVisited)
}

// FrontierKnown reports whether url is queued or was done in the current
// crawl of host: whether Enqueue would pass it over.
func (a *Archive) FrontierKnown(host, url string) (bool, error) {
	return a.frontierHas(host, url, bucketQueued, bucketVisited)
}

// frontierHas reports whether any of the frontier sets named holds url of
// host.
func (a *Archive) frontierHas(host, url string, sets ...[]byte) (bool, error) {
	var ok bool
	k := hostKey(host, []byte(url))
	err := a.view(func(tx *bolt.Tx) error {
		for _, b := range sets {
			ok = ok || tx.Bucket(b).Get(k) != nil
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("frontier look-up of %s in %s: %w", url, a.path, err)
	}
	return ok, nil
}

// FrontierCounts returns how many URLs of host are queued and how many were
// visited in its current (possibly interrupted) crawl.
func (a *Archive) FrontierCounts(host string) (queued, visited int, err error) {
	prefix := hostKey(host, nil)
	count := func(tx *bolt.Tx, b []byte) int {
		n := 0
		c := tx.Bucket(b).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		return n
	}
	err = a.view(func(tx *bolt.Tx) error {
		queued = count(tx, bucketFrontier)
		visited = count(tx, bucketVisited)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("frontier counts of %s in %s: %w", host, a.path, err)
	}
	return queued, visited, nil
}

// FrontierHosts returns the hosts that have queued URLs, sorted: a non-empty
// result means an earlier crawl was interrupted.
func (a *Archive) FrontierHosts() ([]string, error) {
	var out []string
	err := a.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFrontier).Cursor()
		for k, _ := c.First(); k != nil; {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				k, _ = c.Next()
				continue
			}
			host := string(k[:i])
			out = append(out, host)
			// Skip the rest of this host: seek past host 0x00 0xff….
			k, _ = c.Seek(hostKey(host, bytes.Repeat([]byte{0xff}, 10)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("frontier hosts in %s: %w", a.path, err)
	}
	return out, nil
}

// ResetFrontierHost drops host's frontier, queued and visited sets: its
// crawl is complete and the next one starts from the seeds.
func (a *Archive) ResetFrontierHost(host string) error {
	prefix := hostKey(host, nil)
	err := a.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketFrontier, bucketQueued, bucketVisited} {
			c := tx.Bucket(b).Cursor()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset frontier of %s in %s: %w", host, a.path, err)
	}
	return nil
}

// Check runs bbolt's consistency check over the whole file and returns the
// first problem found.
func (a *Archive) Check() error {
	return a.view(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = fmt.Errorf("check %s: %w", a.path, err)
			}
		}
		return first
	})
}
