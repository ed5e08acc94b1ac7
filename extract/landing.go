package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"golang.org/x/net/html"

	"github.com/nianbao/nianbao/report"
)

// This file tells a report's landing page — the HTML article page that
// only links the PDF/DOCX attachment holding the report, with a title
// and an info bar but no tables — from a report, and carries what the
// page says (title, publication date) over to the attachment's report.

// ErrLandingPage is wrapped (with ErrNotReport) by Parse for an HTML page
// that is the landing page of a report attachment: the report is the
// attachment, parsed on its own.
var ErrLandingPage = errors.New("landing page of a report attachment")

// attachmentExts are the file types a landing page links as the report.
var attachmentExts = map[string]bool{
	".pdf": true, ".doc": true, ".docx": true, ".wps": true, ".xls": true, ".xlsx": true, ".et": true, ".ofd": true,
}

// attachmentLinks returns the links of an HTML page to document files
// (by the file type of the URL's path, or of the link text for download
// scripts such as download.jsp?id=9), in page order, each once. It reads
// <a href>, <iframe src> and <embed src>/<object data> (PDF viewers).
func attachmentLinks(data []byte) []string {
	z := html.NewTokenizer(bytes.NewReader(data))
	var out []string
	seen := map[string]bool{}
	add := func(u string) {
		if u = strings.TrimSpace(u); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	href := "" // the open <a>'s href, waiting for its text
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key := string(k)
				switch {
				case tag == "a" && key == "href":
					href = string(v)
					if isDocumentURL(href) {
						add(href)
						href = ""
					}
				case (tag == "iframe" || tag == "embed") && key == "src", tag == "object" && key == "data":
					if isDocumentURL(string(v)) {
						add(string(v))
					}
				}
			}
		case html.TextToken:
			if href != "" && isDocumentName(strings.TrimSpace(string(z.Text()))) {
				add(href)
				href = ""
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" {
				href = ""
			}
		}
	}
}

// isDocumentURL reports a URL whose path names a document file.
func isDocumentURL(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || strings.HasPrefix(strings.ToLower(u.Scheme), "javascript") {
		return false
	}
	return isDocumentName(u.Path)
}

// isDocumentName reports a file name (or link text) with a document
// file type.
func isDocumentName(s string) bool {
	return attachmentExts[strings.ToLower(path.Ext(s))]
}

// landingLinks reports whether a parsed HTML page is a landing page: it
// has none of the template tables and states no numbers (a free-form
// report states them), and it links at least one document file. It
// returns the links.
func landingLinks(r *report.Report, data []byte) ([]string, bool) {
	if r == nil || r.Active != nil || r.Applications != nil || r.ReviewLitigation != nil || len(r.StatedNumbers) > 0 {
		return nil, false
	}
	if r.Template != report.TemplateUnknown && r.Template != report.TemplatePre2019 {
		return nil, false
	}
	links := attachmentLinks(data)
	return links, len(links) > 0 && len(links) <= maxLandingAttachments
}

// maxLandingAttachments is the most document links a landing page has (the
// report, perhaps a copy in another format and an annex); a page linking
// more is a list.
const maxLandingAttachments = 3

// fewAttachments reports an HTML page linking 1 to maxLandingAttachments
// document files: a landing page whose link text (the report's title) is
// most of its text is no list page for that.
func fewAttachments(format string, data []byte) bool {
	if format != FormatHTML {
		return false
	}
	n := len(attachmentLinks(data))
	return n > 0 && n <= maxLandingAttachments
}

// Landing is what a landing page says about the report its attachment
// holds.
type Landing struct {
	// URL is the landing page's address.
	URL string
	// Title is the page's report title; Agency and Year are read from it.
	Title  string
	Agency string
	Year   int
	// Published is the page's publication date (YYYY-MM-DD), nil if none.
	Published *string
	// Attachments are the document files the page links.
	Attachments []string
}

// ReadLanding reads an HTML page as a landing page. It returns an error
// wrapping ErrNotReport when the page is not one (it has tables or
// stated numbers, or links no document file) and an error naming what
// failed when the page cannot be read.
func ReadLanding(pageURL string, data []byte, contentType string) (*Landing, error) {
	doc, format, err := ReadFile(context.Background(), pageURL, data, contentType)
	if err != nil {
		return nil, fmt.Errorf("read landing page %s: %w", pageURL, err)
	}
	if format != FormatHTML {
		return nil, fmt.Errorf("read landing page %s: %w: %s, not HTML", pageURL, ErrNotReport, format)
	}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		return nil, fmt.Errorf("read landing page %s: %w", pageURL, err)
	}
	links, ok := landingLinks(r, data)
	if !ok {
		return nil, fmt.Errorf("read landing page %s: %w: the page is not a landing page (it has report content or links no document)", pageURL, ErrNotReport)
	}
	return &Landing{URL: pageURL, Title: r.Title, Agency: r.Agency, Year: r.Year, Published: r.Published, Attachments: links}, nil
}

// AdoptLanding gives an attachment's report what its landing page says
// where the report's own is missing or worse: the title when the
// document's own does not name a report (a PDF whose title is an image),
// the agency when the document names none, and the publication date when
// the document prints none (DatedBy then says "landing_page"). It
// reports whether r changed.
func AdoptLanding(r *report.Report, l *Landing) bool {
	if r == nil || l == nil || (r.Year != 0 && l.Year != 0 && r.Year != l.Year) {
		return false // not the same report year: not its landing page
	}
	changed := false
	if l.Title != "" && !namesReport(normLabel(r.Title)) && namesReport(normLabel(l.Title)) {
		r.Title = l.Title
		changed = true
	}
	if r.Agency == "" && l.Agency != "" {
		r.Agency = l.Agency
		changed = true
	}
	if r.Published == nil && l.Published != nil {
		d := *l.Published
		r.Published = &d
		r.DatedBy = report.DatedByLandingPage
		changed = true
	}
	return changed
}
