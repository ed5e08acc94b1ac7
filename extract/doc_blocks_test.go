package extract

import (
	"fmt"
	"strings"
	"testing"
)

// docInput builds the character stream and paragraph runs the Word
// reader's builder consumes: each mark gets a run of its own.
type docInput struct {
	chars []docChar
	runs  []docRun
}

func (d *docInput) text(s string) *docInput {
	for _, r := range s {
		d.chars = append(d.chars, docChar{r, uint32(len(d.chars))})
	}
	return d
}

func (d *docInput) mark(r rune, p docPara) *docInput {
	fc := uint32(len(d.chars))
	d.chars = append(d.chars, docChar{r, fc})
	d.runs = append(d.runs, docRun{fc: fc, end: fc + 1, para: p})
	return d
}

// para ends a paragraph outside tables.
func (d *docInput) para(s string) *docInput { return d.text(s).mark(0x0D, docPara{}) }

// cellPara ends a paragraph inside a table cell (not its last).
func (d *docInput) cellPara(s string) *docInput {
	return d.text(s).mark(0x0D, docPara{inTable: true, depth: 1})
}

// cell ends a table cell.
func (d *docInput) cell(s string) *docInput {
	return d.text(s).mark(0x07, docPara{inTable: true, depth: 1})
}

// row ends a table row with the given layout (nil: none).
func (d *docInput) row(t *docTDef) *docInput {
	return d.mark(0x07, docPara{inTable: true, ttp: true, depth: 1, tdef: t})
}

func tdef(edges []int, vmerge ...uint8) *docTDef {
	t := &docTDef{edges: edges, vmerge: make([]uint8, len(edges)-1), hmerge: make([]uint8, len(edges)-1)}
	copy(t.vmerge, vmerge)
	return t
}

// blocksString renders blocks as lines: text, or a table's rows with
// cells split by "|" and spanned copies marked "~".
func blocksString(blocks []Block) string {
	var out []string
	for _, b := range blocks {
		if b.Table == nil {
			out = append(out, b.Text)
			continue
		}
		var rows []string
		for _, r := range b.Table {
			var cells []string
			for _, c := range r {
				t := c.Text
				if c.Span {
					t = "~" + t
				}
				cells = append(cells, t)
			}
			rows = append(rows, strings.Join(cells, "|"))
		}
		out = append(out, "["+strings.Join(rows, " / ")+"]")
	}
	return strings.Join(out, "\n")
}

