package extract

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// ReadDOC reads a Word 97-2003 (.doc) or WPS (.wps) binary document into
// a Document with the pure-Go reader: paragraphs become text blocks and
// tables (cell and row marks told apart by the paragraph properties, cell
// edges and merges from each row's table definition) become Table grids
// with merged cells expanded, as ReadDOCX makes them. Field codes are
// dropped and their results kept. Document.Title is the summary
// information's title; Meta["reader"] is "doc-go".
func ReadDOC(data []byte) (*Document, error) {
	st, err := oleStreams(data, "WordDocument", "0Table", "1Table", "Data", oleSummaryStream)
	if err != nil {
		return nil, fmt.Errorf("read doc: %w", err)
	}
	return readDOCStreams(st)
}

// readDOCStreams is ReadDOC on the compound file's streams.
func readDOCStreams(st map[string][]byte) (*Document, error) {
	wd := st["WordDocument"]
	if wd == nil {
		return nil, fmt.Errorf("read doc: %w: no WordDocument stream (not a Word 97-2003 or WPS document)", errCorruptOLE)
	}
	fib, err := parseFIB(wd)
	if err != nil {
		return nil, fmt.Errorf("read doc: %w", err)
	}
	tbl := st[fib.table]
	if tbl == nil {
		return nil, fmt.Errorf("read doc: no %s stream", fib.table)
	}
	pieces, err := docPieces(tbl, fib.fcClx, fib.lcbClx)
	if err != nil {
		return nil, fmt.Errorf("read doc: %w", err)
	}
	sortPieces(pieces)
	chars, err := docText(wd, pieces, fib.ccpText)
	if err != nil {
		return nil, fmt.Errorf("read doc: %w", err)
	}
	runs, err := docPAPX(wd, tbl, st["Data"], fib.fcBtePapx, fib.lcbBtePapx)
	if err != nil {
		return nil, fmt.Errorf("read doc: paragraph properties: %w", err)
	}
	b := &docBuilder{doc: &Document{Title: oleTitle(st[oleSummaryStream]), Meta: map[string]string{"reader": "doc-go"}}}
	b.read(chars, runs)
	if len(b.doc.Blocks) == 0 {
		return nil, errors.New("read doc: no text")
	}
	return b.doc, nil
}

// docBuilder turns the character stream into blocks.
type docBuilder struct {
	doc    *Document
	para   strings.Builder
	tables []*docTable // the open tables, outermost first (nesting depth = len)
	cells  int         // grid cells made, bounded by maxGridCells
}

// docTable is an open table: its rows so far, and in reading order the
// blocks it would give unwrapped (its paragraphs and nested tables), used
// when it holds a nested table: such an outer table is page layout (a web
// page pasted into Word), as the HTML reader treats layout tables.
type docTable struct {
	rows   []docRow
	row    []string // cells of the open row
	cell   []string // paragraphs of the open cell
	items  []Block
	nested bool
}

// docRow is one table row: its cells' text and the row's layout (nil
// when the row mark had none).
type docRow struct {
	cells []string
	tdef  *docTDef
}

// read walks the characters: text into the open paragraph, marks closing
// paragraphs, cells and rows; field instructions are skipped.
func (b *docBuilder) read(chars []docChar, runs []docRun) {
	var fields []bool // per open field: true once its result starts
	for _, c := range chars {
		switch c.r {
		case 0x13:
			if len(fields) < 64 {
				fields = append(fields, false)
			}
			continue
		case 0x14:
			if len(fields) > 0 {
				fields[len(fields)-1] = true
			}
			continue
		case 0x15:
			if len(fields) > 0 {
				fields = fields[:len(fields)-1]
			}
			continue
		case 0x0D, 0x07, 0x0C:
			b.mark(c.r, paraAt(runs, c.fc))
			continue
		}
		if inFieldCode(fields) {
			continue
		}
		b.char(c.r)
	}
	b.mark(0x0D, docPara{})
	b.flushTables()
}

// inFieldCode reports text inside a field's instructions.
func inFieldCode(fields []bool) bool {
	for _, res := range fields {
		if !res {
			return true
		}
	}
	return false
}

// char adds one character to the open paragraph.
func (b *docBuilder) char(r rune) {
	if b.para.Len() >= maxCellLength*4 {
		return
	}
	switch {
	case r == 0x0B || r == 0x0E:
		b.para.WriteByte('\n')
	case r == 0x09 || r == 0xA0:
		b.para.WriteByte(' ')
	case r == 0x1E:
		b.para.WriteByte('-')
	case r < 0x20 || r == utf8.RuneError || (r >= 0xD800 && r < 0xE000):
		// objects, footnote marks, hyphenation hints, broken surrogates
	default:
		b.para.WriteRune(r)
	}
}

