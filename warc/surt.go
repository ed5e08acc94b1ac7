package warc

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// reWWW is the www prefix a SURT drops: www., www2., www13.
var reWWW = regexp.MustCompile(`^(https?://)www\d*\.`)

// SURT returns the Sort-friendly URI Reordering Transform of a URL, the
// key of a CDXJ index as pywb and warcio compute it: the scheme and a
// leading www dropped, everything lower-cased, the host's labels
// reversed and joined by commas, a non-default port kept, then ")" and
// the path, then the query with its parameters sorted. A URL that is not
// http(s) or does not parse is returned as it is.
func SURT(raw string) string {
	if !strings.HasPrefix(raw, "http:") && !strings.HasPrefix(raw, "https:") {
		return raw
	}
	low := strings.ToLower(reWWW.ReplaceAllString(raw, "$1"))
	u, err := url.Parse(low)
	if err != nil || u.Host == "" {
		return raw
	}
	labels := strings.Split(strings.TrimSuffix(u.Hostname(), "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	var sb strings.Builder
	sb.WriteString(strings.Join(labels, ","))
	if p := u.Port(); p != "" && !defaultPort(u.Scheme, p) {
		sb.WriteString(":" + p)
	}
	sb.WriteByte(')')
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	sb.WriteString(escapeNonASCII(path))
	if u.RawQuery != "" {
		params := strings.Split(escapeNonASCII(u.RawQuery), "&")
		sort.Strings(params)
		sb.WriteString("?" + strings.Join(params, "&"))
	}
	return sb.String()
}

func defaultPort(scheme, port string) bool {
	return (scheme == "http" && port == "80") || (scheme == "https" && port == "443")
}

// escapeNonASCII percent-encodes (upper-case hex, as the WHATWG URL parser
// does) the bytes a browser would: non-ASCII, controls, space and quotes.
func escapeNonASCII(s string) string {
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 0x80 || b <= 0x20 || b == '"' || b == '<' || b == '>' || b == '`' || b == 0x7f {
			sb.WriteByte('%')
			sb.WriteByte(hex[b>>4])
			sb.WriteByte(hex[b&15])
			continue
		}
		sb.WriteByte(b)
	}
	return sb.String()
}
