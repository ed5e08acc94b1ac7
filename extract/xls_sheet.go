package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// chunkReader reads BIFF8 strings from a record and its CONTINUE
// records: a string's characters may cross into the next record, which
// then starts with a new flags byte saying whether they are one or two
// bytes wide.
type chunkReader struct {
	chunks [][]byte
	i, p   int
}

// take returns the next n bytes, which must lie in one record (moving to
// the next record when the current one is used up).
func (r *chunkReader) take(n int) ([]byte, error) {
	for r.i < len(r.chunks) && r.p >= len(r.chunks[r.i]) {
		r.i, r.p = r.i+1, 0
	}
	if r.i >= len(r.chunks) || r.p+n > len(r.chunks[r.i]) {
		return nil, errors.New("string runs past its record")
	}
	b := r.chunks[r.i][r.p : r.p+n]
	r.p += n
	return b, nil
}

// skip passes over n bytes, across records.
func (r *chunkReader) skip(n int) error {
	for n > 0 {
		if r.i >= len(r.chunks) {
			return errors.New("string extension runs past the records")
		}
		k := min(n, len(r.chunks[r.i])-r.p)
		r.p += k
		n -= k
		if r.p >= len(r.chunks[r.i]) && n > 0 {
			r.i, r.p = r.i+1, 0
		}
	}
	return nil
}

// xlString reads an XLUnicodeRichExtendedString (cchSize 2) or a
// ShortXLUnicodeString (cchSize 1).
func (r *chunkReader) xlString(cchSize int) (string, error) {
	h, err := r.take(cchSize + 1)
	if err != nil {
		return "", err
	}
	cch := int(h[0])
	if cchSize == 2 {
		cch = int(binary.LittleEndian.Uint16(h))
	}
	flags := h[cchSize]
	runs, ext := 0, 0
	if flags&0x08 != 0 {
		b, err := r.take(2)
		if err != nil {
			return "", err
		}
		runs = int(binary.LittleEndian.Uint16(b))
	}
	if flags&0x04 != 0 {
		b, err := r.take(4)
		if err != nil {
			return "", err
		}
		ext = int(int32(binary.LittleEndian.Uint32(b)))
		if ext < 0 {
			return "", fmt.Errorf("negative extension size %d", ext)
		}
	}
	u, err := r.chars(cch, flags&1 != 0)
	if err != nil {
		return "", err
	}
	if err := r.skip(4*runs + ext); err != nil {
		return "", err
	}
	return decodeUTF16(u), nil
}

// chars reads cch characters, continuing into the next record after a
// new flags byte.
func (r *chunkReader) chars(cch int, wide bool) ([]uint16, error) {
	u := make([]uint16, 0, min(cch, 4096))
	for len(u) < cch {
		if r.i >= len(r.chunks) {
			return nil, errors.New("string characters run past the records")
		}
		if r.p >= len(r.chunks[r.i]) {
			r.i, r.p = r.i+1, 0
			if r.i >= len(r.chunks) || len(r.chunks[r.i]) == 0 {
				return nil, errors.New("string characters run past the records")
			}
			wide = r.chunks[r.i][0]&1 != 0
			r.p = 1
			continue
		}
		c := r.chunks[r.i][r.p:]
		if wide {
			if len(c) < 2 {
				return nil, errors.New("half a character at a record's end")
			}
			u = append(u, binary.LittleEndian.Uint16(c))
			r.p += 2
		} else {
			u = append(u, uint16(c[0]))
			r.p++
		}
	}
	return u, nil
}

// sheetCells collects one worksheet's cell texts and merged ranges.
type sheetCells struct {
	grid   [][]Cell
	merges [][4]int // first row, last row, first col, last col
	cells  *int     // cells laid in the whole workbook
}

// set puts text at (row, col) within the limits.
func (s *sheetCells) set(row, col int, text string) {
	if row >= maxXLSXRows || col >= maxGridWidth || *s.cells >= maxGridCells || text == "" {
		return
	}
	for len(s.grid) <= row {
		s.grid = append(s.grid, nil)
	}
	for len(s.grid[row]) <= col {
		s.grid[row] = append(s.grid[row], Cell{})
		*s.cells++
	}
	s.grid[row][col] = Cell{Text: cleanCellText(text)}
}

