package extract

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao/report"
)

// parser holds the state of one ParseDocument call.
type parser struct {
	units []unit
	out   outline
	rep   *report.Report
	// unreadable are template rows that are printed but could not be read
	// (wrong number of cells); report.complete does not count them missing.
	unreadable map[string]bool
}

func (p *parser) warnf(format string, args ...any) {
	p.rep.Warnings = append(p.rep.Warnings, fmt.Sprintf(format, args...))
}

func parseDocument(doc *Document, opts Options) (*report.Report, error) {
	if doc == nil {
		return nil, fmt.Errorf("parse report: %w: no document", ErrNotReport)
	}
	units := buildUnits(doc)
	p := &parser{
		units:      units,
		out:        findOutline(units),
		rep:        &report.Report{Source: opts.Source, Template: report.TemplateUnknown, ExtraTables: []report.ExtraTable{}, Checks: []report.Check{}, Warnings: []string{}},
		unreadable: map[string]bool{},
	}
	r := p.rep
	p.readMeta(doc, opts)

	t2, t3, t4 := p.tableRegions()
	tmpl2 := p.detectActiveTemplate(t2)
	p.readApplications(t3)
	p.readActive(t2, tmpl2)
	p.readReview(t4)
	r.Template = p.decideTemplate(tmpl2)
	p.readSections()
	p.readExtraTables(t2, t3, t4)

	if r.Active == nil && r.Applications == nil && r.ReviewLitigation == nil {
		if !p.looksLikeReport(doc) {
			return nil, fmt.Errorf("parse report %q: %w: no report title and none of the template tables", firstText(units), ErrNotReport)
		}
		if r.Template == report.TemplatePre2019 || r.Template == report.TemplateUnknown {
			r.StatedNumbers = statedNumbers(units, 200)
		}
		if r.Template == report.TemplateUnknown {
			p.warnf("%s", report.NoTablesWarning)
		}
	}
	r.Unreadable = sortedKeys(p.unreadable)
	r.TitleYear = titleYear(r.Title)
	checks, warns := report.ValidateSkipped(r)
	r.Checks = checks
	r.Warnings = append(r.Warnings, warns...)
	return r, nil
}

// firstText returns the first non-empty line, for error messages.
func firstText(units []unit) string {
	for i := range units {
		if units[i].raw != "" {
			s := []rune(units[i].raw)
			if len(s) > 40 {
				s = s[:40]
			}
			return string(s)
		}
	}
	return ""
}

// looksLikeReport says whether a document without template tables is still
// an annual report (a free-form pre-2019 report).
func (p *parser) looksLikeReport(doc *Document) bool {
	if len(p.out.heads) == 0 && p.looksLikeList() {
		return false
	}
	t := normLabel(p.rep.Title + doc.Title)
	if strings.Contains(t, "报告") || strings.Contains(t, "年报") {
		return strings.Contains(t, "公开") || strings.Contains(t, "年报")
	}
	n := 0
	for i := range p.units {
		if n > 30 {
			break
		}
		if p.units[i].raw == "" {
			continue
		}
		n++
		s := p.units[i].norm
		if strings.Contains(s, "信息公开") && (strings.Contains(s, "年度报告") || strings.Contains(s, "年报")) {
			return true
		}
	}
	return false
}

// looksLikeList says whether the document is a list of reports (a column
// page rendered as text): two or more short lines name reports of
// different years, and no part of a report is headed.
func (p *parser) looksLikeList() bool {
	years := map[int]bool{}
	for i := range p.units {
		n := p.units[i].norm
		if n == "" || utf8.RuneCountInString(n) > 80 || !(strings.Contains(n, "报告") || strings.Contains(n, "年报")) {
			continue
		}
		if _, y := agencyYear(p.units[i].raw); y > 0 {
			years[y] = true
		} else if y := leadingYear(n); y > 0 {
			years[y] = true
		}
		if len(years) >= 2 {
			return true
		}
	}
	return false
}

// leadingYear returns the first year (19xx/20xx followed by 年) in s.
func leadingYear(s string) int {
	s = closeYearGap(s) // "2025 年" (title.go)
	for i := 0; i+4 < len(s); i++ {
		if (s[i] == '1' || s[i] == '2') && startsWithYear(s[i:]) && strings.HasPrefix(s[i+4:], "年") {
			y := int(s[i]-'0')*1000 + int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if y >= 1990 && y <= 2100 {
				return y
			}
		}
	}
	return 0
}

