package warc

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/nianbao/nianbao/archive"
)

// Content types of the records nianbao writes.
const (
	ctHTTPResponse = "application/http; msgtype=response"
	ctHTTPRequest  = "application/http; msgtype=request"
	ctText         = "text/plain; charset=utf-8"
	ctReport       = "application/json"
)

// Fields of nianbao's own metadata records (application/warc-fields).
const (
	fieldFetchError = "nianbao-fetch-error"
	fieldStatus     = "nianbao-http-status"
	fieldTruncated  = "nianbao-truncated"
	// fieldReconstructed marks a request record rebuilt from the URL and
	// the crawler's headers (the capture predates recording requests).
	fieldReconstructed = "Nianbao-Request-Reconstructed"
	// fieldRendered marks a conversion (or failure) record of the
	// document a headless browser built from the page.
	fieldRendered = "Nianbao-Rendered"
	// fieldWorker names the cluster worker that fetched the capture
	// (archive.Capture.Worker).
	fieldWorker = "Nianbao-Worker"
)

// newID returns a fresh WARC-Record-ID.
func newID() string { return "<" + uuid.New().URN() + ">" }

// build makes a record of type t with the given WARC fields (name, value
// pairs) and block. Every validation finding is an error: nianbao never
// writes a record a reader would flag.
func build(t gowarc.RecordType, block []byte, fields ...string) (gowarc.WarcRecord, error) {
	rb := gowarc.NewRecordBuilder(t, recordOptions()...)
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] != "" {
			rb.AddWarcHeader(fields[i], fields[i+1])
		}
	}
	if _, err := rb.Write(block); err != nil {
		rb.Close()
		return nil, fmt.Errorf("build %s record: %w", t, err)
	}
	rec, findings, err := rb.Build()
	if err == nil && len(findings) > 0 {
		err = findings[0]
	}
	if err != nil {
		if rec != nil {
			rec.Close()
		}
		return nil, fmt.Errorf("build %s record of %s: %w", t, fieldValue(fields, gowarc.WarcTargetURI), err)
	}
	return rec, nil
}

func fieldValue(fields []string, name string) string {
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == name {
			return fields[i+1]
		}
	}
	return ""
}

