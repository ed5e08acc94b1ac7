package extract

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// biffBuf writes BIFF8 records.
type biffBuf struct{ b []byte }

func (w *biffBuf) rec(typ uint16, body ...[]byte) *biffBuf {
	var all []byte
	for _, p := range body {
		all = append(all, p...)
	}
	w.b = binary.LittleEndian.AppendUint16(w.b, typ)
	w.b = binary.LittleEndian.AppendUint16(w.b, uint16(len(all)))
	w.b = append(w.b, all...)
	return w
}

func u16s(v ...int) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, uint16(x))
	}
	return b
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func f64b(v float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)) }

// wideString is an XLUnicodeString (cch 2 bytes) in UTF-16.
func wideString(s string) []byte {
	r := []rune(s)
	b := append(u16s(len(r)), 1)
	for _, c := range r {
		b = binary.LittleEndian.AppendUint16(b, uint16(c))
	}
	return b
}

func bof(dt int) []byte { return append(u16s(0x0600, dt), make([]byte, 12)...) }

// buildWorkbook writes globals (a visible and a hidden sheet, an SST
// whose second string crosses into a CONTINUE record and turns one byte
// wide there) and the visible sheet's cells.
func buildWorkbook(extraGlobals func(*biffBuf)) []byte {
	sheet := new(biffBuf).rec(biffBOF, bof(0x10)).
		rec(biffLabelSST, u16s(0, 0, 0), u32(0)).
		rec(biffLabelSST, u16s(1, 0, 0), u32(1)).
		rec(biffNumber, u16s(1, 1, 0), f64b(2159.0450000000001)).
		rec(biffRK, u16s(1, 2, 0), u32(1250<<2|2)).
		rec(biffMulRK, u16s(2, 1), u16s(0), u32(7<<2|2), u16s(0), u32(1<<2|3), u16s(0), u32(uint32(math.Float64bits(1.5)>>32)), u16s(3)).
		rec(biffFormula, u16s(3, 1, 0), f64b(0.1+0.2), make([]byte, 6)).
		rec(biffFormula, u16s(3, 2, 0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6)).
		rec(biffShrFmla, make([]byte, 10)).
		rec(biffString, wideString("合计")).
		rec(biffLabel, u16s(4, 0, 0), wideString("行政复议")).
		rec(biffRString, u16s(6, 0, 0), wideString("备注"), u16s(0)).
		rec(biffMergeCells, u16s(1), u16s(0, 0, 0, 2)).
		rec(biffEOF)
	sst := append(u32(2), u32(2)...)
	sst = append(sst, wideString("政府信息公开")...)
	sst = append(sst, u16s(4)...)
	sst = append(sst, 1, '2', 0, '0', 0) // wide "20", then the record ends
	globals := func(pos uint32) []byte {
		g := new(biffBuf).rec(biffBOF, bof(5)).
			rec(biffBoundSheet, u32(pos), []byte{0, 0, 2, 0}, []byte("S1")).
			rec(biffBoundSheet, u32(pos), []byte{1, 0, 2, 0}, []byte("S2")).
			rec(biffSST, sst).
			rec(biffContinue, []byte{0}, []byte("21年")[:2]) // one byte wide: "21"
		if extraGlobals != nil {
			extraGlobals(g)
		}
		return g.rec(biffEOF).b
	}
	g := globals(0)
	return append(globals(uint32(len(g))), sheet.b...)
}

func TestReadWorkbook(t *testing.T) {
	doc, err := readWorkbook(buildWorkbook(nil), "T")
	if err != nil {
		t.Fatal(err)
	}
	checkDoc(t, doc)
	got := blocksString(doc.Blocks)
	// The merged title row stays in the table, as ReadXLSX keeps it.
	want := "S1\n[政府信息公开|~政府信息公开|~政府信息公开| / 2021|2159.045|1250| / |7|0.01|1.5 / |0.3|合计|]\n行政复议\n备注"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if doc.Title != "T" || doc.Meta["reader"] != "xls-go" {
		t.Errorf("title %q meta %v", doc.Title, doc.Meta)
	}
}

func TestReadWorkbookErrors(t *testing.T) {
	good := buildWorkbook(nil)
	for _, tc := range []struct {
		name string
		wb   []byte
		want string
	}{
		{"empty", []byte{9}, "outside"},
		{"biff5", append(new(biffBuf).rec(biffBOF, u16s(0x0500, 5), make([]byte, 4)).b, good[20:]...), "only BIFF8"},
		{"not bof", new(biffBuf).rec(biffEOF).b, "not BOF"},
		{"encrypted", buildWorkbook(func(g *biffBuf) { g.rec(biffFilePass, u16s(1)) }), "encrypted"},
		{"truncated", good[:len(good)-3], "outside"},
		{"record past the end", append(u16s(biffBOF, 200), bof(5)...), "past the stream"},
		{"no eof", good[:20], "no EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readWorkbook(tc.wb, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRKNumber(t *testing.T) {
	for _, tc := range []struct {
		rk   uint32
		want float64
	}{
		{42<<2 | 2, 42},
		{0xFFFFFFE6, -7}, // int32(-7)<<2 | 2
		{12345<<2 | 3, 123.45},
		{uint32(math.Float64bits(2.5) >> 32), 2.5},
		{uint32(math.Float64bits(250)>>32) | 1, 2.5},
	} {
		if got := rkNumber(tc.rk); got != tc.want {
			t.Errorf("rkNumber(%#x) = %v, want %v", tc.rk, got, tc.want)
		}
	}
}

// TestSSTStrings: rich-text runs and phonetic extensions are skipped, also
// across a CONTINUE boundary.
func TestSSTStrings(t *testing.T) {
	s1 := append(u16s(2), 0x09)              // cch 2, wide, rich
	s1 = append(s1, u16s(1)...)              // one run
	s1 = append(s1, u16s(0x5e74, 0x62a5)...) // 年报
	s1 = append(s1, 0, 0)                    // half of the run: continues
	s2 := []byte{0, 0}                       // rest of the run
	s2 = append(s2, append(u16s(1), 0x04)...)
	s2 = append(s2, u32(3)...)
	s2 = append(s2, 'x', 1, 2, 3)
	head := append(u32(2), u32(2)...)
	got, err := parseSST([][]byte{append(head, s1...), s2})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "年报,x" {
		t.Errorf("got %q", got)
	}
	if _, err := parseSST([][]byte{append(append(u32(1), u32(1)...), u16s(5)...)}); err == nil {
		t.Error("truncated string read without error")
	}
}
