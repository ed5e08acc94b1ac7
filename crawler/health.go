package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// errClass is what kind of failure a fetch met. It decides whether the
// URL is retried and what the host's health learns from it.
type errClass int

const (
	classOK          errClass = iota
	classDNS                  // the name does not resolve
	classRefused              // connection refused, host or network unreachable
	classHandshake            // TLS handshake failed (or a certificate refused with -strict-tls)
	classTimeout              // connect, header or body timeout
	classReset                // connection reset or closed mid-response
	classClient               // 4xx
	classServer               // 5xx
	classThrottled            // 429
	classOther                // anything else (a body too large, a bad redirect…)
	classCertRefused          // a certificate that does not verify, refused with -strict-tls
)

// transient reports whether a failure of this class is worth retrying
// the same URL for: the server may answer next time.
func (k errClass) transient() bool {
	switch k {
	case classTimeout, classReset, classServer, classThrottled:
		return true
	}
	return false
}

// connection reports a failure that says the host (or scheme) did not
// answer at all: it counts towards pausing and abandoning the host.
func (k errClass) connection() bool {
	switch k {
	case classDNS, classRefused, classTimeout, classReset, classHandshake:
		return true
	}
	return false
}

// perScheme reports a failure of one scheme's port or protocol that the
// other scheme of the same authority may not share.
func (k errClass) perScheme() bool { return k == classRefused || k == classHandshake }

// String names the class the way the summary groups errors.
func (k errClass) String() string {
	return [...]string{"ok", "no such host", "connection refused", "TLS handshake failure", "timeout",
		"connection reset", "client error", "server error", "throttled", "error", "TLS certificate refused"}[k]
}

// classifyErr tells the class of a transport error.
func classifyErr(err error) errClass {
	var dns *net.DNSError
	var cve *tls.CertificateVerificationError
	var rhe tls.RecordHeaderError
	var alert tls.AlertError
	var uae x509.UnknownAuthorityError
	var ne net.Error
	switch {
	case err == nil:
		return classOK
	case strings.Contains(err.Error(), errStrictTLS):
		// not a broken port: a certificate this crawl will not accept,
		// whichever scheme is tried next
		return classCertRefused
	case errors.As(err, &dns):
		if dns.IsTimeout {
			return classTimeout
		}
		return classDNS
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return classRefused
	case errors.As(err, &cve), errors.As(err, &rhe), errors.As(err, &alert), errors.As(err, &uae),
		strings.Contains(err.Error(), "tls: "), strings.Contains(err.Error(), "x509: "),
		strings.Contains(err.Error(), "HTTP response to HTTPS client"), strings.Contains(err.Error(), "TLS handshake timeout"):
		return classHandshake
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return classTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF), strings.Contains(err.Error(), "connection reset"):
		return classReset
	}
	return classOther
}

// classifyStatus tells the class of an HTTP status.
func classifyStatus(status int) errClass {
	switch {
	case status == http.StatusTooManyRequests:
		return classThrottled
	case status >= 500:
		return classServer
	case status >= 400:
		return classClient
	}
	return classOK
}

// Host health: how many consecutive connection failures make a pause, and
// how many pauses before the host is abandoned for the run.
const (
	hostFailLimit = 3
	hostMaxPauses = 1
)

// hostHealth tracks one site's health over a crawl: which schemes fail at
// connect or handshake, consecutive connection failures, and whether the
// host has been abandoned for this run. It belongs to one site's worker.
type hostHealth struct {
	schemeDown  map[string]string // scheme → why it is not used
	consecutive int
	pauses      int
	// abandoned says why the host was given up for this run ("" while
	// it is crawled).
	abandoned string
}

// observe learns from one attempt and returns how long to pause the host
// before the next request (0: no pause). After hostMaxPauses pauses that
// did not help, the host is abandoned.
func (h *hostHealth) observe(k errClass, why string, backoff time.Duration) time.Duration {
	if !k.connection() {
		h.consecutive, h.pauses = 0, 0
		return 0
	}
	h.consecutive++
	if h.consecutive < hostFailLimit {
		return 0
	}
	if h.pauses >= hostMaxPauses {
		h.abandon(fmt.Sprintf("%d consecutive failures, last: %s", h.consecutive, why))
		return 0
	}
	h.pauses++
	return backoff << h.pauses
}

// abandon gives the host up for this run; the first reason stays.
func (h *hostHealth) abandon(why string) {
	if h.abandoned == "" {
		h.abandoned = why
	}
}

// markDown records that scheme failed at connect or handshake and reports
// whether the other scheme may still be tried.
func (h *hostHealth) markDown(scheme, why string) bool {
	if h.schemeDown == nil {
		h.schemeDown = map[string]string{}
	}
	if _, ok := h.schemeDown[scheme]; !ok {
		h.schemeDown[scheme] = why
	}
	_, otherDown := h.schemeDown[otherScheme(scheme)]
	return !otherDown
}

// down reports whether scheme is known not to work on this host.
func (h *hostHealth) down(scheme string) bool {
	_, ok := h.schemeDown[scheme]
	return ok
}
