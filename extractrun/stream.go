package extractrun

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// storedHead is what EachReport keeps of a stored report between its two
// passes: the key it is stored under and the fields that select and order it.
type storedHead struct {
	key       string // the capture ID the report is stored under
	agency    string
	year      int
	url       string
	captureID string // Source.CaptureID, the key when the report names none
}

// EachReport calls fn with the reports stored in a, selected and ordered as
// LoadReports returns them (with all, every stored report; otherwise the
// latest capture's report of each URL; by agency, year, URL and capture),
// decoding them one at a time in one view of the archive: it holds a few
// fields per stored report (storedHead), never the reports, so its memory
// does not grow with the size of the reports stored. A first pass decodes
// only the fields that select and order the reports (reportHead), a second
// one each report fn gets. A stored value that does not decode is skipped
// with a warning naming its capture; one that is JSON of the wrong shape
// outside those fields is skipped only by the second pass, after it was
// selected (LoadReports would give the URL's previous report instead). It
// returns how many reports fn was called with.
func EachReport(a *archive.Archive, all bool, fn func(*report.Report) error) (int, error) {
	n := 0
	err := a.View(func(rd *archive.Reader) error {
		heads, err := storedHeads(a, rd)
		if err != nil {
			return err
		}
		if !all {
			heads = currentHeads(heads)
		}
		sortHeads(heads)
		for _, h := range heads {
			data, err := rd.Report(h.key)
			if err != nil {
				return err
			}
			var r report.Report
			if err := json.Unmarshal(data, &r); err != nil {
				skippedReport(a, h.key, err)
				continue
			}
			if r.Source.CaptureID == "" {
				r.Source.CaptureID = h.key
			}
			if err := fn(&r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("read reports from %s: %w", a.Path(), err)
	}
	return n, nil
}

// reportHead is the part of a stored report.Report storedHeads decodes.
type reportHead struct {
	Source struct {
		URL       string `json:"url"`
		CaptureID string `json:"capture_id"`
	} `json:"source"`
	Agency string `json:"agency"`
	Year   int    `json:"year"`
}

// storedHeads decodes the head of every stored report of rd and keeps its head, in key
// order; a report that does not decode is skipped with a warning.
func storedHeads(a *archive.Archive, rd *archive.Reader) ([]storedHead, error) {
	var heads []storedHead
	err := rd.EachReport(func(id string, data []byte) error {
		var r reportHead
		if err := json.Unmarshal(data, &r); err != nil {
			skippedReport(a, id, err)
			return nil
		}
		h := storedHead{key: id, agency: r.Agency, year: r.Year, url: r.Source.URL, captureID: r.Source.CaptureID}
		if h.captureID == "" {
			h.captureID = id
		}
		heads = append(heads, h)
		return nil
	})
	return heads, err
}

// currentHeads keeps, as Current does, the head of the latest capture of
// each source URL, and every head without a URL.
func currentHeads(heads []storedHead) []storedHead {
	latest := map[string]int{}
	var out []storedHead
	for i, h := range heads {
		if h.url == "" {
			out = append(out, h)
			continue
		}
		if j, ok := latest[h.url]; !ok || idLess(heads[j].captureID, h.captureID) {
			latest[h.url] = i
		}
	}
	for _, i := range latest {
		out = append(out, heads[i])
	}
	return out
}

// sortHeads orders heads as SortReports orders reports.
func sortHeads(heads []storedHead) {
	slices.SortStableFunc(heads, func(a, b storedHead) int {
		switch {
		case a.agency != b.agency:
			return cmp.Compare(a.agency, b.agency)
		case a.year != b.year:
			return a.year - b.year
		case a.url != b.url:
			return cmp.Compare(a.url, b.url)
		case idLess(a.captureID, b.captureID):
			return -1
		case idLess(b.captureID, a.captureID):
			return 1
		}
		return 0
	})
}