// mark closes the open paragraph at a paragraph, cell or row mark: the
// mark's nesting depth opens or closes tables, then it ends a cell, a row
// or a paragraph (in a cell or outside tables).
func (b *docBuilder) mark(r rune, p docPara) {
	text := b.para.String()
	b.para.Reset()
	depth := 0
	if p.inTable || p.innerCell || p.innerTTP {
		depth = min(max(p.depth, 1), 64)
	}
	for len(b.tables) > depth {
		b.closeTable()
	}
	for len(b.tables) < depth {
		b.tables = append(b.tables, &docTable{})
	}
	if depth == 0 {
		b.doc.Blocks = appendTextBlocks(b.doc.Blocks, text)
		return
	}
	t := b.tables[depth-1]
	cellEnd := (depth == 1 && r == 0x07 && !p.ttp) || (depth > 1 && p.innerCell)
	rowEnd := (depth == 1 && r == 0x07 && p.ttp) || (depth > 1 && p.innerTTP)
	switch {
	case rowEnd:
		t.endRow(p.tdef)
	case cellEnd:
		t.addPara(text)
		t.row = append(t.row, joinCellParas(t.cell))
		t.cell = nil
	default:
		t.addPara(text)
	}
}

// addPara adds a paragraph to the open cell.
func (t *docTable) addPara(text string) {
	t.cell = append(t.cell, text)
	t.items = appendTextBlocks(t.items, text)
}

// appendTextBlocks appends a paragraph's non-blank lines as text blocks.
func appendTextBlocks(blocks []Block, text string) []Block {
	for _, ln := range strings.Split(text, "\n") {
		if s := cleanSpace(ln); s != "" {
			blocks = append(blocks, Block{Text: s})
		}
	}
	return blocks
}

// endRow closes the open row.
func (t *docTable) endRow(tdef *docTDef) {
	if len(t.cell) > 0 {
		t.row = append(t.row, joinCellParas(t.cell))
		t.cell = nil
	}
	if len(t.row) > 0 {
		t.rows = append(t.rows, docRow{cells: t.row, tdef: tdef})
	}
	t.row = nil
}

// closeTable closes the innermost open table: a grid, or (holding a
// nested table) its blocks unwrapped; they go to the enclosing table,
// which is then layout too, or to the document.
func (b *docBuilder) closeTable() {
	t := b.tables[len(b.tables)-1]
	b.tables = b.tables[:len(b.tables)-1]
	if len(t.row) > 0 || len(t.cell) > 0 {
		t.endRow(nil)
	}
	blocks := t.items
	if !t.nested {
		blocks = nil
		if g := b.grid(t.rows); len(g) > 0 {
			blocks = []Block{{Table: g}}
		}
	}
	if len(b.tables) == 0 {
		b.doc.Blocks = append(b.doc.Blocks, blocks...)
		return
	}
	parent := b.tables[len(b.tables)-1]
	parent.items = append(parent.items, blocks...)
	parent.nested = true
}

// flushTables closes every open table.
func (b *docBuilder) flushTables() {
	for len(b.tables) > 0 {
		b.closeTable()
	}
}

// grid lays the rows on columns made of every distinct cell edge of the
// table: a cell covering several columns repeats its text in each (Span),
// and a cell continuing a vertical merge repeats the text above.
func (b *docBuilder) grid(rows []docRow) [][]Cell {
	col := tableColumns(rows)
	var grid [][]Cell
	width := 0
	for _, row := range rows {
		if b.cells >= maxGridCells {
			break
		}
		var out []Cell
		laid := row.tdef != nil && len(row.tdef.edges) >= len(row.cells)+1 && col != nil
		for i, text := range row.cells {
			c0, c1 := len(out), len(out)+1
			if laid {
				c0, c1 = max(col[row.tdef.edges[i]], len(out)), col[row.tdef.edges[i+1]]
			}
			c1 = min(max(c1, c0+1), c0+maxColspan, maxGridWidth)
			if c0 >= maxGridWidth {
				break
			}
			for len(out) < c0 {
				out = append(out, Cell{})
			}
			span := false
			if laid {
				above := len(grid) - 1
				switch {
				case row.tdef.vmerge[i] == 1 && above >= 0 && c0 < len(grid[above]):
					text, span = grid[above][c0].Text, true
				case row.tdef.hmerge[i] == 2 && c0 > 0:
					text, span = out[c0-1].Text, true
				}
			}
			out = append(out, Cell{Text: text, Span: span})
			for k := c0 + 1; k < c1; k++ {
				out = append(out, Cell{Text: text, Span: true})
			}
		}
		b.cells += len(out)
		width = max(width, len(out))
		grid = append(grid, out)
	}
	for i := range grid {
		for len(grid[i]) < width {
			grid[i] = append(grid[i], Cell{})
		}
	}
	return grid
}

// tableColumns maps each distinct cell edge of the table's rows to its
// column index (nil when no row has a layout).
func tableColumns(rows []docRow) map[int]int {
	set := map[int]bool{}
	for _, r := range rows {
		if r.tdef == nil {
			continue
		}
		for _, e := range r.tdef.edges {
			if len(set) < maxGridWidth+1 {
				set[e] = true
			}
		}
	}
	if len(set) < 2 {
		return nil
	}
	edges := make([]int, 0, len(set))
	for e := range set {
		edges = append(edges, e)
	}
	sort.Ints(edges)
	col := make(map[int]int, len(edges))
	for i, e := range edges {
		col[e] = i
	}
	return col
}
