package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/ledongthuc/pdf"
)

// pdfTimeout bounds the pdftotext fallback.
const pdfTimeout = 60 * time.Second

// maxPDFPages bounds the pages the Go reader lays out.
const maxPDFPages = 500

// ReadPDF reads a PDF's text into a Document (through ReadText, so tables
// are read from their column layout). The pure-Go reader
// (github.com/ledongthuc/pdf) is tried first: its glyphs are put back into
// lines by y and then x, with spaces for the gaps, like pdftotext -layout.
// When it fails, or its text has no Chinese or looks like mojibake (fonts
// without a Unicode map), poppler's `pdftotext -layout -enc UTF-8` is run
// if it is on PATH. Meta["reader"] says which reader produced the text
// ("pdf-go" or "pdftotext"), and Meta["reader_note"] why the Go reader was
// not used.
func ReadPDF(data []byte) (*Document, error) {
	return ReadPDFContext(context.Background(), data)
}

// ReadPDFContext is ReadPDF with a context that cancels the pdftotext
// fallback.
func ReadPDFContext(ctx context.Context, data []byte) (*Document, error) {
	text, goErr := pdfTextGoTimeout(ctx, data)
	if goErr == nil {
		goErr = checkPDFText(text)
	}
	if goErr == nil {
		doc, err := ReadText([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("read pdf: %w", err)
		}
		doc.Meta["reader"] = "pdf-go"
		return doc, nil
	}
	out, err := pdfToText(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("read pdf: Go reader: %v; pdftotext: %w", goErr, err)
	}
	if err := checkPDFText(out); err != nil {
		return nil, fmt.Errorf("read pdf: Go reader: %v; pdftotext: %w", goErr, err)
	}
	doc, err := ReadText([]byte(out))
	if err != nil {
		return nil, fmt.Errorf("read pdf: %w", err)
	}
	doc.Meta["reader"] = "pdftotext"
	doc.Meta["reader_note"] = "Go PDF reader: " + goErr.Error()
	return doc, nil
}

// errNoPdftotext says how to get the fallback reader.
var errNoPdftotext = errors.New("pdftotext not found on PATH: install poppler-utils poppler-data (apt-get install -y poppler-utils poppler-data)")

// pdfToText runs pdftotext -layout on data in a temporary file.
func pdfToText(ctx context.Context, data []byte) (string, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", errNoPdftotext
	}
	f, err := os.CreateTemp("", "nianbao-*.pdf")
	if err != nil {
		return "", fmt.Errorf("temp file: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", fmt.Errorf("temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("temp file: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "-layout", "-enc", "UTF-8", f.Name(), "-")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("pdftotext: timed out after %s", pdfTimeout)
		}
		return "", fmt.Errorf("pdftotext: %w: %s", err, msg)
	}
	return stdout.String(), nil
}

// checkPDFText rejects text a reader produced from fonts it could not
// map: no Chinese at all, or many replacement/private-use/control runes.
func checkPDFText(s string) error {
	han, bad, total := 0, 0, 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case unicode.Is(unicode.Han, r):
			han++
		case r == '\ufffd' || unicode.Is(unicode.Co, r) || unicode.IsControl(r) || (r >= 0x80 && r < 0x250):
			bad++
		}
		total++
	}
	switch {
	case total == 0:
		return errors.New("no text (a scanned PDF needs OCR)")
	case han < 20 || han*5 < total:
		return fmt.Errorf("text has little Chinese (%d of %d characters): fonts not mapped to Unicode", han, total)
	case bad*50 > total:
		return fmt.Errorf("text looks garbled (%d of %d characters unmappable)", bad, total)
	}
	return nil
}

// pdfGoTimeout bounds the Go reader: a crafted file could make the library
// loop; the reader's goroutine is then abandoned and pdftotext tried.
const pdfGoTimeout = 30 * time.Second

// pdfTextGoTimeout runs pdfTextGo bounded by ctx and pdfGoTimeout.
func pdfTextGoTimeout(ctx context.Context, data []byte) (string, error) {
	type result struct {
		text string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		t, err := pdfTextGo(data)
		ch <- result{t, err}
	}()
	timer := time.NewTimer(pdfGoTimeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.text, r.err
	case <-timer.C:
		return "", fmt.Errorf("timed out after %s", pdfGoTimeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// pdfTextGo lays the PDF's glyphs out as lines with the pure-Go reader.
// The library panics on some malformed files: that is returned as an
// error.
func pdfTextGo(data []byte) (text string, err error) {
	defer func() {
		if v := recover(); v != nil {
			text, err = "", fmt.Errorf("malformed PDF: %v", v)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	n := r.NumPage()
	if n == 0 {
		return "", errors.New("no pages")
	}
	var b strings.Builder
	for i := 1; i <= n && i <= maxPDFPages; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		layoutPage(&b, p.Content().Text)
		b.WriteString("\f")
	}
	return b.String(), nil
}

// layoutPage writes one page's glyphs as lines: grouped by baseline (top
// to bottom), ordered by x, with spaces standing for horizontal gaps so
// that table columns line up as in pdftotext -layout, and an empty line
// for a larger vertical gap.
func layoutPage(b *strings.Builder, glyphs []pdf.Text) {
	gs := glyphs[:0:0]
	sizes := make([]float64, 0, len(glyphs))
	for _, g := range glyphs {
		if g.S == "" {
			continue
		}
		if math.IsNaN(g.X) || math.IsNaN(g.Y) || math.IsInf(g.X, 0) || math.IsInf(g.Y, 0) {
			continue
		}
		gs = append(gs, g)
		if g.FontSize > 0 {
			sizes = append(sizes, g.FontSize)
		}
	}
	if len(gs) == 0 {
		return
	}
	sort.Float64s(sizes)
	fs := 10.0
	if len(sizes) > 0 {
		fs = sizes[len(sizes)/2]
	}
	unit := fs / 2 // one column: a half-width character
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].Y > gs[j].Y })
	// group into lines
	var lines [][]pdf.Text
	var ys []float64
	for _, g := range gs {
		tol := fs * 0.4
		if n := len(lines); n > 0 && math.Abs(ys[n-1]-g.Y) <= tol {
			lines[n-1] = append(lines[n-1], g)
			continue
		}
		lines = append(lines, []pdf.Text{g})
		ys = append(ys, g.Y)
	}
	for li, ln := range lines {
		if li > 0 && ys[li-1]-ys[li] > fs*2.2 {
			b.WriteByte('\n')
		}
		sort.SliceStable(ln, func(i, j int) bool { return ln[i].X < ln[j].X })
		col := 0
		prevEnd := math.Inf(-1)
		for _, g := range ln {
			gsz := g.FontSize
			if gsz <= 0 {
				gsz = fs
			}
			if g.X-prevEnd > gsz*0.3 || math.IsInf(prevEnd, -1) {
				target := int(g.X/unit + 0.5)
				pad := target - col
				if !math.IsInf(prevEnd, -1) && pad < 1 {
					pad = 1
				}
				if pad > 400 {
					pad = 400
				}
				for k := 0; k < pad; k++ {
					b.WriteByte(' ')
				}
				col += max(pad, 0)
			}
			s := strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' || r == '\f' || r == '\t' {
					return ' '
				}
				return r
			}, g.S)
			b.WriteString(s)
			col += len([]rune(s))
			end := g.X + g.W
			if g.W <= 0 {
				end = g.X + gsz*float64(len([]rune(s)))
			}
			prevEnd = end
		}
		b.WriteByte('\n')
	}
}
