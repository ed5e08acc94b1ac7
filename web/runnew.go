package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/nianbao/nianbao/archive"
)

// Paging of a run's new URLs (/api/runs/{id}/new).
const (
	newPageDefault = maxNew // items of a page when limit is not given
	newPageMax     = 1000   // most items a page gives
)

// RunNewPage is one page of a run's Run.New URLs, each described by its
// latest capture as the dashboard's New is (the answer of
// /api/runs/{id}/new).
type RunNewPage struct {
	RunID string `json:"run_id"`
	// Total is how many URLs the run listed; Offset and Limit are the
	// page's, New at most Limit items from Offset on.
	Total  int       `json:"total"`
	Offset int       `json:"offset"`
	Limit  int       `json:"limit"`
	New    []NewItem `json:"new"`
	// Next is the path of the next page, "" on the last one.
	Next string `json:"next"`
}

// runNewPath is the path of run id's list of new URLs (its first page).
func runNewPath(id string) string { return "/api/runs/" + url.PathEscape(id) + "/new" }

// runNew answers one page of run id's new URLs.
func (s *Server) runNew(r *http.Request) (any, error) {
	id := r.PathValue("id")
	offset, err := queryInt(r, "offset", 0, 0, -1)
	if err != nil {
		return nil, err
	}
	limit, err := queryInt(r, "limit", newPageDefault, 1, newPageMax)
	if err != nil {
		return nil, err
	}
	var page *RunNewPage
	err = s.Archive.View(func(rd *archive.Reader) error {
		run, ok := rd.RunHead(id, 0)
		if !ok {
			return notFoundf("no run %q", id)
		}
		page, err = newPage(rd, run.ID, rd.RunNew(id, offset, limit), run.NewCount, offset, limit)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "new URLs of run %s", id)
	}
	return page, nil
}

// newPage describes urls, the New URLs [offset, offset+limit) of run id,
// which listed total.
func newPage(rd *archive.Reader, id string, urls []string, total, offset, limit int) (*RunNewPage, error) {
	p := &RunNewPage{RunID: id, Total: total, Offset: offset, Limit: limit, New: []NewItem{}}
	for _, u := range urls[:min(len(urls), limit)] {
		it, err := newItem(rd, u)
		if err != nil {
			return nil, err
		}
		p.New = append(p.New, it)
	}
	if end := offset + len(p.New); end < total && len(p.New) > 0 {
		p.Next = fmt.Sprintf("%s?offset=%d&limit=%d", runNewPath(id), end, limit)
	}
	return p, nil
}

// queryInt reads the integer parameter name (def when absent), which must
// lie in lo..hi (hi < 0: no upper bound); anything else is a 400.
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || (hi >= 0 && n > hi) {
		if hi < 0 {
			return 0, badRequestf("%s=%q: want an integer >= %d", name, v, lo)
		}
		return 0, badRequestf("%s=%q: want an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}