// tableRegions finds the units of Tables 2, 3 and 4: from their part's
// heading to the next heading, or, when a heading is missing, from the
// first label that only that table has.
func (p *parser) tableRegions() (t2, t3, t4 region) {
	n := len(p.units)
	o := &p.out
	t2 = o.sectionRegion(secActive, n)
	t3 = o.sectionRegion(secApps, n)
	t4 = o.sectionRegion(secReview, n)
	if !t3.ok() {
		t3, t2 = p.unheadedApplications(t2)
	}
	if !t2.ok() {
		end := n
		if t3.ok() {
			end = t3.from
		}
		if i := p.findUnit(0, end, report.ActiveStarts...); i >= 0 {
			t2 = region{i, end}
		}
	}
	if !t4.ok() {
		// no heading for Table 4: it starts at the first ReviewStart after the
		// carried-forward row of Table 3 (which then ends there)
		from := 0
		if t3.ok() {
			from = t3.from
			if j := p.findUnit(t3.from, t3.to, report.ApplicationEnds...); j >= 0 {
				from = j + 1
			}
		}
		if i := p.findUnit(from, n, report.ReviewStart); i >= 0 {
			t4 = region{i, p.out.nextHead(i, n)}
			if t3.ok() && i < t3.to {
				t3.to = i
			}
		}
	}
	return t2, t3, t4
}

// unheadedApplications finds Table 3 when its heading is missing: from the
// first label only it has (with the table header just above) to the
// carried-forward row. It returns Table 3 and Table 2, which then ends
// where Table 3 starts.
func (p *parser) unheadedApplications(t2 region) (region, region) {
	n := len(p.units)
	o := &p.out
	var t3 region
	if i := p.findUnit(0, n, report.ApplicationStarts...); i >= 0 {
		from := i
		// keep the table header just above the first row
		for k := i - 1; k >= 0 && k >= i-30; k-- {
			if containsAny(p.units[k].norm, report.ApplicationHeads...) {
				from = k
			}
		}
		if t2.ok() && from < t2.to {
			from = max(from, t2.from)
		}
		end := o.nextHead(i, n)
		if j := p.findUnit(i, end, report.ApplicationEnds...); j >= 0 {
			// stop after the carried-forward row and the lines of
			// numbers that belong to it
			k := j + 1
			for k < end && !p.units[k].grid && !hasText(p.units[k].toks) {
				k++
			}
			if p.units[j].grid {
				k = j + 1
			}
			end = min(end, k)
		}
		t3 = region{from, end}
		if t2.ok() && t2.to > from && t2.from < from {
			t2.to = from
		}
	}
	return t3, t2
}

func hasText(ts []token) bool {
	for _, t := range ts {
		if t.kind == tokText {
			return true
		}
	}
	return false
}

// findUnit returns the first unit in [from,to) whose normalised text holds
// one of the keywords.
func (p *parser) findUnit(from, to int, kws ...string) int {
	for i := max(from, 0); i < to && i < len(p.units); i++ {
		for _, k := range kws {
			if strings.Contains(p.units[i].norm, k) {
				return i
			}
		}
	}
	return -1
}

func (p *parser) regionText(r region) string {
	var b strings.Builder
	for i := r.from; i < r.to && i < len(p.units); i++ {
		b.WriteString(p.units[i].norm)
	}
	return b.String()
}

// detectActiveTemplate tells the 2019 from the 2021 Table 2 by its column
// labels; "" when the table says neither.
func (p *parser) detectActiveTemplate(t2 region) report.Template {
	if !t2.ok() {
		return ""
	}
	s := p.regionText(t2)
	n19, n21 := 0, 0
	for _, k := range report.ActiveMarkers2019 {
		if strings.Contains(s, k) {
			n19++
		}
	}
	for _, k := range report.ActiveMarkers2021 {
		if strings.Contains(s, k) {
			n21++
		}
	}
	switch {
	case n19 > n21:
		return report.Template2019
	case n21 > n19:
		return report.Template2021
	}
	return ""
}

