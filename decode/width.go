package decode

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// FoldRune folds one rune to its canonical width with
// golang.org/x/text/width (width.Fold): the full-width forms of ASCII
// become ASCII (２ → 2, Ａ → A, ！ → !, ， → ,), the ideographic space
// U+3000 a space, ￥ ¥; half-width katakana widen. Any other rune is
// returned as it is.
func FoldRune(r rune) rune {
	if r < 0x2000 {
		return r // nothing below the general punctuation block folds
	}
	if f := width.LookupRune(r).Folded(); f != 0 {
		return f
	}
	return r
}

// FoldWidth folds every rune of s with FoldRune except those in keep
// (the full-width parentheses and colon some matchers read as
// punctuation of their own, say). It returns s itself when nothing
// folds, without allocating.
func FoldWidth(s, keep string) string {
	i := foldsFrom(s, keep)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !strings.ContainsRune(keep, r) {
			r = FoldRune(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldsFrom is the byte index of the first rune of s FoldWidth changes,
// or -1.
func foldsFrom(s, keep string) int {
	for i, r := range s {
		if r >= utf8.RuneSelf && FoldRune(r) != r && !strings.ContainsRune(keep, r) {
			return i
		}
	}
	return -1
}

// Widen is the inverse for ASCII: digits and letters as their full-width
// forms (1 → １), as Word's decimalFullWidth list numbers print them.
func Widen(s string) string {
	return width.Widen.String(s)
}
