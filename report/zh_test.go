package report

import "testing"

func TestMessageZh(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Check
		want string
	}{
		{"balance ok", Check{Rule: RuleT3Balance, OK: true, Message: "natural_person: new_received + carried_over = 33, total + carried_forward = 33"},
			"自然人：本年新收 + 上年结转 = 33，总计 + 结转下年度继续办理 = 33"},
		{"balance failed with blanks", Check{Rule: RuleT3Balance, Message: "total: new_received + carried_over = 5 but total + carried_forward = 4 (blank cells counted as 0: carried_over.total)"},
			"总计：本年新收 + 上年结转 = 5，但总计 + 结转下年度继续办理 = 4（空白单元格按 0 计：carried_over.total）"},
		{"many blanks", Check{Rule: RuleT3OutcomeSum, Message: "research: the outcome rows sum to 0, total is 0 (21 blank cells counted as 0: a.research, b.research, …)"},
			"科研机构：各项办理结果之和为 0，但总计为 0（21 个空白单元格按 0 计：a.research, b.research, …）"},
		{"row label", Check{Rule: RuleT3TotalColumn, OK: true, Message: "granted: the six applicant columns sum to 1, total is 1"},
			"（一）予以公开：六类申请人之和为 1，总计为 1"},
		{"nonnegative failed", Check{Rule: RuleT2Nonnegative, Message: "licensing: negative counts in licensing.decisions (first: -1)"},
			"行政许可：以下单元格为负数：licensing.decisions（第一个：-1）"},
		{"group", Check{Rule: RuleT4GroupTotal, OK: true, Message: "review: upheld + corrected + other + pending = 2, total is 2"},
			"行政复议：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 2，总计为 2"},
		{"year", Check{Rule: RuleReportYear, Message: "title year 2022 but the statistics period is 2021-01-01..2021-12-31"},
			"标题年份为 2022，但统计期限为 2021-01-01..2021-12-31"},
		{"complete with unreadable", Check{Rule: RuleComplete, Message: "missing: active.fees; printed but unreadable (see warnings, not counted missing): applications.total"},
			"缺少：active.fees；已印出但无法读取（见警告，不计为缺少）：applications.total"},
		{"complete ok", Check{Rule: RuleComplete, OK: true, Message: "every table and row of the 2019 template is present"},
			"2019 模板的各表、各行齐全"},
		{"cross carried", Check{Rule: RuleCrossCarried, Message: "total: carried_over 2022 = 5, carried_forward 2021 = 0"},
			"总计：2022 年上年结转 = 5，但 2021 年结转下年度继续办理 = 0"},
		{"cross in force", Check{Rule: RuleCrossInForce, Severity: SeverityWarning, Message: "normative_documents: in_force 2022 = 25, expected in_force 2021 + issued − repealed = 26"},
			"规范性文件：2022 年现行有效件数 = 25，但按 2021 年现行有效件数 + 本年制发 − 本年废止应为 26"},
		{"unknown rule", Check{Rule: "x.y", Message: "whatever"}, ""},
		{"message not of the rule", Check{Rule: RuleT3Balance, Message: "something else"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MessageZh(tc.c); got != tc.want {
				t.Errorf("MessageZh = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestValidateMessagesReadBack: every message validation writes is read
// back by its rule's format (so every check gets a Chinese message).
func TestValidateMessagesReadBack(t *testing.T) {
	r := &Report{Template: Template2021, TitleYear: 2022, PeriodFrom: 2021, PeriodTo: 2021,
		Active:           &Active{Licensing: &ActiveRow{Decisions: &Num{Value: -1}}},
		Applications:     &Applications{Rows: map[string][]*float64{"new_received": row7(1, 0, 0, 0, 0, 0, nil), "carried_over": row7(), "total": row7(1), "carried_forward": row7()}},
		ReviewLitigation: &ReviewLitigation{Review: &Group{Upheld: f64(1), Total: f64(2)}},
		Unreadable:       []string{"applications.granted"},
	}
	for _, k := range ApplicationRows {
		if _, ok := r.Applications.Rows[k]; !ok && k != "other" {
			r.Applications.Rows[k] = row7(0, 0, 0, 0, 0, 0, 0)
		}
	}
	checks := Validate(r)
	prev := &Report{Year: 2021, Template: Template2021, Applications: &Applications{Rows: map[string][]*float64{"carried_forward": row7(1)}},
		Active: &Active{Regulations: &ActiveRow{InForce: &Num{Value: 3}}}}
	r.Year = 2022
	r.Active.Regulations = &ActiveRow{Issued: &Num{Value: 1}, Repealed: &Num{Blank: true}, InForce: &Num{Value: 3}}
	checks = append(checks, CrossCheck(prev, r)...)
	seen := map[string]bool{}
	for _, c := range checks {
		seen[c.Rule] = true
		if MessageZh(c) == "" {
			t.Errorf("%s %q: no Chinese message", c.Rule, c.Message)
		}
	}
	for _, d := range Rules {
		if !seen[d.ID] {
			t.Errorf("rule %s not exercised", d.ID)
		}
	}
}
