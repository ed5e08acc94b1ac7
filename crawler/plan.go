package crawler

import (
	"fmt"
	"net/url"
	"time"

	"github.com/nianbao/nianbao/seeds"
)

// planSites groups the agencies by the authority of their seed URL (the
// http and https seeds of one authority are one site) and resets the
// run's counters.
func (c *Crawler) planSites(agencies []seeds.Agency) ([]*site, map[string]*site, error) {
	var sites []*site
	index := map[string]*site{}
	byAgency := map[string]*AgencySummary{}
	for _, ag := range agencies {
		u, err := url.Parse(ag.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			return nil, nil, fmt.Errorf("crawl: seed %q of %s is not an http(s) URL", ag.URL, ag.Name)
		}
		n, ok := normalize(u, ag.URL)
		if !ok {
			return nil, nil, fmt.Errorf("crawl: seed %q of %s is not an http(s) URL", ag.URL, ag.Name)
		}
		key := authority(n)
		s := index[key]
		if s == nil {
			s = newSite(key, n.Scheme)
			index[key] = s
			sites = append(sites, s)
		}
		s.seeds = append(s.seeds, ag)
		s.scope.seeds[n.String()] = true
		if byAgency[agencyKey(key, ag.Name)] == nil {
			byAgency[agencyKey(key, ag.Name)] = &AgencySummary{Agency: ag.Name, Host: key}
		}
	}
	c.mu.Lock()
	c.stats = Stats{}
	c.sum = Summary{}
	c.sites = index
	c.byAgency = byAgency
	c.years = map[string]map[int]bool{}
	c.started = time.Now()
	c.mu.Unlock()
	return sites, index, nil
}
