package warc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/nianbao/nianbao/archive"
)

// capture kinds: how a capture is written.
const (
	kindFailure  = iota // a metadata record with the reason
	kindResponse        // request + response (+ conversion, report)
	kindRevisit         // request + revisit (+ report)
	kindRendered        // a conversion record: the document a browser built
)

// kindOf decides how c is written: the document a headless browser
// built from a page is a conversion of it; a response of 2xx/3xx whose body was
// archived whole (a redirect's body never is) is a response, a revisit
// with the digest it revisits is a revisit, anything else a failure.
func kindOf(c *archive.Capture) int {
	if c.Rendered {
		if c.Error == "" && c.Digest != "" {
			return kindRendered
		}
		return kindFailure
	}
	if c.Status < 200 || c.Status >= 400 || c.Truncated {
		return kindFailure
	}
	if c.Revisit && c.Digest != "" {
		return kindRevisit
	}
	if c.Digest != "" || (c.Status >= 300 && c.Error == "") {
		return kindResponse
	}
	return kindFailure
}

// capture writes the records of one capture and indexes its response or
// revisit. A capture whose payload cannot be read is skipped and listed;
// a write error stops the export.
func (x *exporter) capture(r *archive.Reader, c *archive.Capture) error {
	recs, primary, err := x.records(r, c)
	if err != nil {
		for _, rec := range recs {
			rec.Close()
		}
		if errors.Is(err, archive.ErrNotFound) || errors.Is(err, archive.ErrDamaged) {
			x.skip(c, err)
			return nil
		}
		return err
	}
	at, err := x.fw.write(recs)
	if err != nil {
		return err
	}
	if primary >= 0 {
		if err := x.indexEntry(c, at[primary]); err != nil {
			return err
		}
	}
	x.sum.Captures++
	if x.sum.Captures%x.opts.ProgressEvery == 0 {
		el := time.Since(x.start).Seconds()
		x.log.Info("export progress", "captures", x.sum.Captures, "records", x.sum.Records(),
			"files", len(x.fw.files), "rate_per_s", strconv.FormatFloat(float64(x.sum.Captures)/max(el, 1e-9), 'f', 1, 64))
	}
	return nil
}

func (x *exporter) skip(c *archive.Capture, err error) {
	s := fmt.Sprintf("%s %s: %v", c.ID, c.URL, err)
	x.sum.Skipped = append(x.sum.Skipped, s)
	x.log.Warn("export: capture skipped", "id", c.ID, "url", c.URL, "reason", err)
}

// records builds the records of c and returns the index of its response
// or revisit record (-1 for a failure).
func (x *exporter) records(r *archive.Reader, c *archive.Capture) ([]gowarc.WarcRecord, int, error) {
	kind := kindOf(c)
	if kind == kindFailure {
		rec, err := failureRecord(c, "")
		if err != nil {
			return nil, -1, err
		}
		x.sum.Failures++
		return []gowarc.WarcRecord{rec}, -1, nil
	}
	if kind == kindRendered {
		return x.rendered(r, c)
	}
	reqID, respID := newID(), newID()
	var ref *archive.Capture
	if c.Revisit {
		ref = revisited(r, c)
	}
	var recs []gowarc.WarcRecord
	req, err := requestRecord(c, reqID, respID, x.opts.UserAgent, ref)
	if err != nil {
		return nil, -1, err
	}
	recs = append(recs, req)
	var resp gowarc.WarcRecord
	if kind == kindRevisit {
		resp, err = revisitRecord(c, respID, reqID, ref)
	} else {
		resp, err = x.response(r, c, respID, reqID)
	}
	if err != nil {
		return recs, -1, err
	}
	recs = append(recs, resp)
	extra, err := x.extras(r, c, kind, respID)
	recs = append(recs, extra...)
	if err != nil {
		return recs, -1, err
	}
	x.sum.Requests++
	if kind == kindRevisit {
		x.sum.Revisits++
	} else {
		x.sum.Responses++
	}
	return recs, 1, nil
}

