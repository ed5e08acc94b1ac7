package extract

import (
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of one token of the table stream.
type tokKind uint8

const (
	tokText  tokKind = iota // label text
	tokValue                // a number or a null marker (—, /, 无)
	tokBlank                // an empty cell
	tokBreak                // end of a table row
)

// token is one item of the stream the template tables are read from.
type token struct {
	kind tokKind
	text string  // cell text as printed (trimmed)
	val  float64 // for tokValue
	null bool    // tokValue that is not a number
	grid bool    // comes from a real table grid (columns are reliable)
	cell bool    // one cell of a tab-separated, pipe or grid row
	// glued marks digits run into the label before them with no
	// separator (runtogether.go): one cell or several run together.
	glued bool
	// pos2 is twice the centre column (in runes) of a token of a
	// space-aligned line (pdftotext -layout); 0 when unknown. gap is the
	// number of spaces before the token on its line.
	pos2, gap int
	unit      int // index of the unit the token belongs to (set by buildSegments)
	// col is 1 + the column of a grid cell in its expanded table, or of
	// a cell of a tab-separated row (0 otherwise), so that cells can be
	// matched with the column headers above them.
	col int
}

// unit is one line of text or one table row of the document, tokenised.
type unit struct {
	raw    string // the line or the row's cells joined by a space
	norm   string // normLabel(raw)
	toks   []token
	block  int  // index of the Block it came from
	isText bool // from a text block (headings are only text units)
	grid   bool // a row of a table block
	// single is set for a text line, or a table row, that holds one cell
	// only.
	single bool
	empty  bool
	tabbed bool // a text line that had tab-separated cells
}

// buildUnits turns the document into units: one per text line (a text
// block may hold several lines) and one per table row.
func buildUnits(doc *Document) []unit {
	units := make([]unit, 0, len(doc.Blocks)+16)
	for bi, b := range doc.Blocks {
		if b.Table != nil {
			units = appendGridUnits(units, bi, b.Table)
			continue
		}
		text := b.Text
		if strings.ContainsAny(text, "\r\f") {
			text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n").Replace(text)
		}
		for _, ln := range strings.Split(text, "\n") {
			if isPageFooter(ln) {
				continue
			}
			units = append(units, lineUnit(bi, ln))
		}
	}
	markBlankRuns(units)
	return units
}

// lineUnit tokenises one text line. A line with tabs is a row of cells (a
// leading tab marks a one-cell-per-line rendering, where a lone tab is an
// empty cell); a markdown pipe row is a row of cells; any other line is
// split at white space (pdftotext -layout/-raw columns).
func lineUnit(bi int, ln string) unit {
	trimmed := strings.TrimFunc(ln, isSpaceFast)
	u := unit{raw: trimmed, block: bi, isText: true}
	u.norm = normLabel(u.raw)
	if trimmed == "" && !strings.Contains(ln, "\t") {
		u.empty = true
		u.toks = []token{{kind: tokBreak}}
		return u
	}
	switch {
	case strings.Contains(ln, "\t"):
		u.tabbed = true
		fields := strings.Split(strings.TrimRight(ln, " \u3000"), "\t")
		if strings.HasPrefix(ln, "\t") {
			fields = fields[1:]
		}
		for i, f := range fields {
			u.toks = appendCell(u.toks, f, false)
			if len(fields) > 1 {
				u.toks[len(u.toks)-1].col = i + 1 // matched with a header row's cells
			}
		}
		if len(fields) == 1 {
			u.single = true
			return u // one cell per line: the row ends at an empty line
		}
	case strings.HasPrefix(trimmed, "|") && strings.HasSuffix(trimmed, "|") && len(trimmed) > 1:
		inner := trimmed[1 : len(trimmed)-1]
		if strings.Trim(inner, "|-: ") == "" {
			u.toks = []token{{kind: tokBreak}}
			return u
		}
		for _, f := range strings.Split(inner, "|") {
			u.toks = appendCell(u.toks, f, false)
		}
	default:
		fields := splitGluedNumbers(fieldsWithPos(ln))
		for i, pf := range fields {
			f := pf.text
			k, v := parseCell(f)
			gap := pf.start
			if i > 0 {
				gap = pf.start - fields[i-1].end
			}
			switch k {
			case cellNumber:
				u.toks = append(u.toks, token{kind: tokValue, text: f, val: v, pos2: pf.start + pf.end, gap: gap, glued: i > 0 && gap == 0})
			case cellNull:
				u.toks = append(u.toks, token{kind: tokValue, text: f, null: true, pos2: pf.start + pf.end, gap: gap})
			default:
				if n := len(u.toks); n > 0 && u.toks[n-1].kind == tokText {
					u.toks[n-1].text += f
				} else {
					u.toks = append(u.toks, token{kind: tokText, text: f})
				}
			}
		}
		if len(fields) == 1 {
			u.single = true
		}
	}
	u.toks = append(u.toks, token{kind: tokBreak})
	return u
}

// appendCell appends the token for one cell text.
func appendCell(toks []token, f string, grid bool) []token {
	f = strings.TrimFunc(f, isSpaceFast)
	k, v := parseCell(f)
	switch k {
	case cellBlank:
		return append(toks, token{kind: tokBlank, grid: grid, cell: true})
	case cellNumber:
		return append(toks, token{kind: tokValue, text: f, val: v, grid: grid, cell: true})
	case cellNull:
		return append(toks, token{kind: tokValue, text: f, null: true, grid: grid, cell: true})
	}
	return append(toks, token{kind: tokText, text: f, grid: grid, cell: true})
}

// appendGridUnits adds one unit per table row. Columns empty in every row
// (spacer columns) are dropped; a spanned copy of a label cell is dropped
// (its text is already in the row), a spanned copy of a value is kept.
func appendGridUnits(units []unit, bi int, grid [][]Cell) []unit {
	width := 0
	for _, row := range grid {
		if len(row) > width {
			width = len(row)
		}
	}
	used := make([]bool, width)
	for _, row := range grid {
		for c, cell := range row {
			if strings.TrimFunc(cell.Text, isSpaceFast) != "" {
				used[c] = true
			}
		}
	}
	raw := make([]string, 0, width)
	for _, row := range grid {
		u := unit{block: bi, grid: true, toks: make([]token, 0, len(row)+1)}
		raw = raw[:0]
		for c, cell := range row {
			if !used[c] {
				continue
			}
			text := strings.TrimFunc(cell.Text, isSpaceFast)
			if cell.Span {
				if k, _ := parseCell(text); k == cellText {
					continue
				}
			}
			// A cell may hold several lines (paragraphs): keep them as one.
			if strings.ContainsAny(text, "\n\r") {
				text = strings.Join(strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }), "")
			}
			if cell.Span && c > 0 && row[c-1].Text == cell.Text {
				// a colspan copy of a value: the value counts once. (A
				// rowspan copy equal to its left neighbour is dropped too:
				// colspans of values are common in Table 2, rowspans rare,
				// and a row short of a cell is reported, never shifted.)
				continue
			}
			raw = append(raw, text)
			u.toks = appendCell(u.toks, text, true)
			u.toks[len(u.toks)-1].col = c + 1
		}
		u.raw = strings.Join(raw, " ")
		u.norm = normJoined(raw)
		// a row with a single text cell (a layout table holding the whole
		// report) can be a heading or a paragraph
		if len(u.toks) == 1 && u.toks[0].kind == tokText {
			u.single = true
		}
		u.toks = append(u.toks, token{kind: tokBreak})
		units = append(units, u)
	}
	return units
}

