package crawler

import (
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/nianbao/nianbao/archive"
)

// Canonicalisation merges the URLs that name one page before the visited
// check, so the page is fetched once: normalize (links.go) already drops
// fragments, session parameters, default ports and letter case; here a
// link to the other scheme of the site's authority takes the site's scheme,
// and once the server has shown a directory and its index document to be
// the same page (identical bytes for /x/ and /x/index.html), every
// /y/index.html of the site is read as /y/. The capture keeps the URL as
// it was fetched.

// reIndexName matches the default documents servers answer a directory
// with.
var reIndexName = regexp.MustCompile(`(?i)^(index|default)\.(s?html?|jsp|aspx?|php)$`)

// canonicalizer learns a site's index document from what it serves. It
// belongs to one site's worker.
type canonicalizer struct {
	// index is the default document name shown identical to its
	// directory ("index.html"); "" until seen.
	index string
	// seen maps authority+directory to the form ("" for the directory,
	// else the index name) and digest fetched there this run.
	seen map[string][2]string
}

// learn notes the digest of the page fetched at u.
func (cz *canonicalizer) learn(u *url.URL, digest string) {
	if u.RawQuery != "" || digest == "" || cz.index != "" {
		return
	}
	dir, name := path.Split(u.Path)
	if name != "" && !reIndexName.MatchString(name) {
		return
	}
	if cz.seen == nil {
		cz.seen = map[string][2]string{}
	}
	key := authority(u) + dir
	prev, ok := cz.seen[key]
	if !ok {
		cz.seen[key] = [2]string{name, digest}
		return
	}
	if prev[0] != name && prev[1] == digest {
		cz.index = name + prev[0] // one of them is ""
	}
}

// canonical returns the form of u the frontier knows it by.
func (cz *canonicalizer) canonical(sc *scope, u *url.URL) *url.URL {
	if !sc.contains(u) {
		return u
	}
	v := withScheme(u, sc.scheme)
	if cz.index != "" && v.RawQuery == "" && path.Base(v.Path) == cz.index && strings.HasSuffix(v.Path, "/"+cz.index) {
		w := *v
		w.Path = strings.TrimSuffix(v.Path, cz.index)
		w.RawPath = ""
		return &w
	}
	return v
}

// canonical returns the form of u the frontier of the site keyed key
// knows it by (u itself for a site not crawled by this Run).
func (c *Crawler) canonical(key string, u *url.URL) *url.URL {
	s := c.siteOf(key)
	if s == nil {
		return u
	}
	return s.canon.canonical(s.scope, u)
}

// indexTwin returns, for an item queued as /y/index.html before the site
// showed its index document to be its directory, the item of /y/ in its
// place (claimed already or now); nil when u is its own canonical form.
func (c *Crawler) indexTwin(it *archive.FrontierItem, u *url.URL) []*archive.FrontierItem {
	cu := c.canonical(it.Host, u)
	if cu.Path == u.Path {
		return nil
	}
	twin := *it
	twin.URL = cu.String()
	return []*archive.FrontierItem{&twin}
}