func (x *exporter) response(r *archive.Reader, c *archive.Capture, id, reqID string) (gowarc.WarcRecord, error) {
	var body []byte
	if c.Digest != "" {
		b, err := r.BodyByDigest(c.Digest)
		if err != nil {
			return nil, fmt.Errorf("payload of capture %s: %w", c.ID, err)
		}
		body = b
	}
	return responseRecord(c, id, reqID, body)
}

// extras are the records that follow a response or revisit: the text of
// a response's payload, the report extracted from the capture, the
// reason of a capture archived with an error (a binary payload served as
// a page).
func (x *exporter) extras(r *archive.Reader, c *archive.Capture, kind int, respID string) ([]gowarc.WarcRecord, error) {
	var out []gowarc.WarcRecord
	if kind == kindResponse && c.Digest != "" {
		text, err := r.Text(c.ID)
		switch {
		case err == nil && text != "":
			rec, err := conversionRecord(c, respID, text)
			if err != nil {
				return out, err
			}
			out = append(out, rec)
			x.sum.Conversions++
		case err != nil && !errors.Is(err, archive.ErrNotFound):
			return out, fmt.Errorf("text of capture %s: %w", c.ID, err)
		}
	}
	if r.HasReport(c.ID) {
		data, err := r.Report(c.ID)
		if err != nil {
			return out, err
		}
		rec, err := reportRecord(c, respID, data)
		if err != nil {
			return out, err
		}
		out = append(out, rec)
		x.sum.Reports++
	}
	if c.Error != "" {
		rec, err := failureRecord(c, respID)
		if err != nil {
			return out, err
		}
		out = append(out, rec)
		x.sum.Failures++
	}
	return out, nil
}

// revisited returns the capture a revisit revisits: the latest earlier
// capture of its URL that archived the payload it names, else the first
// capture anywhere with that payload; nil when there is none.
func revisited(r *archive.Reader, c *archive.Capture) *archive.Capture {
	id := archive.IDNum(c.ID)
	caps, _ := r.ByURL(c.URL)
	for i := len(caps) - 1; i >= 0; i-- {
		p := caps[i]
		if archive.IDNum(p.ID) < id && !p.Revisit && p.Digest == c.Digest && p.Error == "" {
			return p
		}
	}
	same, _ := r.ByDigest(c.Digest)
	for _, p := range same {
		if !p.Revisit && p.Error == "" {
			return p
		}
	}
	return nil
}

// indexEntry adds the CDXJ line of c's response or revisit record.
func (x *exporter) indexEntry(c *archive.Capture, w written) error {
	e := IndexEntry{URL: c.URL, Date: c.FetchedAt, Status: c.Status, Offset: w.offset, Length: w.length, Filename: w.file}
	if kindOf(c) == kindRevisit {
		e.Mime = "warc/revisit"
	} else {
		// as warcio and pywb index it: the type before any parameter
		e.Mime = strings.TrimSpace(strings.SplitN(c.Header.Get("Content-Type"), ";", 2)[0])
	}
	digest := c.Digest
	if digest == "" {
		digest = archive.Digest(nil)
	}
	_, e.Digest, _ = strings.Cut(digest, ":")
	line, err := e.Line()
	if err != nil {
		return err
	}
	return x.index.Add(line)
}

// rendered writes the document a headless browser built from a page as a
// conversion record (and the report extracted from it, if any). It is
// not a response: the response of the URL is a capture of its own.
func (x *exporter) rendered(r *archive.Reader, c *archive.Capture) ([]gowarc.WarcRecord, int, error) {
	body, err := r.BodyByDigest(c.Digest)
	if err != nil {
		return nil, -1, fmt.Errorf("rendered document of capture %s: %w", c.ID, err)
	}
	id := newID()
	rec, err := renderedRecord(c, id, body)
	if err != nil {
		return nil, -1, err
	}
	x.sum.Rendered++
	recs := []gowarc.WarcRecord{rec}
	extra, err := x.extras(r, c, kindRendered, id)
	return append(recs, extra...), -1, err
}