// decideTemplate picks the template from the tables' labels, then from the
// report year.
func (p *parser) decideTemplate(tmpl2 report.Template) report.Template {
	r := p.rep
	if tmpl2 != "" {
		return tmpl2
	}
	if a := r.Applications; a != nil {
		for _, k := range report.Rows2021Only {
			if _, ok := a.Rows[k]; ok {
				return report.Template2021
			}
		}
	}
	hasTables := r.Active != nil || r.Applications != nil || r.ReviewLitigation != nil
	switch {
	case r.Year >= 2021 && hasTables:
		return report.Template2021
	case r.Year >= 2019 && hasTables:
		return report.Template2019
	case r.Year > 0 && r.Year <= 2018:
		return report.TemplatePre2019
	case hasTables:
		return report.Template2021
	}
	return report.TemplateUnknown
}

// readApplications reads Table 3 by row labels.
func (p *parser) readApplications(t3 region) {
	if !t3.ok() {
		return
	}
	heads := p.columnHeads(t3, table3Heads, len(report.ApplicationColumns))
	segs := buildSegments(p.units, t3, heads.valueCol(p.units))
	segs = p.alignedSegments(segs, t3, "applications", table3Rules, true, func(string) int { return 7 }, report.ApplicationRows) // align.go
	st := t3State{rows: map[string][]*float64{}, numbered: map[string]bool{}, bad: map[string]string{}, badSeg: map[string]segment{}}
	for i, s := range segs {
		p.readApplicationRow(&st, heads, s, t3RowKey(segs, i, st.rows))
	}
	dropGroupOther(st.rows, st.numbered)
	p.placeBadApplicationRows(&st)
	if len(st.rows) < 2 {
		if len(st.rows) == 1 {
			p.warnf("applications: only one row of Table 3 found; not read as the table")
		}
		return
	}
	p.rep.Applications = &report.Applications{Columns: append([]string(nil), report.ApplicationColumns...), Rows: st.rows}
}

// t3State is what readApplications has read so far.
type t3State struct {
	rows     map[string][]*float64
	numbered map[string]bool // the row read has at least one number
	// bad are the rows with the wrong number of cells (the warning to
	// give) and their segments, placed by position at the end if they can.
	bad      map[string]string
	badSeg   map[string]segment
	complete []layoutRow // rows of 7 cells on one space-aligned line
}

// t3RowKey returns the Table 3 row segs[i] is, "" when none.
func t3RowKey(segs []segment, i int, rows map[string][]*float64) string {
	s := segs[i]
	key := matchRow(s.label, table3Rules, true)
	if key == "" && s.hasNum && !s.grid && i+1 < len(segs) {
		// The label may wrap with its keyword split over two lines and
		// the numbers printed in between ("（二）部分" 4 0 … "公开（区分…"):
		// try the text the next row's label starts with.
		if _, pos := matchRowPos(segs[i+1].label, table3Rules, true); pos > 0 {
			// only a keyword that straddles the two labels
			if k, at := matchRowPos(s.label+segs[i+1].label[:pos], table3Rules, true); k != "" && at < len(s.label) {
				if _, have := rows[k]; !have {
					key = k
				}
			}
		}
	}
	return key
}

// readApplicationRow reads segment s as the Table 3 row key.
func (p *parser) readApplicationRow(st *t3State, heads headMap, s segment, key string) {
	if key == "" {
		if s.hasNum && len(s.values) >= 3 {
			p.warnf("applications: row %q not recognised; its %d cells were ignored", clip(s.raw), len(s.values))
		}
		return
	}
	vals, ok := heads.pick(p.units, s)
	if !ok {
		vals, ok = fitValues(s, 7)
	}
	if !ok {
		if vals, ok = p.runTogetherCells("applications."+key, s, 7); ok && vals == nil { // runtogether.go
			return
		}
	}
	if !ok {
		if s.hasNum {
			if _, have := st.rows[key]; !have {
				st.bad[key] = fmt.Sprintf("applications.%s: row %q has %d cells, expected 7; row not read", key, clip(s.raw), len(s.values))
				st.badSeg[key] = s
			}
		}
		return
	}
	if c, ok := layoutColumns(vals); ok && len(vals) == 7 {
		st.complete = append(st.complete, c)
	}
	if _, have := st.rows[key]; have {
		if s.hasNum && st.numbered[key] {
			p.warnf("applications.%s: row printed twice (%q); the first one is kept", key, clip(s.raw))
			return
		}
		if !s.hasNum {
			return
		}
		// the first candidate was all blank (a header cell such as
		// 其他 over empty cells): the row with numbers wins
	}
	st.rows[key] = p.cells(vals, "applications."+key, report.ApplicationColumns)
	st.numbered[key] = s.hasNum
	delete(st.bad, key)
}

