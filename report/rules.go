package report

import (
	"fmt"
	"strings"
)

// This file describes the validation rules of report-model.md once: id,
// severity, what each checks and the messages of its checks in English
// and Chinese. A rule's messages are fmt formats over the same arguments
// (listed in Args), so the two languages say the same thing; zh.go reads
// the arguments back from a check's English message to write the Chinese
// one.

// Severity is how bad a failed check is.
type Severity string

// Severities of a check.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
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

// RuleDef describes one rule.
type RuleDef struct {
	// ID is the rule id (a contract).
	ID string
	// Severity of its failed checks.
	Severity Severity
	// Doc says what the rule checks and which cells its checks name.
	Doc string
	// Args names the arguments of the message formats, in order.
	Args string
	// OK and Fail are the English messages of a passed and a failed check;
	// OKZh and FailZh the Chinese ones, over the same arguments. The
	// English ones use each argument at most once.
	OK, Fail, OKZh, FailZh string
	// Label, when set, gives the template label of the first argument (a
	// key), which the Chinese messages print at {label}.
	Label func(key string) string
}

// Rules are the single-report and cross-year rules, in the order
// validation runs them.
var Rules = []RuleDef{
	{ID: RuleT3Balance, Label: columnLabel, Severity: SeverityError,
		Doc:  "per Table 3 column: new_received + carried_over = total + carried_forward; cells: the four rows of the column",
		Args: "column, left sum, right sum",
		OK:   "%[1]s: new_received + carried_over = %[2]s, total + carried_forward = %[3]s",
		Fail: "%[1]s: new_received + carried_over = %[2]s but total + carried_forward = %[3]s",
		OKZh: "{label}：本年新收 + 上年结转 = %[2]s，总计 + 结转下年度继续办理 = %[3]s", FailZh: "{label}：本年新收 + 上年结转 = %[2]s，但总计 + 结转下年度继续办理 = %[3]s"},
	{ID: RuleT3TotalColumn, Label: applicationRowLabel, Severity: SeverityError,
		Doc:  "per Table 3 row: the six applicant columns sum to the total column; cells: the row's seven cells",
		Args: "row, sum, total",
		OK:   "%[1]s: the six applicant columns sum to %[2]s, total is %[3]s", Fail: "%[1]s: the six applicant columns sum to %[2]s, total is %[3]s",
		OKZh: "{label}：六类申请人之和为 %[2]s，总计为 %[3]s", FailZh: "{label}：六类申请人之和为 %[2]s，但总计为 %[3]s"},
	{ID: RuleT3OutcomeSum, Label: columnLabel, Severity: SeverityError,
		Doc:  "per Table 3 column: the outcome rows (with the 2019 row other or the three 2021 sub-rows) sum to the total row; cells: those rows of the column",
		Args: "column, sum, total",
		OK:   "%[1]s: the outcome rows sum to %[2]s, total is %[3]s", Fail: "%[1]s: the outcome rows sum to %[2]s, total is %[3]s",
		OKZh: "{label}：各项办理结果之和为 %[2]s，总计为 %[3]s", FailZh: "{label}：各项办理结果之和为 %[2]s，但总计为 %[3]s"},
	{ID: RuleT3Nonnegative, Label: applicationRowLabel, Severity: SeverityError,
		Doc:  "per Table 3 row: every cell is a whole number ≥ 0; cells: the offending cells",
		Args: "row, offending cells, first offending value",
		OK:   "%[1]s: every cell is a whole number ≥ 0", Fail: "%[1]s: cells not a whole number ≥ 0: %[2]s (first: %[3]s)",
		OKZh: "{label}：各单元格均为非负整数", FailZh: "{label}：以下单元格不是非负整数：%[2]s（第一个：%[3]s）"},
	{ID: RuleT4GroupTotal, Label: groupLabel, Severity: SeverityError,
		Doc:  "per Table 4 group: upheld + corrected + other + pending = total; cells: the group's five cells",
		Args: "group, sum, total",
		OK:   "%[1]s: upheld + corrected + other + pending = %[2]s, total is %[3]s", Fail: "%[1]s: upheld + corrected + other + pending = %[2]s, total is %[3]s",
		OKZh: "{label}：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = %[2]s，总计为 %[3]s", FailZh: "{label}：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = %[2]s，但总计为 %[3]s"},
	{ID: RuleT2Nonnegative, Label: activeRowLabel, Severity: SeverityError,
		Doc:  "per Table 2 row: no negative count; cells: the offending cells",
		Args: "row, offending cells, first offending value",
		OK:   "%[1]s: no negative count", Fail: "%[1]s: negative counts in %[2]s (first: %[3]s)",
		OKZh: "{label}：无负数", FailZh: "{label}：以下单元格为负数：%[2]s（第一个：%[3]s）"},
	{ID: RuleReportYear, Severity: SeverityError,
		Doc:  "the title's year is the statistics period (统计期限) when the document states one; no cells",
		Args: "title year, period start year, period end year",
		OK:   "title year %[1]d matches the statistics period %[2]d-01-01..%[3]d-12-31", Fail: "title year %[1]d but the statistics period is %[2]d-01-01..%[3]d-12-31",
		OKZh: "标题年份 %[1]d 与统计期限 %[2]d-01-01..%[3]d-12-31 一致", FailZh: "标题年份为 %[1]d，但统计期限为 %[2]d-01-01..%[3]d-12-31"},
	{ID: RuleComplete, Severity: SeverityError,
		Doc:  "every table and row of the report's template is present (not for pre2019); cells: the missing tables and rows",
		Args: "template, missing tables and rows",
		OK:   "every table and row of the %[1]s template is present", Fail: "missing: %[2]s",
		OKZh: "%[1]s 模板的各表、各行齐全", FailZh: "缺少：%[2]s"},
	{ID: RuleCrossCarried, Label: columnLabel, Severity: SeverityError,
		Doc:  "per Table 3 column: carried_over of a year equals carried_forward of the year before (same agency); cells: carried_over.<column>, prev.carried_forward.<column>",
		Args: "column, year, carried_over, previous year, carried_forward",
		OK:   "%[1]s: carried_over %[2]d = %[3]s, carried_forward %[4]d = %[5]s", Fail: "%[1]s: carried_over %[2]d = %[3]s, carried_forward %[4]d = %[5]s",
		OKZh: "{label}：%[2]d 年上年结转 = %[3]s，%[4]d 年结转下年度继续办理 = %[5]s", FailZh: "{label}：%[2]d 年上年结转 = %[3]s，但 %[4]d 年结转下年度继续办理 = %[5]s"},
	{ID: RuleCrossInForce, Label: activeRowLabel, Severity: SeverityWarning,
		Doc:  "2021 template, regulations and normative documents: in_force = previous in_force + issued − repealed (a warning: documents may expire); cells: in_force, prev.in_force, issued, repealed",
		Args: "row, year, in_force, previous year, expected",
		OK:   "%[1]s: in_force %[2]d = %[3]s, expected in_force %[4]d + issued − repealed = %[5]s", Fail: "%[1]s: in_force %[2]d = %[3]s, expected in_force %[4]d + issued − repealed = %[5]s",
		OKZh: "{label}：%[2]d 年现行有效件数 = %[3]s，按 %[4]d 年现行有效件数 + 本年制发 − 本年废止应为 %[5]s", FailZh: "{label}：%[2]d 年现行有效件数 = %[3]s，但按 %[4]d 年现行有效件数 + 本年制发 − 本年废止应为 %[5]s"},
}

