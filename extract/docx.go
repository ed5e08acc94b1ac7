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

	"github.com/nianbao/nianbao/decode"
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
	var num *docxNumbering
	if nb, err := zipPart(zr, "word/numbering.xml"); err == nil {
		num = readNumbering(nb)
	}
	items, err := parseDOCXBody(body, num)
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
func parseDOCXBody(b []byte, num *docxNumbering) ([]dxItem, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	p := &docxWalk{num: num}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(p.top) > 0 || len(p.stack) > 0 {
				break // keep what was read of a truncated document
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.start(t)
		case xml.EndElement:
			p.end(t)
		case xml.CharData:
			p.text(t)
		}
	}
	return p.finish(), nil
}

// docxWalk is the state of parseDOCXBody's walk over word/document.xml:
// the items read so far, the open tables, the open paragraph.
type docxWalk struct {
	num    *docxNumbering
	top    []dxItem
	stack  []docxFrame // open tables
	para   *strings.Builder
	depth  int // w:p nesting (text boxes hold paragraphs)
	inText bool
	skip   int // inside deleted text / field instructions
	// the paragraph's list numbering (w:numPr): numId 0 is none
	pNum, pLvl int
}

// docxFrame is one open table and its open cell.
type docxFrame struct {
	table *dxTable
	cell  *dxCell
}

// start handles an opening tag.
func (p *docxWalk) start(t xml.StartElement) {
	if p.skip > 0 {
		p.skip++
		return
	}
	switch t.Name.Local {
	case "delText", "instrText", "del", "fldData":
		p.skip = 1
	case "p":
		if p.depth == 0 {
			p.para = &strings.Builder{}
			p.pNum, p.pLvl = 0, 0
		} else if p.para != nil {
			p.para.WriteByte(' ')
		}
		p.depth++
	case "t":
		p.inText = true
	case "tab":
		if p.para != nil {
			p.para.WriteByte(' ')
		}
	case "br", "cr":
		if p.para != nil {
			p.para.WriteByte('\n')
		}
	case "tbl", "tr", "tc":
		p.startTable(t.Name.Local)
	case "ilvl", "numId":
		p.listProp(t)
	case "gridSpan", "vMerge", "gridBefore":
		p.cellProp(t)
	}
}

// startTable opens a table, a row or a cell.
func (p *docxWalk) startTable(name string) {
	n := len(p.stack)
	switch name {
	case "tbl":
		if p.depth > 0 || n > 64 {
			p.skip = 1 // a table inside a text box: not a report table
			return
		}
		p.stack = append(p.stack, docxFrame{table: &dxTable{}})
	case "tr":
		if n > 0 {
			p.stack[n-1].table.rows = append(p.stack[n-1].table.rows, dxRow{})
			p.stack[n-1].cell = nil
		}
	case "tc":
		if r := p.curRow(); r != nil && len(r.cells) < maxGridWidth {
			r.cells = append(r.cells, dxCell{span: 1})
			p.stack[n-1].cell = &r.cells[len(r.cells)-1]
		}
	}
}

// listProp reads a paragraph's list numbering (w:numPr's ilvl, numId).
func (p *docxWalk) listProp(t xml.StartElement) {
	if p.para == nil || p.depth != 1 {
		return
	}
	for _, a := range t.Attr {
		if a.Name.Local != "val" {
			continue
		}
		if k, err := strconv.Atoi(a.Value); err == nil && k >= 0 && k < 1<<20 {
			if t.Name.Local == "ilvl" {
				p.pLvl = min(k, 8)
			} else {
				p.pNum = k
			}
		}
	}
}

