package extract

import (
	"unicode/utf8"
)

// This file reads table rows that a text rendering prints with the cells
// run into the label and into each other, without a separator
// ("行政许可1250318", "（一）予以公开1000001"). Such digits are split only
// when one split is possible — a row of one column takes them whole —
// and are otherwise left blank with a warning: they are never guessed.

// splitRunTogether splits the last field of a line into the label and
// the digits glued to its end ("行政许可1250318" → "行政许可", "1250318";
// "行政事业性收费96171.6" → "行政事业性收费", "96171.6") when the digits
// follow a Chinese character or closing bracket. The digit part is
// marked glued: it may be one cell or several run together.
func splitRunTogether(pf posField) (label, digits posField, ok bool) {
	f := pf.text
	j := len(f)
	for j > 0 && (f[j-1] >= '0' && f[j-1] <= '9' || f[j-1] == '.') {
		j--
	}
	for j < len(f) && f[j] == '.' { // "…案卷.5" is no number
		j++
	}
	if j == 0 || j == len(f) || f[len(f)-1] == '.' {
		return posField{}, posField{}, false
	}
	r, _ := utf8.DecodeLastRuneInString(f[:j])
	if !(r >= 0x4e00 && r <= 0x9fff) && r != '）' && r != '”' && r != ')' {
		return posField{}, posField{}, false
	}
	if k, _ := parseCell(f[j:]); k != cellNumber {
		return posField{}, posField{}, false
	}
	mid := pf.start + utf8.RuneCountInString(f[:j])
	return posField{f[:j], pf.start, mid}, posField{f[j:], mid, pf.end}, true
}

// runTogetherCells handles a row of width columns whose only printed
// value is a run of digits glued to its label: a one-column row takes the
// digits as its cell (vals, true); a wider row cannot be split without
// guessing, so it is left unread — marked unreadable, with a warning
// naming it, so that no rule counts its cells as blanks — (nil, true).
// ok is false for any other row.
func (p *parser) runTogetherCells(name string, s segment, width int) (vals []token, ok bool) {
	if len(s.values) != 1 || !s.values[0].glued {
		return nil, false
	}
	if width == 1 {
		return s.values, true
	}
	line := s.values[0].text
	if u := s.values[0].unit; u >= 0 && u < len(p.units) {
		line = p.units[u].raw
	}
	p.warnf("%s: cells printed run together without a separator (%q); the digits cannot be split unambiguously into %d cells; row not read", name, clip(line), width)
	p.unreadable[name] = true
	return nil, true
}

// anyNumberField reports whether one of fields is a number.
func anyNumberField(fields []posField) bool {
	for _, f := range fields {
		if k, _ := parseCell(f.text); k == cellNumber {
			return true
		}
	}
	return false
}
