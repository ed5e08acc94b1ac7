package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Word 97-2003 (.doc) and WPS (.wps) binary documents. Both are OLE2
// compound files whose WordDocument stream starts with a File Information
// Block (FIB, [MS-DOC] 2.5); WPS Office writes its .wps in the same
// format. The text is read through the piece table (the CLX in the table
// stream), and each paragraph mark's properties (PAPX in the FKP pages)
// tell a cell mark from a row mark and give the row's cell edges, so
// tables come out as grids like the DOCX reader's.

// Limits for the Word binary reader.
const (
	maxDOCChars  = 4 << 20 // characters of main-document text read
	maxDOCPieces = 1 << 16 // pieces in the piece table
	maxDOCRuns   = 1 << 18 // paragraph property runs
	docWordIdent = 0xA5EC  // FibBase.wIdent
	docMinNFib   = 0x00C1  // Word 97; older (Word 6/95) FIBs differ
)

// errEncrypted is returned for a password-protected document or
// workbook: no reader or converter here can decrypt it.
var errEncrypted = errors.New("encrypted (password protected)")

// docFIB is what the reader needs from the File Information Block.
type docFIB struct {
	table                 string // "0Table" or "1Table"
	ccpText               uint32 // characters of the main document
	fcClx, lcbClx         uint32
	fcBtePapx, lcbBtePapx uint32
}

// parseFIB reads the FIB at the start of the WordDocument stream.
func parseFIB(wd []byte) (*docFIB, error) {
	if len(wd) < 34 {
		return nil, fmt.Errorf("WordDocument stream of %d bytes has no FIB", len(wd))
	}
	if id := binary.LittleEndian.Uint16(wd); id != docWordIdent {
		return nil, fmt.Errorf("FIB identifier %#04x, want %#04x (not a Word 97-2003 document)", id, docWordIdent)
	}
	if n := binary.LittleEndian.Uint16(wd[2:]); n < docMinNFib {
		return nil, fmt.Errorf("FIB version %#04x: a Word 6/95 document (only Word 97-2003 is read)", n)
	}
	flags := binary.LittleEndian.Uint16(wd[0x0A:])
	if flags&0x0100 != 0 {
		return nil, errEncrypted
	}
	fib := &docFIB{table: "0Table"}
	if flags&0x0200 != 0 {
		fib.table = "1Table"
	}
	pos := 32
	csw := int(binary.LittleEndian.Uint16(wd[pos:]))
	pos += 2 + 2*csw
	if pos+2 > len(wd) {
		return nil, errors.New("FIB truncated in fibRgW")
	}
	cslw := int(binary.LittleEndian.Uint16(wd[pos:]))
	lw := pos + 2
	pos = lw + 4*cslw
	if cslw < 4 || pos+2 > len(wd) {
		return nil, errors.New("FIB truncated in fibRgLw")
	}
	fib.ccpText = binary.LittleEndian.Uint32(wd[lw+12:])
	cb := int(binary.LittleEndian.Uint16(wd[pos:]))
	rg := pos + 2
	if cb < 34 || rg+34*8 > len(wd) {
		return nil, errors.New("FIB truncated in fibRgFcLcb")
	}
	pair := func(i int) (uint32, uint32) {
		return binary.LittleEndian.Uint32(wd[rg+8*i:]), binary.LittleEndian.Uint32(wd[rg+8*i+4:])
	}
	fib.fcBtePapx, fib.lcbBtePapx = pair(13)
	fib.fcClx, fib.lcbClx = pair(33)
	return fib, nil
}

// docPiece is one entry of the piece table: main-document characters
// [cp, cpEnd) stored at byte offset fc of the WordDocument stream, as
// UTF-16LE or (compressed) one byte a character in Windows-1252.
type docPiece struct {
	cp, cpEnd, fc uint32
	compressed    bool
}