// cellProp reads a cell's or row's span (gridSpan, vMerge, gridBefore).
func (p *docxWalk) cellProp(t xml.StartElement) {
	val, has := "", false
	for _, a := range t.Attr {
		if a.Name.Local == "val" {
			val, has = a.Value, true
		}
	}
	n := len(p.stack)
	if n == 0 {
		return
	}
	c := p.stack[n-1].cell
	switch t.Name.Local {
	case "gridBefore":
		if r := p.curRow(); r != nil {
			if k, err := strconv.Atoi(val); err == nil && k > 0 {
				r.before = min(k, maxColspan)
			}
		}
	case "gridSpan":
		if c != nil {
			if k, err := strconv.Atoi(val); err == nil && k > 0 {
				c.span = min(k, maxColspan)
			}
		}
	case "vMerge":
		if c != nil {
			if has && val == "restart" {
				c.vMerge = 1
			} else {
				c.vMerge = 2
			}
		}
	}
}

// end handles a closing tag: a paragraph, table or cell is complete.
func (p *docxWalk) end(t xml.EndElement) {
	if p.skip > 0 {
		p.skip--
		return
	}
	switch t.Name.Local {
	case "t":
		p.inText = false
	case "p":
		p.endPara()
	case "tbl":
		if n := len(p.stack); n > 0 {
			tb := p.stack[n-1].table
			p.stack = p.stack[:n-1]
			p.addItem(dxItem{table: tb})
		}
	case "tc":
		if n := len(p.stack); n > 0 {
			p.stack[n-1].cell = nil
		}
	}
}

// endPara closes a paragraph; the outermost one becomes an item, with
// its list number in front.
func (p *docxWalk) endPara() {
	if p.depth > 0 {
		p.depth--
	}
	if p.depth != 0 || p.para == nil {
		return
	}
	text := p.para.String()
	if p.pNum > 0 && p.num != nil && strings.TrimSpace(text) != "" {
		text = p.num.label(p.pNum, p.pLvl) + text
	}
	p.addItem(dxItem{text: text})
	p.para = nil
}

// text keeps the characters of a w:t run.
func (p *docxWalk) text(t xml.CharData) {
	if p.inText && p.skip == 0 && p.para != nil && p.para.Len() < maxCellLength*4 {
		p.para.Write(t)
	}
}

// addItem appends an item to the open cell, or to the body.
func (p *docxWalk) addItem(it dxItem) {
	if n := len(p.stack); n > 0 {
		if c := p.stack[n-1].cell; c != nil {
			c.items = append(c.items, it)
		}
		return
	}
	p.top = append(p.top, it)
}

// curRow is the open table's last row, or nil.
func (p *docxWalk) curRow() *dxRow {
	if n := len(p.stack); n > 0 {
		t := p.stack[n-1].table
		if len(t.rows) > 0 {
			return &t.rows[len(t.rows)-1]
		}
	}
	return nil
}

// finish closes the tables a truncated document left open and returns
// the items.
func (p *docxWalk) finish() []dxItem {
	for len(p.stack) > 0 {
		tb := p.stack[len(p.stack)-1].table
		p.stack = p.stack[:len(p.stack)-1]
		p.addItem(dxItem{table: tb})
	}
	return p.top
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

// docxLevel is one level of a Word list: its number format and label
// pattern ("%1、").
type docxLevel struct {
	start int
	fmt   string
	text  string
}

// docxNumbering holds word/numbering.xml (list definitions) and the
// running counters of the lists while the body is read.
type docxNumbering struct {
	abstract map[int][]docxLevel // abstractNumId -> levels
	nums     map[int]int         // numId -> abstractNumId
	counters map[int][]int       // numId -> counter per level
}

// readNumbering reads the list definitions; nil when there are none.
func readNumbering(b []byte) *docxNumbering {
	n := &docxNumbering{abstract: map[int][]docxLevel{}, nums: map[int]int{}, counters: map[int][]int{}}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	curAbs, curNum, lvl := -1, -1, -1
	attr := func(t xml.StartElement, name string) (int, string) {
		for _, a := range t.Attr {
			if a.Name.Local == name {
				k, _ := strconv.Atoi(a.Value)
				return k, a.Value
			}
		}
		return -1, ""
	}
	for i := 0; i < 1_000_000; i++ {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "abstractNum":
				curAbs, _ = attr(t, "abstractNumId")
				curNum = -1
			case "num":
				curNum, _ = attr(t, "numId")
				curAbs = -1
			case "abstractNumId":
				if curNum >= 0 {
					if k, _ := attr(t, "val"); k >= 0 {
						n.nums[curNum] = k
					}
				}
			case "lvl":
				lvl, _ = attr(t, "ilvl")
				if curAbs >= 0 && lvl >= 0 && lvl < 9 {
					levels := n.abstract[curAbs]
					for len(levels) <= lvl {
						levels = append(levels, docxLevel{start: 1, fmt: "decimal"})
					}
					n.abstract[curAbs] = levels
				}
			case "start", "numFmt", "lvlText":
				if curAbs < 0 || lvl < 0 || lvl >= len(n.abstract[curAbs]) {
					continue
				}
				k, v := attr(t, "val")
				l := &n.abstract[curAbs][lvl]
				switch t.Name.Local {
				case "start":
					if k >= 0 && k < 1000 {
						l.start = k
					}
				case "numFmt":
					l.fmt = v
				case "lvlText":
					l.text = v
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "abstractNum", "num":
				curAbs, curNum = -1, -1
			case "lvl":
				lvl = -1
			}
		}
	}
	if len(n.nums) == 0 {
		return nil
	}
	return n
}

