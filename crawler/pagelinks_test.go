package crawler

import (
	"fmt"
	"testing"

	"github.com/nianbao/nianbao/archive"
)

// TestFromLinksLeavesOutSeen: a links record rebuilds the items of its
// page without the URLs the site's loop met already, and with them all
// when it met none.
func TestFromLinksLeavesOutSeen(t *testing.T) {
	c, err := New(openArchive(t, t.TempDir()+"/a.db"), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	it := &archive.FrontierItem{URL: "http://h.gov.cn/xxgk/", Host: "h.gov.cn", Depth: 1}
	pl := &archive.PageLinks{Links: []archive.PageLink{
		{URL: "http://h.gov.cn/", Text: "首页"},
		{URL: "http://h.gov.cn/xxgk/ndbg/", Text: "政府信息公开年报"},
		{URL: "http://h.gov.cn/xxgk/ndbg/2023.html", Text: "2023年政府信息公开工作年度报告"},
	}}
	urls := func(items []*archive.FrontierItem) string {
		var s []string
		for _, x := range items {
			s = append(s, x.URL)
		}
		return fmt.Sprint(s)
	}
	for _, tc := range []struct {
		seen map[string]bool
		want string
	}{
		{nil, "[http://h.gov.cn/ http://h.gov.cn/xxgk/ndbg/ http://h.gov.cn/xxgk/ndbg/2023.html]"},
		{map[string]bool{"http://h.gov.cn/": true, "http://h.gov.cn/xxgk/ndbg/": true}, "[http://h.gov.cn/xxgk/ndbg/2023.html]"},
	} {
		if got := urls(c.fromLinks(it, archive.RoleList, pl, tc.seen)); got != tc.want {
			t.Errorf("fromLinks with %d seen = %s, want %s", len(tc.seen), got, tc.want)
		}
	}
}