// biffSheetGrid reads the worksheet substream at pos.
func biffSheetGrid(wb []byte, pos uint32, sst []string, cells *int) ([][]Cell, error) {
	r, p, err := biffAt(wb, int(min(pos, math.MaxInt32)))
	if err != nil {
		return nil, err
	}
	if err := checkBOF(r); err != nil {
		return nil, err
	}
	s := &sheetCells{cells: cells}
	formulaAt := [2]int{-1, -1} // the cell whose string result follows
	for p < len(wb) {
		if r, p, err = biffAt(wb, p); err != nil {
			return nil, err
		}
		b := r.body
		if r.typ == biffEOF {
			break
		}
		if r.typ == biffString && formulaAt[0] >= 0 {
			cr := &chunkReader{chunks: [][]byte{b}}
			if v, err := cr.xlString(2); err == nil {
				s.set(formulaAt[0], formulaAt[1], v)
			}
			formulaAt = [2]int{-1, -1}
			continue
		}
		if r.typ == biffShrFmla || r.typ == biffArray || r.typ == biffTable {
			continue // may stand between a FORMULA and its STRING
		}
		formulaAt = [2]int{-1, -1}
		if len(b) < 6 && r.typ != biffMergeCells {
			continue
		}
		s.record(r, sst, &formulaAt)
	}
	return s.expand(), nil
}

// record reads one cell or MERGECELLS record.
func (s *sheetCells) record(r biffRecord, sst []string, formulaAt *[2]int) {
	b := r.body
	u16 := func(i int) int { return int(binary.LittleEndian.Uint16(b[i:])) }
	switch r.typ {
	case biffLabelSST:
		if len(b) >= 10 {
			if i := int(binary.LittleEndian.Uint32(b[6:])); i >= 0 && i < len(sst) {
				s.set(u16(0), u16(2), sst[i])
			}
		}
	case biffLabel, biffRString:
		cr := &chunkReader{chunks: [][]byte{b[6:]}}
		if v, err := cr.xlString(2); err == nil {
			s.set(u16(0), u16(2), v)
		}
	case biffNumber:
		if len(b) >= 14 {
			s.set(u16(0), u16(2), biffNumberText(math.Float64frombits(binary.LittleEndian.Uint64(b[6:]))))
		}
	case biffRK:
		if len(b) >= 10 {
			s.set(u16(0), u16(2), biffNumberText(rkNumber(binary.LittleEndian.Uint32(b[6:]))))
		}
	case biffMulRK:
		row, col := u16(0), u16(2)
		for i := 4; i+6 <= len(b)-2; i += 6 {
			s.set(row, col, biffNumberText(rkNumber(binary.LittleEndian.Uint32(b[i+2:]))))
			col++
		}
	case biffFormula:
		if len(b) < 14 {
			return
		}
		row, col := u16(0), u16(2)
		if b[12] == 0xFF && b[13] == 0xFF {
			if b[6] == 0 { // a string: the STRING record that follows
				*formulaAt = [2]int{row, col}
			}
			return
		}
		s.set(row, col, biffNumberText(math.Float64frombits(binary.LittleEndian.Uint64(b[6:]))))
	case biffMergeCells:
		if len(b) < 2 {
			return
		}
		n := u16(0)
		for i := 0; i < n && 2+8*i+8 <= len(b); i++ {
			o := 2 + 8*i
			s.merges = append(s.merges, [4]int{u16(o), u16(o + 2), u16(o + 4), u16(o + 6)})
		}
	}
}

// expand pads the grid's rows and fills merged ranges (spanMerges).
func (s *sheetCells) expand() [][]Cell {
	return spanMerges(s.grid, s.merges, s.cells)
}

// spanMerges fills the merged ranges of a sheet's grid (XLS and XLSX
// alike), each {r1, r2, c1, c2}, 0-based: every covered position repeats
// the range's first cell with Span set. A range is clipped to the grid's
// rows, maxGridWidth and maxColspan; *cells counts the cells it adds, and
// filling stops at maxGridCells, or after 4×maxGridCells positions
// visited, so overlapping ranges cannot make it quadratic.
func spanMerges(grid [][]Cell, merges [][4]int, cells *int) [][]Cell {
	work := 0 // positions visited
	for _, m := range merges {
		r1, r2, c1, c2 := m[0], m[1], m[2], m[3]
		if r2 < r1 || c2 < c1 || r1 >= len(grid) || c1 >= maxGridWidth {
			continue
		}
		r2 = min(r2, len(grid)-1)
		c2 = min(c2, maxGridWidth-1, c1+maxColspan-1)
		text := ""
		if c1 < len(grid[r1]) {
			text = grid[r1][c1].Text
		}
		for r := r1; r <= r2 && *cells < maxGridCells && work < 4*maxGridCells; r++ {
			for c := c1; c <= c2; c++ {
				work++
				if r == r1 && c == c1 {
					continue
				}
				for len(grid[r]) <= c {
					grid[r] = append(grid[r], Cell{})
					*cells++
				}
				grid[r][c] = Cell{Text: text, Span: true}
			}
		}
	}
	return grid
}
