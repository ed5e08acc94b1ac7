package report

// This file runs the rules of rules.go on a report.

import (
	"fmt"
	"math"
	"strings"
)

// Validate checks a report against every single-report rule of
// report-model.md: one Check per rule and column, row or group. A rule whose
// cells are missing is skipped (ParseDocument records why in the warnings).
func Validate(r *Report) []Check {
	c, _ := validate(r)
	return c
}

// ValidateSkipped is Validate that also says, one line each, which rules
// it skipped and why ("T3.balance not checked: rows missing: total").
func ValidateSkipped(r *Report) (checks []Check, skipped []string) { return validate(r) }

// sum adds cells named by "row.column", counting blanks as 0 and listing
// them.
type sum struct {
	total  float64
	blanks []string
}

func (s *sum) add(v *float64, name string) {
	if v == nil {
		s.blanks = append(s.blanks, name)
		return
	}
	s.total += *v
}

// blankNote says which blank cells a sum counted as 0 ("" when none).
func blankNote(blanks ...[]string) string {
	var all []string
	for _, b := range blanks {
		all = append(all, b...)
	}
	if len(all) == 0 {
		return ""
	}
	if len(all) > 6 {
		return fmt.Sprintf(blankNoteMany, len(all), strings.Join(all[:6], ", "))
	}
	return fmt.Sprintf(blankNoteFew, strings.Join(all, ", "))
}

func num(v float64) string { return string(FormatNumber(v)) }

func fptr(v float64) *float64 { return &v }