// dropGroupOther drops a "（六）其他处理" printed on a row of its own
// with empty cells over its three sub-rows (2021): it is their group
// label, not the 2019 row.
func dropGroupOther(rows map[string][]*float64, numbered map[string]bool) {
	if numbered["other"] || rows["other"] == nil {
		return
	}
	for _, k := range report.Rows2021Only {
		if _, ok := rows[k]; ok {
			delete(rows, "other")
			return
		}
	}
}

// placeBadApplicationRows places the cells of the rows with the wrong
// number of cells under their columns by position when the complete rows
// say where the columns are; the others are unreadable.
func (p *parser) placeBadApplicationRows(st *t3State) {
	for _, k := range report.ApplicationRows {
		msg, ok := st.bad[k]
		if !ok {
			continue
		}
		if cells, n, ok := placeByColumn(st.badSeg[k].values, st.complete, 7); ok {
			st.rows[k] = p.cells(cells, "applications."+k, report.ApplicationColumns)
			p.warnf("applications.%s: %d of 7 cells printed; placed under their columns by position, the others are blank", k, n)
			continue
		}
		p.warnf("%s", msg)
		p.unreadable["applications."+k] = true
	}
}

// cells converts tokens to numbers; a blank is nil, a non-number is nil plus
// a warning naming the cell.
func (p *parser) cells(vals []token, prefix string, cols []string) []*float64 {
	out := make([]*float64, len(vals))
	for i, t := range vals {
		switch {
		case t.kind == tokValue && !t.null:
			v := t.val
			out[i] = &v
		case t.kind == tokValue && t.null:
			p.warnf("%s.%s: %q is not a number; read as blank", prefix, cols[i], t.text)
		}
	}
	return out
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}

// readActive reads Table 2 by row labels.
func (p *parser) readActive(t2 region, tmpl report.Template) {
	if !t2.ok() {
		return
	}
	if tmpl == "" {
		tmpl = report.Template2021
		if p.rep.Year >= 2019 && p.rep.Year <= 2020 {
			tmpl = report.Template2019
		}
	}
	// prose such as "办理行政许可 12 件" is not Table 2: the table's own
	// column headers must be there
	if !containsAny(p.regionText(t2), report.ActiveHeads...) {
		return
	}
	st := t2State{a: &report.Active{}, tmpl: tmpl}
	segs := buildSegments(p.units, t2, nil)
	segs = p.alignedSegments(segs, t2, "active", table2Rules, false, func(k string) int { return len(report.ActiveColumns(tmpl, k)) }, report.ActiveKeys()) // align.go
	for _, s := range segs {
		p.readActiveRow(&st, s)
	}
	p.placePendingActiveRows(&st)
	if st.found > 0 {
		p.rep.Active = st.a
	}
}

// t2State is what readActive has read so far.
type t2State struct {
	a     *report.Active
	tmpl  report.Template
	found int // rows set
	// pending are the rows short of cells, placed by column at the end;
	// complete the rows with all their cells on one space-aligned line.
	pending  []pendingRow
	complete []layoutRow
}

// pendingRow is a Table 2 row short of cells.
type pendingRow struct {
	key  string
	cols []string
	seg  segment
}

// setActiveRow sets the Table 2 row key from its cells.
func (p *parser) setActiveRow(st *t2State, key string, cols []string, vals []token) {
	nums := p.cells(vals, "active."+key, cols)
	row := &report.ActiveRow{}
	for i, c := range cols {
		n := &report.Num{Blank: true}
		if nums[i] != nil {
			n = &report.Num{Value: *nums[i]}
		}
		*row.Field(c) = n
	}
	*st.a.Slot(key) = row
	delete(p.unreadable, "active."+key)
	st.found++
}

// readActiveRow reads segment s as a Table 2 row.
func (p *parser) readActiveRow(st *t2State, s segment) {
	key := matchRow(s.label, table2Rules, false)
	if key == "" {
		return
	}
	p.blankRowsBefore(st, s.label, key)
	cols := report.ActiveColumns(st.tmpl, key)
	if cols == nil {
		if s.hasNum {
			p.warnf("active.%s: row not in the %s template; ignored", key, st.tmpl)
		}
		return
	}
	vals, ok := fitValues(s, len(cols))
	if !ok {
		if vals, ok = p.runTogetherCells("active."+key, s, len(cols)); ok && vals == nil { // runtogether.go
			return
		}
	}
	if !ok {
		if s.hasNum && *st.a.Slot(key) == nil {
			st.pending = append(st.pending, pendingRow{key, cols, s})
		}
		return
	}
	if c, ok := layoutColumns(vals); ok && len(vals) == len(cols) {
		st.complete = append(st.complete, c)
	}
	if *st.a.Slot(key) != nil {
		if s.hasNum {
			p.warnf("active.%s: row printed twice; the first one is kept", key)
		}
		return
	}
	p.setActiveRow(st, key, cols, vals)
}

