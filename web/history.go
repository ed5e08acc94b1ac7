package web

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/nianbao/nianbao/archive"
)

// CaptureInfo is a capture with what else the archive holds for it.
type CaptureInfo struct {
	*archive.Capture
	// HasReport is true when an extracted report is stored for the capture.
	HasReport bool `json:"has_report"`
}

// History is the data of the history page and of /api/history.
type History struct {
	URL string `json:"url"`
	// Captures are every capture of URL, oldest first.
	Captures []CaptureInfo `json:"captures"`
	// State is the archive's URL state (last capture, validators), if any.
	State *archive.URLState `json:"state"`
}

// history lists the captures of url, in one read of the archive.
func (s *Server) history(url string) (*History, error) {
	if url == "" {
		return nil, badRequestf("missing parameter url")
	}
	var h *History
	err := s.Archive.View(func(r *archive.Reader) (err error) {
		h, err = buildHistory(r, url)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "history of %s", url)
	}
	return h, nil
}

// buildHistory reads the history of url through r.
func buildHistory(r *archive.Reader, url string) (*History, error) {
	caps, err := r.ByURL(url)
	if err != nil {
		return nil, fmt.Errorf("captures: %w", err)
	}
	if len(caps) == 0 {
		return nil, notFoundf("no capture of %s", url)
	}
	h := &History{URL: url, Captures: make([]CaptureInfo, 0, len(caps))}
	for _, c := range caps {
		h.Captures = append(h.Captures, info(r, c))
	}
	st, ok, err := r.URLState(url)
	if err != nil {
		return nil, fmt.Errorf("url state: %w", err)
	}
	if ok {
		h.State = &st
	}
	return h, nil
}

// info describes c with what else r holds for it.
func info(r *archive.Reader, c *archive.Capture) CaptureInfo {
	return CaptureInfo{Capture: c, HasReport: r.HasReport(c.ID)}
}

// capture returns one capture (/api/captures/{id}).
func (s *Server) capture(id string) (*CaptureInfo, error) {
	if !validID(id) {
		return nil, notFoundf("no capture %q", id)
	}
	var ci CaptureInfo
	err := s.Archive.View(func(r *archive.Reader) error {
		c, err := r.Get(id)
		if err != nil {
			return err
		}
		ci = info(r, c)
		return nil
	})
	if err != nil {
		return nil, wrapf(err, "capture")
	}
	return &ci, nil
}

// DiffOp is one run of a line diff.
type DiffOp struct {
	// Op is "equal", "insert" (only in B) or "delete" (only in A).
	Op   string `json:"op"`
	Text string `json:"text"`
	// Lines is the number of lines of Text.
	Lines int `json:"lines"`
}

// Diff is the data of the diff page and of /api/diff.
type Diff struct {
	A *archive.Capture `json:"a"`
	B *archive.Capture `json:"b"`
	// Ops is the line diff from A's text to B's text.
	Ops []DiffOp `json:"ops"`
	// Inserted and Deleted count the lines only in B and only in A.
	Inserted int `json:"inserted"`
	Deleted  int `json:"deleted"`
	// Identical is true when both texts are the same.
	Identical bool `json:"identical"`
	// Notes say when a capture had no stored text (compared as empty).
	Notes []string `json:"notes"`
}

// Collapsed is how the page shows a long unchanged run: a few lines of
// context around a hidden middle.
type Collapsed struct {
	Head, Hidden, Tail string
	HiddenLines        int
}

// Collapse returns the run shown with context lines around a hidden middle
// when it is an unchanged run longer than 2*context+2 lines.
func (o DiffOp) Collapse(context int) *Collapsed {
	if o.Op != "equal" || o.Lines <= 2*context+2 {
		return nil
	}
	lines := strings.SplitAfter(o.Text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) <= 2*context+2 {
		return nil
	}
	return &Collapsed{
		Head:        strings.Join(lines[:context], ""),
		Hidden:      strings.Join(lines[context:len(lines)-context], ""),
		Tail:        strings.Join(lines[len(lines)-context:], ""),
		HiddenLines: len(lines) - 2*context,
	}
}

// diff compares the texts of captures a and b line by line.
func (s *Server) diff(a, b string) (*Diff, error) {
	if a == "" || b == "" {
		return nil, badRequestf("diff needs two capture IDs: ?a=ID&b=ID")
	}
	for _, id := range []string{a, b} {
		if !validID(id) {
			return nil, notFoundf("no capture %q", id)
		}
	}
	d := &Diff{Ops: []DiffOp{}, Notes: []string{}}
	var texts [2]string
	err := s.Archive.View(func(r *archive.Reader) error {
		var err error
		if d.A, texts[0], err = diffSide(r, a, &d.Notes); err != nil {
			return err
		}
		d.B, texts[1], err = diffSide(r, b, &d.Notes)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "diff")
	}
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(texts[0], texts[1])
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	for _, x := range diffs {
		op := DiffOp{Text: x.Text, Lines: countLines(x.Text)}
		switch x.Type {
		case diffmatchpatch.DiffInsert:
			op.Op = "insert"
			d.Inserted += op.Lines
		case diffmatchpatch.DiffDelete:
			op.Op = "delete"
			d.Deleted += op.Lines
		default:
			op.Op = "equal"
		}
		d.Ops = append(d.Ops, op)
	}
	d.Identical = texts[0] == texts[1]
	return d, nil
}

// diffSide reads one side of a diff: the capture and its stored text (empty,
// with a note, when it has none).
func diffSide(r *archive.Reader, id string, notes *[]string) (*archive.Capture, string, error) {
	c, err := r.Get(id)
	if err != nil {
		return nil, "", err
	}
	t, err := r.Text(id)
	switch {
	case errors.Is(err, archive.ErrNotFound):
		*notes = append(*notes, fmt.Sprintf("capture %s has no stored text; compared as empty", id))
	case err != nil:
		return nil, "", err
	}
	return c, t, nil
}

// countLines counts the lines of s (a last line without newline counts).
func countLines(s string) int {
	if s == "" {
		return 0
	}
	n := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}
