package cluster

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/nianbao/nianbao/warc"
)

// DefaultMaxUpload bounds one upload: a site's WARC of one harvest.
const DefaultMaxUpload = 2 << 30

// IngestResult is the JSON answer to an upload.
type IngestResult struct {
	Job        string `json:"job"`
	Records    int    `json:"records"`
	Captures   int    `json:"captures"`
	Duplicates int    `json:"duplicates"`
	// Refused counts the records outside the job's site, never written;
	// Skipped lists them and the records that did not read.
	Refused int      `json:"refused"`
	Skipped []string `json:"skipped,omitempty"`
}

// authorized reports whether r carries the bearer token, compared in
// constant time; it answers 401 itself when not.
func (c *Coordinator) authorized(w http.ResponseWriter, r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && c.Token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.Token)) == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="nianbao"`)
	httpError(w, http.StatusUnauthorized, "missing or wrong bearer token")
	return false
}

func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// ingest imports a worker's WARC upload for ?job=ID from ?worker=NAME:
// only records of the job's site are written, through warc.Import, which
// adds nothing for a record already imported; the job is then done
// (200). 401: no or a wrong token; 410: no such job in the harvest in
// progress; 413: larger than MaxUpload; 403: records outside the job's
// site (refused, never written); 422: records that do not read, or no
// capture at all (a crawl always records its seed). After
// 403 or 422 the job is not done.
func (c *Coordinator) ingest(w http.ResponseWriter, r *http.Request) {
	if !c.authorized(w, r) {
		return
	}
	id, worker := r.URL.Query().Get("job"), r.URL.Query().Get("worker")
	if id == "" || worker == "" {
		httpError(w, http.StatusBadRequest, "want ?job=ID&worker=NAME")
		return
	}
	hj, e := c.current(id)
	if e == nil {
		httpError(w, http.StatusGone, fmt.Sprintf("job %s is not one of the harvest in progress", id))
		return
	}
	limit := c.MaxUpload
	if limit <= 0 {
		limit = DefaultMaxUpload
	}
	file, err := spoolUpload(http.MaxBytesReader(w, r.Body, limit))
	if file != "" {
		defer os.Remove(file)
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("upload larger than %d bytes", limit))
		return
	case err != nil:
		httpError(w, http.StatusBadRequest, "read upload: "+err.Error())
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	res, err := c.importUpload(r, hj, e, file, worker)
	switch {
	case err != nil:
		c.log().Error("cluster: import failed", "job", id, "worker", worker, "err", err)
		httpError(w, http.StatusInternalServerError, err.Error())
	case res.Refused > 0:
		writeJSON(w, http.StatusForbidden, res)
	case len(res.Skipped) > 0 || res.Captures+res.Duplicates == 0:
		writeJSON(w, http.StatusUnprocessableEntity, res)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// spoolUpload copies an upload to a temporary file.
func spoolUpload(body io.Reader) (string, error) {
	f, err := os.CreateTemp("", "nianbao-upload-*.warc.gz")
	if err != nil {
		return "", fmt.Errorf("spool upload: %w", err)
	}
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// importUpload imports file for the job of e and records the job done.
func (c *Coordinator) importUpload(r *http.Request, hj *harvestJobs, e *jobEntry, file, worker string) (*IngestResult, error) {
	ags, err := e.job.Seeds()
	if err != nil {
		return nil, err
	}
	refused := 0
	allow := func(u string) bool {
		ok := e.job.Allows(u)
		if !ok {
			refused++
		}
		return ok
	}
	c.importMu.Lock()
	sum, err := warc.Import(r.Context(), hj.a, []string{file}, warc.ImportOptions{Seeds: ags, RunID: hj.run,
		Worker: worker, Allow: allow, Logger: c.log()})
	c.importMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("import upload of job %s: %w", e.job.ID, err)
	}
	res := &IngestResult{Job: e.job.ID, Records: sum.Records, Captures: sum.Captures, Duplicates: sum.Duplicates,
		Refused: refused, Skipped: sum.Skipped}
	if len(sum.Skipped) > 0 || sum.Captures+sum.Duplicates == 0 {
		// Refused records, or records that do not read (a damaged
		// transfer): the job is not done; what was good is kept, and a
		// new upload adds only what is missing.
		c.log().Warn("cluster: upload refused: records outside the job's site (not written) or unreadable", "job", e.job.ID,
			"worker", worker, "refused", refused, "records", sum.Records, "skipped", strings.Join(sum.Skipped, "; "))
		return res, nil
	}
	c.mu.Lock()
	st := e.status
	if st.State != StateDone {
		st.Worker = worker
	}
	st.State, st.Error = StateDone, ""
	st.Captures += sum.Captures
	e.status = st
	c.mu.Unlock()
	if err := c.Queue.SetStatus(r.Context(), hj.run, st); err != nil {
		c.log().Warn("cluster: cannot record the job done in Redis (the coordinator knows it)", "job", e.job.ID, "err", err)
	}
	c.log().Info("cluster: upload imported", "job", e.job.ID, "worker", worker, "records", sum.Records,
		"captures", sum.Captures, "duplicates", sum.Duplicates)
	return res, nil
}

// body serves a payload a job's state names, for the worker's spool.
func (c *Coordinator) body(w http.ResponseWriter, r *http.Request) {
	if !c.authorized(w, r) {
		return
	}
	d := r.PathValue("digest")
	c.mu.Lock()
	var hj *harvestJobs
	if c.cur != nil && c.cur.open && c.cur.bodies[d] {
		hj = c.cur
	}
	c.mu.Unlock()
	if hj == nil {
		httpError(w, http.StatusNotFound, fmt.Sprintf("no job of the harvest in progress names %s", d))
		return
	}
	b, err := hj.a.BodyByDigest(d)
	if err != nil {
		httpError(w, http.StatusNotFound, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(b)
}

// Register adds the cluster's routes to mux: POST /api/ingest and GET
// /api/cluster/bodies/{digest} (bearer token), GET /api/workers and
// GET /workers (the UI).
func (c *Coordinator) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/ingest", c.ingest)
	mux.HandleFunc("GET /api/cluster/bodies/{digest}", c.body)
	mux.HandleFunc("GET /api/workers", c.workersAPI)
	mux.HandleFunc("GET /workers", c.workersPage)
}

// Handler serves the cluster's routes (Register) alone.
func (c *Coordinator) Handler() http.Handler {
	mux := http.NewServeMux()
	c.Register(mux)
	return mux
}
