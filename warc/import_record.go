package warc

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
)

// pending is a capture made from a record, not yet stored.
type pending struct {
	c          *archive.Capture
	body       []byte // nil: no new payload
	text       string
	recordID   string
	concurrent []string
	offset     int64
	// refURI and refDate name the capture a revisit revisits.
	refURI, refID string
	refDate       time.Time
	payloadDigest string // as the revisit record gives it
}

// fromRecord makes the capture of a record; nil for a record that is no
// capture.
func (im *importer) fromRecord(rec gowarc.Record) (*pending, error) {
	w := rec.WarcRecord
	h := w.WarcHeader()
	switch {
	case w.Type() == gowarc.Response && isHTTP(h):
		if !im.clean(rec) {
			return nil, im.finding(rec)
		}
		return im.fromResponse(w)
	case w.Type() == gowarc.Revisit && isHTTP(h):
		if !im.clean(rec) {
			return nil, im.finding(rec)
		}
		return im.fromRevisit(w)
	case w.Type() == gowarc.Conversion && h.Get(fieldRendered) == "true":
		if !im.clean(rec) {
			return nil, im.finding(rec)
		}
		return im.fromRendered(w)
	case w.Type() == gowarc.Metadata && !h.Has(gowarc.WarcConcurrentTo) && strings.HasPrefix(h.Get(gowarc.ContentType), gowarc.ApplicationWarcFields):
		if !im.clean(rec) {
			return nil, im.finding(rec)
		}
		return im.fromFailure(w)
	}
	return nil, nil
}

func isHTTP(h *gowarc.WarcFields) bool {
	return strings.HasPrefix(strings.ToLower(h.Get(gowarc.ContentType)), "application/http")
}

// clean reports whether a record is usable: its block is cached (so it
// can be read more than once) and matches its WARC-Block-Digest.
func (im *importer) clean(rec gowarc.Record) bool { return im.finding(rec) == nil }

func (im *importer) finding(rec gowarc.Record) error {
	w := rec.WarcRecord
	if err := w.Block().Cache(); err != nil {
		return fmt.Errorf("%s record %s: read block: %w", w.Type(), w.RecordId(), err)
	}
	d := w.WarcHeader().Get(gowarc.WarcBlockDigest)
	if d == "" {
		return nil
	}
	raw, err := w.Block().RawBytes()
	if err != nil {
		return fmt.Errorf("%s record %s: read block: %w", w.Type(), w.RecordId(), err)
	}
	ok, err := digestReader(d, raw)
	if err != nil {
		return fmt.Errorf("%s record %s: read block: %w", w.Type(), w.RecordId(), err)
	}
	if !ok {
		return fmt.Errorf("%s record %s: WARC-Block-Digest %s does not match the block", w.Type(), w.RecordId(), d)
	}
	return nil
}

// newCapture is a capture of the record's URL and date with its agency.
func (im *importer) newCapture(w gowarc.WarcRecord) (*archive.Capture, error) {
	uri := targetURI(w)
	if uri == "" {
		return nil, fmt.Errorf("%s record %s has no WARC-Target-URI", w.Type(), w.RecordId())
	}
	at, err := w.WarcHeader().GetTime(gowarc.WarcDate)
	if err != nil {
		return nil, fmt.Errorf("%s record %s of %s: WARC-Date: %w", w.Type(), w.RecordId(), uri, err)
	}
	return &archive.Capture{URL: uri, FinalURL: uri, FetchedAt: at.UTC(), Agency: im.agencyFor(uri), DiscoveredFrom: im.from[uri],
		IP: w.WarcHeader().Get(gowarc.WarcIPAddress), WARCRecordID: w.RecordId(), RunID: im.opts.RunID}, nil
}

// fromResponse makes the capture of a response record the way the crawler
// records a fetch: 4xx/5xx as a failure without a body, a redirect
// without a body, a 304 as a revisit, anything else with its payload,
// text and role.
func (im *importer) fromResponse(w gowarc.WarcRecord) (*pending, error) {
	c, err := im.newCapture(w)
	if err != nil {
		return nil, err
	}
	resp, truncated, err := readResponse(w, im.opts.MaxBodySize)
	if err != nil {
		return nil, fmt.Errorf("response record %s of %s: %w", w.RecordId(), c.URL, err)
	}
	if err := checkPayload(w, resp.Body); err != nil {
		return nil, fmt.Errorf("response record %s of %s: %w", w.RecordId(), c.URL, err)
	}
	fill(c, resp)
	p := &pending{c: c, recordID: w.RecordId(), concurrent: w.WarcHeader().GetAll(gowarc.WarcConcurrentTo)}
	hint := im.hint(c.URL)
	c.Role, c.Title = crawler.Classify(c.URL, resp.Header, nil, hint).Role, hint.Title
	switch {
	case resp.Status >= 400:
		c.Error = fmt.Sprintf("HTTP %d %s", resp.Status, http.StatusText(resp.Status))
	case resp.Status == http.StatusNotModified:
		c.Revisit, p.refURI = true, c.URL
	case resp.Status >= 300:
		c.Role = archive.RoleOther
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.String() != "" {
			base, _ := url.Parse(c.URL)
			c.FinalURL = base.ResolveReference(loc).String()
		}
	default:
		cl := crawler.Classify(c.URL, resp.Header, resp.Body, hint)
		c.Role, c.Title, c.Charset, c.Error, p.text = cl.Role, cl.Title, cl.Charset, cl.Error, cl.Text
		p.body = resp.Body
		if truncated || w.WarcHeader().Has(gowarc.WarcTruncated) {
			c.Truncated = true
			c.Error = fmt.Sprintf("body truncated (WARC-Truncated %q, cap %d bytes)", w.WarcHeader().Get(gowarc.WarcTruncated), im.opts.MaxBodySize)
		}
	}
	return p, nil
}