// warcDate formats a WARC-Date: UTC, sub-second precision kept (WARC/1.1).
func warcDate(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// responseRecord is a capture's response: status line, headers and the
// body exactly as archived, with the capture's digest as payload digest.
func responseRecord(c *archive.Capture, id, requestID string, body []byte) (gowarc.WarcRecord, error) {
	block := append(responseHead(c.Proto, c.Status, c.Header), body...)
	truncated := ""
	if cl, err := strconv.ParseInt(c.Header.Get("Content-Length"), 10, 64); err == nil && cl > int64(len(body)) {
		truncated = "unspecified" // a redirect whose body was not kept
	}
	payload := c.Digest
	if len(body) == 0 {
		payload = archive.Digest(nil)
	}
	return build(gowarc.Response, block,
		gowarc.WarcRecordID, id,
		gowarc.WarcDate, warcDate(c.FetchedAt),
		gowarc.WarcTargetURI, c.URL,
		gowarc.WarcIPAddress, c.IP,
		gowarc.WarcConcurrentTo, requestID,
		gowarc.ContentType, ctHTTPResponse,
		gowarc.WarcPayloadDigest, payload,
		gowarc.WarcTruncated, truncated,
		fieldWorker, c.Worker)
}

// revisitRecord is a revisit capture: a 304 is server-not-modified, an
// unchanged body identical-payload-digest; the block is the response's
// status line and headers. ref is the capture revisited (nil when it is
// not in the archive).
func revisitRecord(c *archive.Capture, id, requestID string, ref *archive.Capture) (gowarc.WarcRecord, error) {
	profile := gowarc.ProfileIdenticalPayloadDigestV1_1
	if c.Status == http.StatusNotModified {
		profile = gowarc.ProfileServerNotModifiedV1_1
	}
	var refURI, refDate string
	if ref != nil {
		refURI, refDate = ref.URL, warcDate(ref.FetchedAt)
	}
	return build(gowarc.Revisit, responseHead(c.Proto, c.Status, c.Header),
		gowarc.WarcRecordID, id,
		gowarc.WarcDate, warcDate(c.FetchedAt),
		gowarc.WarcTargetURI, c.URL,
		gowarc.WarcIPAddress, c.IP,
		gowarc.WarcConcurrentTo, requestID,
		gowarc.ContentType, ctHTTPResponse,
		gowarc.WarcProfile, profile,
		gowarc.WarcRefersToTargetURI, refURI,
		gowarc.WarcRefersToDate, refDate,
		gowarc.WarcPayloadDigest, c.Digest,
		fieldWorker, c.Worker)
}

// requestRecord is the request of a capture: as sent when the crawler
// recorded it, else rebuilt from the URL, userAgent and the conditional
// headers a revalidation of ref would have sent (and marked so).
func requestRecord(c *archive.Capture, id, responseID, userAgent string, ref *archive.Capture) (gowarc.WarcRecord, error) {
	h, rebuilt := c.RequestHeader, ""
	if h == nil {
		h, rebuilt = reconstructRequest(c, userAgent, ref), "true"
	}
	block, err := requestHead(c.URL, h)
	if err != nil {
		return nil, err
	}
	return build(gowarc.Request, block,
		gowarc.WarcRecordID, id,
		gowarc.WarcDate, warcDate(c.FetchedAt),
		gowarc.WarcTargetURI, c.URL,
		gowarc.WarcIPAddress, c.IP,
		gowarc.WarcConcurrentTo, responseID,
		gowarc.ContentType, ctHTTPRequest,
		fieldReconstructed, rebuilt)
}

// reconstructRequest returns the headers the crawler sends: its
// User-Agent and Accept, and for a revisit the validators of the capture
// revisited.
func reconstructRequest(c *archive.Capture, userAgent string, ref *archive.Capture) http.Header {
	h := http.Header{}
	h.Set("User-Agent", userAgent)
	h.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if c.Revisit && ref != nil {
		if v := ref.Header.Get("ETag"); v != "" {
			h.Set("If-None-Match", v)
		}
		if v := ref.Header.Get("Last-Modified"); v != "" {
			h.Set("If-Modified-Since", v)
		}
	}
	return h
}

// conversionRecord is the UTF-8 text the crawler extracted from a
// response's payload.
func conversionRecord(c *archive.Capture, responseID, text string) (gowarc.WarcRecord, error) {
	return build(gowarc.Conversion, []byte(text),
		gowarc.WarcRecordID, newID(),
		gowarc.WarcDate, warcDate(c.FetchedAt),
		gowarc.WarcTargetURI, c.URL,
		gowarc.WarcRefersTo, responseID,
		gowarc.ContentType, ctText)
}

// reportRecord is the report JSON extract stored for the capture.
func reportRecord(c *archive.Capture, responseID string, report []byte) (gowarc.WarcRecord, error) {
	return build(gowarc.Metadata, report,
		gowarc.WarcRecordID, newID(),
		gowarc.WarcDate, warcDate(c.FetchedAt),
		gowarc.WarcTargetURI, c.URL,
		gowarc.WarcConcurrentTo, responseID,
		gowarc.ContentType, ctReport)
}

// renderedRecord is the document a headless browser built from a page.
func renderedRecord(c *archive.Capture, id string, body []byte) (gowarc.WarcRecord, error) {
	ct := c.ContentType
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	return build(gowarc.Conversion, body,
		gowarc.WarcRecordID, id,
		gowarc.WarcDate, warcDate(c.FetchedAt),
		gowarc.WarcTargetURI, c.URL,
		gowarc.ContentType, ct,
		gowarc.WarcPayloadDigest, c.Digest,
		fieldRendered, "true",
		fieldWorker, c.Worker)
}

// failureRecord is a failed fetch: a metadata record with the reason
// (never a response record).
func failureRecord(c *archive.Capture, concurrentTo string) (gowarc.WarcRecord, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: %s\r\n", fieldFetchError, oneLine(c.Error))
	if c.Status > 0 {
		fmt.Fprintf(&b, "%s: %d\r\n", fieldStatus, c.Status)
	}
	if c.Truncated {
		fmt.Fprintf(&b, "%s: true\r\n", fieldTruncated)
	}
	rendered := ""
	if c.Rendered {
		rendered = "true"
	}
	return build(gowarc.Metadata, b.Bytes(),
		gowarc.WarcRecordID, newID(),
		gowarc.WarcDate, warcDate(c.FetchedAt),
		gowarc.WarcTargetURI, c.URL,
		gowarc.WarcConcurrentTo, concurrentTo,
		gowarc.ContentType, gowarc.ApplicationWarcFields,
		fieldRendered, rendered,
		fieldWorker, c.Worker)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