// rulesByID indexes Rules (built once, never written after).
var rulesByID = func() map[string]*RuleDef {
	m := make(map[string]*RuleDef, len(Rules))
	for i := range Rules {
		m[Rules[i].ID] = &Rules[i]
	}
	return m
}()

// RuleByID returns the description of a rule id, or nil.
func RuleByID(id string) *RuleDef { return rulesByID[id] }

// check builds a check of the rule: its English message from args, with
// note appended.
func (d *RuleDef) check(ok bool, cells []string, note string, args ...any) Check {
	format := d.Fail
	if ok {
		format = d.OK
	}
	return Check{Rule: d.ID, OK: ok, Severity: d.Severity, Message: fmt.Sprintf(format, args...) + note, Cells: cells}
}

// checkKey is check for a message whose one argument is key: it writes
// "%[1]s…" formats without fmt (the rules checked once per row run it
// for every row of every report).
func (d *RuleDef) checkKey(ok bool, cells []string, key string) Check {
	format := d.Fail
	if ok {
		format = d.OK
	}
	rest, found := strings.CutPrefix(format, "%[1]s")
	if !found || strings.Contains(rest, "%") {
		return d.check(ok, cells, "", key)
	}
	return Check{Rule: d.ID, OK: ok, Severity: d.Severity, Message: key + rest, Cells: cells}
}

// labelOf returns the template label of a row key in defs (the key itself
// when it has none).
func labelOf(key string, defs []Row) string {
	for _, d := range defs {
		if d.Key == key {
			return d.Label
		}
	}
	return key
}

// columnLabel returns the template header of a Table 3 column key.
func columnLabel(key string) string {
	for _, c := range ApplicationColumnDefs {
		if c.Key == key {
			return c.Label
		}
	}
	return key
}

func applicationRowLabel(key string) string { return labelOf(key, ApplicationRowDefs) }

func groupLabel(key string) string { return labelOf(key, ReviewGroupDefs) }

func activeRowLabel(key string) string { return labelOf(key, ActiveRows) }
