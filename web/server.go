// Package web owns nianbao's web UI and its JSON API: the dashboard of audit
// statuses (agency × year), agency pages, report pages rendered like the
// official template with failed validation cells highlighted, the capture
// history of any URL, text diffs between captures, and the sandboxed replay
// of archived copies. Pages are html/template files and one CSS file
// embedded in the binary: the UI needs no network at run time.
//
// Every HTML page has a JSON twin under /api/ built from the same data
// (see API.md). Every page reads the archive in one read transaction
// (archive.View), never nesting one inside another.
//
// Archived bytes are only ever served under /replay/ (replay.go), with a
// sandboxing Content-Security-Policy that admits no origin but the
// archive's own: an archived page can never run code in the UI's origin nor
// make a request to the live web. Its links and sub-resources are rewritten
// (rewrite.go) to the archived copies nearest in time, and a person sees it
// under a banner (/view/{id}, banner.go).
package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/seeds"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server serves the UI and the JSON API over one archive. The zero values of
// From, To, Now and Logger have defaults: To is last year, From is To-4, Now
// is time.Now and Logger is slog.Default().
type Server struct {
	// Archive is the archive read by every page.
	Archive *archive.Archive
	// Agencies are the agencies of the seeds file: the rows of the dashboard.
	Agencies []seeds.Agency
	// From and To are the report years the dashboard and audit show.
	From, To int
	// Now returns the current time; the audit date is its calendar day.
	Now func() time.Time
	// Logger receives the errors behind 500 responses.
	Logger *slog.Logger
	// Nav are pages mounted beside this handler (the cluster's /workers)
	// linked from every page's header after the dashboard.
	Nav []NavLink
}

// NavLink is one link of the header's navigation.
type NavLink struct {
	Text, Href string
}

// validID reports whether id has the form of a capture ID.
func validID(id string) bool { return archive.ValidID(id) }

// errNotFound marks a request for something the archive does not hold.
var errNotFound = errors.New("not found")

// errBadRequest marks a request with missing or malformed parameters.
var errBadRequest = errors.New("bad request")

// notFoundf returns an error wrapping errNotFound with a message for the user.
func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errNotFound, fmt.Sprintf(format, args...))
}

// badRequestf returns an error wrapping errBadRequest with a message for the user.
func badRequestf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

// wrapf adds context to an error for the log. The errors whose message a
// user is shown as it is (errNotFound, errBadRequest) are returned unwrapped.
func wrapf(err error, format string, args ...any) error {
	if err == nil || errors.Is(err, errNotFound) || errors.Is(err, errBadRequest) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// years returns the report year range shown, with defaults.
func (s *Server) years() (from, to int) {
	return audit.Years(s.From, s.To, s.now())
}

// Handler returns the HTTP handler of the UI and the API.
func (s *Server) Handler() http.Handler {
	fm := template.FuncMap{"nav": func() []NavLink { return s.Nav }}
	tmpl := template.Must(template.New("").Funcs(funcs).Funcs(fm).ParseFS(templateFS, "templates/*.html"))
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	h := &handler{s: s, tmpl: tmpl}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.page("dashboard", s.dashboardHTML))
	mux.HandleFunc("GET /agency/{name}", h.page("agency", func(r *http.Request) (any, error) { return s.agency(r.PathValue("name")) }))
	mux.HandleFunc("GET /report/{id}", h.page("report", func(r *http.Request) (any, error) { return s.reportPage(r.PathValue("id")) }))
	mux.HandleFunc("GET /history", h.page("history", func(r *http.Request) (any, error) { return s.history(r.URL.Query().Get("url")) }))
	mux.HandleFunc("GET /diff", h.page("diff", func(r *http.Request) (any, error) {
		return s.diff(r.URL.Query().Get("a"), r.URL.Query().Get("b"))
	}))
	mux.HandleFunc("GET /view/{id}", h.page("view", func(r *http.Request) (any, error) { return s.viewPage(r.PathValue("id")) }))
	mux.HandleFunc("GET /replay/{id}", h.replay)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))

	mux.HandleFunc("GET /api/dashboard", h.api(s.dashboard))
	mux.HandleFunc("GET /api/agencies/{name}", h.api(func(r *http.Request) (any, error) { return s.agency(r.PathValue("name")) }))
	mux.HandleFunc("GET /api/reports/{id}", h.api(func(r *http.Request) (any, error) { return s.reportData(r.PathValue("id")) }))
	mux.HandleFunc("GET /api/history", h.api(func(r *http.Request) (any, error) { return s.history(r.URL.Query().Get("url")) }))
	mux.HandleFunc("GET /api/diff", h.api(func(r *http.Request) (any, error) {
		return s.diff(r.URL.Query().Get("a"), r.URL.Query().Get("b"))
	}))
	mux.HandleFunc("GET /api/runs", h.api(func(*http.Request) (any, error) { return s.runs() }))
	mux.HandleFunc("GET /api/runs/{id}/new", h.api(s.runNew))
	mux.HandleFunc("GET /api/audit", h.api(s.auditAPI))
	mux.HandleFunc("GET /api/captures/{id}", h.api(func(r *http.Request) (any, error) { return s.capture(r.PathValue("id")) }))
	mux.HandleFunc("GET /api/", h.api(func(r *http.Request) (any, error) { return nil, notFoundf("no API endpoint %s", r.URL.Path) }))
	mux.HandleFunc("GET /", h.page("error", func(r *http.Request) (any, error) { return nil, notFoundf("no page at %s", r.URL.Path) }))
	// /replay/at/{timestamp}/{URL} carries a whole URL in its path ("//",
	// "?"): it is dispatched before the mux, which would clean the path.
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, replayAtPrefix) {
			h.replayAt(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	return securityHeaders(root)
}

// securityHeaders sets the headers every response of the UI carries. The
// replay handlers override the Content-Security-Policy and X-Frame-Options
// with replayCSP and SAMEORIGIN (setReplayHeaders).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", uiCSP)
		next.ServeHTTP(w, r)
	})
}

