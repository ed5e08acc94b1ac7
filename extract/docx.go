package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxDOCXPart caps the uncompressed size of one part read from a DOCX
// (document.xml of a real report is well under 5 MB): a zip bomb stops
// there with an error.
const maxDOCXPart = 64 << 20

// dxTable is a w:tbl as read: rows of cells before span expansion.
type dxTable struct {
	rows []dxRow
}

type dxRow struct {
	before int // w:gridBefore: empty grid columns before the first cell
	cells  []dxCell
}

type dxCell struct {
	span   int // w:gridSpan
	vMerge int // 0 none, 1 restart, 2 continue
	items  []dxItem
}

// dxItem is a paragraph or a nested table.
type dxItem struct {
	text  string
	table *dxTable
}

// ReadDOCX reads a Word 2007+ (.docx) document: each w:p paragraph of the
// body becomes a text block and each w:tbl a grid, with w:gridSpan
// (colspan) and w:vMerge restart/continue (rowspan) expanded like HTML
// spans. A table holding tables is read cell by cell. Document.Title is the
// core properties' dc:title; Meta gets "reader" = "docx" and the core
// properties. Parts larger than 64 MB uncompressed are refused.
func ReadDOCX(data []byte) (*Document, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read docx: open archive: %w", err)
	}
	body, err := zipPart(zr, "word/document.xml")
	if err != nil {
		return nil, fmt.Errorf("read docx: %w", err)
	}
	items, err := parseDOCXBody(body)
	if err != nil {
		return nil, fmt.Errorf("read docx: word/document.xml: %w", err)
	}
	doc := &Document{Meta: map[string]string{"reader": "docx"}}
	if core, err := zipPart(zr, "docProps/core.xml"); err == nil {
		readCoreProps(core, doc)
	}
	doc.Title = doc.Meta["title"]
	w := &htmlWalker{doc: doc} // for the shared grid cell budget
	emitDOCX(w, items, 0)
	return doc, nil
}

