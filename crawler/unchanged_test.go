package crawler

import (
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// TestUnchangedPage checks when a 200 carrying the archived payload is
// taken without parsing it again: never when the link reaching it could
// make it a report, an attachment or a list it was not stored as, and
// then it leads where the stored links record says.
func TestUnchangedPage(t *testing.T) {
	const pageURL = "http://www.example.gov.cn/xxgk/index.html"
	body := []byte(`<html><head><title>信息公开</title></head><body><a href="/news/a.html">工作动态</a></body></html>`)
	digest := archive.Digest(body)
	tests := []struct {
		name      string
		stored    archive.Role // the URL's stored role
		hint      archive.Role // the link's
		priority  int
		title     string
		refresh   bool
		header    string // Content-Type served
		noLinks   bool   // no links record stored
		other     bool   // a different payload served
		want      bool
		wantRole  archive.Role
		wantTitle string
	}{
		{name: "list reached as a list", stored: archive.RoleList, hint: archive.RoleList, priority: prioList, title: "信息公开目录",
			want: true, wantRole: archive.RoleList, wantTitle: "信息公开目录"},
		{name: "other page by a paging link", stored: archive.RoleOther, priority: prioOther - 1, title: "下一页",
			want: true, wantRole: archive.RoleOther, wantTitle: "信息公开"},
		{name: "list by an ordinary link keeps its role", stored: archive.RoleList, priority: prioOther, title: "更多",
			want: true, wantRole: archive.RoleList, wantTitle: "信息公开"},
		{name: "report link to a stored list", stored: archive.RoleList, hint: archive.RoleReport, priority: prioReport,
			title: "2024年政府信息公开工作年度报告"},
		{name: "truncated report title", stored: archive.RoleOther, priority: prioReport, title: "2024年政府信息公开工…"},
		{name: "attachment hint", stored: archive.RoleOther, hint: archive.RoleAttachment, priority: prioReport, title: "2024年年报.pdf"},
		{name: "list hint on a page stored as other", stored: archive.RoleOther, hint: archive.RoleList, priority: prioList, title: "政府信息公开年报"},
		{name: "document served", stored: archive.RoleOther, priority: prioOther, header: "application/pdf"},
		{name: "refresh", stored: archive.RoleList, hint: archive.RoleList, priority: prioList, refresh: true},
		{name: "no links record", stored: archive.RoleList, hint: archive.RoleList, priority: prioList, noLinks: true},
		{name: "payload changed", stored: archive.RoleList, hint: archive.RoleList, priority: prioList, other: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := openArchive(t, filepath.Join(t.TempDir(), "u.db"))
			defer a.Close()
			prev := &archive.Capture{URL: pageURL, FinalURL: pageURL, Status: 200, Role: tt.stored, Title: "信息公开",
				Charset: "utf-8", ContentType: "text/html", FetchedAt: time.Now().UTC(), Agency: "某局"}
			item := &archive.FrontierItem{URL: pageURL, Host: "www.example.gov.cn", Agency: "某局"}
			var done []archive.Completion
			if !tt.noLinks {
				pl := &archive.PageLinks{Digest: digest, Links: []archive.PageLink{{URL: "http://www.example.gov.cn/news/a.html", Text: "工作动态"}}}
				done = []archive.Completion{{Item: item, LinksURL: pageURL, Links: pl}}
			}
			if _, err := a.PutPage(prev, body, "", done); err != nil {
				t.Fatal(err)
			}
			st, found, err := a.URLState(pageURL)
			if err != nil || !found {
				t.Fatalf("state: %v %v", found, err)
			}
			cfg := DefaultConfig()
			cfg.Refresh = tt.refresh
			c, err := New(a, cfg)
			if err != nil {
				t.Fatal(err)
			}
			ct := "text/html; charset=utf-8"
			if tt.header != "" {
				ct = tt.header
			}
			served := body
			if tt.other {
				served = append([]byte("<!-- new -->"), body...)
			}
			raw := &rawResponse{Status: 200, Header: http.Header{"Content-Type": {ct}}, Body: served}
			it := &archive.FrontierItem{URL: pageURL, Host: "www.example.gov.cn", Agency: "某局", Depth: 1,
				Priority: tt.priority, Role: tt.hint, Title: tt.title}
			capt := c.newCapture(it, mustParse(t, pageURL))
			var v visit
			items, ok, err := c.unchangedPage(c.newHostFetcher(t.Context(), it.Host), capt, raw, past{URLState: st, found: true},
				it, archive.Digest(served), &v)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.want {
				t.Fatalf("taken unparsed = %v, want %v", ok, tt.want)
			}
			if !ok {
				if v.put != nil || len(items) != 0 {
					t.Errorf("declined, yet kept %+v and returned %d items", v.put, len(items))
				}
				return
			}
			if !capt.Revisit || capt.Digest != digest || capt.Role != tt.wantRole || capt.Title != tt.wantTitle || capt.Charset != "utf-8" {
				t.Errorf("capture: revisit %v digest ok %v role %q title %q charset %q; want role %q title %q",
					capt.Revisit, capt.Digest == digest, capt.Role, capt.Title, capt.Charset, tt.wantRole, tt.wantTitle)
			}
			if v.put == nil || v.put.body != nil || !v.stored {
				t.Errorf("visit: put %+v stored %v; want a kept revisit without body, from its record", v.put, v.stored)
			}
			if len(items) != 1 || items[0].URL != "http://www.example.gov.cn/news/a.html" || items[0].Depth != 2 {
				t.Errorf("items %+v; want the recorded link one level deeper", items)
			}
		})
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
