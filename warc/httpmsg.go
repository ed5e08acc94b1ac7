package warc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// defaultProto is the protocol written when a capture did not record one.
const defaultProto = "HTTP/1.1"

// responseHead returns the status line and header block of a capture's
// response, ending with the empty line: what precedes the body in a
// response record. Header fields are written in sorted order (the archive
// keeps them as a map), each value as received.
func responseHead(proto string, status int, h http.Header) []byte {
	if proto == "" {
		proto = defaultProto
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d %s\r\n", proto, status, statusText(status))
	writeHeader(&b, h)
	return b.Bytes()
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "Unknown"
}

// requestHead returns the request line and headers of a GET of rawURL:
// what a request record holds.
func requestHead(rawURL string, h http.Header) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("request of %q: %w", rawURL, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\n", u.RequestURI())
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Host") == "" {
		h.Set("Host", u.Host)
	}
	writeHeader(&b, h)
	return b.Bytes(), nil
}

// writeHeader writes h sorted by name, Host first, and the empty line.
// A value's line breaks (never valid in a field) are replaced by spaces.
func writeHeader(b *bytes.Buffer, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "Host":
			return -1
		case b == "Host":
			return 1
		}
		return strings.Compare(a, b)
	})
	clean := strings.NewReplacer("\r", " ", "\n", " ")
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\r\n", k, clean.Replace(v))
		}
	}
	b.WriteString("\r\n")
}

// parsedResponse is the HTTP response of a response or revisit record.
type parsedResponse struct {
	Proto  string
	Status int
	Header http.Header // Transfer-Encoding removed: the body is de-chunked
	Body   []byte      // the payload after transfer decoding, Content-Encoding kept
}

// parseResponse reads the HTTP response of a record block, at most limit
// body bytes. A chunked body is de-chunked; a body cut short of its
// Content-Length is kept as far as it goes, with truncated set.
func parseResponse(block io.Reader, limit int64) (*parsedResponse, bool, error) {
	br := bufio.NewReader(block)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, false, fmt.Errorf("read HTTP response: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	truncated := err != nil || int64(len(body)) > limit
	if int64(len(body)) > limit {
		body = body[:limit]
	}
	h := resp.Header
	h.Del("Transfer-Encoding")
	if len(resp.TransferEncoding) > 0 {
		// the length the tool recorded was the chunked one
		h.Del("Content-Length")
	}
	return &parsedResponse{Proto: resp.Proto, Status: resp.StatusCode, Header: h, Body: body}, truncated, nil
}

// parseRequest reads the headers of a request record's block.
func parseRequest(block io.Reader) (http.Header, error) {
	req, err := http.ReadRequest(bufio.NewReader(block))
	if err != nil {
		return nil, fmt.Errorf("read HTTP request: %w", err)
	}
	h := req.Header
	if req.Host != "" {
		h.Set("Host", req.Host)
	}
	return h, nil
}
