package archive

import (
	"encoding/json"
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
	taken := takeAll(t, a, "h")
	for _, it := range taken {
		// 1 leads to 2 (queued: not added) and to a new 4
		run = append(run, Completion{Item: it, Children: []*FrontierItem{{URL: "http://h/2", Host: "h"}, {URL: "http://h/4", Host: "h"}}})
	}
	if len(run) != 3 {
		t.Fatalf("read %d items past each other, want 3", len(run))
	}
	after := taken[len(taken)-1].Key
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

// TestLinksRecordForm: a record round-trips through its stored form
// (URLs on the page's scheme and host stored relative, others whole), is
// keyed by the ID of its URL's newest capture, is found past newer
// captures that have none, answers only for its digest, and a digest
// that is not sha256 stores nothing.
func TestLinksRecordForm(t *testing.T) {
	a := openLinksTemp(t)
	put := func(url string, body []byte, revisit bool, pl *PageLinks) *Capture {
		t.Helper()
		c := &Capture{URL: url, Status: 200, Revisit: revisit}
		if revisit {
			c.Digest, body = Digest(body), nil
		}
		var done []Completion
		if pl != nil {
			done = []Completion{{Item: &FrontierItem{URL: url, Host: "h.gov.cn"}, LinksURL: url, Links: pl}}
		}
		if _, err := a.PutPage(c, body, "", done); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		url  string
		pl   PageLinks
	}{
		{"empty", "http://h.gov.cn/e.html", PageLinks{}},
		{"same host, other hosts, schemes, bare origin", "http://h.gov.cn/a/b.html", PageLinks{
			Links: []PageLink{{URL: "http://h.gov.cn/a/c.html?x=1&y=2", Text: "政府信息公开年报"}, {URL: "http://h.gov.cn", Text: "首页"},
				{URL: "https://h.gov.cn/s.html"}, {URL: "http://h.gov.cn.evil/x"}, {URL: "http://g.gov.cn/", Text: "下一页", Paging: true}, {URL: "/odd"}},
			Found: []FoundLink{{URL: "http://h.gov.cn/api.json", Title: "列表", Priority: 2, Role: RoleList}, {URL: "http://g.gov.cn/r.pdf", Priority: -1, Role: RoleReport}}}},
		{"base on another host", "http://h.gov.cn/old.html", PageLinks{Base: "https://new.gov.cn/p/",
			Links: []PageLink{{URL: "https://new.gov.cn/p/1.html", Text: "1"}, {URL: "http://h.gov.cn/2.html"}},
			Found: []FoundLink{{URL: "http://h.gov.cn/f.html"}}}},
		{"base on the same host", "http://h.gov.cn/r", PageLinks{Base: "http://h.gov.cn/r/", Links: []PageLink{{URL: "http://h.gov.cn/r/1.html"}}}},
	} {
		body := []byte("<p>" + tc.name)
		pl := tc.pl
		c := put(tc.url, body, false, &pl)
		var v []byte
		_ = a.View(func(r *Reader) error {
			id, _ := ParseID(c.ID)
			v = append(v, r.tx.Bucket(bucketLinks).Get(id.key())...)
			return nil
		})
		if len(v) < 33 || v[0] != linksTag {
			t.Errorf("%s: stored under capture %s: % .40x", tc.name, c.ID, v)
		}
		got, ok, err := a.Links(tc.url, Digest(body))
		if want := tc.pl; err != nil || !ok || !reflect.DeepEqual(*got, withDigest(want, Digest(body))) {
			t.Errorf("%s: Links = %+v, %v, %v; want %+v", tc.name, got, ok, err, want)
		}
		if _, ok, _ := a.Links(tc.url, Digest([]byte("other"))); ok {
			t.Errorf("%s: the record answers for another digest", tc.name)
		}
	}
	// Newer captures without a record (a revisit, a failed fetch) do not
	// hide it; a new payload's record replaces it.
	url, body := "http://h.gov.cn/a/b.html", []byte("<p>same host, other hosts, schemes, bare origin")
	put(url, body, true, nil)
	if _, err := a.PutPage(&Capture{URL: url, Status: 0, Error: "timeout"}, nil, "", nil); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Links(url, Digest(body)); !ok || err != nil {
		t.Errorf("record past two captures without one: %v, %v", ok, err)
	}
	put(url, []byte("changed"), false, &PageLinks{Links: []PageLink{{URL: "http://h.gov.cn/new"}}})
	if _, ok, _ := a.Links(url, Digest(body)); ok {
		t.Error("the old payload's record still answers after a new payload's")
	}
	if got, ok, _ := a.Links(url, Digest([]byte("changed"))); !ok || len(got.Links) != 1 || got.Links[0].URL != "http://h.gov.cn/new" {
		t.Errorf("new payload's record: %+v, %v", got, ok)
	}
	// A digest of another form stores nothing (and fails nothing).
	c := &Capture{URL: "http://h.gov.cn/odd", Status: 304, Revisit: true, Digest: "md5:x"}
	if _, err := a.PutPage(c, nil, "", []Completion{{Item: &FrontierItem{URL: c.URL, Host: "h.gov.cn"}, LinksURL: c.URL, Links: &PageLinks{Digest: "md5:x"}}}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Links(c.URL, "md5:x"); ok || err != nil {
		t.Errorf("record of an md5 digest: %v, %v", ok, err)
	}
}

func withDigest(pl PageLinks, d string) PageLinks {
	pl.Digest = d
	return pl
}

// TestLinksOldForm: a record of the form written before (zstd JSON under
// the URL) is read while the URL has no newer record, check counts it as
// a record and not as damage, and the URL's next record deletes it; check
// names a record under a capture ID that does not decode, and one whose
// capture is missing.
func TestLinksOldForm(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.Close() }()
	url, body := "http://x.gov.cn/p.html", []byte("<a href=/a>a</a>")
	if err := a.Put(&Capture{URL: url, Status: 200}, body, ""); err != nil {
		t.Fatal(err)
	}
	old := PageLinks{Digest: Digest(body), Links: []PageLink{{URL: "http://x.gov.cn/a", Text: "a", Paging: true}},
		Found: []FoundLink{{URL: "http://x.gov.cn/j.json", Priority: 3, Role: RoleList}}}
	js, _ := json.Marshal(old)
	if err := a.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLinks).Put([]byte(url), a.enc.EncodeAll(js, nil))
	}); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := a.Links(url, old.Digest); err != nil || !ok || !reflect.DeepEqual(*got, old) {
		t.Errorf("old-form record: %+v, %v, %v", got, ok, err)
	}
	checkLinks := func(records int, problems []string) {
		t.Helper()
		a.Close()
		rep, err := CheckFile(path, CheckOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range rep.Buckets {
			if b.Name == "links" && b.Records != records {
				t.Errorf("check counted %d links records, want %d", b.Records, records)
			}
		}
		var got []string
		for _, p := range rep.Problems {
			got = append(got, p.Bucket+" "+p.Key)
		}
		if !reflect.DeepEqual(got, problems) {
			t.Errorf("check problems %v, want %v", got, problems)
		}
		if a, err = Open(path, Options{NoSync: true}); err != nil {
			t.Fatal(err)
		}
	}
	checkLinks(1, nil)
	c := &Capture{URL: url, Status: 200}
	if _, err := a.PutPage(c, []byte("new"), "", []Completion{{Item: &FrontierItem{URL: url, Host: "x.gov.cn"}, LinksURL: url, Links: &PageLinks{}}}); err != nil {
		t.Fatal(err)
	}
	_ = a.View(func(r *Reader) error {
		if r.tx.Bucket(bucketLinks).Get([]byte(url)) != nil {
			t.Error("the old-form record is kept beside the new one")
		}
		return nil
	})
	if _, ok, _ := a.Links(url, old.Digest); ok {
		t.Error("the old-form record answers after the new one")
	}
	orphan, err := encodeLinks(a.enc, url, &PageLinks{Digest: Digest(body)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketLinks).Put(idKey(77), append([]byte{linksTag}, make([]byte, 40)...)); err != nil {
			return err
		}
		return tx.Bucket(bucketLinks).Put(idKey(78), orphan)
	}); err != nil {
		t.Fatal(err)
	}
	checkLinks(3, []string{"links 77", "links 78"})
}