// uiCSP is the Content-Security-Policy of the UI's own pages: no script at
// all, nothing from another origin, never framed.
const uiCSP = "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"

type handler struct {
	s    *Server
	tmpl *template.Template
	// bufs holds the buffers pages are rendered into (*bytes.Buffer), so a
	// big page (the dashboard: ~250 KB for 200 agencies) is not regrown
	// from nothing on every request.
	bufs sync.Pool
}

// maxPooledBuf is the largest render buffer kept for reuse (a rare huge
// page is left to the collector).
const maxPooledBuf = 4 << 20

// status maps an error to its HTTP status.
func status(err error) int {
	switch {
	case errors.Is(err, errNotFound), errors.Is(err, archive.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// publicMessage is what a user is told about err: the message of a 4xx; for
// a 500, that the archive is damaged and what to run about it, or a generic
// line (the details go to the log only). archivePath names the archive file
// when the damage does not.
func publicMessage(err error, code int, archivePath string) string {
	if errors.Is(err, archive.ErrDamaged) {
		return damagedMessage(err, archivePath)
	}
	if code == http.StatusInternalServerError {
		return "internal error (logged on the server)"
	}
	msg := err.Error()
	if errors.Is(err, archive.ErrNotFound) && !errors.Is(err, errNotFound) {
		return "not found in the archive"
	}
	return msg
}

// damagedMessage tells a user that the archive file is damaged and which
// commands inspect and rescue it, naming the file by its base name only
// (the full path and the damage are in the server log).
func damagedMessage(err error, archivePath string) string {
	file := filepath.Base(archivePath)
	var de *archive.DamageError
	if errors.As(err, &de) && de.Path != "" {
		file = filepath.Base(de.Path)
	}
	if file == "" || file == "." {
		file = "ARCHIVE.db"
	}
	return fmt.Sprintf("the archive file is damaged (details in the server log): stop serve, run `archive check -db %s` to see what is affected, "+
		"and `archive salvage -db %s -out NEW.db` to copy every readable record into a new file, then serve NEW.db", file, file)
}

// errorPage is the data of the error template.
type errorPage struct {
	Code    int
	Title   string
	Message string
}

// page returns a handler rendering the named template with what build returns.
func (h *handler) page(name string, build func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := build(r)
		if err != nil {
			h.fail(w, r, err, false)
			return
		}
		h.render(w, r, http.StatusOK, name, data)
	}
}

// render executes a template into a buffer first, so a template error is a
// clean 500 and not half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	buf, _ := h.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledBuf {
			buf.Reset()
			h.bufs.Put(buf)
		}
	}()
	if err := h.tmpl.ExecuteTemplate(buf, name+".html", data); err != nil {
		h.s.logger().Error("web: render template", "template", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error (logged on the server)", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// fail answers err as an HTML error page or a JSON error object.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error, asJSON bool) {
	code := status(err)
	path := ""
	if h.s.Archive != nil {
		path = h.s.Archive.Path()
	}
	if code == http.StatusInternalServerError {
		h.s.logger().Error("web: request failed", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery,
			"archive", path, "damaged", errors.Is(err, archive.ErrDamaged), "err", err)
	}
	msg := publicMessage(err, code, path)
	if asJSON {
		writeJSON(w, code, map[string]any{"error": msg, "status": code})
		return
	}
	h.render(w, r, code, "error", errorPage{Code: code, Title: http.StatusText(code), Message: msg})
}

// api returns a handler writing what build returns as JSON.
func (h *handler) api(build func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := build(r)
		if err != nil {
			h.fail(w, r, err, true)
			return
		}
		writeJSON(w, http.StatusOK, data)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, `{"error":"encode JSON"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}
