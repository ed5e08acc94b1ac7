package extract

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// Converters that back the Go readers of legacy binary documents, the way
// pdftotext backs the PDF reader: LibreOffice (soffice --headless
// --convert-to docx/xlsx) when it is installed, which keeps tables and
// merged cells; otherwise catdoc's tools (catdoc for .doc/.wps, tab-
// separated table cells; xls2csv for .xls/.et) or antiword.

// Limits for the converters.
const (
	legacyTimeout   = 60 * time.Second
	maxLegacyOutput = 64 << 20 // bytes of converter output read
)

// ReadLegacy reads a legacy binary Office or WPS document: format is
// FormatDOC, FormatWPS, FormatXLS, FormatET or FormatOLE (the compound
// file's streams then tell Word from Excel). The pure-Go reader (ReadDOC
// or ReadXLS) is tried first; when it fails or finds no Chinese text, the
// installed converters are tried (see convertLegacy), except for a file
// whose compound-file container is corrupt or which is encrypted. Meta["reader"] says
// which reader produced the Document and Meta["reader_note"] why the Go
// reader was not used; Meta["reader_warning"], which Parse adds to the
// report's warnings, says the same when a converter was used.
func ReadLegacy(ctx context.Context, format string, data []byte) (*Document, error) {
	word, err := legacyIsWord(format, data)
	if err != nil {
		return nil, err
	}
	read := ReadXLS
	if word {
		read = ReadDOC
	}
	doc, goErr := read(data)
	if goErr == nil {
		goErr = checkLegacyText(doc)
	}
	if goErr == nil {
		return doc, nil
	}
	if errors.Is(goErr, errCorruptOLE) || errors.Is(goErr, errEncrypted) {
		return nil, goErr // a converter cannot read it either
	}
	doc, err = convertLegacy(ctx, word, data)
	if err != nil {
		return nil, fmt.Errorf("%w; converters: %w", goErr, err)
	}
	doc.Meta["reader_note"] = "Go reader: " + goErr.Error()
	doc.Meta["reader_warning"] = "legacy document read by " + doc.Meta["reader"] + " (" + doc.Meta["reader_note"] + ")"
	return doc, nil
}

// legacyIsWord tells a word-processor document from a spreadsheet.
func legacyIsWord(format string, data []byte) (bool, error) {
	switch format {
	case FormatDOC, FormatWPS:
		return true, nil
	case FormatXLS, FormatET:
		return false, nil
	case FormatOLE:
		st, err := oleStreams(data, "WordDocument", "Workbook", "Book")
		if err != nil {
			// neither the name nor the container says what this is
			return false, fmt.Errorf("read ole: %w: %w", ErrUnsupportedFormat, err)
		}
		switch {
		case st["WordDocument"] != nil:
			return true, nil
		case st["Workbook"] != nil || st["Book"] != nil:
			return false, nil
		}
		return false, fmt.Errorf("read ole: %w: a compound file with neither a WordDocument nor a Workbook stream", ErrUnsupportedFormat)
	}
	return false, fmt.Errorf("read legacy: format %q is not a legacy binary format", format)
}

// checkLegacyText rejects a Document without any Chinese: a report always
// has some, so the reader must have misread the file.
func checkLegacyText(doc *Document) error {
	for _, b := range doc.Blocks {
		if hasHan(b.Text) {
			return nil
		}
		for _, row := range b.Table {
			for _, c := range row {
				if hasHan(c.Text) {
					return nil
				}
			}
		}
	}
	return errors.New("no Chinese text read")
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// convertLegacy runs the first installed converter that reads data.
func convertLegacy(ctx context.Context, word bool, data []byte) (*Document, error) {
	convs := []func(context.Context, []byte) (*Document, error){sofficeXLS, xls2csvXLS}
	if word {
		convs = []func(context.Context, []byte) (*Document, error){sofficeDOC, catdocDOC, antiwordDOC}
	}
	var errs []string
	for _, conv := range convs {
		doc, err := conv(ctx, data)
		if err == nil {
			if err = checkLegacyText(doc); err == nil {
				return doc, nil
			}
		}
		errs = append(errs, err.Error())
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.New(strings.Join(errs, "; "))
}

// errNoConverter names the packages that provide a converter.
type errNoConverter struct{ bin, pkg string }

func (e errNoConverter) Error() string {
	return fmt.Sprintf("%s not found on PATH (apt-get install -y %s)", e.bin, e.pkg)
}

// runConverter writes data to a temporary file named *ext and runs bin
// with args (the file's path replaces "{}"), bounded by legacyTimeout; it
// returns the directory holding the file (removed by cleanup), stdout and
// any error.
func runConverter(ctx context.Context, bin, pkg, ext string, data []byte, args ...string) (dir string, out []byte, cleanup func(), err error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", nil, func() {}, errNoConverter{bin, pkg}
	}
	dir, err = os.MkdirTemp("", "nianbao-legacy-*")
	if err != nil {
		return "", nil, func() {}, fmt.Errorf("temp dir: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	in := filepath.Join(dir, "in"+ext)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return dir, nil, cleanup, fmt.Errorf("temp file: %w", err)
	}
	argv := make([]string, len(args))
	for i, a := range args {
		argv[i] = strings.ReplaceAll(a, "{}", in)
		argv[i] = strings.ReplaceAll(argv[i], "{dir}", dir)
	}
	ctx, cancel := context.WithTimeout(ctx, legacyTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, argv...)
	cmd.Dir = dir
	cmd.Stdout = &limitedWriter{w: &stdout, n: maxLegacyOutput}
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return dir, nil, cleanup, fmt.Errorf("%s: timed out after %s", bin, legacyTimeout)
		}
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return dir, nil, cleanup, fmt.Errorf("%s: %w: %s", bin, err, msg)
	}
	return dir, stdout.Bytes(), cleanup, nil
}

