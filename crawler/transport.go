package crawler

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"path"
	"strings"
	"sync"
	"time"
)

// netClient holds the transport shared by every host: one connection pool,
// host names routed through Config.Resolve, certificates checked by the
// TLS verifier (tls.go).
type netClient struct {
	transport *http.Transport
	tls       *tlsVerifier
}

func newNetClient(cfg Config, log *slog.Logger) (*netClient, error) {
	roots, err := loadRoots()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	resolve := make(map[string]string, len(cfg.Resolve))
	for h, a := range cfg.Resolve {
		resolve[strings.ToLower(h)] = a
	}
	v := &tlsVerifier{roots: roots, strict: cfg.StrictTLS, log: log,
		aia: map[string][]*x509.Certificate{}, results: map[string]tlsResult{}}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, routed(resolve, addr))
		},
		TLSClientConfig:       v.config(),
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		// The transport asks for gzip and undoes it itself, as before:
		// such bodies are archived decoded. Codings sent unasked are read
		// as received; encoding.go decodes them for their text.
	}
	v.client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	return &netClient{transport: tr, tls: v}, nil
}

// routed returns where addr ("host:port") is to be dialled: the Resolve
// entry for "host:port", else for "host", else addr itself.
func routed(resolve map[string]string, addr string) string {
	if to, ok := resolve[strings.ToLower(addr)]; ok {
		return to
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if to, ok := resolve[strings.ToLower(host)]; ok {
			return to
		}
	}
	return addr
}

// rawResponse is one HTTP response as the recorder read it off the wire
// (after transfer decoding, before colly touched it).
type rawResponse struct {
	URL    string // the URL requested for this hop
	Status int
	Header http.Header
	// Request is the request's header as sent (with the Accept-Encoding
	// the transport adds), IP the server's address, Proto the response's
	// protocol: what a WARC export writes.
	Request   http.Header
	IP, Proto string
	Body      []byte // as received: what is archived
	Truncated bool
	ReadErr   error
	// Decoded is Body with its Content-Encoding undone (nil when it has
	// none); DecodeErr says why that failed, DecodeTruncated that the
	// decoded body passed the cap.
	Decoded         []byte
	DecodeErr       error
	DecodeTruncated bool
	// TLS is the verification of the server's certificate (nil over
	// http).
	TLS *tlsResult
}

// content is the body as a browser reads it: decoded when it had a
// Content-Encoding.
func (r *rawResponse) content() []byte {
	if r.Decoded != nil {
		return r.Decoded
	}
	return r.Body
}

// recorder is the http.RoundTripper handed to colly. It reads each body
// itself, at most limit bytes as received (and at most limit decoded
// bytes, so a compression bomb stops at the cap), keeps the bytes and
// headers, and passes colly an empty body: the crawler parses the raw
// bytes, never colly's re-encoded copy. A host worker fetches one URL at a
// time, so one slot suffices.
type recorder struct {
	base http.RoundTripper
	tls  *tlsVerifier

	mu    sync.Mutex
	limit int64
	// docLimit replaces limit when the response turns out to be a
	// document (attachment) behind an ordinary-looking URL.
	docLimit int64
	last     *rawResponse
	hops     int
	// answered is when the first byte of the latest response arrived:
	// the server had the request by then (politeness counts from it).
	answered time.Time
}

func (r *recorder) reset(limit, docLimit int64) {
	r.mu.Lock()
	r.limit, r.docLimit, r.last, r.hops = limit, docLimit, nil, 0
	r.answered = time.Time{}
	r.mu.Unlock()
}

// answeredAt returns when the latest response of the fetch began to
// arrive, or zero when none did.
func (r *recorder) answeredAt() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answered
}

func (r *recorder) result() (*rawResponse, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last, r.hops
}

// RoundTrip records the response of req and hands colly a bodiless copy.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var ip string
	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		if host, _, err := net.SplitHostPort(ci.Conn.RemoteAddr().String()); err == nil {
			ip = host
		}
	}, GotFirstResponseByte: func() {
		r.mu.Lock()
		r.answered = time.Now()
		r.mu.Unlock()
	}}
	sent := req.Header.Clone()
	if t, ok := r.base.(*http.Transport); ok && !t.DisableCompression && sent.Get("Accept-Encoding") == "" && sent.Get("Range") == "" {
		sent.Set("Accept-Encoding", "gzip")
	}
	resp, err := r.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	limit := r.limit
	if isDocument(resp.Header) && r.docLimit > limit {
		limit = r.docLimit
	}
	r.mu.Unlock()
	body, truncated, rerr := readCapped(resp.Body, limit)
	resp.Body.Close()
	rec := &rawResponse{URL: req.URL.String(), Status: resp.StatusCode, Header: resp.Header.Clone(),
		Request: sent, IP: ip, Proto: resp.Proto, Body: body, Truncated: truncated, ReadErr: rerr}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && rerr == nil && !truncated && len(body) > 0 {
		rec.Decoded, rec.DecodeTruncated, rec.DecodeErr = decodeContent(body, ce, limit)
	}
	if resp.TLS != nil && r.tls != nil {
		res := r.tls.verify(*resp.TLS)
		rec.TLS = &res
	}
	r.mu.Lock()
	r.last = rec
	r.hops++
	r.mu.Unlock()
	if rerr != nil {
		return nil, rerr
	}
	// Colly would gunzip a body whose type or name says gzip, without a
	// cap: it gets no body and no encoding to act on.
	h := resp.Header.Clone()
	h.Del("Content-Encoding")
	if strings.Contains(strings.ToLower(h.Get("Content-Type")), "gzip") {
		h.Set("Content-Type", "application/octet-stream")
	}
	resp.Header = h
	resp.Body = http.NoBody
	resp.ContentLength = 0
	return resp, nil
}

// isDocument reports whether response headers announce a document
// attachment: a document media type or a Content-Disposition file name
// with a document extension (download.jsp?id=… URLs).
func isDocument(h http.Header) bool {
	switch mediaType(h.Get("Content-Type"), []byte{}) {
	case "application/pdf", "application/msword", "application/vnd.ms-excel", "application/vnd.ms-works",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/kswps", "application/wps-office.wps", "application/wps-office.et", "application/x-pdf", "application/ofd":
		return true
	}
	if cd := h.Get("Content-Disposition"); cd != "" {
		if _, params, err := mime.ParseMediaType(cd); err == nil {
			if attachmentExt[strings.ToLower(path.Ext(params["filename"]))] {
				return true
			}
		}
	}
	return false
}

// readCapped reads at most limit bytes of rc and reports whether more was
// there.
func readCapped(rc io.Reader, limit int64) ([]byte, bool, error) {
	if limit <= 0 {
		limit = 10 << 20
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, limit+1))
	if err != nil {
		return buf.Bytes(), false, err
	}
	if n > limit {
		return buf.Bytes()[:limit], true, nil
	}
	return buf.Bytes(), false, nil
}

// contentOf returns an archived body as a browser reads it, undoing the
// Content-Encoding its capture's header names.
func contentOf(body []byte, h http.Header, limit int64) []byte {
	ce := h.Get("Content-Encoding")
	if ce == "" {
		return body
	}
	dec, _, err := decodeContent(body, ce, limit)
	if err != nil {
		return body
	}
	return dec
}
