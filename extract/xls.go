package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
)

// Excel 97-2003 (.xls) and WPS spreadsheet (.et) workbooks: an OLE2
// compound file whose Workbook stream is a sequence of BIFF8 records
// ([MS-XLS] 2.4). The reader takes the sheets from BOUNDSHEET, the shared
// strings from SST (split over CONTINUE records), and the cells from
// LABELSST, LABEL, RSTRING, NUMBER, RK, MULRK and FORMULA (its cached
// result, a string one from the STRING record after it), and
// expands MERGECELLS ranges as ReadXLSX does.

// BIFF8 record types the reader needs.
const (
	biffFormula    = 0x0006
	biffEOF        = 0x000A
	biffFilePass   = 0x002F
	biffContinue   = 0x003C
	biffBoundSheet = 0x0085
	biffMulRK      = 0x00BD
	biffRString    = 0x00D6
	biffMergeCells = 0x00E5
	biffSST        = 0x00FC
	biffLabelSST   = 0x00FD
	biffNumber     = 0x0203
	biffLabel      = 0x0204
	biffString     = 0x0207
	biffArray      = 0x0221
	biffTable      = 0x0236
	biffShrFmla    = 0x04BC
	biffRK         = 0x027E
	biffBOF        = 0x0809
)

// maxSSTStrings bounds the shared string table.
const maxSSTStrings = 1 << 20

// biffSheet is one BOUNDSHEET entry.
type biffSheet struct {
	name   string
	pos    uint32
	hidden bool
	kind   uint8 // 0: worksheet
}

// ReadXLS reads an Excel 97-2003 (.xls) or WPS (.et) workbook with the
// pure-Go BIFF8 reader: for each visible worksheet, its name as a text
// block, then its cells cut into tables and text rows exactly as ReadXLSX
// cuts them (merged ranges expanded with Span, numbers as their shortest
// exact decimal). Document.Title is the summary information's title;
// Meta["reader"] is "xls-go".
func ReadXLS(data []byte) (*Document, error) {
	st, err := oleStreams(data, "Workbook", "Book", oleSummaryStream)
	if err != nil {
		return nil, fmt.Errorf("read xls: %w", err)
	}
	if st["Workbook"] == nil && st["Book"] != nil {
		return nil, errors.New("read xls: a BIFF5 (Excel 5.0/95) workbook: only BIFF8 (Excel 97-2003) is read")
	}
	return readWorkbook(st["Workbook"], oleTitle(st[oleSummaryStream]))
}

// readWorkbook is ReadXLS on the Workbook stream.
func readWorkbook(wb []byte, title string) (*Document, error) {
	if wb == nil {
		return nil, fmt.Errorf("read xls: %w: no Workbook stream (not an Excel 97-2003 or WPS spreadsheet)", errCorruptOLE)
	}
	sheets, sst, err := biffGlobals(wb)
	if err != nil {
		return nil, fmt.Errorf("read xls: %w", err)
	}
	doc := &Document{Title: title, Meta: map[string]string{"reader": "xls-go"}}
	cells := 0
	for i, sh := range sheets {
		if i >= maxXLSXSheets {
			break
		}
		if sh.hidden || sh.kind != 0 {
			continue
		}
		grid, err := biffSheetGrid(wb, sh.pos, sst, &cells)
		if err != nil {
			return nil, fmt.Errorf("read xls: sheet %q: %w", sh.name, err)
		}
		if t := cleanSpace(sh.name); t != "" {
			doc.Blocks = append(doc.Blocks, Block{Text: t})
		}
		doc.Blocks = append(doc.Blocks, sheetBlocks(grid)...)
	}
	if len(doc.Blocks) == 0 {
		return nil, errors.New("read xls: no visible worksheet")
	}
	return doc, nil
}

// biffRecord is one record: its type and body.
type biffRecord struct {
	typ  uint16
	body []byte
}

