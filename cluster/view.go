package cluster

import (
	"html/template"
	"net/http"
	"time"
)

// Overview is the JSON of GET /api/workers: the workers' heartbeats and
// the jobs of the harvest in progress (or the last one).
type Overview struct {
	Run string `json:"run,omitempty"`
	// Open is true while that harvest's crawl stage waits for its jobs.
	Open    bool           `json:"open"`
	Workers []WorkerStatus `json:"workers"`
	Jobs    []JobStatus    `json:"jobs"`
	// Error says why the workers could not be read (Redis away).
	Error string `json:"error,omitempty"`
}

func (c *Coordinator) overview(r *http.Request) Overview {
	var o Overview
	o.Run, o.Jobs, o.Open = c.Snapshot()
	ws, err := c.Queue.Workers(r.Context())
	if err != nil {
		o.Error = err.Error()
	}
	o.Workers = ws
	if o.Workers == nil {
		o.Workers = []WorkerStatus{}
	}
	if o.Jobs == nil {
		o.Jobs = []JobStatus{}
	}
	return o
}

func (c *Coordinator) workersAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, c.overview(r))
}

var workersTmpl = template.Must(template.New("workers").Funcs(template.FuncMap{
	"ago": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return time.Since(t).Round(time.Second).String() + " ago"
	},
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Workers · nianbao</title><link rel="stylesheet" href="/static/style.css"></head>
<body><main>
<p><a href="/">← dashboard</a></p>
<h1>Cluster workers</h1>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<table><thead><tr><th>worker</th><th>state</th><th>last heartbeat</th><th>jobs</th><th>pages</th><th>done</th></tr></thead><tbody>
{{range .Workers}}<tr><td>{{.Name}}</td><td>{{.State}}</td><td>{{ago .Beat}}</td>
<td>{{range .Jobs}}{{.Site}} ({{.Pages}} pages) {{else}}-{{end}}</td><td>{{.Pages}}</td><td>{{.Done}}</td></tr>
{{else}}<tr><td colspan="6">no worker has reported</td></tr>{{end}}
</tbody></table>
<h2>Jobs of harvest {{if .Run}}{{.Run}}{{else}}-{{end}}{{if .Open}} (in progress){{end}}</h2>
<table><thead><tr><th>site</th><th>state</th><th>worker</th><th>attempts</th><th>captures</th><th>error</th></tr></thead><tbody>
{{range .Jobs}}<tr><td>{{.Site}}</td><td>{{.State}}</td><td>{{.Worker}}</td><td>{{.Attempts}}</td><td>{{.Captures}}</td><td>{{.Error}}</td></tr>
{{else}}<tr><td colspan="6">no cluster harvest yet</td></tr>{{end}}
</tbody></table>
</main></body></html>
`))

func (c *Coordinator) workersPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := workersTmpl.Execute(w, c.overview(r)); err != nil {
		c.log().Error("cluster: workers page", "err", err)
	}
}
