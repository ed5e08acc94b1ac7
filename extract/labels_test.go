package extract

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestIsSpaceFast checks the CJK shortcut against isSpaceRune on every
// rune.
func TestIsSpaceFast(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if isSpaceFast(r) != isSpaceRune(r) {
			t.Fatalf("isSpaceFast(%U) = %v, isSpaceRune %v", r, isSpaceFast(r), isSpaceRune(r))
		}
	}
}

// normLabelByRunes is normLabel folding every rune from the start.
func normLabelByRunes(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r, keep := labelRune(r); keep {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestNormLabel: the label folds, and the copy of an already-normal
// prefix changes nothing.
func TestNormLabel(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"行政许可", "行政许可"},
		{"行政 許可", "行政许可"},
		{"（一）行政处罚(件)", "（一）行政处罚（件）"},
		{"１２３ＡＢ", "123AB"},
		{"\u3000收到申请数\u00a0", "收到申请数"},
		{"本年新收政府信息公开申请数量\t", "本年新收政府信息公开申请数量"},
		{"三、本年度办理結果", "三、本年度办理结果"},
	} {
		got := normLabel(tc.in)
		if got != tc.want || got != normLabelByRunes(tc.in) {
			t.Errorf("normLabel(%q) = %q, want %q (by runes %q)", tc.in, got, tc.want, normLabelByRunes(tc.in))
		}
		if labelIsNormal(tc.in) != (tc.in == tc.want) {
			t.Errorf("labelIsNormal(%q) = %v", tc.in, labelIsNormal(tc.in))
		}
	}
}

// TestSimplified: the table lookup answers exactly as the trad map for
// every rune.
func TestSimplified(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		want, wok := trad[r]
		if !wok {
			want = r
		}
		got, ok := simplified(r)
		if ok != wok || (ok && got != want) {
			t.Fatalf("simplified(%U) = %U %v, trad has %U %v", r, got, ok, want, wok)
		}
	}
}
