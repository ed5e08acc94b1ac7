package crawler

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/seeds"
)

// testCA is a certificate authority of its own: a root, an intermediate
// signed by it, and leaves signed by the intermediate.
type testCA struct {
	root, inter       *x509.Certificate
	rootKey, interKey *ecdsa.PrivateKey
}

var serial atomic.Int64

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t *testing.T, tmpl, parent *x509.Certificate, pub any, key *ecdsa.PrivateKey) *x509.Certificate {
	tmpl.SerialNumber = big.NewInt(serial.Add(1))
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newTestCA(t *testing.T, name string) *testCA {
	ca := &testCA{rootKey: newKey(t), interKey: newKey(t)}
	now := time.Now()
	rootT := &x509.Certificate{Subject: pkix.Name{CommonName: name + " Root"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	ca.root = sign(t, rootT, rootT, &ca.rootKey.PublicKey, ca.rootKey)
	interT := &x509.Certificate{Subject: pkix.Name{CommonName: name + " Intermediate"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	ca.inter = sign(t, interT, ca.root, &ca.interKey.PublicKey, ca.rootKey)
	return ca
}

// leaf returns a server certificate for names (and 127.0.0.1), with the
// intermediate in its chain when complete, its AIA caIssuers URL set to
// aia, valid until notAfter.
func (ca *testCA) leaf(t *testing.T, names []string, complete bool, aia string, notAfter time.Time) tls.Certificate {
	key := newKey(t)
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: names[0]}, DNSNames: names, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: notAfter.Add(-48 * time.Hour), NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if aia != "" {
		tmpl.IssuingCertificateURL = []string{aia}
	}
	c := sign(t, tmpl, ca.inter, &key.PublicKey, ca.interKey)
	chain := [][]byte{c.Raw}
	if complete {
		chain = append(chain, ca.inter.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: c}
}

// writeRoots writes the roots as a PEM file for SSL_CERT_FILE.
func writeRoots(t *testing.T, roots ...*x509.Certificate) string {
	var b strings.Builder
	for _, r := range roots {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Raw}))
	}
	p := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tlsWorld serves one report site per host name over https, each with
// its own certificate (picked by SNI): a complete chain, an incomplete
// chain whose intermediate is at its AIA URL, an expired certificate, a
// certificate of an unknown CA. moved.test.gov.cn answers http by
// redirecting to https. The AIA server counts its downloads.
type tlsWorld struct {
	resolve  map[string]string
	aiaHits  *atomic.Int32
	site     *webSite
	hostsBad []string
}

func newTLSWorld(t *testing.T) *tlsWorld {
	ca, other := newTestCA(t, "Nianbao Test"), newTestCA(t, "Unknown")
	t.Setenv("SSL_CERT_FILE", writeRoots(t, ca.root))
	hits := &atomic.Int32{}
	aia := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(ca.inter.Raw) // DER, as CAs publish it
	}))
	t.Cleanup(aia.Close)
	valid := time.Now().Add(12 * time.Hour)
	certs := map[string]tls.Certificate{
		"full.test.gov.cn":    ca.leaf(t, []string{"full.test.gov.cn"}, true, "", valid),
		"partial.test.gov.cn": ca.leaf(t, []string{"partial.test.gov.cn"}, false, "http://aia.test.gov.cn/inter.crt", valid),
		"expired.test.gov.cn": ca.leaf(t, []string{"expired.test.gov.cn"}, true, "", time.Now().Add(-time.Hour)),
		"unknown.test.gov.cn": other.leaf(t, []string{"unknown.test.gov.cn"}, true, "", valid),
		"moved.test.gov.cn":   ca.leaf(t, []string{"moved.test.gov.cn"}, false, "http://aia.test.gov.cn/inter.crt", valid),
	}
	s := newWebSite()
	s.page("/", "测试局", `<a href="/nb/">政府信息公开年报</a>`)
	s.page("/nb/", "政府信息公开年报", `<a href="{origin}/nb/2023.html">2023年政府信息公开工作年度报告</a> <a href="/nb/2022.html">2022年政府信息公开工作年度报告</a>`)
	s.page("/nb/2023.html", "测试局2023年政府信息公开工作年度报告", `<h1>测试局2023年政府信息公开工作年度报告</h1>`)
	s.page("/nb/2022.html", "测试局2022年政府信息公开工作年度报告", `<h1>测试局2022年政府信息公开工作年度报告</h1>`)
	srv := httptest.NewUnstartedServer(s)
	srv.TLS = &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c := certs[h.ServerName]
		return &c, nil
	}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusMovedPermanently)
	}))
	t.Cleanup(redirect.Close)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closed.Close()
	addr := strings.TrimPrefix(srv.URL, "https://")
	w := &tlsWorld{site: s, aiaHits: hits, resolve: map[string]string{"aia.test.gov.cn": strings.TrimPrefix(aia.URL, "http://"),
		"moved.test.gov.cn:80": strings.TrimPrefix(redirect.URL, "http://")}, hostsBad: []string{"expired.test.gov.cn", "unknown.test.gov.cn"}}
	for name := range certs {
		w.resolve[name+":443"] = addr
		if name != "moved.test.gov.cn" {
			w.resolve[name+":80"] = closed.Addr().String() // no http twin
		}
	}
	return w
}

