package extractrun

import (
	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// adoptLandingCapture gives the report of an attachment capture what its
// landing page says (AdoptLanding): the page is the latest readable
// capture of the URL the crawler found the attachment on
// (Capture.DiscoveredFrom), when that page is a landing page. A page that
// cannot be read or is not a landing page changes nothing.
func adoptLandingCapture(a *archive.Archive, c *archive.Capture, r *report.Report) bool {
	if c.Role != archive.RoleAttachment || c.DiscoveredFrom == "" {
		return false
	}
	caps, err := a.ByURL(c.DiscoveredFrom)
	if err != nil {
		return false
	}
	for i := len(caps) - 1; i >= 0; i-- {
		p := caps[i]
		if p.Digest == "" || p.Error != "" || p.Truncated || p.Status != 200 {
			continue
		}
		body, err := a.BodyByDigest(p.Digest)
		if err != nil {
			return false
		}
		l, err := extract.ReadLanding(p.URL, body, contentType(p))
		if err != nil {
			return false
		}
		return extract.AdoptLanding(r, l)
	}
	return false
}