func equal(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// sumCheck is a check of rule comparing two sums (expected, actual), with
// the note on the blank cells either counted.
func sumCheck(rule string, ok bool, cells []string, exp, act sum, args ...any) Check {
	c := RuleByID(rule).check(ok, cells, blankNote(exp.blanks, act.blanks), args...)
	c.Expected, c.Actual = fptr(exp.total), fptr(act.total)
	return c
}

// validate returns the checks and the warnings about rules it had to skip.
func validate(r *Report) ([]Check, []string) {
	v := validation{checks: make([]Check, 0, 96)} // about one per row and column of the tables
	if a := r.Applications; a != nil {
		v.balance(a)
		v.totalColumn(a)
		v.outcomeSum(a)
		v.t3Nonnegative(a)
	}
	if rl := r.ReviewLitigation; rl != nil {
		v.groupTotal(rl)
	}
	if a := r.Active; a != nil {
		v.t2Nonnegative(a)
	}
	if r.TitleYear > 0 && r.PeriodFrom > 0 {
		ty := r.TitleYear
		ok := ty == r.PeriodFrom && r.PeriodFrom == r.PeriodTo
		c := RuleByID(RuleReportYear).check(ok, nil, "", ty, r.PeriodFrom, r.PeriodTo)
		c.Expected, c.Actual = fptr(float64(ty)), fptr(float64(r.PeriodFrom))
		v.checks = append(v.checks, c)
	}
	if c, ok := completeCheck(r); ok {
		v.checks = append(v.checks, c)
	}
	return v.checks, v.warns
}

// validation collects the checks of one report and the warnings about
// the rules it skipped.
type validation struct {
	checks []Check
	warns  []string
}

func (v *validation) skip(rule, why string) {
	v.warns = append(v.warns, fmt.Sprintf("%s not checked: %s", rule, why))
}

// appRow returns a Table 3 row when it has its seven cells.
func appRow(a *Applications, k string) []*float64 {
	if x := a.Rows[k]; len(x) == 7 {
		return x
	}
	return nil
}

// missingRows lists the keys of the Table 3 rows that are not complete.
func missingRows(a *Applications, keys ...string) []string {
	var m []string
	for _, k := range keys {
		if appRow(a, k) == nil {
			m = append(m, k)
		}
	}
	return m
}

// balance runs T3.balance per column.
func (v *validation) balance(a *Applications) {
	if m := missingRows(a, "new_received", "carried_over", "total", "carried_forward"); len(m) > 0 {
		v.skip(RuleT3Balance, "rows missing: "+strings.Join(m, ", "))
		return
	}
	rows := a.Rows
	for c, col := range ApplicationColumns {
		var left, right sum
		cn := func(k string) string { return k + "." + col }
		left.add(rows["new_received"][c], cn("new_received"))
		left.add(rows["carried_over"][c], cn("carried_over"))
		right.add(rows["total"][c], cn("total"))
		right.add(rows["carried_forward"][c], cn("carried_forward"))
		v.checks = append(v.checks, sumCheck(RuleT3Balance, equal(left.total, right.total),
			[]string{cn("new_received"), cn("carried_over"), cn("total"), cn("carried_forward")}, left, right,
			col, num(left.total), num(right.total)))
	}
}

// totalColumn runs T3.total_column per row, in template order.
func (v *validation) totalColumn(a *Applications) {
	for _, k := range ApplicationRows {
		x := appRow(a, k)
		if x == nil {
			continue
		}
		var parts sum
		cells := make([]string, 0, 7)
		for c := 0; c < 6; c++ {
			n := k + "." + ApplicationColumns[c]
			parts.add(x[c], n)
			cells = append(cells, n)
		}
		cells = append(cells, k+".total")
		var tot sum
		tot.add(x[6], k+".total")
		v.checks = append(v.checks, sumCheck(RuleT3TotalColumn, equal(parts.total, tot.total), cells, parts, tot,
			k, num(parts.total), num(tot.total)))
	}
}

// outcomeSum runs T3.outcome_sum per column.
func (v *validation) outcomeSum(a *Applications) {
	out := append([]string(nil), OutcomeRows...)
	if appRow(a, "other") != nil && len(missingRows(a, Rows2021Only...)) == 3 {
		out = append(out, "other") // the single row of the 2019 template
	} else {
		// the three 2021 sub-rows; a （六）其他处理 row beside them is
		// their subtotal and is not added again
		out = append(out, Rows2021Only...)
	}
	if m := missingRows(a, append(out, "total")...); len(m) > 0 {
		v.skip(RuleT3OutcomeSum, "rows missing: "+strings.Join(m, ", "))
		return
	}
	for c, col := range ApplicationColumns {
		var parts, tot sum
		cells := make([]string, 0, len(out)+1)
		for _, k := range out {
			parts.add(a.Rows[k][c], k+"."+col)
			cells = append(cells, k+"."+col)
		}
		tot.add(a.Rows["total"][c], "total."+col)
		cells = append(cells, "total."+col)
		v.checks = append(v.checks, sumCheck(RuleT3OutcomeSum, equal(parts.total, tot.total), cells, parts, tot,
			col, num(parts.total), num(tot.total)))
	}
}

// t3Nonnegative runs T3.nonnegative per row.
func (v *validation) t3Nonnegative(a *Applications) {
	for _, k := range ApplicationRows {
		x := appRow(a, k)
		if x == nil {
			continue
		}
		var bad []string
		var first float64
		for c, p := range x {
			if p != nil && (*p < 0 || *p != math.Trunc(*p)) {
				if bad == nil {
					first = *p
				}
				bad = append(bad, k+"."+ApplicationColumns[c])
			}
		}
		v.checks = append(v.checks, listCheck(RuleT3Nonnegative, k, bad, first))
	}
}

// listCheck is a check of rule that passes when no cell is bad, naming the
// bad cells and the first bad value when it fails.
func listCheck(rule, key string, bad []string, first float64) Check {
	if bad == nil {
		return RuleByID(rule).checkKey(true, nil, key)
	}
	c := RuleByID(rule).check(false, bad, "", key, strings.Join(bad, ", "), num(first))
	c.Actual = fptr(first)
	return c
}

// groupTotal runs T4.group_total per group.
func (v *validation) groupTotal(rl *ReviewLitigation) {
	for _, d := range ReviewGroupDefs {
		g := rl.Group(d.Key)
		if g == nil {
			v.skip(RuleT4GroupTotal, d.Key+" missing")
			continue
		}
		var parts, tot sum
		vals := g.Cells()
		cells := make([]string, 0, 5)
		for i := 0; i < 4; i++ {
			n := d.Key + "." + GroupColumns[i]
			parts.add(vals[i], n)
			cells = append(cells, n)
		}
		tot.add(g.Total, d.Key+".total")
		cells = append(cells, d.Key+".total")
		v.checks = append(v.checks, sumCheck(RuleT4GroupTotal, equal(parts.total, tot.total), cells, parts, tot,
			d.Key, num(parts.total), num(tot.total)))
	}
}

// t2Nonnegative runs T2.nonnegative per row.
func (v *validation) t2Nonnegative(a *Active) {
	for _, d := range ActiveRows {
		row := a.Row(d.Key)
		if row == nil {
			continue
		}
		var bad []string
		var first float64
		for _, col := range ActiveColumnKeys {
			if col == "change" { // a change may be negative
				continue
			}
			n := row.Cell(col)
			if n != nil && !n.Blank && n.Value < 0 {
				if bad == nil {
					first = n.Value
				}
				bad = append(bad, d.Key+"."+col)
			}
		}
		v.checks = append(v.checks, listCheck(RuleT2Nonnegative, d.Key, bad, first))
	}
}

// completeCheck lists the template tables and rows the report lacks.
func completeCheck(r *Report) (Check, bool) {
	tmpl := r.Template
	if tmpl == TemplatePre2019 {
		return Check{}, false
	}
	var missing, unreadable []string
	miss := func(name string) {
		if r.IsUnreadable(name) {
			unreadable = append(unreadable, name)
			return
		}
		missing = append(missing, name)
	}
	if r.Active == nil {
		miss("active")
	} else {
		for _, k := range ActiveRequired(tmpl) {
			if r.Active.Row(k) == nil {
				miss("active." + k)
			}
		}
	}
	if r.Applications == nil {
		miss("applications")
	} else {
		for _, k := range ApplicationRows {
			if tmpl == Template2019 && isSub2021(k) {
				continue
			}
			if tmpl != Template2019 && k == "other" {
				continue
			}
			if _, ok := r.Applications.Rows[k]; !ok {
				miss("applications." + k)
			}
		}
	}
	if r.ReviewLitigation == nil {
		miss("review_litigation")
	} else {
		for _, g := range ReviewGroups {
			if r.ReviewLitigation.Group(g) == nil {
				miss("review_litigation." + g)
			}
		}
	}
	note := ""
	if len(unreadable) > 0 {
		note = unreadableNote + strings.Join(unreadable, ", ")
	}
	c := RuleByID(RuleComplete).check(len(missing) == 0, missing, note, string(tmpl), strings.Join(missing, ", "))
	return c, true
}

// CrossCheck applies the rules across two consecutive years of the same
// agency: cross.carried (carried_over of cur equals carried_forward of
// prev, per column) and, for the 2021 template, cross.in_force (a warning:
// documents may expire). It returns nil when the years are not
// consecutive; a rule whose rows are missing is skipped.
func CrossCheck(prev, cur *Report) []Check {
	if prev == nil || cur == nil || prev.Year == 0 || cur.Year != prev.Year+1 {
		return nil
	}
	var checks []Check
	if prev.Applications != nil && cur.Applications != nil {
		checks = append(checks, crossCarried(prev, cur)...)
	}
	if prev.Active != nil && cur.Active != nil && cur.Template == Template2021 && prev.Template == Template2021 {
		checks = append(checks, crossInForce(prev, cur)...)
	}
	return checks
}

// crossCarried runs cross.carried per Table 3 column.
func crossCarried(prev, cur *Report) []Check {
	fwd := prev.Applications.Rows["carried_forward"]
	over := cur.Applications.Rows["carried_over"]
	if len(fwd) != 7 || len(over) != 7 {
		return nil
	}
	checks := make([]Check, 0, 7)
	for c, col := range ApplicationColumns {
		var e, a sum
		e.add(fwd[c], fmt.Sprintf("%d.carried_forward.%s", prev.Year, col))
		a.add(over[c], fmt.Sprintf("%d.carried_over.%s", cur.Year, col))
		checks = append(checks, sumCheck(RuleCrossCarried, equal(e.total, a.total),
			[]string{"carried_over." + col, "prev.carried_forward." + col}, e, a,
			col, cur.Year, num(a.total), prev.Year, num(e.total)))
	}
	return checks
}

// crossInForce runs cross.in_force for the rows with an in_force column.
func crossInForce(prev, cur *Report) []Check {
	var checks []Check
	val := func(n *Num) *float64 {
		if n.Blank {
			return nil
		}
		return &n.Value
	}
	for _, key := range []string{"regulations", "normative_documents"} {
		p, c := prev.Active.Row(key), cur.Active.Row(key)
		if p == nil || c == nil || p.InForce == nil || c.InForce == nil || c.Issued == nil || c.Repealed == nil {
			continue
		}
		var e, a sum
		e.add(val(p.InForce), "prev."+key+".in_force")
		e.add(val(c.Issued), key+".issued")
		var rep sum
		rep.add(val(c.Repealed), key+".repealed")
		e.total -= rep.total
		e.blanks = append(e.blanks, rep.blanks...)
		a.add(val(c.InForce), key+".in_force")
		checks = append(checks, sumCheck(RuleCrossInForce, equal(e.total, a.total),
			[]string{key + ".in_force", "prev." + key + ".in_force", key + ".issued", key + ".repealed"}, e, a,
			key, cur.Year, num(a.total), prev.Year, num(e.total)))
	}
	return checks
}
