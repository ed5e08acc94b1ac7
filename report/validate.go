package extract

import (
	"fmt"
	"math"
	"strings"
)

// Rule ids of report-model.md. They are a contract.
const (
	RuleT3Balance     = "T3.balance"
	RuleT3TotalColumn = "T3.total_column"
	RuleT3OutcomeSum  = "T3.outcome_sum"
	RuleT4GroupTotal  = "T4.group_total"
	RuleT2Nonnegative = "T2.nonnegative"
	RuleT3Nonnegative = "T3.nonnegative"
	RuleReportYear    = "report.year"
	RuleComplete      = "report.complete"
	RuleCrossCarried  = "cross.carried"
	RuleCrossInForce  = "cross.in_force"
)

// Severities of a check.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// outcomeRows are the Table 3 rows that sum to the total row.
var outcomeRows = []string{
	"granted", "partially_granted",
	"denied_state_secret", "denied_law_forbidden", "denied_three_security", "denied_third_party",
	"denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_admin_query",
	"unable_not_held", "unable_need_creation", "unable_unclear",
	"not_processed_petition", "not_processed_repeated", "not_processed_publication", "not_processed_excessive", "not_processed_confirmation",
}

var otherRows2021 = []string{"other_no_correction", "other_unpaid_fee", "other_misc"}

// Validate checks a report against every single-report rule of
// report-model.md: one Check per rule and column, row or group. A rule whose
// cells are missing is skipped (ParseDocument records why in the warnings).
func Validate(r *Report) []Check {
	c, _ := validate(r)
	return c
}

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

func blankNote(blanks ...[]string) string {
	var all []string
	for _, b := range blanks {
		all = append(all, b...)
	}
	if len(all) == 0 {
		return ""
	}
	if len(all) > 6 {
		return fmt.Sprintf(" (%d blank cells counted as 0: %s, …)", len(all), strings.Join(all[:6], ", "))
	}
	return fmt.Sprintf(" (blank cells counted as 0: %s)", strings.Join(all, ", "))
}

func num(v float64) string { return string(formatNumber(v)) }

func fptr(v float64) *float64 { return &v }

