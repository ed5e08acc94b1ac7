package crawler

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/nianbao/nianbao/archive"
)

// What happened, per host: the summary and the progress line group a
// host's failures by reason (robots.txt unreachable: no such host ×5), say
// where a seed moved and why a host was abandoned, and a host from which
// nothing was archived is named with the reasons.

// ReasonCount is how many failures of a host had one reason.
type ReasonCount struct {
	Reason string
	Count  int
}

// String formats the count the way the summary prints it.
func (r ReasonCount) String() string { return fmt.Sprintf("%s ×%d", r.Reason, r.Count) }

// HostSummary is one site's part of a crawl.
type HostSummary struct {
	// Host is the site's authority (host, or host:port).
	Host string
	// Agencies are the agencies seeded on it.
	Agencies []string
	// MovedTo is where a seed moved (its www./bare twin or the other
	// scheme), "" when none did.
	MovedTo string
	// Abandoned says why the host was given up for this run, if it was.
	Abandoned string
	// Archived counts successful captures (new or revisits) this run.
	Archived int
	Errors   int
	// Reasons groups the errors by reason, most frequent first.
	Reasons []ReasonCount
}

// hostReport accumulates a HostSummary; guarded by Crawler.mu.
type hostReport struct {
	archived, errors int
	reasons          map[string]int
}

func (r *hostReport) noteError(msg string) {
	r.errors++
	if r.reasons == nil {
		r.reasons = map[string]int{}
	}
	r.reasons[errorReason(msg)]++
}

// sorted returns the reasons, most frequent first.
func (r *hostReport) sorted() []ReasonCount {
	out := make([]ReasonCount, 0, len(r.reasons))
	for k, n := range r.reasons {
		out = append(out, ReasonCount{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

// JoinReasons formats reasons as "a ×2, b ×1".
func JoinReasons(rs []ReasonCount) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

// errorReason reduces a capture error to its reason, without the URL or
// address that differs between captures.
func errorReason(msg string) string {
	switch {
	case strings.HasPrefix(msg, "robots.txt unreachable"):
		return "robots.txt unreachable: " + cause(strings.TrimPrefix(msg, "robots.txt unreachable"))
	case strings.HasPrefix(msg, "robots.txt disallows"):
		return "robots.txt disallows"
	case strings.Contains(msg, "refused: off scope"):
		return "redirect off scope"
	case strings.Contains(msg, "refused: robots.txt"):
		return "redirect disallowed by robots.txt"
	case strings.HasPrefix(msg, "HTTP "):
		m, _, _ := strings.Cut(msg, " (")
		return m
	case strings.Contains(msg, "body exceeds"):
		return "body too large"
	case strings.HasPrefix(msg, "binary payload"):
		return "binary payload"
	case strings.HasPrefix(msg, "stopped after"):
		return "too many redirects"
	}
	return cause(msg)
}

// cause names the network cause of an error message.
func cause(msg string) string {
	low := strings.ToLower(msg)
	for _, c := range []struct{ sub, reason string }{
		{"no such host", "no such host"},
		{"server misbehaving", "DNS failure"},
		{"connection refused", "connection refused"},
		{"-strict-tls", "TLS certificate refused (-strict-tls)"},
		{"tls:", "TLS handshake failure"},
		{"x509:", "TLS handshake failure"},
		{"handshake", "TLS handshake failure"},
		{"timeout", "timeout"},
		{"deadline exceeded", "timeout"},
		{"connection reset", "connection reset"},
		{"eof", "connection closed"},
		{"no route to host", "host unreachable"},
		{"network is unreachable", "network unreachable"},
	} {
		if strings.Contains(low, c.sub) {
			return c.reason
		}
	}
	msg = strings.Trim(strings.TrimSpace(msg), "()")
	if r := []rune(msg); len(r) > 80 {
		msg = string(r[:80]) + "…"
	}
	return msg
}

// topErrors formats the most frequent failure reasons over all hosts,
// "host: reason ×n", at most n of them; guarded by Crawler.mu.
func (c *Crawler) topErrorsLocked(n int) []string {
	type hr struct {
		host string
		ReasonCount
	}
	var all []hr
	for key, s := range c.sites {
		for _, r := range s.report.sorted() {
			all = append(all, hr{key, r})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Count != all[j].Count {
			return all[i].Count > all[j].Count
		}
		return all[i].host+all[i].Reason < all[j].host+all[j].Reason
	})
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].host+": "+all[i].ReasonCount.String())
	}
	return out
}

// noteResumedYears notes the report years of the pages an interrupted run
// of the current crawl of the resumed hosts already archived: the resumed
// frontier never visits them again, so the counters of this run would
// miss them. It reads those hosts' visited sets and the captures they
// name (the crawl in progress), never the archive's history.
func (c *Crawler) noteResumedYears(resumed []string, index map[string]*site) error {
	return c.a.View(func(r *archive.Reader) error {
		for _, host := range resumed {
			s := index[host]
			if s == nil {
				continue
			}
			err := r.EachVisited(host, func(u string) error {
				st, found, err := r.URLState(u)
				if err != nil || !found || st.LastCaptureID == "" ||
					(st.Role != archive.RoleReport && st.Role != archive.RoleAttachment) {
					return err
				}
				capt, err := r.Get(st.LastCaptureID)
				if err != nil {
					return err
				}
				k := agencyKey(host, capt.Agency)
				if capt.Error == "" && capt.Status == 200 && capturedOn(capt.URL, s) && c.byAgency[k] != nil {
					c.mu.Lock()
					c.noteYearLocked(k, capt.Role, capt.Title)
					c.mu.Unlock()
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("summary of resumed %s: %w", host, err)
			}
		}
		return nil
	})
}

// summarize builds the Summary of a Run over sites from the counters the
// run kept (put and noteReport): the years of the reports it archived or
// found archived, and those of a resumed crawl's earlier part
// (noteResumedYears). It loads nothing from the archive.
func (c *Crawler) summarize(sites []*site) Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := c.sum
	sum.New = append([]string(nil), c.sum.New...)
	sum.NewURLs = append([]string(nil), c.sum.NewURLs...)
	for _, s := range sites {
		hs := HostSummary{Host: s.host, MovedTo: s.scope.movedTo, Abandoned: s.health.abandoned,
			Archived: s.report.archived, Errors: s.report.errors, Reasons: s.report.sorted()}
		for _, ag := range s.seeds {
			k := agencyKey(s.host, ag.Name)
			if slices.Contains(hs.Agencies, ag.Name) {
				continue
			}
			hs.Agencies = append(hs.Agencies, ag.Name)
			as := *c.byAgency[k]
			as.MovedTo = s.scope.movedTo
			for y := range c.years[k] {
				as.Years = append(as.Years, y)
			}
			sort.Ints(as.Years)
			sum.Agencies = append(sum.Agencies, as)
		}
		sum.Hosts = append(sum.Hosts, hs)
		if hs.Archived == 0 {
			why := JoinReasons(hs.Reasons)
			if hs.Abandoned != "" {
				why = "abandoned: " + hs.Abandoned + "; " + why
			}
			c.log.Warn("nothing archived from host", "host", s.host, "why", why)
		}
	}
	return sum
}
