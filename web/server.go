// Package web owns nianbao's web UI and its JSON API: the dashboard of audit
// statuses (agency × year), agency pages, report pages rendered like the
// official template with failed validation cells highlighted, the capture
// history of any URL, text diffs between captures, and the sandboxed replay
// of archived copies. Pages are html/template files and one CSS file
// embedded in the binary: the UI needs no network at run time.
//
// Every HTML page has a JSON twin under /api/ built from the same data
// (see API.md). Archived bytes are only ever served by /replay/{id}, with
// "Content-Security-Policy: sandbox" and "X-Content-Type-Options: nosniff",
// so an archived page can never run code in the UI's origin.
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
	"regexp"
	"strings"
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
}

// idPattern is the form of a capture ID: a positive decimal integer.
var idPattern = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

// validID reports whether id has the form of a capture ID.
func validID(id string) bool { return idPattern.MatchString(id) }

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
	tmpl := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	h := &handler{s: s, tmpl: tmpl}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.page("dashboard", s.dashboard))
	mux.HandleFunc("GET /agency/{name}", h.page("agency", func(r *http.Request) (any, error) { return s.agency(r.PathValue("name")) }))
	mux.HandleFunc("GET /report/{id}", h.page("report", func(r *http.Request) (any, error) { return s.reportPage(r.PathValue("id")) }))
	mux.HandleFunc("GET /history", h.page("history", func(r *http.Request) (any, error) { return s.history(r.URL.Query().Get("url")) }))
	mux.HandleFunc("GET /diff", h.page("diff", func(r *http.Request) (any, error) {
		return s.diff(r.URL.Query().Get("a"), r.URL.Query().Get("b"))
	}))
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
	mux.HandleFunc("GET /api/audit", h.api(s.auditAPI))
	mux.HandleFunc("GET /api/captures/{id}", h.api(func(r *http.Request) (any, error) { return s.capture(r.PathValue("id")) }))
	mux.HandleFunc("GET /api/", h.api(func(r *http.Request) (any, error) { return nil, notFoundf("no API endpoint %s", r.URL.Path) }))
	mux.HandleFunc("GET /", h.page("error", func(r *http.Request) (any, error) { return nil, notFoundf("no page at %s", r.URL.Path) }))
	return securityHeaders(mux)
}

// securityHeaders sets the headers every response of the UI carries. The
// replay handler overrides the Content-Security-Policy with "sandbox".
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

type handler struct {
	s    *Server
	tmpl *template.Template
}

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

// publicMessage is what a user is told about err: the message of a 4xx, a
// generic line for a 500 (whose details go to the log only).
func publicMessage(err error, code int) string {
	if code == http.StatusInternalServerError {
		return "internal error (logged on the server)"
	}
	msg := err.Error()
	if errors.Is(err, archive.ErrNotFound) && !errors.Is(err, errNotFound) {
		return "not found in the archive"
	}
	return msg
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
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, name+".html", data); err != nil {
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
	if code == http.StatusInternalServerError {
		h.s.logger().Error("web: request failed", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery, "err", err)
	}
	msg := publicMessage(err, code)
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

// replay serves the raw archived bytes of a capture with its original
// content type, sandboxed.
func (h *handler) replay(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		h.fail(w, r, notFoundf("no capture %q", id), false)
		return
	}
	c, err := h.s.Archive.Get(id)
	if err != nil {
		h.fail(w, r, fmt.Errorf("replay capture %s: %w", id, err), false)
		return
	}
	if c.Digest == "" {
		h.fail(w, r, notFoundf("capture %s has no archived body (status %d, error %q)", id, c.Status, c.Error), false)
		return
	}
	body, err := h.s.Archive.Body(id)
	if err != nil {
		h.fail(w, r, fmt.Errorf("replay body of capture %s: %w", id, err), false)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", replayContentType(c))
	hd.Set("Content-Security-Policy", "sandbox")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Cache-Control", "private, max-age=3600")
	hd.Set("X-Nianbao-Capture", c.ID)
	if !c.FetchedAt.IsZero() {
		hd.Set("Last-Modified", c.FetchedAt.UTC().Format(http.TimeFormat))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// replayContentType is the content type the capture was served with: the
// recorded header, else the capture's content type (with its charset),
// else application/octet-stream.
func replayContentType(c *archive.Capture) string {
	if ct := strings.TrimSpace(c.Header.Get("Content-Type")); ct != "" {
		return ct
	}
	ct := strings.TrimSpace(c.ContentType)
	if ct == "" {
		return "application/octet-stream"
	}
	if c.Charset != "" && !strings.Contains(strings.ToLower(ct), "charset=") {
		ct += "; charset=" + c.Charset
	}
	return ct
}