func TestDocBuilder(t *testing.T) {
	e3 := []int{0, 10, 20, 30}
	for _, tc := range []struct {
		name string
		in   *docInput
		want string
	}{
		{"paragraphs", new(docInput).para("一、总体情况").para("  ").para("正文\u00a0内容"),
			"一、总体情况\n正文 内容"},
		{"empty cells are cells, not row ends", new(docInput).
			cell("a").cell("").row(tdef([]int{0, 10, 20})).
			cell("").cell("d").row(tdef([]int{0, 10, 20})).para("后"),
			"[a| / |d]\n后"},
		{"column span from shared edges", new(docInput).
			cell("第二十条").row(tdef([]int{0, 30})).
			cell("规章").cell("0").cell("1").row(tdef(e3)),
			"[第二十条|~第二十条|~第二十条 / 规章|0|1]"},
		{"vertical merge", new(docInput).
			cell("三、办理结果").cell("1").row(tdef([]int{0, 10, 20}, 3)).
			cell("").cell("2").row(tdef([]int{0, 10, 20}, 1)),
			"[三、办理结果|1 / ~三、办理结果|2]"},
		{"cell of two paragraphs", new(docInput).
			cellPara("法人或").cell("其他组织").cell("5").row(tdef([]int{0, 10, 20})),
			"[法人或\n其他组织|5]"},
		{"rows without layout", new(docInput).
			cell("a").cell("b").row(nil).cell("c").row(nil),
			"[a|b / c|]"},
		{"a table at the end is kept", new(docInput).para("表").cell("x").cell("y"),
			"表\n[x|y]"},
		{"field instructions dropped, results kept", new(docInput).
			text("第").text("\x13 PAGE \x14").text("3").text("\x15").text("页\x13 HYPERLINK \"x\" \x13 REF \x15\x15").para(""),
			"第3页"},
		{"line breaks, hyphens and objects", new(docInput).para("甲\x0b乙\x1e丙\x01\x08丁"),
			"甲\n乙-丙丁"},
		{"a table holding a nested table is layout: unwrapped", new(docInput).
			cellPara("标题").
			text("规章").mark(0x0D, docPara{inTable: true, depth: 2, innerCell: true}).
			text("0").mark(0x0D, docPara{inTable: true, depth: 2, innerCell: true}).
			mark(0x0D, docPara{inTable: true, depth: 2, innerTTP: true, tdef: tdef([]int{0, 10, 20})}).
			cell("正文").row(tdef([]int{0, 10})).para("后"),
			"标题\n[规章|0]\n正文\n后"},
		{"a table in a table in a table", new(docInput).
			text("x").mark(0x0D, docPara{inTable: true, depth: 3, innerCell: true}).
			mark(0x0D, docPara{inTable: true, depth: 3, innerTTP: true}).
			mark(0x0D, docPara{inTable: true, depth: 2, innerCell: true}).
			mark(0x0D, docPara{inTable: true, depth: 2, innerTTP: true}).
			cell("").row(nil),
			"[x]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &docBuilder{doc: &Document{Meta: map[string]string{}}}
			b.read(tc.in.chars, tc.in.runs)
			checkDoc(t, b.doc)
			if got := blocksString(b.doc.Blocks); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestParseFIB: the FIB's errors name what is wrong.
func TestParseFIB(t *testing.T) {
	good := make([]byte, 1024)
	good[0], good[1] = 0xEC, 0xA5
	good[2], good[3] = 0xC1, 0x00
	good[32] = 14           // csw
	good[34+28] = 22        // cslw
	good[34+28+2+88] = 0x5D // cbRgFcLcb: 93 pairs
	set := func(b []byte, off int, v byte) []byte { c := append([]byte(nil), b...); c[off] = v; return c }
	for _, tc := range []struct {
		name string
		wd   []byte
		want string
	}{
		{"ok", good, ""},
		{"short", good[:20], "has no FIB"},
		{"ident", set(good, 0, 0), "not a Word 97-2003 document"},
		{"word 6", set(good, 2, 0x65), "Word 6/95"},
		{"encrypted", set(good, 0x0B, 0x01), "encrypted"},
		{"short fcLcb", set(good, 34+28+2+88, 2), "fibRgFcLcb"},
		{"huge csw", set(good, 33, 0xFF), "fibRgW"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fib, err := parseFIB(tc.wd)
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want == "" && fib.table != "0Table":
				t.Errorf("table %q", fib.table)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestDocText: UTF-16 and compressed pieces, surrogate pairs, pieces
// outside the stream.
func TestDocText(t *testing.T) {
	wd := []byte("ab\x3d\xd8\x00\xde\x74\x5e\x00\x00caf\xe9")
	for _, tc := range []struct {
		name   string
		pieces []docPiece
		ccp    uint32
		want   string
		err    string
	}{
		{"utf16 with a surrogate pair", []docPiece{{cp: 0, cpEnd: 3, fc: 2}}, 3, "😀年", ""},
		{"compressed cp1252", []docPiece{{cp: 0, cpEnd: 4, fc: 10, compressed: true}}, 4, "café", ""},
		{"two pieces, ccpText cuts", []docPiece{{cp: 0, cpEnd: 1, fc: 6}, {cp: 1, cpEnd: 9, fc: 10, compressed: true}}, 3, "年ca", ""},
		{"outside the stream", []docPiece{{cp: 0, cpEnd: 50, fc: 2}}, 50, "", "outside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chars, err := docText(wd, tc.pieces, tc.ccp)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, c := range chars {
				b.WriteRune(c.r)
			}
			if b.String() != tc.want {
				t.Errorf("got %q want %q", b.String(), tc.want)
			}
		})
	}
}

// TestSprms: operand sizes, including sprmTDefTable's own size field.
func TestSprms(t *testing.T) {
	// sprmPFInTable 1, sprmTDefTable (2 cells: edges 0,100,200; the first
	// cell starts a vertical merge), sprmPFTtp 1, sprmPItap 1.
	rem := []byte{2, 0, 0, 100, 0, 200, 0} // itcMac, rgdxaCenter
	tc := make([]byte, 40)                 // rgTc80
	tc[0] = 3 << 5
	rem = append(rem, tc...)
	g := []byte{0x16, 0x24, 1}
	g = append(g, 0x08, 0xD6, byte(len(rem)+1), 0)
	g = append(g, rem...)
	g = append(g, 0x17, 0x24, 1, 0x49, 0x66, 1, 0, 0, 0)
	pr := &papxReader{huge: map[uint32]docPara{}}
	p := pr.parse(g, true)
	if !p.inTable || !p.ttp || p.depth != 1 || p.tdef == nil {
		t.Fatalf("%+v", p)
	}
	if fmt.Sprint(p.tdef.edges, p.tdef.vmerge) != "[0 100 200] [3 0]" {
		t.Errorf("tdef %v %v", p.tdef.edges, p.tdef.vmerge)
	}
	// A truncated grpprl stops without a panic.
	for i := range g {
		pr.parse(g[:i], true)
	}
}
