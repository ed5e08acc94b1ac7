package extract

import (
	"fmt"
	"slices"
	"strings"
)

// This file aligns the row labels and the number rows of a table that a
// PDF text layer prints apart: pdftotext -raw and some PDF producers put a
// group's labels on lines of their own above (or below) its rows of
// numbers, and a page break may split a group between its labels and its
// numbers. Read label by label, every cell would be lost.

// alignment is the result of alignDetached.
type alignment struct {
	// segs are the rows as segments (label + values), in printed order,
	// for the table readers' usual matching.
	segs []segment
	// detached counts the rows whose label was printed away from its
	// numbers (above with other labels in between, or below them).
	detached int
	// problem, when not empty, says why the labels and rows could not be
	// aligned; segs is then nil.
	problem string
}

// alignQueued is a label or a number row waiting for its partner.
type alignQueued struct {
	key  string
	raw  string
	vals []token
}

// alignDetached reads the units of r line by line: a line with a row
// label and its numbers is an anchored row; a line naming a row and no
// numbers is a detached label; a line of numbers only, as many as the
// row's columns, is an unlabelled number row. Between two anchored rows
// (and the table's ends) the detached labels and the unlabelled rows are
// paired in order, first with first, when their counts agree and each row
// has the columns of its label's row, and the rows read in the end are in
// template order (order lists the row keys of the template). Grid tables
// are not aligned (their rows carry their labels). width gives the number
// of columns of a row key (0: a row the template does not have).
func alignDetached(units []unit, r region, rules []rowRule, table3 bool, width func(key string) int, order []string) alignment {
	al := &aligner{units: units, r: r, rules: rules, table3: table3, width: width}
	for i := r.from; i < len(units); i++ {
		u := &units[i]
		if u.grid {
			return alignment{problem: "grid table"}
		}
		if u.empty || u.raw == "" {
			continue
		}
		text, vals := splitUnit(u, i)
		key := ""
		if text != "" {
			key = matchRow(normLabel(text), rules, table3)
		}
		if i >= r.to && !al.continuesPast(i, key, text, vals) {
			break
		}
		if problem := al.line(i, key, text, vals); problem != "" {
			return alignment{problem: problem}
		}
	}
	if len(al.labels) > 0 || len(al.rows) > 0 {
		return alignment{problem: fmt.Sprintf("%d labels and %d rows of numbers left unpaired at the end of the table", len(al.labels), len(al.rows))}
	}
	if !inTemplateOrder(al.out.segs, rules, table3, order) {
		return alignment{problem: "the aligned rows are not in the template's order"}
	}
	return al.out
}

// aligner is the state of one alignDetached pass: the labels and the
// rows of numbers waiting for their partner, in printed order.
type aligner struct {
	units        []unit
	r            region
	rules        []rowRule
	table3       bool
	width        func(key string) int
	out          alignment
	labels, rows []alignQueued
	started      bool
	lastKey      string // the row the last label line named
}

// continuesPast reports whether unit i, past the region, still belongs to
// the table: labels are waiting, and the line is a label of this table
// alone on its line ("四、结转下年度继续办理" reads as a heading and ends
// the region) or a row of numbers.
func (al *aligner) continuesPast(i int, key, text string, vals []token) bool {
	if len(al.labels) == 0 && len(al.rows) == 0 || i >= al.r.to+40 {
		return false
	}
	return (key != "" && len(vals) == 0) || (text == "" && len(vals) > 0)
}

// pair emits a label with its row of numbers.
func (al *aligner) pair(l, n alignQueued, detached bool) {
	al.out.segs = append(al.out.segs, segment{label: normLabel(l.raw), raw: l.raw, values: n.vals, hasNum: hasNumber(n.vals)})
	if detached {
		al.out.detached++
	}
}

// line reads unit i (its label text, the row it names, its values); it
// returns why the table cannot be aligned, or "".
func (al *aligner) line(i int, key, text string, vals []token) string {
	if !al.started {
		// the column headers above the first row ("其他", "总计") are
		// no rows; rows of numbers there wait for labels below them
		if text == "" && len(vals) > 0 {
			al.rows = append(al.rows, alignQueued{vals: vals})
			return ""
		}
		if key == "" || key == "other_misc" || key == "total" {
			return ""
		}
		al.started = true
	}
	prevKey := al.lastKey
	if key != "" {
		al.lastKey = key
	}
	switch {
	case key != "" && len(vals) > 0: // an anchored row
		if len(al.labels) > 0 || len(al.rows) > 0 {
			return fmt.Sprintf("%d labels and %d rows of numbers apart before %q", len(al.labels), len(al.rows), clip(text))
		}
		al.out.segs = append(al.out.segs, segment{label: normLabel(text), raw: text, values: vals, hasNum: hasNumber(vals)})
	case key == "other" && groupLabelOfOthers(al.units, i+1, al.r.to, al.rules, al.table3):
		// "（六）其他处理" over its 2021 sub-rows: a group label
	case key == prevKey && len(vals) == 0:
		// the wrapped rest of the label before ("2、申请人逾期未按收费通知要"
		// then "求缴纳费用、")
		al.continueLabel(text)
	case key != "": // a label alone on its line
		return al.label(key, text)
	case text == "" && len(vals) > 0: // numbers only
		return al.numbers(vals)
	case len(vals) > 0: // text that names no row, with numbers
		return fmt.Sprintf("numbers after %q, which names no row", clip(text))
	default: // a label's continuation, a group label, a vertical header
		al.continueLabel(text)
	}
	return ""
}