// markBlankRuns handles renderings that print one cell per line with an
// empty line after each filled cell, where an empty cell is one more empty
// line (seed 003): a run of k empty lines between a one-cell line and a
// one-value line stands for k-1 empty cells.
func markBlankRuns(units []unit) {
	for i := 0; i < len(units); i++ {
		if !units[i].empty {
			continue
		}
		j := i
		for j < len(units) && units[j].empty {
			j++
		}
		k := j - i
		if k >= 2 && i > 0 && j < len(units) && units[i-1].single && units[j].single && !units[i-1].empty &&
			firstKind(units[j].toks) == tokValue && !units[j].tabbed && !units[i-1].tabbed {
			for m := i + 1; m < j; m++ {
				units[m].toks = []token{{kind: tokBlank}}
				units[m].empty = false
			}
		}
		i = j - 1
	}
}

func firstKind(toks []token) tokKind {
	if len(toks) == 0 {
		return tokBreak
	}
	return toks[0].kind
}

// posField is a white-space separated field of a line with its rune
// columns [start, end).
type posField struct {
	text       string
	start, end int
}

// fieldsWithPos splits a line at white space, keeping each field's columns.
// The fields of valid UTF-8 are slices of ln, not copies.
func fieldsWithPos(ln string) []posField {
	if !utf8.ValidString(ln) {
		return fieldsWithPosCopy(ln)
	}
	var out []posField
	col, start, from := 0, -1, 0
	for i, r := range ln {
		if isSpaceFast(r) {
			if start >= 0 {
				out = append(out, posField{ln[from:i], start, col})
				start = -1
			}
		} else if start < 0 {
			start, from = col, i
		}
		col++
	}
	if start >= 0 {
		out = append(out, posField{ln[from:], start, col})
	}
	return out
}

