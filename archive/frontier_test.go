package archive

import (
	"path/filepath"
	"testing"
)

func TestFrontier(t *testing.T) {
	a, err := Open(filepath.Join(t.TempDir(), "f.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	items := []*FrontierItem{
		{URL: "http://h/other", Host: "h", Priority: 4},
		{URL: "http://h/report", Host: "h", Priority: 0},
		{URL: "http://h/list", Host: "h", Priority: 1},
		{URL: "http://h/report2", Host: "h", Priority: 0},
		{URL: "http://h/report", Host: "h", Priority: 0}, // duplicate: claimed already
		{URL: "http://g/", Host: "g", Priority: 1},
	}
	n, err := a.Enqueue(items)
	if err != nil || n != 5 {
		t.Fatalf("Enqueue = %d, %v; want 5", n, err)
	}
	hosts, err := a.FrontierHosts()
	if err != nil || len(hosts) != 2 || hosts[0] != "g" || hosts[1] != "h" {
		t.Fatalf("FrontierHosts = %v, %v", hosts, err)
	}
	var order []string
	for {
		it, ok, err := a.NextFrontier("h")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		order = append(order, it.URL)
		var children []*FrontierItem
		if it.URL == "http://h/list" {
			children = []*FrontierItem{
				{URL: "http://h/report", Host: "h"}, // visited: not again
				{URL: "http://h/other", Host: "h"},  // queued: not again
				{URL: "http://h/page2", Host: "h", Priority: 1},
			}
		}
		added, err := a.CompleteFrontier(it, children)
		if err != nil {
			t.Fatal(err)
		}
		if it.URL == "http://h/list" && added != 1 {
			t.Errorf("list added %d children, want 1", added)
		}
	}
	want := []string{"http://h/report", "http://h/report2", "http://h/list", "http://h/page2", "http://h/other"}
	if len(order) != len(want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	if ok, _ := a.FrontierVisited("h", "http://h/list"); !ok {
		t.Error("list not visited")
	}
	q, v, _ := a.FrontierCounts("h")
	if q != 0 || v != 5 {
		t.Errorf("counts h = %d queued %d visited, want 0 5", q, v)
	}
	if err := a.ResetFrontierHost("h"); err != nil {
		t.Fatal(err)
	}
	if q, v, _ := a.FrontierCounts("h"); q != 0 || v != 0 {
		t.Errorf("after reset %d %d", q, v)
	}
	if q, _, _ := a.FrontierCounts("g"); q != 1 {
		t.Errorf("reset of h touched g: %d queued", q)
	}
	// After a reset the URL can be queued again (next crawl).
	if n, _ := a.Enqueue([]*FrontierItem{{URL: "http://h/report", Host: "h"}}); n != 1 {
		t.Errorf("re-enqueue after reset added %d", n)
	}
	if err := a.Check(); err != nil {
		t.Error(err)
	}
}

// TestHasURLsOf: a site is known by any URL of its authority (port
// included) under either scheme, and only by its own.
func TestHasURLsOf(t *testing.T) {
	a, err := Open(filepath.Join(t.TempDir(), "u.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, u := range []string{"https://a.gov.cn:8443/xxgk/", "http://b.gov.cn/"} {
		if err := a.Put(&Capture{URL: u, Status: 200}, []byte("<html></html>"), ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		authority string
		want      bool
	}{
		{"a.gov.cn:8443", true},
		{"a.gov.cn", false},
		{"a.gov.cn:84", false},
		{"b.gov.cn", true},
		{"b.gov.c", false},
		{"www.b.gov.cn", false},
	} {
		if got, err := a.HasURLsOf(tc.authority); err != nil || got != tc.want {
			t.Errorf("HasURLsOf(%q) = %v, %v; want %v", tc.authority, got, err, tc.want)
		}
	}
}