// limitedWriter keeps the first n bytes written and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	k := min(len(p), l.n)
	if k > 0 {
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		l.n -= k
	}
	return len(p), nil
}

// sofficeConvert converts data (a file named in.ext) with LibreOffice to
// format ("docx" or "xlsx") and returns the converted file.
func sofficeConvert(ctx context.Context, ext, format string, data []byte) ([]byte, error) {
	dir, _, cleanup, err := runConverter(ctx, "soffice", "libreoffice-writer-nogui libreoffice-calc-nogui", ext, data,
		"--headless", "--norestore", "-env:UserInstallation=file://{dir}/profile",
		"--convert-to", format, "--outdir", "{dir}/out", "{}")
	defer cleanup()
	if err != nil {
		return nil, err
	}
	out, err := os.ReadFile(filepath.Join(dir, "out", "in."+format))
	if err != nil {
		return nil, fmt.Errorf("soffice wrote no %s: %w", format, err)
	}
	return out, nil
}

// sofficeDOC converts a Word/WPS document to DOCX and reads that.
func sofficeDOC(ctx context.Context, data []byte) (*Document, error) {
	b, err := sofficeConvert(ctx, ".doc", "docx", data)
	if err != nil {
		return nil, err
	}
	doc, err := ReadDOCX(b)
	if err != nil {
		return nil, fmt.Errorf("soffice docx: %w", err)
	}
	doc.Meta["reader"] = "soffice"
	return doc, nil
}

// sofficeXLS converts a workbook to XLSX and reads that.
func sofficeXLS(ctx context.Context, data []byte) (*Document, error) {
	b, err := sofficeConvert(ctx, ".xls", "xlsx", data)
	if err != nil {
		return nil, err
	}
	doc, err := ReadXLSX(b)
	if err != nil {
		return nil, fmt.Errorf("soffice xlsx: %w", err)
	}
	doc.Meta["reader"] = "soffice"
	return doc, nil
}

// catdocDOC reads a Word/WPS document's text with catdoc (table cells
// tab-separated, one row a line) and parses it as text.
func catdocDOC(ctx context.Context, data []byte) (*Document, error) {
	_, out, cleanup, err := runConverter(ctx, "catdoc", "catdoc", ".doc", data, "-d", "utf-8", "-w", "{}")
	defer cleanup()
	if err != nil {
		return nil, err
	}
	return convertedText("catdoc", out)
}

// antiwordDOC reads a Word document's text with antiword.
func antiwordDOC(ctx context.Context, data []byte) (*Document, error) {
	_, out, cleanup, err := runConverter(ctx, "antiword", "antiword", ".doc", data, "-m", "UTF-8.txt", "-w", "0", "{}")
	defer cleanup()
	if err != nil {
		return nil, err
	}
	return convertedText("antiword", out)
}

// convertedText parses a converter's UTF-8 text output.
func convertedText(reader string, out []byte) (*Document, error) {
	doc, err := ReadText(out)
	if err != nil {
		return nil, fmt.Errorf("%s output: %w", reader, err)
	}
	doc.Meta["reader"] = reader
	return doc, nil
}

// xls2csvXLS reads a workbook with catdoc's xls2csv: one CSV per sheet,
// sheets separated by form feeds; each is cut into blocks like a sheet of
// ReadXLSX (merged ranges are lost).
func xls2csvXLS(ctx context.Context, data []byte) (*Document, error) {
	_, out, cleanup, err := runConverter(ctx, "xls2csv", "catdoc", ".xls", data, "-d", "utf-8", "-q", "3", "{}")
	defer cleanup()
	if err != nil {
		return nil, err
	}
	doc := &Document{Meta: map[string]string{"reader": "xls2csv"}}
	cells := 0
	for i, sheet := range bytes.Split(out, []byte("\f")) {
		if i >= maxXLSXSheets {
			break
		}
		cr := csv.NewReader(bytes.NewReader(sheet))
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		var grid [][]Cell
		for len(grid) < maxXLSXRows && cells < maxGridCells {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("xls2csv output, sheet %d: %w", i+1, err)
			}
			row := make([]Cell, min(len(rec), maxGridWidth))
			for j := range row {
				row[j] = Cell{Text: cleanCellText(rawNumber(rec[j]))}
			}
			cells += len(row)
			grid = append(grid, row)
		}
		doc.Blocks = append(doc.Blocks, sheetBlocks(grid)...)
	}
	return doc, nil
}