// continueLabel adds text to the label waiting last, if any.
func (al *aligner) continueLabel(text string) {
	if n := len(al.labels); n > 0 {
		al.labels[n-1].raw += text
	}
}

// label pairs a label alone on its line with the first row of numbers
// waiting above it, or queues it.
func (al *aligner) label(key, text string) string {
	if len(al.rows) == 0 {
		al.labels = append(al.labels, alignQueued{key: key, raw: text})
		return ""
	}
	n := al.rows[0]
	al.rows = al.rows[1:]
	if w := al.width(key); w != len(n.vals) {
		return fmt.Sprintf("row %q has %d columns, the numbers below it %d", clip(text), w, len(n.vals))
	}
	al.pair(alignQueued{key: key, raw: text}, n, true)
	return ""
}

// numbers pairs a row of numbers with the first label waiting above it,
// or queues it.
func (al *aligner) numbers(vals []token) string {
	if len(al.labels) == 0 {
		al.rows = append(al.rows, alignQueued{vals: vals})
		return ""
	}
	l := al.labels[0]
	if w := al.width(l.key); w != len(vals) {
		return fmt.Sprintf("row %q has %d columns, the numbers beside it %d", clip(l.raw), w, len(vals))
	}
	al.pair(l, alignQueued{vals: vals}, len(al.labels) > 1)
	al.labels = al.labels[1:]
	return ""
}

// splitUnit returns a text unit's label text and its value tokens (with
// their unit index set, as buildSegments sets it).
func splitUnit(u *unit, i int) (string, []token) {
	text := ""
	var vals []token
	for _, t := range u.toks {
		switch t.kind {
		case tokText:
			text += t.text
		case tokValue:
			t.unit = i
			vals = append(vals, t)
		}
	}
	return text, vals
}

func hasNumber(vals []token) bool {
	for _, t := range vals {
		if t.kind == tokValue && !t.null {
			return true
		}
	}
	return false
}

// inTemplateOrder reports whether the rows named by segs follow order,
// each row once. A 2021 group label "（六）其他处理" read as the row
// "other" before its sub-rows is left to the table reader.
func inTemplateOrder(segs []segment, rules []rowRule, table3 bool, order []string) bool {
	last := -1
	for _, s := range segs {
		k := matchRow(s.label, rules, table3)
		i := slices.Index(order, k)
		if i < 0 {
			return false
		}
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

// groupLabelOfOthers reports whether the next row named after unit from
// is one of the 2021 sub-rows of （六）其他处理.
func groupLabelOfOthers(units []unit, from, to int, rules []rowRule, table3 bool) bool {
	for j := from; j < to && j < len(units) && j < from+12; j++ {
		if units[j].raw == "" {
			continue
		}
		switch matchRow(units[j].norm, rules, table3) {
		case "":
			continue
		case "other_no_correction", "other_unpaid_fee", "other_misc":
			return true
		default:
			return false
		}
	}
	return false
}

// alignedSegments returns the segments of region r read by alignDetached
// when the table prints row labels apart from their numbers and the
// alignment succeeds, with a warning saying so; segs otherwise. A table
// whose rows all carry their labels is left to segs.
func (p *parser) alignedSegments(segs []segment, r region, table string, rules []rowRule, table3 bool, width func(string) int, order []string) []segment {
	if !detachedCandidate(segs, rules) {
		return segs
	}
	al := alignDetached(p.units, r, rules, table3, width, order)
	if al.problem != "" {
		p.warnf("%s: row labels printed apart from their numbers could not be aligned: %s", table, al.problem)
		return segs
	}
	if al.detached == 0 {
		return segs
	}
	p.warnf("%s: %d row labels printed apart from their numbers (PDF text); rows of numbers aligned to the template's row order", table, al.detached)
	return al.segs
}

// detachedCandidate reports a table read label by label where some
// segment holds the numbers of more than one line, each line a row of
// several numbers or as many lines as the segment's label names rows: the
// sign of labels printed apart from their numbers. (Renderings that print
// one cell per line give segments of one-number lines under one label.)
func detachedCandidate(segs []segment, rules []rowRule) bool {
	for _, s := range segs {
		if s.grid || len(s.values) < 2 {
			continue
		}
		lines, minPer, per := 0, len(s.values), 0
		last := -1
		for _, t := range s.values {
			if t.unit != last {
				if lines > 0 {
					minPer = min(minPer, per)
				}
				lines++
				per = 0
				last = t.unit
			}
			per++
		}
		minPer = min(minPer, per)
		if lines >= 2 && (minPer >= 2 || countRows(s.label, rules, lines+1) == lines) {
			return true
		}
	}
	return false
}

// countRows counts the rows whose keywords occur in label (as
// rowKeysInOrder lists them), up to limit, without allocating.
func countRows(label string, rules []rowRule, limit int) int {
	n := 0
	for _, r := range rules {
		for _, kw := range r.keywords {
			if strings.Contains(label, kw) {
				n++
				break
			}
		}
		if n >= limit {
			break
		}
	}
	return n
}
