package archive

import (
	"strings"
	"testing"
)

// TestPutPagesOneTransaction: pages handed over together are written in
// order in one transaction, each as PutPage would (a page without a
// capture as Complete would), with the children each queued; a page that
// fails leaves nothing of any of them written.
func TestPutPagesOneTransaction(t *testing.T) {
	a := openLinksTemp(t)
	enqueueAt(t, a, 4, "http://h/1", "http://h/2", "http://h/3")
	taken := takeAll(t, a, "h")
	same := []byte("<p>the same page twice</p>")
	pages := []PageWrite{
		{Capture: &Capture{URL: "http://h/1", Status: 200}, Body: same, Text: "same",
			Done: []Completion{{Item: taken[0], Children: []*FrontierItem{{URL: "http://h/4", Host: "h"}, {URL: "http://h/5", Host: "h"}}}}},
		{Done: []Completion{{Item: taken[1], Children: []*FrontierItem{{URL: "http://h/4", Host: "h"}}}}},
		{Capture: &Capture{URL: "http://h/3", Status: 200}, Body: same, Text: "same",
			Done: []Completion{{Item: taken[2], Children: []*FrontierItem{{URL: "http://h/6", Host: "h"}}}}},
	}
	added, err := a.PutPages(pages)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 0, 1}; len(added) != 3 || added[0] != want[0] || added[1] != want[1] || added[2] != want[2] {
		t.Errorf("added = %v, want %v (4 was queued by the first page)", added, want)
	}
	c1, c3 := pages[0].Capture, pages[2].Capture
	if c1.ID == "" || c3.ID == "" || c1.ID >= c3.ID {
		t.Errorf("capture IDs %q, %q: want both, in the order handed over", c1.ID, c3.ID)
	}
	if caps, err := a.ByDigest(Digest(same)); err != nil || len(caps) != 2 {
		t.Errorf("captures of the payload: %d, %v; want 2", len(caps), err)
	}
	if body, err := a.BodyByDigest(Digest(same)); err != nil || string(body) != string(same) {
		t.Errorf("payload stored once for both = %q, %v", body, err)
	}
	q, v, err := a.FrontierCounts("h")
	if err != nil || q != 3 || v != 3 {
		t.Errorf("frontier: %d queued, %d visited, %v; want 3 (4, 5, 6) and 3", q, v, err)
	}

	next, ok, _ := a.NextFrontier("h")
	if !ok {
		t.Fatal("no item queued")
	}
	bad := []PageWrite{
		{Capture: &Capture{URL: "http://h/4", Status: 200}, Body: []byte("x"), Done: []Completion{{Item: next}}},
		{Done: []Completion{{Item: &FrontierItem{URL: "http://h/5", Host: "h"}, Children: []*FrontierItem{{URL: ""}}}}},
	}
	if _, err := a.PutPages(bad); err == nil || !strings.Contains(err.Error(), "http://h/4") {
		t.Errorf("PutPages with a bad child: %v; want an error naming the first capture's URL", err)
	}
	if caps, _ := a.ByURL("http://h/4"); len(caps) != 0 {
		t.Errorf("a failed PutPages stored %d captures", len(caps))
	}
	if q, v, _ := a.FrontierCounts("h"); q != 3 || v != 3 {
		t.Errorf("a failed PutPages changed the frontier: %d queued, %d visited", q, v)
	}
}

// TestNextFrontierSkipping: the items whose keys are being committed are
// passed over, from the head or after a key.
func TestNextFrontierSkipping(t *testing.T) {
	a := openLinksTemp(t)
	items := append(enqueueAt(t, a, 4, "http://h/1", "http://h/2", "http://h/3"),
		enqueueAt(t, a, 0, "http://i/1")...)
	key := func(i int) string { return string(items[i].Key) }
	for _, tc := range []struct {
		after []byte
		skip  map[string]bool
		want  string // "" none
	}{
		{nil, nil, "http://h/1"},
		{nil, map[string]bool{key(0): true}, "http://h/2"},
		{nil, map[string]bool{key(0): true, key(1): true}, "http://h/3"},
		{items[0].Key, map[string]bool{key(1): true}, "http://h/3"},
		{nil, map[string]bool{key(0): true, key(1): true, key(2): true}, ""}, // not the next host's
	} {
		it, ok, err := a.NextFrontierSkipping("h", tc.after, tc.skip)
		got := ""
		if ok {
			got = it.URL
		}
		if err != nil || got != tc.want {
			t.Errorf("NextFrontierSkipping(after %q, skip %d) = %q, %v; want %q", tc.after, len(tc.skip), got, err, tc.want)
		}
	}
}

// enqueueAt queues the URLs (all of one host, named by the first's) at
// priority prio and returns their items, keys set.
func enqueueAt(t *testing.T, a *Archive, prio int, urls ...string) []*FrontierItem {
	t.Helper()
	var items []*FrontierItem
	for _, u := range urls {
		host := strings.TrimPrefix(urls[0], "http://")
		host = host[:strings.IndexByte(host, '/')]
		items = append(items, &FrontierItem{URL: u, Host: host, Priority: prio})
	}
	if _, err := a.Enqueue(items); err != nil {
		t.Fatal(err)
	}
	return items
}

// takeAll reads host's queued items one past the other (NextFrontierAfter,
// as a crawler does before completing them together) and returns them.
func takeAll(t *testing.T, a *Archive, host string) []*FrontierItem {
	t.Helper()
	var taken []*FrontierItem
	var after []byte
	for {
		it, ok, err := a.NextFrontierAfter(host, after)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return taken
		}
		taken, after = append(taken, it), it.Key
	}
}
