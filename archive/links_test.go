package archive

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func openLinksTemp(t *testing.T) *Archive {
	t.Helper()
	a, err := Open(filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// TestPutPageStoresLinksAndCompletion: a page's capture, its links record
// and its completion are written together; the record answers only for
// the digest it was read from.
func TestPutPageStoresLinksAndCompletion(t *testing.T) {
	a := openLinksTemp(t)
	seed := &FrontierItem{URL: "http://h/", Host: "h", Priority: 1}
	if _, err := a.Enqueue([]*FrontierItem{seed}); err != nil {
		t.Fatal(err)
	}
	it, ok, err := a.NextFrontier("h")
	if err != nil || !ok {
		t.Fatalf("NextFrontier: %v %v", ok, err)
	}
	body := []byte("<a href=/a>a</a>")
	pl := &PageLinks{Links: []PageLink{{URL: "http://h/a", Text: "a"}, {URL: "http://h/2", Text: "下一页", Paging: true}},
		Found: []FoundLink{{URL: "http://h/api.json", Priority: 1, Role: RoleList}}}
	c := &Capture{URL: it.URL, Status: 200, Agency: "x"}
	added, err := a.PutPage(c, body, "a", []Completion{{Item: it, LinksURL: it.URL, Links: pl,
		Children: []*FrontierItem{{URL: "http://h/a", Host: "h", Priority: 4}, {URL: "http://h/", Host: "h"}}}})
	if err != nil || added != 1 {
		t.Fatalf("PutPage = %d, %v; want 1 new child (the seed is visited)", added, err)
	}
	if pl.Digest != Digest(body) {
		t.Errorf("record digest %q, want the capture's", pl.Digest)
	}
	for _, tc := range []struct {
		url, digest string
		want        bool
	}{
		{it.URL, Digest(body), true},
		{it.URL, Digest([]byte("changed")), false},
		{it.URL, "", false},
		{"http://h/none", Digest(body), false},
	} {
		got, ok, err := a.Links(tc.url, tc.digest)
		if err != nil || ok != tc.want {
			t.Errorf("Links(%s, %.15s) = %v, %v; want %v", tc.url, tc.digest, ok, err, tc.want)
			continue
		}
		if ok && !reflect.DeepEqual(got, pl) {
			t.Errorf("Links = %+v, want %+v", got, pl)
		}
	}
	if v, _ := a.FrontierVisited("h", "http://h/"); !v {
		t.Error("the page's item is not visited")
	}
	if next, ok, _ := a.NextFrontier("h"); !ok || next.URL != "http://h/a" {
		t.Errorf("next = %+v, want the child", next)
	}
	if caps, _ := a.ByURL("http://h/"); len(caps) != 1 || caps[0].ID == "" {
		t.Errorf("captures of the page: %+v", caps)
	}
}

// TestCompleteRunAndNextAfter: items read past with NextFrontierAfter and
// completed together end as if completed one by one.
func TestCompleteRunAndNextAfter(t *testing.T) {
	a := openLinksTemp(t)
	var items []*FrontierItem
	for _, u := range []string{"http://h/1", "http://h/2", "http://h/3"} {
		items = append(items, &FrontierItem{URL: u, Host: "h", Priority: 4})
	}
	items = append(items, &FrontierItem{URL: "http://g/1", Host: "g", Priority: 0})
	if _, err := a.Enqueue(items); err != nil {
		t.Fatal(err)
	}
	var run []Completion
	var after []byte
	for {
		it, ok, err := a.NextFrontierAfter("h", after)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		after = it.Key
		// 1 leads to 2 (queued: not added) and to a new 4
		run = append(run, Completion{Item: it, Children: []*FrontierItem{{URL: "http://h/2", Host: "h"}, {URL: "http://h/4", Host: "h"}}})
	}
	if len(run) != 3 {
		t.Fatalf("read %d items past each other, want 3", len(run))
	}
	added, err := a.Complete(run)
	if err != nil || added != 1 {
		t.Fatalf("Complete = %d, %v; want 1", added, err)
	}
	q, v, err := a.FrontierCounts("h")
	if err != nil || q != 1 || v != 3 {
		t.Errorf("counts = %d queued, %d visited, %v; want 1, 3", q, v, err)
	}
	if it, ok, _ := a.NextFrontierAfter("h", nil); !ok || it.URL != "http://h/4" {
		t.Errorf("next = %+v", it)
	}
	if it, ok, _ := a.NextFrontierAfter("g", after); !ok || it.URL != "http://g/1" {
		t.Errorf("another host's key does not apply: %+v", it)
	}
	if _, err := a.Complete([]Completion{{Item: &FrontierItem{URL: "http://h/4", Host: "h"}, Children: []*FrontierItem{{URL: ""}}}}); err == nil {
		t.Error("a child without URL was accepted")
	}
	if q, _, _ := a.FrontierCounts("h"); q != 1 {
		t.Errorf("a failed completion changed the frontier: %d queued", q)
	}
}

// TestCheckLinksRecords checks that archive check reads the links records:
// their count, and a record that does not decode as a problem.
func TestCheckLinksRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &Capture{URL: "http://x.gov.cn/", Status: 200}
	pl := &PageLinks{Links: []PageLink{{URL: "http://x.gov.cn/a", Text: "a"}}}
	if _, err := a.PutPage(c, []byte("<a href=a>a</a>"), "a", []Completion{{Item: &FrontierItem{URL: c.URL, Host: "x.gov.cn"}, LinksURL: c.URL, Links: pl}}); err != nil {
		t.Fatal(err)
	}
	err = a.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLinks).Put([]byte("http://x.gov.cn/bad"), []byte("not zstd"))
	})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CheckFile(path, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	counted := -1
	for _, b := range rep.Buckets {
		if b.Name == "links" {
			counted = b.Records
		}
	}
	if counted != 2 {
		t.Errorf("check counted %d links records, want 2", counted)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Bucket != "links" || !strings.Contains(rep.Problems[0].Key, "/bad") {
		t.Errorf("check problems %+v; want the bad links record", rep.Problems)
	}
}
