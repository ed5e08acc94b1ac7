package crawler

import (
	"net"
	"net/url"
	"strings"
)

// An authority is what a site is keyed by: the host and port of a URL with
// the scheme's default port dropped ("www.example.gov.cn",
// "www.example.gov.cn:8080", "127.0.0.1:41234"). The http and https forms
// of one authority are one site: http://h/ and https://h/ both have the
// authority "h". Scope, politeness, the frontier and the summary key on it;
// robots.txt keys on the origin (scheme, host and port: RFC 9309 §2.3).

// defaultPort is the port a scheme uses when a URL names none.
func defaultPort(scheme string) string {
	switch scheme {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// authority returns u's authority: lower-case host, and its port unless it
// is the scheme's default.
func authority(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == defaultPort(strings.ToLower(u.Scheme)) {
		port = ""
	}
	if port == "" {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// origin returns the scheme://host[:port] of u, the unit robots.txt
// applies to.
func origin(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + authority(u)
}

// authorityOf returns the authority of rawURL, or "" when it does not
// parse.
func authorityOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return authority(u)
}

// splitAuthority splits an authority into its host and port ("" when the
// port is a default one).
func splitAuthority(a string) (host, port string) {
	if h, p, err := net.SplitHostPort(a); err == nil {
		return h, p
	}
	return strings.Trim(a, "[]"), ""
}

// twins reports whether authorities a and b differ only by a leading
// "www." on one of them (www.example.gov.cn and example.gov.cn, same
// port): a seed redirecting to its twin has moved, not left.
func twins(a, b string) bool {
	ha, pa := splitAuthority(a)
	hb, pb := splitAuthority(b)
	if pa != pb || ha == hb || net.ParseIP(ha) != nil || net.ParseIP(hb) != nil {
		return false
	}
	return "www."+ha == hb || "www."+hb == ha
}

// withScheme returns rawURL with its scheme replaced by scheme, dropping a
// port that was the old scheme's default (http://h:80/x → https://h/x).
func withScheme(u *url.URL, scheme string) *url.URL {
	if u.Scheme == scheme {
		return u
	}
	v := *u
	if u.Port() == defaultPort(u.Scheme) {
		v.Host = u.Hostname()
		if strings.Contains(v.Host, ":") {
			v.Host = "[" + v.Host + "]"
		}
	}
	v.Scheme = scheme
	return &v
}

// otherScheme is https for http and http for https.
func otherScheme(s string) string {
	if s == "https" {
		return "http"
	}
	return "https"
}

// scope is the set of authorities a site may fetch from: the seeds' own,
// and the twin a seed moved to. Its scheme is the one URLs are fetched
// with (the seeds', the one a seed moved to, or the one that works when
// the other fails at connect or handshake). A scope belongs to one site's
// worker; only that goroutine changes it.
type scope struct {
	key    string          // the frontier key: the first seed's authority
	auths  map[string]bool // authorities in scope
	seeds  map[string]bool // seed URLs, as normalised
	scheme string
	// movedTo is the URL a seed redirected to when it moved to its twin
	// or the other scheme ("" when no seed moved).
	movedTo string
}

func newScope(key, scheme string) *scope {
	return &scope{key: key, auths: map[string]bool{key: true}, seeds: map[string]bool{}, scheme: scheme}
}

// contains reports whether u is an http(s) URL on one of the scope's
// authorities.
func (s *scope) contains(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && s.auths[authority(u)]
}

// adopt takes target as the new home of the seed that redirected there
// when it is the seed's twin or the same authority under the other scheme,
// and reports whether it did.
func (s *scope) adopt(from string, target *url.URL) bool {
	if !s.seeds[from] || (target.Scheme != "http" && target.Scheme != "https") {
		return false
	}
	fu, err := url.Parse(from)
	if err != nil {
		return false
	}
	ta := authority(target)
	switch {
	case ta == authority(fu) && target.Scheme != fu.Scheme:
	case twins(authority(fu), ta):
		s.auths[ta] = true
	default:
		return false
	}
	s.scheme = target.Scheme
	if s.movedTo == "" {
		s.movedTo = target.String()
	}
	return true
}

// inScope reports whether u is in the scope of the site whose frontier key
// is key (a site not crawled by this Run: its authority alone).
func (c *Crawler) inScope(u *url.URL, key string) bool {
	if s := c.siteOf(key); s != nil {
		return s.scope.contains(u)
	}
	return inScope(u, key)
}

// siteOf returns the site whose frontier key is key, or nil.
func (c *Crawler) siteOf(key string) *site {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sites[key]
}

// resumeScope restores, for a resumed crawl, where the site's seeds moved
// before the interruption (recorded in their captures).
func (c *Crawler) resumeScope(s *site) {
	for seed := range s.scope.seeds {
		caps, err := c.a.ByURL(seed)
		if err != nil || len(caps) == 0 {
			continue
		}
		if m := caps[len(caps)-1].SeedMovedTo; m != "" {
			if u, err := url.Parse(m); err == nil {
				s.scope.adopt(seed, u)
			}
		}
	}
}

// Authority returns the site key of rawURL (its authority, as Run groups
// seeds into sites), or "" when it does not parse. Package cluster keys
// its jobs by it.
func Authority(rawURL string) string { return authorityOf(rawURL) }

// Twins reports whether authorities a and b differ only by a leading
// "www." on one of them: a seed may move to its twin, so a site's
// captures can carry either.
func Twins(a, b string) bool { return twins(a, b) }
