package extract

import (
	"strings"
	"unicode"
)

// crawlStampWords are the words that make a labelled date a collection or
// crawl timestamp (采集时间, 抓取时间, 下载时间, 爬取时间, 入库时间): the
// moment a copy was made, never the publication date.
var crawlStampWords = []string{"采集", "抓取", "下载", "爬取", "入库", "收录", "归档", "存档", "快照"}

// isCrawlStamp reports whether the text printed just before a date label
// (时间/日期) or before an unlabelled date makes it a crawl timestamp:
// before ends with one of crawlStampWords, possibly followed by 时间/日期,
// 于 and a colon.
func isCrawlStamp(before string) bool {
	s := strings.TrimRightFunc(before, func(r rune) bool {
		return unicode.IsSpace(r) || r == ':' || r == '：'
	})
	for _, suf := range []string{"时间", "日期", "于"} {
		s = strings.TrimSuffix(s, suf)
	}
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	for _, w := range crawlStampWords {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}
