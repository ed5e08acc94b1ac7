package extract

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/nianbao/nianbao/decode"
)

// formatNumber writes v as a JSON number: integers without a fraction.
func formatNumber(v float64) []byte {
	if v == float64(int64(v)) && v < 1e15 && v > -1e15 {
		return strconv.AppendInt(nil, int64(v), 10)
	}
	return strconv.AppendFloat(nil, v, 'f', -1, 64)
}

func parseJSONNumber(b []byte) (float64, error) {
	return strconv.ParseFloat(string(b), 64)
}

// cellKind classifies the text of one table cell.
type cellKind int

const (
	cellText   cellKind = iota // a label or other text
	cellBlank                  // an empty cell
	cellNumber                 // a number
	cellNull                   // a placeholder that is not a number: —, /, 无, ×
)

// nullMarkers are cell texts that stand for "no number" in published tables.
var nullMarkers = map[string]bool{
	"-": true, "--": true, "---": true, "—": true, "——": true, "–": true, "－": true, "─": true, "━": true,
	"/": true, "／": true, "\\": true, "无": true, "×": true, "x": true, "X": true, "*": true, "_": true,
	"空": true, "不适用": true, "—/—": true, "-/-": true, "…": true, "……": true, "N/A": true, "n/a": true,
	"暂无": true,
}

// unitSuffixes are units printed after numbers in table cells.
var unitSuffixes = []string{"万元", "元", "件次", "件", "条", "个", "项", "次", "人次", "人", "篇", "期", "家", "份"}

// parseCell classifies a cell text and returns its value when it is a
// number. Full-width digits, thousands separators, ¥ and unit suffixes are
// normalised.
func parseCell(s string) (cellKind, float64) {
	s = strings.TrimFunc(s, isSpaceRune)
	if s == "" {
		return cellBlank, 0
	}
	if v, ok := asciiInt(s); ok {
		return cellNumber, v
	}
	if nullMarkers[s] {
		return cellNull, 0
	}
	for _, r := range s {
		if !numberRunes[r] {
			return cellText, 0 // not a number and no null marker either
		}
	}
	n := normalizeNumberText(s)
	if n == "" {
		return cellText, 0
	}
	if nullMarkers[n] {
		return cellNull, 0
	}
	v, ok := parseNumber(n)
	if !ok {
		return cellText, 0
	}
	return cellNumber, v
}

// asciiInt parses a cell of ASCII digits only (the common case) without
// allocating.
func asciiInt(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return float64(v), true
}

// numberRunes are the runes a number cell, once normalised, or a null
// marker can hold: a cell with any other rune is text.
var numberRunes = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "0123456789０１２３４５６７８９.．,，-－−+＋¥￥RMB" {
		m[r] = true
	}
	for _, u := range unitSuffixes {
		for _, r := range u {
			m[r] = true
		}
	}
	for k := range nullMarkers {
		for _, r := range k {
			m[r] = true
		}
	}
	return m
}()

// isSpaceRune reports spaces including no-break and ideographic spaces.
func isSpaceRune(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' || r == '\u200b' || r == '\ufeff'
}

// normalizeNumberText folds full-width characters to ASCII (decode.FoldRune), drops currency
// signs, spaces and unit suffixes.
func normalizeNumberText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = decode.FoldRune(r) // ０-９ ． ， － ＋ ￥ to ASCII (x/text/width)
		switch {
		case r == '−':
			b.WriteByte('-')
		case r == '¥' || isSpaceRune(r):
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	for _, u := range unitSuffixes {
		if strings.HasSuffix(out, u) && len(out) > len(u) {
			out = strings.TrimSuffix(out, u)
			break
		}
	}
	out = strings.TrimPrefix(out, "RMB")
	return out
}

// parseNumber parses an optionally signed decimal number with optional
// thousands separators ("1,234.5"). Numbering such as "1." or "1、" is not a
// number.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if body == "" {
		return 0, false
	}
	intPart, frac, hasDot := strings.Cut(body, ".")
	if hasDot && frac == "" {
		return 0, false
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return 0, false
		}
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		intPart = strings.ReplaceAll(intPart, ",", "")
	}
	if intPart == "" {
		return 0, false
	}
	for i := 0; i < len(intPart); i++ {
		if intPart[i] < '0' || intPart[i] > '9' {
			return 0, false
		}
	}
	clean := strings.ReplaceAll(s, ",", "")
	v, err := strconv.ParseFloat(clean, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
