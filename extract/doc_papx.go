package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// Paragraph properties of Word binary documents: the PlcBtePapx in the
// table stream points to 512-byte FKP pages in the WordDocument stream,
// each mapping ranges of stream offsets to a PAPX (a list of sprms).

// Sprm codes the reader needs ([MS-DOC] 2.6.2, 2.6.3).
const (
	sprmPFInTable        = 0x2416
	sprmPFTtp            = 0x2417
	sprmPFInnerTableCell = 0x244B
	sprmPFInnerTtp       = 0x244C
	sprmPItap            = 0x6649
	sprmPHugePapx        = 0x6646
	sprmPChgTabs         = 0xC615
	sprmTDefTable        = 0xD608
)

// docPara is what a paragraph mark's properties say about tables.
type docPara struct {
	inTable, ttp        bool // inside a table; the row's end mark
	innerCell, innerTTP bool // a nested table's cell or row end
	depth               int  // table nesting depth (sprmPItap)
	tdef                *docTDef
}

// docTDef is a row's cell layout from sprmTDefTable: the cells' left and
// right edges (twips; itcMac+1 of them) and each cell's merge flags.
type docTDef struct {
	edges  []int
	vmerge []uint8 // 1: continues the cell above; 3: starts a merge
	hmerge []uint8 // 2: continues the cell to the left (Word 97 style)
}

// docRun gives the properties of paragraphs whose marks lie in [fc, end).
type docRun struct {
	fc, end uint32
	para    docPara
}

// docPAPX reads every paragraph-property run of the document, sorted by
// offset. data is the Data stream (for sprmPHugePapx), possibly nil.
func docPAPX(wd, tbl, data []byte, fc, lcb uint32) ([]docRun, error) {
	if lcb == 0 {
		return nil, nil
	}
	if uint64(fc)+uint64(lcb) > uint64(len(tbl)) || lcb < 12 || (lcb-4)%8 != 0 {
		return nil, fmt.Errorf("PlcBtePapx at %d+%d does not fit the %d-byte table stream", fc, lcb, len(tbl))
	}
	plc := tbl[fc : fc+lcb]
	n := int(lcb-4) / 8
	var runs []docRun
	pr := &papxReader{data: data, huge: map[uint32]docPara{}}
	for i := 0; i < n; i++ {
		pn := binary.LittleEndian.Uint32(plc[4*(n+1)+4*i:]) & 0x3FFFFF
		off := uint64(pn) * 512
		if off+512 > uint64(len(wd)) {
			return nil, fmt.Errorf("PAPX page %d outside the %d-byte WordDocument stream", pn, len(wd))
		}
		var err error
		if runs, err = pr.fkpRuns(runs, wd[off:off+512]); err != nil {
			return nil, fmt.Errorf("PAPX page %d: %w", pn, err)
		}
		if len(runs) > maxDOCRuns {
			return nil, fmt.Errorf("over %d paragraph property runs", maxDOCRuns)
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].fc < runs[j].fc })
	return runs, nil
}

// papxReader reads PAPX pages; properties stored in the Data stream
// (sprmPHugePapx) are parsed once per offset, however many paragraphs
// point there.
type papxReader struct {
	data []byte
	huge map[uint32]docPara
}

