package cluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/warc"
)

// baseRun is the RunID of the captures a spool starts with (the job's
// states): they are not exported.
const baseRun = "base"

// seedSpool writes a job's states into a fresh spool archive as the
// captures the crawler reads: a report or attachment to skip is an
// archived URL without payload; a page to revalidate carries its
// validators and, fetched from the coordinator, its payload (the crawler
// reads the links of pages it does not fetch again, or that answer 304).
func (w *Worker) seedSpool(ctx context.Context, sp *archive.Archive, j *Job) error {
	for _, s := range j.Skip {
		c := &archive.Capture{URL: s.URL, FinalURL: s.URL, FetchedAt: time.Unix(0, 0).UTC(), Status: http.StatusOK,
			Role: s.Role, Agency: s.Agency, RunID: baseRun}
		if err := sp.Put(c, nil, ""); err != nil {
			return fmt.Errorf("spool %s: %w", j.ID, err)
		}
	}
	for _, s := range j.States {
		var body []byte
		if s.Digest != "" && s.Role != archive.RoleAttachment {
			b, err := w.fetchBody(ctx, s.Digest)
			if err != nil {
				return fmt.Errorf("spool %s: %w", j.ID, err)
			}
			body = b
		}
		c := &archive.Capture{URL: s.URL, FinalURL: s.FinalURL, FetchedAt: s.Fetched, Status: http.StatusOK,
			Header: s.Header, ContentType: s.Header.Get("Content-Type"), Role: s.Role, Agency: s.Agency, RunID: baseRun}
		if body == nil {
			c.Digest = s.Digest
		}
		if err := sp.Put(c, body, ""); err != nil {
			return fmt.Errorf("spool %s: %w", j.ID, err)
		}
	}
	return nil
}

// fetchBody fetches a payload from the coordinator.
func (w *Worker) fetchBody(ctx context.Context, digest string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.Coordinator+"/api/cluster/bodies/"+url.PathEscape(digest), nil)
	if err != nil {
		return nil, fmt.Errorf("payload %s: %w", digest, err)
	}
	req.Header.Set("Authorization", "Bearer "+w.Token)
	resp, err := w.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("payload %s: %w", digest, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("payload %s: coordinator answered %s", digest, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("payload %s: %w", digest, err)
	}
	if archive.Digest(b) != digest {
		return nil, fmt.Errorf("payload %s: the coordinator sent other bytes", digest)
	}
	return b, nil
}

// exportSpool writes the captures the job's crawl made as WARC files in
// dir and returns them.
func (w *Worker) exportSpool(ctx context.Context, sp *archive.Archive, j *Job, dir string) ([]string, error) {
	w.exportMu.Lock()
	defer w.exportMu.Unlock()
	sum, err := warc.Export(ctx, sp, warc.ExportOptions{Dir: dir, RunID: j.Run, Software: "nianbao crawl -worker",
		UserAgent: w.Crawl.UserAgent, Robots: "obey", MaxSize: 1 << 40})
	if err != nil {
		return nil, fmt.Errorf("export spool of %s: %w", j.ID, err)
	}
	if len(sum.Skipped) > 0 {
		return nil, fmt.Errorf("export spool of %s: %d captures could not be exported: %s", j.ID, len(sum.Skipped), sum.Skipped[0])
	}
	files := make([]string, len(sum.Files))
	for i, f := range sum.Files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		files[i] = f
	}
	return files, nil
}

// upload posts the WARC files (gzip members, so their concatenation is
// one WARC file) to the coordinator and returns its status code.
func (w *Worker) upload(ctx context.Context, j *Job, files []string) (int, string, error) {
	pr, pw := io.Pipe()
	go func() {
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			_, err = io.Copy(pw, fh)
			fh.Close()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	q := url.Values{"job": {j.ID}, "worker": {w.Name}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.Coordinator+"/api/ingest?"+q.Encode(), pr)
	if err != nil {
		pr.Close()
		return 0, "", fmt.Errorf("upload %s: %w", j.ID, err)
	}
	req.Header.Set("Authorization", "Bearer "+w.Token)
	req.Header.Set("Content-Type", "application/warc")
	resp, err := w.client().Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("upload %s: %w", j.ID, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, strings.TrimSpace(string(msg)), nil
}

// spoolDir makes the directory of one job's spool.
func (w *Worker) spoolDir(j *Job) (string, error) {
	dir, err := os.MkdirTemp(w.SpoolDir, "nianbao-job-*")
	if err != nil {
		return "", fmt.Errorf("spool of %s: %w", j.ID, err)
	}
	return dir, os.MkdirAll(filepath.Join(dir, "warc"), 0o755)
}
