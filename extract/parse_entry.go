package extract

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"

	"github.com/nianbao/nianbao/report"
)

// maxLinkDensity is the share of an HTML page's body text inside links
// above which the page is a list, not a report (report pages stay under
// 10%).
const maxLinkDensity = 0.5

// ErrUnsupportedFormat is returned (wrapped) by Parse for a file whose
// format no reader handles (legacy binary Office/WPS files, images…).
var ErrUnsupportedFormat = errors.New("unsupported format")

// Parse reads one report file of any supported format — HTML, text or
// markdown, DOCX, PDF, XLSX — recognised by its content (Sniff), and parses
// it with ParseDocument. opts.ContentType, when set, supplies the charset of
// an HTML page. Source.File is set to name when opts leaves it empty.
// Errors name the file and what was wrong; ErrNotReport and
// ErrUnsupportedFormat are wrapped so callers can tell them apart.
func Parse(name string, data []byte, opts Options) (r *report.Report, err error) {
	defer func() {
		if v := recover(); v != nil {
			r = nil
			err = fmt.Errorf("parse %s: internal error: %v\n%s", name, v, debug.Stack())
		}
	}()
	return parse(name, data, opts)
}

// parse is Parse without the panic guard (the fuzz tests call it so that
// a panic is found, not hidden).
func parse(name string, data []byte, opts Options) (*report.Report, error) {
	doc, format, err := ReadFile(context.Background(), name, data, opts.ContentType)
	if err != nil {
		return nil, err
	}
	if d, err := strconv.ParseFloat(doc.Meta["link_density"], 64); err == nil && d > maxLinkDensity && !fewAttachments(format, data) { // landing.go
		return nil, fmt.Errorf("parse %s (%s): %w: %.0f%% of the page's text is links (a list or navigation page)", name, format, ErrNotReport, d*100)
	}
	if opts.Source.File == "" {
		opts.Source.File = name
	}
	r, err := ParseDocument(doc, opts)
	if err != nil {
		return nil, fmt.Errorf("parse %s (%s): %w", name, format, err)
	}
	// only an HTML page is a landing page (a PDF or DOCX is not tokenised
	// as HTML looking for links)
	if format == FormatHTML {
		if links, ok := landingLinks(r, data); ok { // landing.go
			return nil, fmt.Errorf("parse %s (%s): %w: %w: it links %s", name, format, ErrNotReport, ErrLandingPage, links[0])
		}
	}
	if w := doc.Meta["reader_warning"]; w != "" {
		r.Warnings = append(r.Warnings, w)
	}
	if doc.Meta["reader"] == "pdftotext" {
		r.Warnings = append(r.Warnings, "PDF text read by pdftotext -layout ("+doc.Meta["reader_note"]+")")
	}
	return r, nil
}
