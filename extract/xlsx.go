package extract

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits for reading workbooks: a report sheet has a few dozen rows.
const (
	maxXLSXRows   = 10000
	maxXLSXUnzip  = 256 << 20
	maxXLSXSheets = 64
)

// ReadXLSX reads an Excel 2007+ (.xlsx) workbook: for each visible sheet,
// its name as a text block, then its cells: runs of non-empty rows are
// Table grids with merged cells expanded (every covered position repeats
// the merged text, with Span set), and one-cell rows above or below a table
// (title, headings, paragraphs typed in column A) are text blocks. Cell values are read raw (not through number formats, which may
// round). Document.Title is the workbook's core title; Meta["reader"] is
// "xlsx".
func ReadXLSX(data []byte) (*Document, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxXLSXUnzip, UnzipXMLSizeLimit: 64 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("read xlsx: open workbook: %w", err)
	}
	defer f.Close()
	doc := &Document{Meta: map[string]string{"reader": "xlsx"}}
	if p, err := f.GetDocProps(); err == nil && p != nil {
		doc.Title = cleanSpace(p.Title)
	}
	w := &htmlWalker{doc: doc}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("read xlsx: no sheets")
	}
	for i, sh := range sheets {
		if i >= maxXLSXSheets {
			break
		}
		if vis, err := f.GetSheetVisible(sh); err == nil && !vis {
			continue
		}
		grid, err := w.sheetGrid(f, sh)
		if err != nil {
			return nil, fmt.Errorf("read xlsx: sheet %q: %w", sh, err)
		}
		if t := cleanSpace(sh); t != "" {
			doc.Blocks = append(doc.Blocks, Block{Text: t})
		}
		doc.Blocks = append(doc.Blocks, sheetBlocks(grid)...)
	}
	return doc, nil
}

// sheetGrid reads one sheet's cells and expands its merged ranges.
func (w *htmlWalker) sheetGrid(f *excelize.File, sheet string) ([][]Cell, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var grid [][]Cell
	for rows.Next() && len(grid) < maxXLSXRows && w.cells < maxGridCells {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if len(cols) > maxGridWidth {
			cols = cols[:maxGridWidth]
		}
		row := make([]Cell, len(cols))
		for j, v := range cols {
			row[j] = Cell{Text: cleanCellText(rawNumber(v))}
		}
		w.cells += len(row)
		grid = append(grid, row)
	}
	if err := rows.Error(); err != nil {
		return nil, err
	}
	merges, err := f.GetMergeCells(sheet)
	if err != nil {
		return nil, err
	}
	spans := make([][4]int, 0, len(merges))
	for _, m := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		// 0-based, first before last
		spans = append(spans, [4]int{min(r1, r2) - 1, max(r1, r2) - 1, min(c1, c2) - 1, max(c1, c2) - 1})
	}
	return spanMerges(grid, spans, &w.cells), nil
}

// sheetBlocks cuts a sheet into blocks: empty rows separate tables; rows
// before or after a table holding one unmerged cell (a title, a heading, a
// paragraph typed in column A) are text blocks; each table is padded to
// its own width (not the sheet's).
func sheetBlocks(grid [][]Cell) []Block {
	var out []Block
	textRow := func(row []Cell) (string, bool) {
		text, n := "", 0
		for _, c := range row {
			if c.Text == "" {
				continue
			}
			if c.Span {
				return "", false
			}
			text = c.Text
			n++
		}
		return text, n == 1
	}
	for i := 0; i < len(grid); {
		if rowEmpty(grid[i]) {
			i++
			continue
		}
		j := i
		for j < len(grid) && !rowEmpty(grid[j]) {
			j++
		}
		sec := grid[i:j]
		var tail []Block
		for len(sec) > 0 {
			t, ok := textRow(sec[0])
			if !ok {
				break
			}
			out = append(out, Block{Text: strings.ReplaceAll(t, "\n", " ")})
			sec = sec[1:]
		}
		for len(sec) > 0 {
			t, ok := textRow(sec[len(sec)-1])
			if !ok {
				break
			}
			tail = append([]Block{{Text: strings.ReplaceAll(t, "\n", " ")}}, tail...)
			sec = sec[:len(sec)-1]
		}
		if len(sec) > 0 {
			width := 0
			for _, row := range sec {
				n := len(row)
				for n > 0 && row[n-1].Text == "" {
					n--
				}
				width = max(width, n)
			}
			tbl := make([][]Cell, len(sec))
			for k, row := range sec {
				r := make([]Cell, width)
				copy(r, row)
				tbl[k] = r
			}
			out = append(out, Block{Table: tbl})
		}
		out = append(out, tail...)
		i = j
	}
	return out
}

func rowEmpty(row []Cell) bool {
	for _, c := range row {
		if c.Text != "" {
			return false
		}
	}
	return true
}

// cleanCellText keeps a spreadsheet cell's line breaks as paragraph breaks
// and collapses other white space.
func cleanCellText(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return cleanSpace(v)
	}
	var out []string
	for _, ln := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if s := cleanSpace(ln); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "\n")
}

// rawNumber rounds a raw numeric cell to 15 significant digits, the
// precision Excel shows ("2159.0450000000001" is 2159.045); other values
// are returned as they are.
func rawNumber(v string) string {
	if len(v) < 16 || !strings.ContainsAny(v, ".eE") || strings.ContainsAny(v, " \t%,") {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return v
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}
