package extract

import (
	"errors"
	"strings"

	"github.com/nianbao/nianbao/report"
)

// Options are facts the caller knows that the document may not state. A
// non-zero field fills the report only where the document is silent.
type Options struct {
	// Agency is the publishing body's name.
	Agency string
	// Year is the report year (the statistics year, not the publication year).
	Year int
	// Source names the archived capture the document came from.
	Source report.Source
	// ContentType is the HTTP Content-Type the document was served with
	// (a hint for Parse: format and charset); may be empty.
	ContentType string
}

// ErrNotReport is returned (wrapped) by ParseDocument when the document is
// not an annual report at all.
var ErrNotReport = errors.New("not an annual report")

// ParseDocument reads an annual report out of doc. It returns an error only
// when the document is not a report at all; a report whose tables are broken
// comes back with warnings and failed checks instead.
func ParseDocument(doc *Document, opts Options) (*report.Report, error) {
	return parseDocument(doc, opts)
}

// segment is a row candidate: the label text collected since the previous
// row's values, and the values that follow it.
type segment struct {
	label  string // normalised
	raw    string // as printed
	values []token
	grid   bool
	hasNum bool
}

// buildSegments cuts the token stream of a region into label+values
// segments. Empty cells that open a new row before its label (spacer cells
// of a label spread over several columns) are dropped. valueCol, when not
// nil, says which grid cells stand under a column header: text there is a
// cell that is not a number, never a label.
func buildSegments(units []unit, r region, valueCol func(t token) bool) []segment {
	var segs []segment
	var label, raw strings.Builder
	var vals []token
	lastBreak := -1
	rowHasValue := false // a number was read since the last row break
	emit := func() {
		if label.Len() == 0 && len(vals) == 0 {
			return
		}
		s := segment{label: normLabel(label.String()), raw: raw.String(), values: vals}
		for _, t := range vals {
			if t.grid {
				s.grid = true
			}
			if t.kind == tokValue && !t.null {
				s.hasNum = true
			}
		}
		segs = append(segs, s)
		label.Reset()
		raw.Reset()
		vals = nil
		lastBreak = -1
	}
	for i := r.from; i < r.to && i < len(units); i++ {
		for _, t := range units[i].toks {
			t.unit = i
			if t.kind == tokText && t.cell && ((rowHasValue && len(vals) > 0) || (valueCol != nil && label.Len() > 0 && valueCol(t))) && !isRowLabel(t.text) {
				// text in a value cell of the same row: not a number
				t.kind, t.null = tokValue, true
			}
			switch t.kind {
			case tokText:
				if lastBreak >= 0 && lastBreak <= len(vals) && allBlank(vals[lastBreak:]) {
					vals = vals[:lastBreak]
				}
				if len(vals) > 0 {
					emit()
				}
				label.WriteString(t.text)
				if raw.Len() > 0 {
					raw.WriteByte(' ')
				}
				raw.WriteString(t.text)
			case tokBreak:
				if lastBreak > 0 && lastBreak <= len(vals) && allBlank(vals[lastBreak:]) {
					// a row of empty cells after a row that has values
					// (a trailing blank grid row): it is no part of them
					vals = vals[:lastBreak]
				}
				lastBreak = len(vals)
				rowHasValue = false
			default:
				if t.kind == tokValue && !t.null {
					rowHasValue = true
				}
				vals = append(vals, t)
			}
		}
	}
	if lastBreak >= 0 && lastBreak <= len(vals) && allBlank(vals[lastBreak:]) {
		vals = vals[:lastBreak]
	}
	emit()
	return segs
}

func allBlank(ts []token) bool {
	for _, t := range ts {
		if t.kind != tokBlank {
			return false
		}
	}
	return true
}

// fitValues trims a segment's values to n cells. Real grids keep their
// last n cells (leading cells are label spacers); flattened text drops
// trailing empty cells first (renderers add them after the row). It
// returns false when the row does not have n cells.
func fitValues(s segment, n int) ([]token, bool) {
	v := s.values
	trimLead := func() {
		for len(v) > n && v[0].kind == tokBlank {
			v = v[1:]
		}
	}
	trimTail := func() {
		for len(v) > n && v[len(v)-1].kind == tokBlank {
			v = v[:len(v)-1]
		}
	}
	if s.grid {
		trimLead()
		trimTail()
	} else {
		trimTail()
		trimLead()
	}
	return v, len(v) == n
}

// isRowLabel reports text that names a row of Table 2, 3 or 4 (a row may
// hold two label+values pairs, as some Table 2 layouts do).
func isRowLabel(text string) bool {
	n := normLabel(text)
	return matchRow(n, table3Rules, true) != "" || matchRow(n, table2Rules, false) != "" || matchRow(n, table4Rules, false) != ""
}