// zipPart returns the uncompressed bytes of one archive member, refusing
// members over maxDOCXPart whatever their header claims.
func zipPart(zr *zip.Reader, name string) ([]byte, error) {
	for _, f := range zr.File {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		if f.UncompressedSize64 > maxDOCXPart {
			return nil, fmt.Errorf("%s: %d bytes uncompressed, over the %d limit", name, f.UncompressedSize64, maxDOCXPart)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxDOCXPart+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(b) > maxDOCXPart {
			return nil, fmt.Errorf("%s: over %d bytes uncompressed (zip bomb?)", name, maxDOCXPart)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s: %w", name, errNoPart)
}

var errNoPart = errors.New("missing from the archive")

// readCoreProps copies docProps/core.xml fields into doc.Meta (title,
// creator, docx.created, docx.modified). The file dates are not
// publication dates, so they get keys the date finder does not read.
func readCoreProps(core []byte, doc *Document) {
	dec := xml.NewDecoder(bytes.NewReader(core))
	var cur string
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			cur = t.Name.Local
		case xml.EndElement:
			cur = ""
		case xml.CharData:
			v := cleanSpace(string(t))
			if v == "" {
				continue
			}
			switch cur {
			case "title", "creator", "subject", "description":
				doc.Meta[cur] = v
			case "created", "modified":
				doc.Meta["docx."+cur] = v
			}
		}
	}
}

// parseDOCXBody reads the body's paragraphs and tables.
func parseDOCXBody(b []byte) ([]dxItem, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	type frame struct {
		table *dxTable
		cell  *dxCell
	}
	var (
		top    []dxItem
		stack  []frame // open tables
		para   *strings.Builder
		depth  int // w:p nesting (text boxes hold paragraphs)
		inText bool
		skip   int // inside deleted text / field instructions
	)
	addItem := func(it dxItem) {
		if n := len(stack); n > 0 {
			if c := stack[n-1].cell; c != nil {
				c.items = append(c.items, it)
			}
			return
		}
		top = append(top, it)
	}
	curRow := func() *dxRow {
		if n := len(stack); n > 0 {
			t := stack[n-1].table
			if len(t.rows) > 0 {
				return &t.rows[len(t.rows)-1]
			}
		}
		return nil
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(top) > 0 || len(stack) > 0 {
				break // keep what was read of a truncated document
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			switch t.Name.Local {
			case "delText", "instrText", "del", "fldData":
				skip = 1
			case "p":
				if depth == 0 {
					para = &strings.Builder{}
				} else if para != nil {
					para.WriteByte(' ')
				}
				depth++
			case "t":
				inText = true
			case "tab":
				if para != nil {
					para.WriteByte(' ')
				}
			case "br", "cr":
				if para != nil {
					para.WriteByte('\n')
				}
			case "tbl":
				if depth > 0 || len(stack) > 64 {
					skip = 1 // a table inside a text box: not a report table
					continue
				}
				stack = append(stack, frame{table: &dxTable{}})
			case "tr":
				if n := len(stack); n > 0 {
					stack[n-1].table.rows = append(stack[n-1].table.rows, dxRow{})
					stack[n-1].cell = nil
				}
			case "tc":
				if r := curRow(); r != nil && len(r.cells) < maxGridWidth {
					r.cells = append(r.cells, dxCell{span: 1})
					stack[len(stack)-1].cell = &r.cells[len(r.cells)-1]
				}
			case "gridSpan", "vMerge", "gridBefore":
				val, has := "", false
				for _, a := range t.Attr {
					if a.Name.Local == "val" {
						val, has = a.Value, true
					}
				}
				n := len(stack)
				if n == 0 {
					continue
				}
				switch t.Name.Local {
				case "gridBefore":
					if r := curRow(); r != nil {
						if k, err := strconv.Atoi(val); err == nil && k > 0 {
							r.before = min(k, maxColspan)
						}
					}
				case "gridSpan":
					if c := stack[n-1].cell; c != nil {
						if k, err := strconv.Atoi(val); err == nil && k > 0 {
							c.span = min(k, maxColspan)
						}
					}
				case "vMerge":
					if c := stack[n-1].cell; c != nil {
						if has && val == "restart" {
							c.vMerge = 1
						} else {
							c.vMerge = 2
						}
					}
				}
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if depth > 0 {
					depth--
				}
				if depth == 0 && para != nil {
					addItem(dxItem{text: para.String()})
					para = nil
				}
			case "tbl":
				if n := len(stack); n > 0 {
					tb := stack[n-1].table
					stack = stack[:n-1]
					addItem(dxItem{table: tb})
				}
			case "tc":
				if n := len(stack); n > 0 {
					stack[n-1].cell = nil
				}
			}
		case xml.CharData:
			if inText && skip == 0 && para != nil && para.Len() < maxCellLength*4 {
				para.Write(t)
			}
		}
	}
	for len(stack) > 0 { // unclosed tables of a truncated document
		tb := stack[len(stack)-1].table
		stack = stack[:len(stack)-1]
		addItem(dxItem{table: tb})
	}
	return top, nil
}

// emitDOCX appends the items as blocks: paragraphs as text (line breaks
// kept), tables as grids, tables holding tables cell by cell.
func emitDOCX(w *htmlWalker, items []dxItem, depth int) {
	if depth > 64 {
		return
	}
	for _, it := range items {
		if it.table == nil {
			for _, ln := range strings.Split(it.text, "\n") {
				if t := cleanSpace(ln); t != "" {
					w.doc.Blocks = append(w.doc.Blocks, Block{Text: t})
				}
			}
			continue
		}
		nested := false
		for _, r := range it.table.rows {
			for _, c := range r.cells {
				for _, ci := range c.items {
					if ci.table != nil {
						nested = true
					}
				}
			}
		}
		if nested {
			for _, r := range it.table.rows {
				for _, c := range r.cells {
					emitDOCX(w, c.items, depth+1)
				}
			}
			continue
		}
		if g := w.docxGrid(it.table); len(g) > 0 {
			w.doc.Blocks = append(w.doc.Blocks, Block{Table: g})
		}
	}
}

// docxGrid expands a table's gridSpan and vMerge into a full grid.
func (w *htmlWalker) docxGrid(t *dxTable) [][]Cell {
	var grid [][]Cell
	width := 0
	for r, row := range t.rows {
		var cells []Cell
		col := row.before
		for i := 0; i < col; i++ {
			cells = append(cells, Cell{})
		}
		for _, c := range row.cells {
			if col >= maxGridWidth || w.cells >= maxGridCells {
				break
			}
			span := min(c.span, maxGridWidth-col)
			var paras []string
			for _, it := range c.items {
				if s := cleanSpace(strings.ReplaceAll(it.text, "\n", " ")); s != "" {
					paras = append(paras, s)
				}
			}
			text := strings.Join(paras, "\n")
			first := Cell{Text: text}
			if c.vMerge == 2 && r > 0 && col < len(grid[r-1]) {
				// continues the merged cell above
				first = Cell{Text: grid[r-1][col].Text, Span: true}
			}
			for j := 0; j < span; j++ {
				cl := first
				if j > 0 {
					cl.Span = true
				}
				cells = append(cells, cl)
				w.cells++
			}
			col += span
		}
		if len(cells) > width {
			width = len(cells)
		}
		grid = append(grid, cells)
	}
	out := grid[:0]
	for _, row := range grid {
		if rowEmpty(row) {
			continue // spacer rows carry nothing
		}
		for len(row) < width {
			row = append(row, Cell{})
		}
		out = append(out, row)
	}
	return out
}