// label advances list numId at level lvl and returns the paragraph's
// number label ("一、", "（二）", "3.").
func (n *docxNumbering) label(numID, lvl int) string {
	abs, ok := n.nums[numID]
	if !ok {
		return ""
	}
	levels := n.abstract[abs]
	if lvl >= len(levels) {
		return ""
	}
	c := n.counters[numID]
	if c == nil {
		c = make([]int, 9)
		n.counters[numID] = c
	}
	if c[lvl] == 0 {
		c[lvl] = levels[lvl].start
	} else {
		c[lvl]++
	}
	for j := lvl + 1; j < len(c); j++ {
		c[j] = 0 // deeper levels restart
	}
	if levels[lvl].fmt == "none" || levels[lvl].fmt == "bullet" {
		return ""
	}
	text := levels[lvl].text
	for j := 0; j <= lvl && j < len(levels); j++ {
		v := c[j]
		if v == 0 {
			v = levels[j].start
		}
		text = strings.ReplaceAll(text, "%"+strconv.Itoa(j+1), formatListNumber(v, levels[j].fmt))
	}
	return text
}

// formatListNumber writes n in a Word list number format.
func formatListNumber(n int, format string) string {
	switch format {
	case "chineseCounting", "chineseCountingThousand", "japaneseCounting", "chineseLegalSimplified", "ideographLegalTraditional", "taiwaneseCounting", "taiwaneseCountingThousand":
		return chineseNumber(n)
	case "decimalFullWidth", "decimalFullWidth2":
		return decode.Widen(strconv.Itoa(n))
	case "decimalEnclosedCircle", "decimalEnclosedCircleChinese":
		if n >= 1 && n <= 20 {
			return string(rune('①' + n - 1))
		}
	case "lowerLetter":
		if n >= 1 && n <= 26 {
			return string(rune('a' + n - 1))
		}
	case "upperLetter":
		if n >= 1 && n <= 26 {
			return string(rune('A' + n - 1))
		}
	case "ideographTraditional":
		if n >= 1 && n <= 10 {
			return string([]rune("甲乙丙丁戊己庚辛壬癸")[n-1])
		}
	}
	return strconv.Itoa(n)
}

// chineseNumber writes 1..99 as 一 … 九十九 (larger numbers in digits).
func chineseNumber(n int) string {
	digits := []rune("零一二三四五六七八九")
	switch {
	case n >= 1 && n <= 9:
		return string(digits[n])
	case n == 10:
		return "十"
	case n > 10 && n < 20:
		return "十" + string(digits[n-10])
	case n >= 20 && n < 100:
		s := string(digits[n/10]) + "十"
		if n%10 != 0 {
			s += string(digits[n%10])
		}
		return s
	}
	return strconv.Itoa(n)
}
