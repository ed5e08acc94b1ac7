package report

import (
	"strings"
	"testing"
)

func f64(v float64) *float64 { return &v }

func row7(vals ...any) []*float64 {
	out := make([]*float64, 7)
	for i, v := range vals {
		if x, ok := v.(int); ok {
			out[i] = f64(float64(x))
		}
	}
	return out
}

func TestCrossCheck(t *testing.T) {
	prev := &Report{Year: 2021, Template: Template2021,
		Applications: &Applications{Rows: map[string][]*float64{"carried_forward": row7(3, 0, 0, 0, 0, 0, 3)}},
		Active:       &Active{NormativeDocuments: &ActiveRow{Issued: &Num{Value: 1}, Repealed: &Num{Value: 0}, InForce: &Num{Value: 10}}},
	}
	cur := &Report{Year: 2022, Template: Template2021,
		Applications: &Applications{Rows: map[string][]*float64{"carried_over": row7(2, 0, 0, 0, 0, 0, nil)}},
		Active:       &Active{NormativeDocuments: &ActiveRow{Issued: &Num{Value: 2}, Repealed: &Num{Blank: true}, InForce: &Num{Value: 11}}},
	}
	cc := CrossCheck(prev, cur)
	var failed []string
	for _, c := range cc {
		if !c.OK {
			failed = append(failed, checkID(c)+"/"+string(c.Severity))
		}
	}
	want := "cross.carried natural_person/error|cross.carried total/error|cross.in_force normative_documents/warning"
	if strings.Join(failed, "|") != want {
		t.Errorf("failed = %q, want %q", failed, want)
	}
	for _, c := range cc {
		if c.Rule == RuleCrossCarried && strings.HasPrefix(c.Message, "total") {
			if !strings.Contains(c.Message, "blank cells counted as 0") || *c.Expected != 3 || *c.Actual != 0 {
				t.Errorf("total check = %+v", c)
			}
		}
		if c.Rule == RuleCrossInForce && (*c.Expected != 12 || *c.Actual != 11) {
			t.Errorf("in_force check expected %v actual %v", *c.Expected, *c.Actual)
		}
	}
	if CrossCheck(prev, &Report{Year: 2024}) != nil {
		t.Error("non-consecutive years compared")
	}
}

func TestValidateRules(t *testing.T) {
	r := &Report{
		Title:    "某局2022年政府信息公开工作年度报告",
		Template: Template2021,
		Active: &Active{
			Licensing: &ActiveRow{Decisions: &Num{Value: -1}},
			Fees:      &ActiveRow{AmountWanYuan: &Num{Value: 2.5}},
		},
		Applications: &Applications{Rows: map[string][]*float64{
			"new_received": row7(1, 0, 0, 0, 0, 0, 1),
			"granted":      {f64(1.5), f64(0), f64(0), f64(0), f64(0), f64(0), f64(1.5)},
		}},
		ReviewLitigation: &ReviewLitigation{Review: &Group{Upheld: f64(1), Total: f64(1)}},
		TitleYear:        2022, // the parser reads it from the title
		PeriodFrom:       2021, PeriodTo: 2021,
	}
	checks, warns := ValidateSkipped(r)
	got := map[string]bool{}
	for _, c := range checks {
		got[checkID(c)] = c.OK
	}
	for id, ok := range map[string]bool{
		"T2.nonnegative licensing":    false,
		"T2.nonnegative fees":         true,
		"T3.nonnegative granted":      false,
		"T3.nonnegative new_received": true,
		"T4.group_total review":       true,
		"report.year title year 2022 but the statistics period is 2021-01-01..2021-12-31": false,
	} {
		if v, present := got[id]; !present || v != ok {
			t.Errorf("%s: ok=%v present=%v, want ok=%v (checks %v)", id, v, present, ok, got)
		}
	}
	joined := strings.Join(warns, "\n")
	for _, w := range []string{"T3.balance not checked: rows missing: carried_over, total, carried_forward", "T3.outcome_sum not checked", "T4.group_total not checked: litigation_direct missing"} {
		if !strings.Contains(joined, w) {
			t.Errorf("no warning %q in %q", w, joined)
		}
	}
	for _, c := range checks {
		if c.Rule == RuleT3Balance || c.Rule == RuleT3OutcomeSum {
			t.Errorf("rule run without its rows: %+v", c)
		}
	}
}

// checkID names a check by its rule and the subject of its message.
func checkID(c Check) string {
	subject, _, _ := strings.Cut(c.Message, ":")
	return c.Rule + " " + subject
}
