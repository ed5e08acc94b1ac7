package crawler

import (
	"net/http"
	"net/url"

	"github.com/nianbao/nianbao/archive"
)

// Classification is what the crawler makes of a successful response: the
// capture's role and title, the payload's UTF-8 text and charset, and the
// error the crawler records for a payload it will not parse ("" when
// none).
type Classification struct {
	Role                        archive.Role
	Title, Text, Charset, Error string
}

// LinkHint is a link as the crawler's frontier would queue it: the URL,
// the role its link suggests ("" when none) and the link's text.
type LinkHint struct {
	URL   string
	Role  archive.Role
	Title string
}

// Classify returns what the crawler would record for a 2xx response of
// rawURL with header h and body as received (Content-Encoding not
// undone), reached through a link with hint (a seed is reached with
// hint.Role "list"). It lets a capture made by another tool (a WARC
// import) be classified exactly like a crawled one.
func Classify(rawURL string, h http.Header, body []byte, hint LinkHint) Classification {
	u, err := url.Parse(rawURL)
	if err != nil {
		u = &url.URL{}
	}
	role := hint.Role
	if role == "" {
		role = archive.RoleOther
	}
	if isAttachment(u) || isDocument(h) {
		role = archive.RoleAttachment
	}
	ct := h.Get("Content-Type")
	an := analyze(u, contentOf(body, h, DefaultConfig().MaxAttachmentSize), ct)
	out := Classification{Text: an.text, Charset: an.charset}
	if an.binaryAsText {
		out.Error = "binary payload served as " + an.mediaType + "; not parsed"
	}
	out.Role, out.Title = pageRole(role, hint.Title, an.page)
	if (out.Role == archive.RoleList || out.Role == archive.RoleOther) && an.page != nil && hasReportTables(an.text) {
		out.Role = archive.RoleReport
	}
	return out
}

// Links returns the links of a payload the crawler would queue from a
// page of role parentRole, with the role each suggests; nil for a payload
// that is not a page. Scope, depth and trap guards are not applied: a
// WARC import takes what the other tool fetched.
func Links(rawURL string, h http.Header, body []byte, parentRole archive.Role) []LinkHint {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	an := analyze(u, contentOf(body, h, DefaultConfig().MaxBodySize), h.Get("Content-Type"))
	if an.page == nil {
		return nil
	}
	var out []LinkHint
	for _, l := range an.page.Links {
		lu, err := url.Parse(l.URL)
		if err != nil {
			continue
		}
		if _, role, ok := classify(l, lu, parentRole); ok {
			out = append(out, LinkHint{URL: lu.String(), Role: role, Title: l.Text})
		}
	}
	return out
}
