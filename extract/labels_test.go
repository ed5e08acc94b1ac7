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

// normLabelByRunes is normLabel as first written: a text that is not
// normal is folded rune by rune from its start.
func normLabelByRunes(s string) string {
	if labelIsNormal(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r, keep := labelRune(r); keep {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// labelPieces are the kinds of rune normLabel treats differently, and
// bytes that are not UTF-8.
var labelPieces = []string{"行政", "許可", " ", "\u3000", "(", "）", "１２", "Ａ", "a", "\xe5", "\xb9\x80", "\uFFFD", "\t", "件"}

// TestNormLabelPieces compares normLabel with the rune-by-rune fold, and
// normJoined with normLabel of the joined parts, on every string of up
// to four pieces.
func TestNormLabelPieces(t *testing.T) {
	var texts []string
	var grow func(prefix string, depth int)
	grow = func(prefix string, depth int) {
		texts = append(texts, prefix)
		if depth == 4 {
			return
		}
		for _, p := range labelPieces {
			grow(prefix+p, depth+1)
		}
	}
	grow("", 0)
	for _, s := range texts {
		if got, want := normLabel(s), normLabelByRunes(s); got != want {
			t.Fatalf("normLabel(%q) = %q, rune by rune %q", s, got, want)
		}
	}
	for i, a := range texts[:2000] {
		parts := []string{a, texts[len(texts)-1-i], texts[(i*7919)%len(texts)]}
		for k := 1; k <= len(parts); k++ {
			if got, want := normJoined(parts[:k]), normLabel(strings.Join(parts[:k], " ")); got != want {
				t.Fatalf("normJoined(%q) = %q, want %q", parts[:k], got, want)
			}
		}
	}
	if normJoined(nil) != "" {
		t.Errorf("normJoined(nil) = %q", normJoined(nil))
	}
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