func equal(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func newCheck(rule string, ok bool, sev, msg string, cells []string, exp, act float64) Check {
	return Check{Rule: rule, OK: ok, Severity: sev, Message: msg, Cells: cells, Expected: fptr(exp), Actual: fptr(act)}
}

// validate returns the checks and the warnings about rules it had to skip.
func validate(r *Report) ([]Check, []string) {
	checks := make([]Check, 0, 96) // about one per row and column of the tables
	var warns []string
	skip := func(rule, why string) {
		warns = append(warns, fmt.Sprintf("%s not checked: %s", rule, why))
	}
	if a := r.Applications; a != nil {
		rows := a.Rows
		row := func(k string) []*float64 {
			v := rows[k]
			if len(v) != 7 {
				return nil
			}
			return v
		}
		missing := func(keys ...string) []string {
			var m []string
			for _, k := range keys {
				if row(k) == nil {
					m = append(m, k)
				}
			}
			return m
		}
		// T3.balance
		if m := missing("new_received", "carried_over", "total", "carried_forward"); len(m) > 0 {
			skip(RuleT3Balance, "rows missing: "+strings.Join(m, ", "))
		} else {
			for c, col := range ApplicationColumns {
				var left, right sum
				cn := func(k string) string { return k + "." + col }
				left.add(rows["new_received"][c], cn("new_received"))
				left.add(rows["carried_over"][c], cn("carried_over"))
				right.add(rows["total"][c], cn("total"))
				right.add(rows["carried_forward"][c], cn("carried_forward"))
				ok := equal(left.total, right.total)
				msg := fmt.Sprintf("%s: new_received + carried_over = %s, total + carried_forward = %s", col, num(left.total), num(right.total))
				if !ok {
					msg = fmt.Sprintf("%s: new_received + carried_over = %s but total + carried_forward = %s", col, num(left.total), num(right.total))
				}
				checks = append(checks, newCheck(RuleT3Balance, ok, SeverityError, msg+blankNote(left.blanks, right.blanks),
					[]string{cn("new_received"), cn("carried_over"), cn("total"), cn("carried_forward")}, left.total, right.total))
			}
		}
		// T3.total_column, per row in template order
		for _, k := range ApplicationRows {
			v := row(k)
			if v == nil {
				continue
			}
			var parts sum
			cells := make([]string, 0, 7)
			for c := 0; c < 6; c++ {
				n := k + "." + ApplicationColumns[c]
				parts.add(v[c], n)
				cells = append(cells, n)
			}
			cells = append(cells, k+".total")
			var tot sum
			tot.add(v[6], k+".total")
			ok := equal(parts.total, tot.total)
			msg := fmt.Sprintf("%s: the six applicant columns sum to %s, total is %s", k, num(parts.total), num(tot.total))
			checks = append(checks, newCheck(RuleT3TotalColumn, ok, SeverityError, msg+blankNote(parts.blanks, tot.blanks), cells, parts.total, tot.total))
		}
		// T3.outcome_sum
		out := append([]string(nil), outcomeRows...)
		if row("other") != nil && len(missing(otherRows2021...)) == 3 {
			out = append(out, "other") // the single row of the 2019 template
		} else {
			// the three 2021 sub-rows; a （六）其他处理 row beside them is
			// their subtotal and is not added again
			out = append(out, otherRows2021...)
		}
		if m := missing(append(out, "total")...); len(m) > 0 {
			skip(RuleT3OutcomeSum, "rows missing: "+strings.Join(m, ", "))
		} else {
			for c, col := range ApplicationColumns {
				var parts, tot sum
				cells := make([]string, 0, len(out)+1)
				for _, k := range out {
					parts.add(rows[k][c], k+"."+col)
					cells = append(cells, k+"."+col)
				}
				tot.add(rows["total"][c], "total."+col)
				cells = append(cells, "total."+col)
				ok := equal(parts.total, tot.total)
				msg := fmt.Sprintf("%s: the outcome rows sum to %s, total is %s", col, num(parts.total), num(tot.total))
				checks = append(checks, newCheck(RuleT3OutcomeSum, ok, SeverityError, msg+blankNote(parts.blanks, tot.blanks), cells, parts.total, tot.total))
			}
		}
		// T3.nonnegative, per row
		for _, k := range ApplicationRows {
			v := row(k)
			if v == nil {
				continue
			}
			var bad []string
			var first float64
			for c, x := range v {
				if x != nil && (*x < 0 || *x != math.Trunc(*x)) {
					if bad == nil {
						first = *x
					}
					bad = append(bad, k+"."+ApplicationColumns[c])
				}
			}
			ch := Check{Rule: RuleT3Nonnegative, OK: bad == nil, Severity: SeverityError, Message: k + ": every cell is a whole number ≥ 0"}
			if bad != nil {
				ch.Message = fmt.Sprintf("%s: cells not a whole number ≥ 0: %s (first: %s)", k, strings.Join(bad, ", "), num(first))
				ch.Cells = bad
				ch.Actual = fptr(first)
			}
			checks = append(checks, ch)
		}
	}
	// T4.group_total
	if rl := r.ReviewLitigation; rl != nil {
		for _, g := range []struct {
			name string
			g    *Group
		}{{"review", rl.Review}, {"litigation_direct", rl.LitigationDirect}, {"litigation_after_review", rl.LitigationAfterReview}} {
			if g.g == nil {
				skip(RuleT4GroupTotal, g.name+" missing")
				continue
			}
			var parts, tot sum
			vals := []*float64{g.g.Upheld, g.g.Corrected, g.g.Other, g.g.Pending}
			cells := make([]string, 0, 5)
			for i, v := range vals {
				n := g.name + "." + groupColumns[i]
				parts.add(v, n)
				cells = append(cells, n)
			}
			tot.add(g.g.Total, g.name+".total")
			cells = append(cells, g.name+".total")
			ok := equal(parts.total, tot.total)
			msg := fmt.Sprintf("%s: upheld + corrected + other + pending = %s, total is %s", g.name, num(parts.total), num(tot.total))
			checks = append(checks, newCheck(RuleT4GroupTotal, ok, SeverityError, msg+blankNote(parts.blanks, tot.blanks), cells, parts.total, tot.total))
		}
	}
	// T2.nonnegative, per row
	if a := r.Active; a != nil {
		for _, key := range []string{"regulations", "normative_documents", "licensing", "other_services", "penalty", "coercion", "fees", "procurement"} {
			row := *activeSlot(a, key)
			if row == nil {
				continue
			}
			var bad []string
			var first float64
			for _, col := range []string{"issued", "repealed", "in_force", "decisions", "amount_wan_yuan", "new_made", "new_published", "total_published", "prev_items", "items", "amount"} {
				n := *activeField(row, col)
				if n != nil && !n.Blank && n.Value < 0 {
					if bad == nil {
						first = n.Value
					}
					bad = append(bad, key+"."+col)
				}
			}
			ch := Check{Rule: RuleT2Nonnegative, OK: bad == nil, Severity: SeverityError, Message: key + ": no negative count"}
			if bad != nil {
				ch.Message = fmt.Sprintf("%s: negative counts in %s (first: %s)", key, strings.Join(bad, ", "), num(first))
				ch.Cells = bad
				ch.Actual = fptr(first)
			}
			checks = append(checks, ch)
		}
	}
	// report.year
	if _, ty := agencyYear(r.Title); ty > 0 && r.periodFrom > 0 {
		ok := ty == r.periodFrom && r.periodFrom == r.periodTo
		msg := fmt.Sprintf("title year %d matches the statistics period %d-01-01..%d-12-31", ty, r.periodFrom, r.periodTo)
		if !ok {
			msg = fmt.Sprintf("title year %d but the statistics period is %d-01-01..%d-12-31", ty, r.periodFrom, r.periodTo)
		}
		checks = append(checks, newCheck(RuleReportYear, ok, SeverityError, msg, nil, float64(ty), float64(r.periodFrom)))
	}
	// report.complete
	if c, ok := completeCheck(r); ok {
		checks = append(checks, c)
	}
	return checks, warns
}

// completeCheck lists the template tables and rows the report lacks.
func completeCheck(r *Report) (Check, bool) {
	tmpl := r.Template
	if tmpl == TemplatePre2019 {
		return Check{}, false
	}
	var missing, unreadable []string
	miss := func(name string) {
		if r.unreadable[name] {
			unreadable = append(unreadable, name)
			return
		}
		missing = append(missing, name)
	}
	if r.Active == nil {
		miss("active")
	} else {
		keys := []string{"regulations", "normative_documents", "licensing", "penalty", "coercion", "fees"}
		if tmpl == Template2019 {
			keys = []string{"regulations", "normative_documents", "licensing", "other_services", "penalty", "coercion", "fees", "procurement"}
		}
		for _, k := range keys {
			if *activeSlot(r.Active, k) == nil {
				miss("active." + k)
			}
		}
	}
	if r.Applications == nil {
		miss("applications")
	} else {
		for _, k := range ApplicationRows {
			if tmpl == Template2019 && (k == "other_no_correction" || k == "other_unpaid_fee" || k == "other_misc") {
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
		rl := r.ReviewLitigation
		if rl.Review == nil {
			miss("review_litigation.review")
		}
		if rl.LitigationDirect == nil {
			miss("review_litigation.litigation_direct")
		}
		if rl.LitigationAfterReview == nil {
			miss("review_litigation.litigation_after_review")
		}
	}
	c := Check{Rule: RuleComplete, OK: len(missing) == 0, Severity: SeverityError, Cells: missing}
	if len(missing) == 0 {
		c.Message = "every table and row of the " + tmpl + " template is present"
	} else {
		c.Message = "missing: " + strings.Join(missing, ", ")
	}
	if len(unreadable) > 0 {
		c.Message += "; printed but unreadable (see warnings, not counted missing): " + strings.Join(unreadable, ", ")
	}
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
		fwd := prev.Applications.Rows["carried_forward"]
		over := cur.Applications.Rows["carried_over"]
		if len(fwd) == 7 && len(over) == 7 {
			for c, col := range ApplicationColumns {
				var e, a sum
				e.add(fwd[c], fmt.Sprintf("%d.carried_forward.%s", prev.Year, col))
				a.add(over[c], fmt.Sprintf("%d.carried_over.%s", cur.Year, col))
				ok := equal(e.total, a.total)
				msg := fmt.Sprintf("%s: carried_over %d = %s, carried_forward %d = %s", col, cur.Year, num(a.total), prev.Year, num(e.total))
				checks = append(checks, newCheck(RuleCrossCarried, ok, SeverityError, msg+blankNote(e.blanks, a.blanks),
					[]string{"carried_over." + col, "prev.carried_forward." + col}, e.total, a.total))
			}
		}
	}
	if prev.Active != nil && cur.Active != nil && cur.Template == Template2021 && prev.Template == Template2021 {
		for _, key := range []string{"regulations", "normative_documents"} {
			p, c := *activeSlot(prev.Active, key), *activeSlot(cur.Active, key)
			if p == nil || c == nil || p.InForce == nil || c.InForce == nil || c.Issued == nil || c.Repealed == nil {
				continue
			}
			var e, a sum
			val := func(n *Num) *float64 {
				if n.Blank {
					return nil
				}
				return &n.Value
			}
			e.add(val(p.InForce), "prev."+key+".in_force")
			e.add(val(c.Issued), key+".issued")
			var rep sum
			rep.add(val(c.Repealed), key+".repealed")
			e.total -= rep.total
			e.blanks = append(e.blanks, rep.blanks...)
			a.add(val(c.InForce), key+".in_force")
			ok := equal(e.total, a.total)
			msg := fmt.Sprintf("%s: in_force %d = %s, expected in_force %d + issued − repealed = %s", key, cur.Year, num(a.total), prev.Year, num(e.total))
			checks = append(checks, newCheck(RuleCrossInForce, ok, SeverityWarning, msg+blankNote(e.blanks, a.blanks),
				[]string{key + ".in_force", "prev." + key + ".in_force", key + ".issued", key + ".repealed"}, e.total, a.total))
		}
	}
	return checks
}
