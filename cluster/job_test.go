package cluster

import "testing"

// TestJobOf: an archived URL belongs to the job of its authority or of
// that authority's www./bare twin, ports and schemes included.
func TestJobOf(t *testing.T) {
	bySite := map[string]*Job{}
	for _, s := range []string{"www.a.gov.cn", "b.gov.cn:8443", "10.0.0.1:8080"} {
		bySite[s] = &Job{Site: s}
	}
	cases := []struct{ url, want string }{
		{"http://www.a.gov.cn/x", "www.a.gov.cn"},
		{"https://a.gov.cn/x", "www.a.gov.cn"},
		{"https://www.b.gov.cn:8443/x", "b.gov.cn:8443"},
		{"https://b.gov.cn/x", ""},         // another port: another site
		{"http://www.10.0.0.1:8080/x", ""}, // an IP has no twin
		{"http://www.www.a.gov.cn/x", "www.a.gov.cn"},
		{"http://c.gov.cn/x", ""},
		{"not a url", ""},
	}
	for _, c := range cases {
		got := ""
		if j := jobOf(bySite, c.url); j != nil {
			got = j.Site
		}
		if got != c.want {
			t.Errorf("jobOf(%q) = %q, want %q", c.url, got, c.want)
		}
	}
}