// docPieces reads the piece table from the CLX at tbl[fc:fc+lcb].
func docPieces(tbl []byte, fc, lcb uint32) ([]docPiece, error) {
	if uint64(fc)+uint64(lcb) > uint64(len(tbl)) || lcb == 0 {
		return nil, fmt.Errorf("CLX at %d+%d outside the %d-byte table stream", fc, lcb, len(tbl))
	}
	clx := tbl[fc : fc+lcb]
	for p := 0; p < len(clx); {
		switch clx[p] {
		case 1: // Prc: property modifiers, skipped
			if p+3 > len(clx) {
				return nil, errors.New("CLX: truncated Prc")
			}
			p += 3 + int(binary.LittleEndian.Uint16(clx[p+1:]))
		case 2: // Pcdt: the piece table
			if p+5 > len(clx) {
				return nil, errors.New("CLX: truncated Pcdt")
			}
			n := uint64(binary.LittleEndian.Uint32(clx[p+1:]))
			plc := clx[p+5:]
			if n > uint64(len(plc)) || n < 16 || (n-4)%12 != 0 {
				return nil, fmt.Errorf("CLX: piece table of %d bytes does not fit", n)
			}
			return plcPieces(plc[:n])
		default:
			return nil, fmt.Errorf("CLX: unknown entry type %#02x at %d", clx[p], p)
		}
	}
	return nil, errors.New("CLX has no piece table")
}

// plcPieces decodes a PlcPcd: n+1 character positions then n 8-byte
// piece descriptors.
func plcPieces(plc []byte) ([]docPiece, error) {
	n := (len(plc) - 4) / 12
	if n > maxDOCPieces {
		return nil, fmt.Errorf("piece table of %d pieces, over the %d limit", n, maxDOCPieces)
	}
	out := make([]docPiece, 0, n)
	for i := 0; i < n; i++ {
		cp := binary.LittleEndian.Uint32(plc[4*i:])
		end := binary.LittleEndian.Uint32(plc[4*i+4:])
		fc := binary.LittleEndian.Uint32(plc[4*(n+1)+8*i+2:])
		if end < cp {
			return nil, fmt.Errorf("piece %d: character range %d..%d reversed", i, cp, end)
		}
		p := docPiece{cp: cp, cpEnd: end, fc: fc}
		if fc&0x40000000 != 0 {
			p.compressed, p.fc = true, (fc&^0x40000000)/2
		}
		out = append(out, p)
	}
	return out, nil
}

// docChar is one character of the main document and the stream offset it
// is stored at (paragraph properties are looked up by offset).
type docChar struct {
	r  rune
	fc uint32
}

// docText reads the main document's characters [0, ccpText) through the
// pieces.
func docText(wd []byte, pieces []docPiece, ccpText uint32) ([]docChar, error) {
	limit := min(ccpText, maxDOCChars)
	out := make([]docChar, 0, min(int(limit), len(wd)/2+1))
	dec := charmap.Windows1252
	for i, p := range pieces {
		if p.cp >= limit {
			continue
		}
		end := min(p.cpEnd, limit)
		for cp := p.cp; cp < end && len(out) < maxDOCChars; cp++ {
			k := cp - p.cp
			if p.compressed {
				off := uint64(p.fc) + uint64(k)
				if off >= uint64(len(wd)) {
					return nil, fmt.Errorf("piece %d: text offset %d outside the %d-byte WordDocument stream", i, off, len(wd))
				}
				out = append(out, docChar{dec.DecodeByte(wd[off]), uint32(off)})
				continue
			}
			off := uint64(p.fc) + 2*uint64(k)
			if off+2 > uint64(len(wd)) {
				return nil, fmt.Errorf("piece %d: text offset %d outside the %d-byte WordDocument stream", i, off, len(wd))
			}
			u := binary.LittleEndian.Uint16(wd[off:])
			r := rune(u)
			if utf16.IsSurrogate(r) && cp+1 < end && off+4 <= uint64(len(wd)) {
				if r2 := utf16.DecodeRune(r, rune(binary.LittleEndian.Uint16(wd[off+2:]))); r2 != '\ufffd' {
					out = append(out, docChar{r2, uint32(off)})
					cp++
					continue
				}
			}
			out = append(out, docChar{r, uint32(off)})
		}
	}
	return out, nil
}

// sortPieces orders the pieces by character position (they are stored
// so, but a crafted file need not be).
func sortPieces(p []docPiece) {
	sort.SliceStable(p, func(i, j int) bool { return p[i].cp < p[j].cp })
}

// joinCellParas joins a table cell's paragraphs with line breaks, as the
// DOCX reader does.
func joinCellParas(paras []string) string {
	var out []string
	for _, p := range paras {
		if s := cleanSpace(p); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "\n")
}