// fill copies the HTTP response into the capture.
func fill(c *archive.Capture, resp *parsedResponse) {
	c.Status, c.Header, c.Proto = resp.Status, resp.Header, resp.Proto
	c.ContentType = resp.Header.Get("Content-Type")
}

// fromRevisit makes the revisit capture of a revisit record; its digest
// is that of the capture it revisits (found when stored).
func (im *importer) fromRevisit(w gowarc.WarcRecord) (*pending, error) {
	c, err := im.newCapture(w)
	if err != nil {
		return nil, err
	}
	resp, _, err := readResponse(w, 0)
	if err != nil {
		return nil, fmt.Errorf("revisit record %s of %s: %w", w.RecordId(), c.URL, err)
	}
	fill(c, resp)
	c.Revisit = true
	h := w.WarcHeader()
	hint := im.hint(c.URL)
	c.Role, c.Title = crawler.Classify(c.URL, resp.Header, nil, hint).Role, hint.Title
	p := &pending{c: c, recordID: w.RecordId(), concurrent: h.GetAll(gowarc.WarcConcurrentTo),
		refURI: strings.Trim(h.Get(gowarc.WarcRefersToTargetURI), "<>"), refID: h.GetId(gowarc.WarcRefersTo),
		payloadDigest: h.Get(gowarc.WarcPayloadDigest)}
	if p.refURI == "" {
		p.refURI = c.URL
	}
	if t, err := h.GetTime(gowarc.WarcRefersToDate); err == nil {
		p.refDate = t
	}
	return p, nil
}

// fromRendered makes the capture of a document a browser built (Export's
// conversion records marked Nianbao-Rendered).
func (im *importer) fromRendered(w gowarc.WarcRecord) (*pending, error) {
	c, err := im.newCapture(w)
	if err != nil {
		return nil, err
	}
	raw, err := w.Block().RawBytes()
	if err != nil {
		return nil, fmt.Errorf("rendered record %s of %s: %w", w.RecordId(), c.URL, err)
	}
	body, err := readAllCapped(raw, im.opts.MaxBodySize)
	if err != nil {
		return nil, fmt.Errorf("rendered record %s of %s: %w", w.RecordId(), c.URL, err)
	}
	c.Rendered, c.Status, c.ContentType, c.IP = true, http.StatusOK, w.WarcHeader().Get(gowarc.ContentType), ""
	h := http.Header{"Content-Type": {c.ContentType}}
	hint := im.hint(c.URL)
	cl := crawler.Classify(c.URL, h, body, hint)
	c.Role, c.Title, c.Charset, c.Error = cl.Role, cl.Title, cl.Charset, cl.Error
	return &pending{c: c, body: body, text: cl.Text, recordID: w.RecordId()}, nil
}

// fromFailure makes the failure capture of Export's metadata record of a
// failed fetch; other metadata records make none.
func (im *importer) fromFailure(w gowarc.WarcRecord) (*pending, error) {
	raw, err := w.Block().RawBytes()
	if err != nil {
		return nil, err
	}
	fields, err := readFields(raw)
	if err != nil || fields.Get(fieldFetchError) == "" {
		return nil, nil
	}
	c, err := im.newCapture(w)
	if err != nil {
		return nil, err
	}
	c.Error = fields.Get(fieldFetchError)
	c.Truncated = fields.Get(fieldTruncated) == "true"
	c.Rendered = w.WarcHeader().Get(fieldRendered) == "true"
	fmt.Sscan(fields.Get(fieldStatus), &c.Status)
	hint := im.hint(c.URL)
	c.Role, c.Title = crawler.Classify(c.URL, http.Header{}, nil, hint).Role, hint.Title
	return &pending{c: c, recordID: w.RecordId()}, nil
}
