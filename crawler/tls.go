package crawler

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"
)

// TLS as government sites serve it: many send an incomplete chain (the
// intermediate missing) or an expired certificate. A certificate is
// verified against the system roots (or SSL_CERT_FILE); when the issuer is
// unknown, the missing intermediates are fetched from the certificate's
// AIA caIssuers URL, as browsers do, and the chain is verified again. When
// it still fails the response is archived anyway and the capture marked
// (tls_verified false, tls_error the reason), unless Config.StrictTLS,
// which refuses the handshake.

// errStrictTLS names a certificate refused because of Config.StrictTLS.
const errStrictTLS = "certificate refused (-strict-tls)"

// tlsResult is the outcome of verifying one server's certificate.
type tlsResult struct {
	verified bool
	err      string // why verification failed ("" when verified)
}

// tlsVerifier verifies server certificates, completing chains through
// AIA. Results are memoised per certificate and name, AIA downloads per
// URL. It is safe for concurrent use.
type tlsVerifier struct {
	roots  *x509.CertPool
	strict bool
	client *http.Client // fetches AIA issuers
	log    *slog.Logger

	mu      sync.Mutex
	aia     map[string][]*x509.Certificate // AIA URL → certificates (nil: failed)
	results map[string]tlsResult
}

// loadRoots returns the trusted roots: the certificates of SSL_CERT_FILE
// when it is set (as OpenSSL and Go read it, instead of the system file),
// else the system pool.
func loadRoots() (*x509.CertPool, error) {
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		pemData, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read SSL_CERT_FILE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("SSL_CERT_FILE %s holds no PEM certificate", f)
		}
		return pool, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		return x509.NewCertPool(), nil
	}
	return pool, nil
}

// config returns the client TLS configuration: the standard verification
// is replaced by verifyConn, which accepts what it cannot verify unless
// strict.
func (v *tlsVerifier) config() *tls.Config {
	return &tls.Config{
		InsecureSkipVerify: true, // verification is VerifyConnection's
		VerifyConnection: func(cs tls.ConnectionState) error {
			r := v.verify(cs)
			if !r.verified && v.strict {
				return fmt.Errorf("tls: %s: %s", errStrictTLS, r.err)
			}
			return nil
		},
	}
}

// verify verifies the peer chain of cs for its server name.
func (v *tlsVerifier) verify(cs tls.ConnectionState) tlsResult {
	if len(cs.PeerCertificates) == 0 {
		return tlsResult{err: "server sent no certificate"}
	}
	leaf := cs.PeerCertificates[0]
	sum := sha256.Sum256(leaf.Raw)
	key := string(sum[:]) + cs.ServerName
	v.mu.Lock()
	r, ok := v.results[key]
	v.mu.Unlock()
	if ok {
		return r
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{DNSName: cs.ServerName, Roots: v.roots, Intermediates: inter}
	_, err := leaf.Verify(opts)
	if _, unknown := err.(x509.UnknownAuthorityError); unknown {
		if v.completeChain(leaf, inter) {
			if _, err = leaf.Verify(opts); err == nil {
				v.log.Debug("certificate chain completed through AIA", "server", cs.ServerName)
			}
		}
	}
	r = tlsResult{verified: err == nil}
	if err != nil {
		r.err = err.Error()
	}
	v.mu.Lock()
	v.results[key] = r
	v.mu.Unlock()
	return r
}

// completeChain adds to inter the issuers named by the AIA caIssuers URLs
// of leaf and, up to three levels, of the issuers found; it reports
// whether any was found.
func (v *tlsVerifier) completeChain(leaf *x509.Certificate, inter *x509.CertPool) bool {
	found := false
	next := []*x509.Certificate{leaf}
	for depth := 0; depth < 3 && len(next) > 0; depth++ {
		var issuers []*x509.Certificate
		for _, c := range next {
			for _, u := range c.IssuingCertificateURL {
				for _, is := range v.issuers(u) {
					inter.AddCert(is)
					issuers = append(issuers, is)
					found = true
				}
			}
		}
		next = issuers
	}
	return found
}

// issuers downloads the certificates at an AIA caIssuers URL (DER, PEM,
// or several PEM blocks), once per URL.
func (v *tlsVerifier) issuers(u string) []*x509.Certificate {
	v.mu.Lock()
	certs, ok := v.aia[u]
	v.mu.Unlock()
	if ok {
		return certs
	}
	certs, err := v.download(u)
	if err != nil {
		v.log.Debug("AIA issuer not fetched", "url", u, "error", err)
	}
	v.mu.Lock()
	v.aia[u] = certs
	v.mu.Unlock()
	return certs
}

func (v *tlsVerifier) download(u string) ([]*x509.Certificate, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("AIA request %s: %w", u, err)
	}
	req.Header.Set("User-Agent", UserAgent)
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("AIA fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("AIA fetch %s: HTTP %d", u, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
	if err != nil {
		return nil, fmt.Errorf("AIA read %s: %w", u, err)
	}
	return parseCerts(data)
}

// parseCerts reads DER or PEM certificates.
func parseCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	certs, err := x509.ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("parse AIA certificate: %w", err)
	}
	return certs, nil
}