// fieldsWithPosCopy is fieldsWithPos for a line that is not valid UTF-8:
// each field is built rune by rune, so a bad byte becomes U+FFFD.
func fieldsWithPosCopy(ln string) []posField {
	var out []posField
	col, start := 0, -1
	var b strings.Builder
	for _, r := range ln {
		if isSpaceFast(r) {
			if start >= 0 {
				out = append(out, posField{b.String(), start, col})
				b.Reset()
				start = -1
			}
		} else {
			if start < 0 {
				start = col
			}
			b.WriteRune(r)
		}
		col++
	}
	if start >= 0 {
		out = append(out, posField{b.String(), start, col})
	}
	return out
}

// splitGluedNumbers splits a number glued to the end of a label
// ("1.属于国家秘密0") when more numbers follow, as some PDF text layers print
// rows without a space after the label.
func splitGluedNumbers(fields []posField) []posField {
	if len(fields) < 2 {
		if len(fields) == 1 {
			if label, digits, ok := splitRunTogether(fields[0]); ok { // "行政许可1250318": runtogether.go
				return []posField{label, digits}
			}
		}
		return fields
	}
	var out []posField
	for i, pf := range fields {
		f := pf.text
		if i+1 < len(fields) {
			if k, _ := parseCell(fields[i+1].text); k == cellNumber {
				if k0, _ := parseCell(f); k0 == cellText {
					j := len(f)
					for j > 0 && f[j-1] >= '0' && f[j-1] <= '9' {
						j--
					}
					if j < len(f) && j > 0 && len(f)-j <= 9 {
						r, _ := utf8.DecodeLastRuneInString(f[:j])
						if r >= 0x4e00 && r <= 0x9fff {
							mid := pf.start + utf8.RuneCountInString(f[:j])
							out = append(out, posField{f[:j], pf.start, mid}, posField{f[j:], mid, pf.end})
							continue
						}
					}
				}
			}
		}
		if i == len(fields)-1 {
			// a label printed with spaces and its cells run into its end
			// ("4.无正当理由大量反复 申请0000000"): runtogether.go
			if label, digits, ok := splitRunTogether(pf); ok && !anyNumberField(fields[:i]) {
				return append(out, label, digits)
			}
		}
		out = append(out, pf)
	}
	return out
}
