package web

import (
	"strings"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// This file builds /view/{id}: a UI page with a banner that says what is
// shown (an archived copy, its URL and capture date, where else to go) over
// an <iframe sandbox> of /replay/{id}. The banner lies outside the sandboxed
// content, which can neither reach nor cover it.

// ViewPage is the data of /view/{id}.
type ViewPage struct {
	// Capture is the capture shown.
	Capture *archive.Capture
	// Payload is the capture that stored the bytes shown: Capture, or the
	// capture a revisit revisits (nil when it is not found).
	Payload *archive.Capture
	// ContentType is the content type the capture replays with.
	ContentType string
	// ReportID is the capture whose extracted report this capture holds
	// ("" when none): Capture's own, or its Payload's for a revisit.
	ReportID string
	// Prev and Next are the URL's replayable captures before and after it.
	Prev, Next *archive.Capture
	// N is the capture's place (from 1) among the URL's Of replayable captures.
	N, Of int
}

// Framed reports whether the payload is shown in the page's frame: what a
// browser displays (HTML, text, images, PDF); anything else (Word, Excel,
// archives) is offered for download only.
func (p *ViewPage) Framed() bool {
	mt := mediaType(p.ContentType)
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasPrefix(mt, "image/"):
		return true
	}
	switch mt {
	case "application/xhtml+xml", "application/pdf", "application/json", "application/xml":
		return true
	}
	return false
}

// Size is the size of the payload shown (a 304 revisit records none of
// its own).
func (p *ViewPage) Size() int64 {
	if p.Capture.Size == 0 && p.Payload != nil {
		return p.Payload.Size
	}
	return p.Capture.Size
}

// IsRevisit reports whether the capture found the payload of another one
// unchanged (a 304 or the same digest).
func (p *ViewPage) IsRevisit() bool {
	return p.Capture.Revisit && p.Payload != nil && p.Payload.ID != p.Capture.ID
}

// viewPage builds /view/{id} in one read of the archive.
func (s *Server) viewPage(id string) (*ViewPage, error) {
	if !validID(id) {
		return nil, notFoundf("no capture %q", id)
	}
	var p *ViewPage
	err := s.Archive.View(func(r *archive.Reader) (err error) {
		p, err = buildView(r, id)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "view capture %s", id)
	}
	return p, nil
}

// buildView reads the banner of capture id through r.
func buildView(r *archive.Reader, id string) (*ViewPage, error) {
	c, err := r.Get(id)
	if err != nil {
		return nil, err
	}
	if c.Digest == "" {
		return nil, notFoundf("capture %s of %s has no archived body (status %d, error %q)", id, c.URL, c.Status, c.Error)
	}
	origin, err := revisited(r, c)
	if err != nil {
		return nil, err
	}
	p := &ViewPage{Capture: c, Payload: origin, ContentType: contentType(c, origin)}
	switch {
	case r.HasReport(c.ID):
		p.ReportID = c.ID
	case origin != nil && r.HasReport(origin.ID):
		p.ReportID = origin.ID
	}
	caps, err := r.ByURL(c.URL)
	if err != nil {
		return nil, err
	}
	for _, x := range caps {
		if !replayable(x) && x.ID != c.ID {
			continue
		}
		p.Of++
		switch {
		case idNum(x.ID) < idNum(c.ID):
			p.Prev = x
		case x.ID == c.ID:
			p.N = p.Of
		case p.Next == nil:
			p.Next = x
		}
	}
	return p, nil
}

// china is China Standard Time (UTC+8, no daylight saving), the time of
// the sites archived.
var china = time.FixedZone("CST", 8*3600)

// fmtCST prints a time in China Standard Time to the minute
// ("2024-01-26 16:00 CST"; "—" for the zero time).
func fmtCST(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(china).Format("2006-01-02 15:04 MST")
}