// biffAt returns the record at pos and the position after it.
func biffAt(wb []byte, pos int) (biffRecord, int, error) {
	if pos < 0 || pos+4 > len(wb) {
		return biffRecord{}, 0, fmt.Errorf("record header at %d outside the %d-byte stream", pos, len(wb))
	}
	typ := binary.LittleEndian.Uint16(wb[pos:])
	n := int(binary.LittleEndian.Uint16(wb[pos+2:]))
	if pos+4+n > len(wb) {
		return biffRecord{}, 0, fmt.Errorf("record %#04x at %d: %d bytes run past the stream's end", typ, pos, n)
	}
	return biffRecord{typ, wb[pos+4 : pos+4+n]}, pos + 4 + n, nil
}

// checkBOF checks that a substream starts with a BIFF8 BOF.
func checkBOF(r biffRecord) error {
	if r.typ != biffBOF || len(r.body) < 4 {
		return fmt.Errorf("substream starts with record %#04x, not BOF", r.typ)
	}
	if v := binary.LittleEndian.Uint16(r.body); v != 0x0600 {
		return fmt.Errorf("BIFF version %#04x: only BIFF8 (Excel 97-2003) is read", v)
	}
	return nil
}

// biffGlobals reads the workbook globals: the sheet list and the shared
// strings.
func biffGlobals(wb []byte) ([]biffSheet, []string, error) {
	r, pos, err := biffAt(wb, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBOF(r); err != nil {
		return nil, nil, err
	}
	var sheets []biffSheet
	var sst []string
	for pos < len(wb) {
		if r, pos, err = biffAt(wb, pos); err != nil {
			return nil, nil, err
		}
		switch r.typ {
		case biffEOF:
			return sheets, sst, nil
		case biffFilePass:
			return nil, nil, errEncrypted
		case biffBoundSheet:
			if sh, ok := parseBoundSheet(r.body); ok {
				sheets = append(sheets, sh)
			}
		case biffSST:
			chunks := [][]byte{r.body}
			for pos < len(wb) {
				next, after, err := biffAt(wb, pos)
				if err != nil || next.typ != biffContinue {
					break
				}
				chunks, pos = append(chunks, next.body), after
			}
			if sst, err = parseSST(chunks); err != nil {
				return nil, nil, fmt.Errorf("shared strings: %w", err)
			}
		}
	}
	return nil, nil, errors.New("workbook globals have no EOF record")
}

// parseBoundSheet reads a BOUNDSHEET record.
func parseBoundSheet(b []byte) (biffSheet, bool) {
	if len(b) < 8 {
		return biffSheet{}, false
	}
	sh := biffSheet{pos: binary.LittleEndian.Uint32(b), hidden: b[4]&3 != 0, kind: b[5]}
	cr := &chunkReader{chunks: [][]byte{b[6:]}}
	name, err := cr.xlString(1)
	if err != nil {
		return biffSheet{}, false
	}
	sh.name = name
	return sh, true
}

// parseSST reads the shared string table from the SST record and its
// CONTINUE records.
func parseSST(chunks [][]byte) ([]string, error) {
	if len(chunks[0]) < 8 {
		return nil, errors.New("SST record too short")
	}
	n := int(binary.LittleEndian.Uint32(chunks[0][4:]))
	chunks[0] = chunks[0][8:]
	if n < 0 || n > maxSSTStrings {
		return nil, fmt.Errorf("%d strings, over the %d limit", n, maxSSTStrings)
	}
	cr := &chunkReader{chunks: chunks}
	out := make([]string, 0, min(n, 1<<12))
	for i := 0; i < n; i++ {
		s, err := cr.xlString(2)
		if err != nil {
			return out, fmt.Errorf("string %d of %d: %w", i, n, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// rkNumber decodes an RK value.
func rkNumber(rk uint32) float64 {
	var f float64
	if rk&2 != 0 {
		f = float64(int32(rk) >> 2)
	} else {
		f = math.Float64frombits(uint64(rk&0xFFFFFFFC) << 32)
	}
	if rk&1 != 0 {
		f /= 100
	}
	return f
}

// biffNumberText writes a cell number as its shortest exact decimal,
// rounded to the 15 digits Excel shows.
func biffNumberText(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return rawNumber(strconv.FormatFloat(f, 'f', -1, 64))
}

// decodeUTF16 turns UTF-16 code units into a string.
func decodeUTF16(u []uint16) string { return string(utf16.Decode(u)) }
