package crawler

import (
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/nianbao/nianbao/extract"
)

// agreePage is an HTML page whose title is payload, with an optional
// <meta charset> naming meta: the shape both the crawler and extract read.
func agreePage(payload []byte, meta string) []byte {
	clean := func(b []byte) []byte {
		out := make([]byte, 0, len(b))
		for _, c := range b {
			if c != '<' && c != '>' && c != '&' && c != '"' {
				out = append(out, c)
			}
		}
		return out
	}
	page := []byte("<html><head>")
	if meta != "" {
		page = append(page, `<meta charset="`...)
		page = append(page, clean([]byte(meta))...)
		page = append(page, `">`...)
	}
	page = append(page, "<title>"...)
	page = append(page, clean(payload)...)
	return append(page, "</title></head><body></body></html>"...)
}

// agreeKey is a title with every space-like rune removed: the crawler
// collapses spaces with strings.Fields, extract with its own cleanSpace.
func agreeKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
}

// crawlerAndExtractTitles reads one page the way the crawler does
// (analyze: the text it stores and the title it classifies by) and the
// way extract does (ReadHTML).
func crawlerAndExtractTitles(t *testing.T, page []byte, ct string) (crawled, extracted string) {
	t.Helper()
	base, _ := url.Parse("http://www.example.gov.cn/xxgk/nb.html")
	an := analyze(base, page, ct)
	if an.page == nil {
		t.Fatalf("crawler did not read %q (%s) as a page", page, ct)
	}
	doc, err := extract.ReadHTML(page, ct)
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	return an.page.Title, doc.Title
}

// TestCrawlerAndExtractDecodeAlike is issue 10's case: a UTF-8 page
// labelled gb2312 with few Chinese characters was stored by the crawler
// as 2021年报 and parsed by extract as 2021骞存姤.
func TestCrawlerAndExtractDecodeAlike(t *testing.T) {
	gbk := []byte{0x32, 0x30, 0x32, 0x31, 0xc4, 0xea, 0xb1, 0xa8} // 2021年报 in GBK
	for _, tc := range []struct {
		name, ct, meta string
		payload        []byte
	}{
		{"utf-8 labelled gb2312 by header", "text/html; charset=gb2312", "", []byte("2021年报")},
		{"utf-8 labelled gb2312 by meta", "text/html", "gb2312", []byte("2021年报")},
		{"gbk labelled gbk", "text/html; charset=gbk", "", gbk},
		{"gbk labelled utf-8", "text/html; charset=utf-8", "", gbk},
		{"gbk unlabelled", "", "", gbk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			crawled, extracted := crawlerAndExtractTitles(t, agreePage(tc.payload, tc.meta), tc.ct)
			if crawled != "2021年报" || extracted != "2021年报" {
				t.Errorf("crawler stored %q, extract parsed %q; want 2021年报 for both", crawled, extracted)
			}
		})
	}
}

// FuzzCrawlerAndExtractDecodeAlike feeds random bytes under random
// labels (header and meta) to the crawler's path and extract's path and
// asserts they read the same text.
func FuzzCrawlerAndExtractDecodeAlike(f *testing.F) {
	f.Add([]byte("2021年报"), "gb2312", "")
	f.Add([]byte("2021年报"), "", "gb2312")
	f.Add([]byte{0x32, 0x30, 0x32, 0x31, 0xc4, 0xea, 0xb1, 0xa8}, "utf-8", "")
	f.Add([]byte("caf\xe9 \xff\xfe"), "iso-8859-1", "gbk")
	f.Add([]byte("\xef\xbb\xbf政府"), "big5", "utf-16")
	f.Add([]byte("\x00\x01\x80年"), "shift_jis", "windows-1252")
	f.Fuzz(func(t *testing.T, payload []byte, label, meta string) {
		ct := "text/html"
		if label != "" {
			ct += "; charset=" + label
		}
		page := agreePage(payload, meta)
		crawled, extracted := crawlerAndExtractTitles(t, page, ct)
		if agreeKey(crawled) != agreeKey(extracted) {
			t.Errorf("%q under %q: crawler %q, extract %q", page, ct, crawled, extracted)
		}
	})
}