// fkpRuns appends the runs of one PapxFkp page (each distinct PAPX of the
// page parsed once).
func (pr *papxReader) fkpRuns(runs []docRun, page []byte) ([]docRun, error) {
	crun := int(page[511])
	bx := 4 * (crun + 1)
	if crun == 0 || bx+13*crun > 511 {
		return runs, fmt.Errorf("%d runs do not fit the page", crun)
	}
	seen := map[int]docPara{}
	for i := 0; i < crun; i++ {
		r := docRun{fc: binary.LittleEndian.Uint32(page[4*i:]), end: binary.LittleEndian.Uint32(page[4*i+4:])}
		if b := int(page[bx+13*i]); b != 0 {
			p, ok := seen[b]
			if !ok {
				grp, err := fkpGrpprl(page, 2*b)
				if err != nil {
					return runs, err
				}
				p = pr.parse(grp, true)
				seen[b] = p
			}
			r.para = p
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// fkpGrpprl returns the sprms of the PapxInFkp at page[off:] (after the
// 2-byte style index).
func fkpGrpprl(page []byte, off int) ([]byte, error) {
	if off >= 511 {
		return nil, fmt.Errorf("PAPX offset %d outside the page", off)
	}
	size, start := 2*int(page[off])-1, off+1
	if page[off] == 0 {
		if off+1 >= 511 {
			return nil, errors.New("PAPX size outside the page")
		}
		size, start = 2*int(page[off+1]), off+2
	}
	if size < 2 || start+size > 511 {
		return nil, fmt.Errorf("PAPX of %d bytes at %d does not fit the page", size, off)
	}
	return page[start+2 : start+size], nil
}

// parse reads the table-related sprms of a grpprl. huge allows one level
// of sprmPHugePapx (properties stored in the Data stream).
func (pr *papxReader) parse(g []byte, huge bool) docPara {
	var p docPara
	for i := 0; i+2 <= len(g); {
		sprm := binary.LittleEndian.Uint16(g[i:])
		i += 2
		n := sprmOperandLen(sprm, g[i:])
		if n < 0 || i+n > len(g) {
			break
		}
		op := g[i : i+n]
		switch sprm {
		case sprmPFInTable:
			p.inTable = op[0] != 0
		case sprmPFTtp:
			p.ttp = op[0] != 0
		case sprmPFInnerTableCell:
			p.innerCell = op[0] != 0
		case sprmPFInnerTtp:
			p.innerTTP = op[0] != 0
		case sprmPItap:
			p.depth = int(int32(binary.LittleEndian.Uint32(op)))
		case sprmTDefTable:
			p.tdef = parseTDef(op)
		case sprmPHugePapx:
			if huge {
				return pr.hugeAt(binary.LittleEndian.Uint32(op))
			}
		}
		i += n
	}
	if p.inTable && p.depth == 0 {
		p.depth = 1
	}
	return p
}

// hugeAt parses the properties stored at off in the Data stream, once.
func (pr *papxReader) hugeAt(off uint32) docPara {
	if p, ok := pr.huge[off]; ok {
		return p
	}
	var p docPara
	if g, ok := hugePapx(pr.data, off); ok {
		p = pr.parse(g, false)
	}
	pr.huge[off] = p
	return p
}

// hugePapx returns the grpprl of the PrcData stored at off in the Data
// stream (a 2-byte size, then the sprms).
func hugePapx(data []byte, off uint32) ([]byte, bool) {
	if uint64(off)+2 > uint64(len(data)) {
		return nil, false
	}
	cb := uint64(binary.LittleEndian.Uint16(data[off:]))
	if uint64(off)+2+cb > uint64(len(data)) {
		return nil, false
	}
	return data[off+2 : uint64(off)+2+cb], true
}

// sprmOperandLen is the operand size of sprm whose operand starts at op,
// or -1 when it cannot be told.
func sprmOperandLen(sprm uint16, op []byte) int {
	switch sprm >> 13 {
	case 0, 1:
		return 1
	case 2, 4, 5:
		return 2
	case 3:
		return 4
	case 7:
		return 3
	}
	switch {
	case sprm == sprmTDefTable:
		if len(op) < 2 {
			return -1
		}
		return 2 + int(binary.LittleEndian.Uint16(op)) - 1
	case sprm == sprmPChgTabs && len(op) > 0 && op[0] == 255:
		return -1 // the complex form: rare; stop reading this grpprl
	case len(op) < 1:
		return -1
	}
	return 1 + int(op[0])
}

// parseTDef reads a TDefTableOperand (after its 2-byte size).
func parseTDef(op []byte) *docTDef {
	if len(op) < 3 {
		return nil
	}
	op = op[2:]
	nc := int(op[0])
	if nc == 0 || 1+2*(nc+1) > len(op) {
		return nil
	}
	t := &docTDef{edges: make([]int, nc+1), vmerge: make([]uint8, nc), hmerge: make([]uint8, nc)}
	for i := range t.edges {
		t.edges[i] = int(int16(binary.LittleEndian.Uint16(op[1+2*i:])))
	}
	tc := op[1+2*(nc+1):]
	for i := 0; i < nc && 20*i+2 <= len(tc); i++ {
		grf := binary.LittleEndian.Uint16(tc[20*i:])
		t.hmerge[i] = uint8(grf & 3)
		t.vmerge[i] = uint8(grf>>5) & 3
	}
	return t
}

// paraAt returns the properties of the paragraph whose mark is at fc.
func paraAt(runs []docRun, fc uint32) docPara {
	i := sort.Search(len(runs), func(i int) bool { return runs[i].end > fc })
	if i < len(runs) && runs[i].fc <= fc {
		return runs[i].para
	}
	return docPara{}
}