// TestTLSAsSitesServeIt: a complete chain verifies; an incomplete one is
// completed through AIA (downloaded once); an expired certificate and one
// of an unknown CA are archived and marked; -strict-tls refuses those two
// and archives nothing from them. A seed that moves from http to https
// adopts the https scheme.
func TestTLSAsSitesServeIt(t *testing.T) {
	w := newTLSWorld(t)
	hosts := []string{"full.test.gov.cn", "partial.test.gov.cn", "expired.test.gov.cn", "unknown.test.gov.cn"}
	var ags []agencySeed
	for _, h := range hosts {
		ags = append(ags, agencySeed{"https://" + h + "/", h})
	}
	ags = append(ags, agencySeed{"http://moved.test.gov.cn/", "moved"})
	for _, strict := range []bool{false, true} {
		cfg := quickConfig()
		cfg.Resolve = w.resolve
		cfg.StrictTLS = strict
		cfg.Parallel = 1 // the AIA download count is then deterministic
		w.aiaHits.Store(0)
		a, sum := crawlOnce(t, cfg, seedsOf(ags)...)
		wantErr := map[string]string{"expired.test.gov.cn": "expired", "unknown.test.gov.cn": "unknown authority"}
		for _, h := range hosts {
			caps, _ := a.ByURL("https://" + h + "/nb/2023.html")
			bad := wantErr[h] != ""
			switch {
			case strict && bad:
				if len(caps) != 0 {
					t.Errorf("strict: %s fetched: %+v", h, caps)
				}
				seed, _ := a.ByURL("https://" + h + "/")
				if len(seed) != 1 || !strings.Contains(seed[0].Error, "-strict-tls") || !strings.Contains(seed[0].Error, wantErr[h]) {
					t.Errorf("strict: seed of %s: %+v", h, seed)
				}
			case len(caps) != 1 || caps[0].Error != "" || caps[0].TLSVerified == nil:
				t.Errorf("strict %v: %s: %+v", strict, h, caps)
			case *caps[0].TLSVerified == bad || !strings.Contains(caps[0].TLSError, wantErr[h]) || (!bad && caps[0].TLSError != ""):
				t.Errorf("strict %v: %s: tls_verified %v tls_error %q", strict, h, *caps[0].TLSVerified, caps[0].TLSError)
			}
		}
		if n := w.aiaHits.Load(); n != 1 {
			t.Errorf("strict %v: AIA intermediate downloaded %d times, want once", strict, n)
		}
		moved, _ := a.ByURL("http://moved.test.gov.cn/")
		if len(moved) != 1 || moved[0].SeedMovedTo != "https://moved.test.gov.cn/" {
			t.Errorf("moved seed: %+v", moved)
		}
		for _, p := range []string{"/nb/2023.html", "/nb/2022.html"} {
			if caps, _ := a.ByURL("https://moved.test.gov.cn" + p); len(caps) != 1 || caps[0].Role != archive.RoleReport {
				t.Errorf("moved site %s: %+v", p, caps)
			}
		}
		for _, hs := range sum.Hosts {
			if hs.Host == "moved.test.gov.cn" && hs.MovedTo != "https://moved.test.gov.cn/" {
				t.Errorf("moved host summary %+v", hs)
			}
			if strict && (hs.Host == "expired.test.gov.cn" || hs.Host == "unknown.test.gov.cn") && hs.Archived != 0 {
				t.Errorf("strict: archived %d from %s", hs.Archived, hs.Host)
			}
		}
	}
}

type agencySeed struct{ url, name string }

func seedsOf(list []agencySeed) []seeds.Agency {
	out := make([]seeds.Agency, len(list))
	for i, s := range list {
		out[i] = agency(s.url, s.name)
	}
	return out
}