// blankRowsBefore sets as blank the rows named in label before key with
// no numbers of their own: text renderings print nothing for blank cells
// ("规章" alone on its line).
func (p *parser) blankRowsBefore(st *t2State, label, key string) {
	for _, k := range rowKeysInOrder(label, table2Rules) {
		if k == key {
			break
		}
		if c := report.ActiveColumns(st.tmpl, k); c != nil && *st.a.Slot(k) == nil {
			row := &report.ActiveRow{}
			for _, col := range c {
				*row.Field(col) = &report.Num{Blank: true}
			}
			*st.a.Slot(k) = row
			st.found++
			p.warnf("active.%s: row printed without numbers; read as blank", k)
		}
	}
}

// placePendingActiveRows places the cells of the rows short of cells under
// their columns by position when complete rows with the same columns
// (regulations for normative_documents, …) say where they are; the others
// are unreadable.
func (p *parser) placePendingActiveRows(st *t2State) {
	for _, pr := range st.pending {
		if *st.a.Slot(pr.key) != nil {
			continue
		}
		var same []layoutRow
		for _, c := range st.complete {
			if len(c.pos2) == len(pr.cols) {
				same = append(same, c)
			}
		}
		if cells, n, ok := placeByColumn(pr.seg.values, same, len(pr.cols)); ok && len(pr.cols) > 1 {
			p.setActiveRow(st, pr.key, pr.cols, cells)
			p.warnf("active.%s: %d of %d cells printed; placed under their columns by position, the others are blank", pr.key, n, len(pr.cols))
			continue
		}
		p.warnf("active.%s: row %q has %d cells, expected %d; row not read", pr.key, clip(pr.seg.raw), len(pr.seg.values), len(pr.cols))
		p.unreadable["active."+pr.key] = true
	}
}

// readReview reads Table 4: either three labelled groups of five cells, or
// (the template layout) one row of fifteen cells under the headers.
func (p *parser) readReview(t4 region) {
	if !t4.ok() {
		return
	}
	heads := p.columnHeads(t4, table4Heads, len(report.GroupColumns))
	segs := buildSegments(p.units, t4, heads.valueCol(p.units))
	groups := map[string][]token{}
	for _, s := range segs {
		key := matchRow(s.label, table4Rules, false)
		if key == "" {
			continue
		}
		vals, ok := heads.pick(p.units, s)
		if !ok {
			vals, ok = fitValues(s, 5)
		}
		if ok && s.hasNum {
			if _, have := groups[key]; !have {
				groups[key] = vals
			}
		}
	}
	if len(groups) < 3 {
		groups = map[string][]token{}
		var best []token
		for _, s := range segs {
			if len(s.values) < 15 {
				continue
			}
			if vals, ok := fitValues(s, 15); ok {
				best = vals
			} else if s.hasNum {
				p.warnf("review_litigation: row %q has %d cells, expected 15; not read", clip(s.raw), len(s.values))
			}
		}
		if best == nil {
			for _, s := range segs {
				if s.hasNum && len(s.values) >= 5 && len(s.values) < 15 {
					p.warnf("review_litigation: found %d cells after %q, expected 15; table not read", len(s.values), clip(s.raw))
					break
				}
			}
			return
		}
		for i, g := range report.ReviewGroups {
			groups[g] = best[5*i : 5*i+5]
		}
	}
	rl := &report.ReviewLitigation{}
	for _, key := range report.ReviewGroups {
		vals, ok := groups[key]
		if !ok {
			continue
		}
		nums := p.cells(vals, "review_litigation."+key, report.GroupColumns)
		rl.SetGroup(key, &report.Group{Upheld: nums[0], Corrected: nums[1], Other: nums[2], Pending: nums[3], Total: nums[4]})
	}
	p.rep.ReviewLitigation = rl
}

// layoutRow is a table row read from one space-aligned line: the unit it
// is on and the centre of each of its cells.
type layoutRow struct {
	unit int
	pos2 []int
}

