package extractrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// The cross pass works group by group so that its memory follows the
// largest group, not the archive: a report's cross-year checks read only
// the current report (latest capture of a source URL) of its own agency
// for the year before, so the stored reports linked by a normalised agency
// or a source URL (the closure affectedReports walks) are one group, and a
// group's checks depend on nothing outside it. Only the heads of the
// affected reports (storedHead) are held for the whole pass.

// crossResult is what the cross pass did.
type crossResult struct {
	updated map[string]bool   // the reports stored again (checks changed)
	failed  map[string]int    // failed checks of each parsed report, cross-year ones included
	skipped []archive.Skipped // stored reports that did not decode
}

// crossPass recomputes the cross-year checks of every stored report the
// reports in parsed (stored without them) may change, and stores again the
// reports whose checks changed.
func crossPass(a *archive.Archive, parsed map[string]parsedInfo, workers int) (*crossResult, error) {
	res := &crossResult{updated: map[string]bool{}, failed: map[string]int{}}
	groups, err := crossGroups(a, parsed, res)
	if err != nil {
		return res, err
	}
	for _, g := range groups {
		reps, err := readGroup(a, g, res)
		if err != nil {
			return res, err
		}
		writes, err := groupChecks(reps, parsed, res)
		if err != nil {
			return res, err
		}
		if err := putReports(a, writes, workers, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// crossGroups reads, in one view, the heads of the stored reports the
// reports in parsed may change (affectedReports; every stored report in a
// file without the report index) and returns their capture IDs grouped by
// agency and URL, each group in capture order. A report that does not
// decode is skipped and listed in res.
func crossGroups(a *archive.Archive, parsed map[string]parsedInfo, res *crossResult) ([][]string, error) {
	var heads []storedHead
	visit := func(id string, data []byte) error {
		var h reportHead
		if err := json.Unmarshal(data, &h); err != nil {
			res.skipped = append(res.skipped, skippedReport(a, id, err))
			return nil
		}
		heads = append(heads, storedHead{key: id, agency: h.Agency, url: h.Source.URL})
		return nil
	}
	err := a.View(func(rd *archive.Reader) error {
		want, indexed := affectedReports(rd, parsed)
		if !indexed {
			return rd.EachReport(visit)
		}
		for _, id := range sortedIDs(want) {
			if data, err := rd.Report(id); err == nil {
				if err := visit(id, data); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("extract run: read stored reports in %s: %w", a.Path(), err)
	}
	return groupHeads(heads), nil
}

// groupHeads splits heads (in capture order) into the groups of reports
// linked by a normalised agency or a source URL, each in capture order,
// groups in the order of their first report.
func groupHeads(heads []storedHead) [][]string {
	parent := make([]int, len(heads))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(i, j int) {
		ri, rj := find(i), find(j)
		if ri < rj {
			parent[rj] = ri
		} else if rj < ri {
			parent[ri] = rj
		}
	}
	first := map[string]int{} // "a:"+agency or "u:"+URL → first head with it
	link := func(i int, key string) {
		if j, ok := first[key]; ok {
			union(i, j)
		} else {
			first[key] = i
		}
	}
	for i, h := range heads {
		if h.agency != "" {
			link(i, "a:"+report.NormAgency(h.agency))
		}
		if h.url != "" {
			link(i, "u:"+h.url)
		}
	}
	index := map[int]int{}
	var groups [][]string
	for i, h := range heads {
		r := find(i)
		g, ok := index[r]
		if !ok {
			g = len(groups)
			index[r] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], h.key)
	}
	return groups
}

// storedReport is a report read back from the archive.
type storedReport struct {
	id     string
	rep    *report.Report
	checks []byte // JSON of the stored checks
}

// readGroup reads, in one view, the stored reports ids; one that does not
// decode is skipped and listed in res.
func readGroup(a *archive.Archive, ids []string, res *crossResult) ([]storedReport, error) {
	var out []storedReport
	err := a.View(func(rd *archive.Reader) error {
		for _, id := range ids {
			data, err := rd.Report(id)
			if err != nil {
				return err
			}
			var r report.Report
			if err := json.Unmarshal(data, &r); err != nil {
				res.skipped = append(res.skipped, skippedReport(a, id, err))
				continue
			}
			cj, _ := json.Marshal(r.Checks)
			out = append(out, storedReport{id: id, rep: &r, checks: cj})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("extract run: read stored reports in %s: %w", a.Path(), err)
	}
	return out, nil
}

// reportWrite is a report to store again.
type reportWrite struct {
	id   string
	data []byte
}

// groupChecks recomputes the cross-year checks of one group's reports and
// returns the ones whose checks changed, encoded; it records the failed
// checks of the parsed ones in res.
func groupChecks(all []storedReport, parsed map[string]parsedInfo, res *crossResult) ([]reportWrite, error) {
	reps := make([]*report.Report, len(all))
	for i, s := range all {
		reps[i] = s.rep
	}
	prevOf := yearIndex(Current(reps))
	var writes []reportWrite
	for _, s := range all {
		r := s.rep
		checks := r.Checks[:0:0]
		for _, c := range r.Checks {
			if !strings.HasPrefix(c.Rule, "cross.") {
				checks = append(checks, c)
			}
		}
		if prev := prevOf[yearKey{report.NormAgency(r.Agency), r.Year - 1}]; prev != nil && r.Agency != "" && r.Year > 0 {
			checks = append(checks, report.CrossCheck(prev, r)...)
		}
		report.Localize(checks)
		r.Checks = checks
		if _, ok := parsed[s.id]; ok {
			res.failed[s.id] = r.FailedChecks()
		}
		cj, _ := json.Marshal(r.Checks)
		if bytes.Equal(cj, s.checks) {
			continue
		}
		data, err := report.MarshalReportCompact(r)
		if err != nil {
			return nil, fmt.Errorf("extract run: encode report of capture %s: %w", s.id, err)
		}
		writes = append(writes, reportWrite{s.id, data})
	}
	return writes, nil
}

// putReports stores writes, workers at a time (PutReport batches
// concurrent writers into one transaction), and records them in res.
func putReports(a *archive.Archive, writes []reportWrite, workers int, res *crossResult) error {
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(workers, 1))
	for i, w := range writes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = a.PutReport(w.id, w.data)
		}()
	}
	wg.Wait()
	for i, w := range writes {
		if errs[i] != nil {
			return fmt.Errorf("extract run: %w", errs[i])
		}
		res.updated[w.id] = true
	}
	return nil
}

// readBack calls fn with the stored report of each of ids, in order (the
// reports a run parsed, with their cross-year checks).
func readBack(a *archive.Archive, ids []string, fn func(*report.Report)) error {
	err := a.View(func(rd *archive.Reader) error {
		for _, id := range ids {
			data, err := rd.Report(id)
			if err != nil {
				return err
			}
			var r report.Report
			if err := json.Unmarshal(data, &r); err != nil {
				return fmt.Errorf("report of capture %s: %w", id, err)
			}
			fn(&r)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("extract run: read back the reports parsed: %w", err)
	}
	return nil
}
