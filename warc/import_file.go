package warc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/nianbao/nianbao/crawler"
)

// request is a request record waiting for its response.
type request struct {
	id, uri    string
	concurrent []string // its WARC-Concurrent-To
	header     http.Header
}

// importFile makes the captures of one file. A response is held until
// the next record, which may be its request (Heritrix writes the request
// after the response).
func (im *importer) importFile(ctx context.Context, file string) error {
	var pend *pending
	var lastReq *request
	flush := func() error {
		if pend == nil {
			return nil
		}
		p := pend
		pend = nil
		return im.put(file, p)
	}
	err := im.eachRecord(ctx, file, func(rec gowarc.Record) error {
		im.sum.Records++
		im.progress()
		w := rec.WarcRecord
		if w.Type() == gowarc.Request {
			im.sum.Ignored++
			req, err := requestOf(w)
			if err != nil {
				return nil // a request we cannot read only costs its headers
			}
			if w.WarcHeader().Get(fieldReconstructed) == "true" {
				req.header = nil // not as sent: an export rebuilds it again
			}
			if pend != nil && pend.relates(req) {
				pend.c.RequestHeader = req.header
				return flush()
			}
			lastReq = req
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		p, err := im.fromRecord(rec)
		switch {
		case err != nil:
			im.skip(file, rec.Offset, err)
		case p == nil:
			im.sum.Ignored++
		case im.opts.Allow != nil && !im.opts.Allow(p.c.URL):
			im.skip(file, rec.Offset, fmt.Errorf("%s is outside the sites this import admits", p.c.URL))
		default:
			p.c.Worker = im.opts.Worker
			if p.c.Worker == "" {
				p.c.Worker = w.WarcHeader().Get(fieldWorker)
			}
			if lastReq != nil && p.relates(lastReq) {
				p.c.RequestHeader = lastReq.header
			}
			p.offset, pend, lastReq = rec.Offset, p, nil
		}
		return nil
	})
	if ferr := flush(); err == nil {
		err = ferr
	}
	var bad *badFile
	if errors.As(err, &bad) {
		im.skip(file, bad.offset, bad.err)
		return nil
	}
	return err
}

func requestOf(w gowarc.WarcRecord) (*request, error) {
	raw, err := w.Block().RawBytes()
	if err != nil {
		return nil, err
	}
	h, err := parseRequest(raw)
	if err != nil {
		return nil, err
	}
	return &request{id: w.RecordId(), uri: targetURI(w), concurrent: w.WarcHeader().GetAll(gowarc.WarcConcurrentTo), header: h}, nil
}

// relates reports whether req is the request of the pending capture: it
// names the other as concurrent, or they are for the same URL.
func (p *pending) relates(req *request) bool {
	return slices.Contains(p.concurrent, req.id) || slices.Contains(req.concurrent, p.recordID) || req.uri == p.c.URL
}

// scanLinks is the first pass over a file: the links of every page, with
// the role the crawler would queue them with.
func (im *importer) scanLinks(ctx context.Context, file string) error {
	err := im.eachRecord(ctx, file, func(rec gowarc.Record) error {
		w := rec.WarcRecord
		if w.Type() != gowarc.Response || !im.clean(rec) {
			return nil
		}
		resp, _, err := readResponse(w, im.opts.MaxBodySize)
		if err != nil || resp.Status < 200 || resp.Status >= 300 {
			return nil
		}
		uri := targetURI(w)
		role := crawler.Classify(uri, resp.Header, resp.Body, im.hint(uri)).Role
		for _, l := range crawler.Links(uri, resp.Header, resp.Body, role) {
			if old, ok := im.hints[l.URL]; !ok || (old.Role == "" && l.Role != "") {
				im.hints[l.URL] = l
				im.from[l.URL] = uri // the page it was found on, as the crawler records it
			}
		}
		return nil
	})
	var bad *badFile
	if errors.As(err, &bad) {
		return nil // the second pass reports it
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// hint is the link that leads to uri: a seed is reached as a list.
func (im *importer) hint(uri string) crawler.LinkHint {
	if im.seedURLs[uri] {
		return crawler.LinkHint{URL: uri, Role: "list", Title: im.agencyFor(uri)}
	}
	return im.hints[uri]
}