// layoutColumns returns the cell positions of a complete row printed on a
// single space-aligned line.
func layoutColumns(vals []token) (layoutRow, bool) {
	var lr layoutRow
	if len(vals) < 2 {
		return lr, false
	}
	lr.unit = vals[0].unit
	lr.pos2 = make([]int, len(vals))
	for i, t := range vals {
		// columns padded with two spaces or more: pdftotext -layout, not
		// -raw or prose, where positions say nothing about columns
		if t.pos2 <= 0 || t.unit != lr.unit || t.gap < 2 || (i > 0 && t.pos2 <= lr.pos2[i-1]) {
			return lr, false
		}
		lr.pos2[i] = t.pos2
	}
	return lr, true
}

// placeByColumn places the cells of a row that has fewer than n cells on
// one space-aligned line (pdftotext -layout prints nothing for a blank
// cell) under the columns of the complete rows (of n cells) nearest to it.
// It succeeds only when every cell is clearly nearer one column than its
// neighbours, in order, and the nearest complete rows agree on the
// placement.
func placeByColumn(vals []token, complete []layoutRow, n int) ([]token, int, bool) {
	if len(vals) == 0 || len(vals) >= n || len(complete) == 0 {
		return nil, 0, false
	}
	unit := vals[0].unit
	for _, t := range vals {
		if t.pos2 <= 0 || t.unit != unit || t.kind != tokValue || t.gap < 2 {
			return nil, 0, false
		}
	}
	// the nearest complete row above and below (a page break may shift
	// the columns of rows further away)
	var refs []layoutRow
	above, below := -1, -1
	for i, c := range complete {
		if len(c.pos2) != n {
			continue
		}
		if c.unit < unit && (above < 0 || c.unit > complete[above].unit) {
			above = i
		}
		if c.unit > unit && (below < 0 || c.unit < complete[below].unit) {
			below = i
		}
	}
	for _, i := range []int{above, below} {
		if i >= 0 {
			refs = append(refs, complete[i])
		}
	}
	var placed []int
	for _, ref := range refs {
		cols, ok := placeUnder(vals, ref)
		if !ok {
			continue
		}
		if placed != nil && !slices.Equal(placed, cols) {
			return nil, 0, false // the rows around disagree
		}
		placed = cols
	}
	if placed == nil {
		return nil, 0, false
	}
	out := make([]token, n)
	for i := range out {
		out[i] = token{kind: tokBlank}
	}
	for i, c := range placed {
		out[c] = vals[i]
	}
	return out, len(vals), true
}

// placeUnder gives the column of each value under one reference row.
func placeUnder(vals []token, ref layoutRow) ([]int, bool) {
	cols := make([]int, len(vals))
	last := -1
	for i, t := range vals {
		best, dist, second := -1, 1<<30, 1<<30
		for c := range ref.pos2 {
			d := abs(t.pos2 - ref.pos2[c])
			switch {
			case d < dist:
				best, second, dist = c, dist, d
			case d < second:
				second = d
			}
		}
		// nearer its column than the next one by at least 1.5 characters
		if best <= last || second-dist < 3 {
			return nil, false
		}
		cols[i] = best
		last = best
	}
	return cols, true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// table3Heads maps the (normalised) column headers of Table 3 to their
// column index in ApplicationColumns; table4Heads the column headers of
// Table 4 laid out with the groups as rows to their index in GroupColumns.
var (
	table3Heads = report.HeadIndex(report.ApplicationColumnDefs)
	table4Heads = report.HeadIndex(report.ReviewColumnDefs)
)

// headMap is, per table block, the grid column (1-based, as token.col)
// of each template column, read from the header rows above the data,
// and the grid columns that hold a cell in some row of the block (a
// column blank in every row is left out of the units).
type headMap struct {
	cols    map[int][]int
	present map[int]map[int]bool
	// foreign are the grid columns under a header the template does not
	// have (备注, 其中：网上申请): their cells are not read.
	foreign map[int]map[int]bool
}

// columnHeads reads the column headers of the grid tables (and
// tab-separated rows) in r: rows
// without numbers and without a row label, before the first row label
// of their table. A table whose header names every column once gets a
// map; a table without a header (the second part of a table split at a
// page break) inherits the map of the table before it.
func (p *parser) columnHeads(r region, names map[string]int, n int) headMap {
	hm := headMap{cols: map[int][]int{}, present: map[int]map[int]bool{}, foreign: map[int]map[int]bool{}}
	var cur []int // grid column per template column of the current block
	block, closed, found := -1, false, 0
	var last []int
	lastBlock := -1
	finish := func() {
		if cur != nil && found == n {
			hm.cols[block] = cur
			last, lastBlock = cur, block
		} else if last != nil && block >= 0 {
			hm.cols[block] = last
			hm.foreign[block] = hm.foreign[lastBlock]
		}
	}
	for i := r.from; i < r.to && i < len(p.units); i++ {
		u := &p.units[i]
		if !u.grid && !(u.tabbed && !u.single) {
			continue
		}
		if u.block != block {
			finish()
			block, closed, found, cur = u.block, false, 0, nil
		}
		pr := hm.present[block]
		if pr == nil {
			pr = map[int]bool{}
			hm.present[block] = pr
		}
		for _, t := range u.toks {
			pr[t.col] = true
		}
		if closed {
			continue
		}
		data := false
		for _, t := range u.toks {
			if t.kind == tokValue && !t.null {
				data = true
				break
			}
			if t.kind == tokText {
				if _, head := names[normLabel(t.text)]; !head && isRowLabel(t.text) {
					data = true
					break
				}
			}
		}
		if data {
			closed = true
			continue
		}
		for _, t := range u.toks {
			if t.kind != tokText || t.col == 0 {
				continue
			}
			k, ok := names[normLabel(t.text)]
			if !ok {
				if hm.foreign[block] == nil {
					hm.foreign[block] = map[int]bool{}
				}
				hm.foreign[block][t.col] = true
				continue
			}
			if cur == nil {
				cur = make([]int, n)
			}
			if cur[k] == 0 {
				found++
			}
			cur[k] = t.col
		}
	}
	finish()
	// a header naming one grid column twice is no header
	for b, cols := range hm.cols {
		seen := map[int]bool{}
		for _, c := range cols {
			if c == 0 || seen[c] {
				delete(hm.cols, b)
				break
			}
			seen[c] = true
		}
	}
	return hm
}

// valueCol returns a test for grid cells that stand under a column
// header (a template column or one right of the first template column);
// nil when no table has a header map.
func (hm headMap) valueCol(units []unit) func(t token) bool {
	if len(hm.cols) == 0 {
		return nil
	}
	return func(t token) bool {
		if t.col == 0 || t.unit >= len(units) {
			return false
		}
		blk := units[t.unit].block
		cols, ok := hm.cols[blk]
		if !ok {
			return false
		}
		if slices.Contains(cols, t.col) {
			return true
		}
		return hm.foreign[blk][t.col] && t.col > slices.Min(cols)
	}
}

// pick returns the values of a grid (or tab-separated) row placed under their column
// headers; false when the row's table has no header map or a header's
// column holds no cell of the row.
func (hm headMap) pick(units []unit, s segment) ([]token, bool) {
	if len(hm.cols) == 0 || len(s.values) == 0 {
		return nil, false
	}
	blk := -1
	for _, t := range s.values {
		if t.col == 0 {
			return nil, false
		}
		b := units[t.unit].block
		if blk >= 0 && b != blk {
			return nil, false
		}
		blk = b
	}
	cols, ok := hm.cols[blk]
	if !ok {
		return nil, false
	}
	// a number outside the header's columns, and not under a header of
	// its own: the row is not aligned with the header (a ragged table
	// missing cells)
	for _, t := range s.values {
		if t.kind == tokValue && !t.null && !slices.Contains(cols, t.col) && !hm.foreign[blk][t.col] {
			return nil, false
		}
	}
	out := make([]token, len(cols))
	for k, c := range cols {
		found := false
		for _, t := range s.values {
			if t.col == c {
				if found {
					return nil, false // two rows' cells under one column
				}
				out[k], found = t, true
			}
		}
		if !found {
			if hm.present[blk][c] {
				return nil, false
			}
			// the column is blank in every row of this table part
			out[k] = token{kind: tokBlank, grid: true, cell: true, col: c, unit: s.values[0].unit}
		}
	}
	return out, true
}

// sortedKeys returns the keys set in m, sorted.
func sortedKeys(m map[string]bool) []string {
	var out []string
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// titleYear is the year a title states (0 when none), as report.year
// reads it.
func titleYear(title string) int {
	_, y := agencyYear(title)
	return y
}
