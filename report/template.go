package report

import (
	"slices"
	"strings"
)

// This file describes the official templates (国办公开办〔2019〕60号 for the
// 2019 template, 国办公开办函〔2021〕30号 for 2021) once: their tables, rows
// and columns, with the JSON key, the label as the template prints it (what
// the web renders) and the label variants real reports print (what the
// parser recognises a row or column by). Adding a label variant is a change
// to this file only. Variants are written normalised as the parser compares
// them: simplified characters, no white space, full-width brackets.

// Row is one row (or Table 4 group) of a template table.
type Row struct {
	// Key is the JSON key of the row ("new_received").
	Key string
	// Label is the row label as the template prints it; for Table 3 the
	// label of the row's innermost level (see T3Row for its parents).
	Label string
	// Variants are the keywords that identify the row in a printed label
	// (any one matching is enough; the one occurring last in a label wins).
	Variants []string
}

// Column is one column of a template table.
type Column struct {
	// Key is the JSON key of the column ("natural_person").
	Key string
	// Label is the column header as the template prints it.
	Label string
	// Heads are the (normalised) header texts real reports print for it.
	Heads []string
}

// T3Row is a Table 3 row with the labels of its levels as the template
// prints them: Top (一、… 四、…), Mid ((一)…(七)) and Leaf (1.… 8.).
type T3Row struct {
	Key            string
	Top, Mid, Leaf string
}

// T2Block is one block of Table 2 (第二十条第（一）项 …) of one template:
// its columns and rows in template order.
type T2Block struct {
	Title   string
	Columns []Column
	Rows    []Row
}

// Table 2 (主动公开政府信息情况).

// ActiveRows are the Table 2 rows of both templates, in template order,
// with the variants that identify them.
var ActiveRows = []Row{
	{"regulations", "规章", []string{"规章"}},
	{"normative_documents", "规范性文件", []string{"规范性文件"}},
	{"licensing", "行政许可", []string{"行政许可"}},
	{"other_services", "其他对外管理服务事项", []string{"对外管理服务", "其他对外管理"}},
	{"penalty", "行政处罚", []string{"行政处罚"}},
	{"coercion", "行政强制", []string{"行政强制"}},
	{"fees", "行政事业性收费", []string{"事业性收费", "行政收费"}},
	{"procurement", "政府集中采购", []string{"集中采购", "政府采购"}},
}

// ActiveKeys returns the keys of ActiveRows in order.
func ActiveKeys() []string {
	out := make([]string, len(ActiveRows))
	for i, r := range ActiveRows {
		out[i] = r.Key
	}
	return out
}

// ActiveColumnKeys are every Table 2 column of either template: the 2021
// columns, then the 2019 ones.
var ActiveColumnKeys = []string{"issued", "repealed", "in_force", "decisions", "amount_wan_yuan", "new_made", "new_published", "total_published", "prev_items", "change", "items", "amount"}

// Active2019Columns are the Table 2 column keys only the 2019 template has.
var Active2019Columns = []string{"new_made", "new_published", "total_published", "prev_items", "change", "items", "amount"}

// ActiveLayout2021 is Table 2 of the 2021 template as printed.
var ActiveLayout2021 = []T2Block{
	{"第二十条第（一）项", []Column{{Key: "issued", Label: "本年制发件数"}, {Key: "repealed", Label: "本年废止件数"}, {Key: "in_force", Label: "现行有效件数"}},
		[]Row{{Key: "regulations", Label: "规章"}, {Key: "normative_documents", Label: "行政规范性文件"}}},
	{"第二十条第（五）项", []Column{{Key: "decisions", Label: "本年处理决定数量"}}, []Row{{Key: "licensing", Label: "行政许可"}}},
	{"第二十条第（六）项", []Column{{Key: "decisions", Label: "本年处理决定数量"}}, []Row{{Key: "penalty", Label: "行政处罚"}, {Key: "coercion", Label: "行政强制"}}},
	{"第二十条第（八）项", []Column{{Key: "amount_wan_yuan", Label: "本年收费金额（单位：万元）"}}, []Row{{Key: "fees", Label: "行政事业性收费"}}},
}

// ActiveLayout2019 is Table 2 of the 2019 template as printed.
var ActiveLayout2019 = []T2Block{
	{"第二十条第（一）项", []Column{{Key: "new_made", Label: "本年新制作数量"}, {Key: "new_published", Label: "本年新公开数量"}, {Key: "total_published", Label: "对外公开总数量"}},
		[]Row{{Key: "regulations", Label: "规章"}, {Key: "normative_documents", Label: "规范性文件"}}},
	{"第二十条第（五）项", []Column{{Key: "prev_items", Label: "上一年项目数量"}, {Key: "change", Label: "本年增/减"}, {Key: "decisions", Label: "处理决定数量"}},
		[]Row{{Key: "licensing", Label: "行政许可"}, {Key: "other_services", Label: "其他对外管理服务事项"}}},
	{"第二十条第（六）项", []Column{{Key: "prev_items", Label: "上一年项目数量"}, {Key: "change", Label: "本年增/减"}, {Key: "decisions", Label: "处理决定数量"}},
		[]Row{{Key: "penalty", Label: "行政处罚"}, {Key: "coercion", Label: "行政强制"}}},
	{"第二十条第（八）项", []Column{{Key: "prev_items", Label: "上一年项目数量"}, {Key: "change", Label: "本年增/减"}}, []Row{{Key: "fees", Label: "行政事业性收费"}}},
	{"第二十条第（九）项", []Column{{Key: "items", Label: "采购项目数量"}, {Key: "amount", Label: "采购总金额"}}, []Row{{Key: "procurement", Label: "政府集中采购"}}},
}

// ActiveLayout returns Table 2 of tmpl as printed (the 2021 layout for
// any template but 2019).
func ActiveLayout(tmpl Template) []T2Block {
	if tmpl == Template2019 {
		return ActiveLayout2019
	}
	return ActiveLayout2021
}

// ActiveColumns gives the JSON columns of a Table 2 row in tmpl (2019, or
// 2021 for any other), in template order; nil for a row the template does
// not have.
func ActiveColumns(tmpl Template, key string) []string {
	for _, b := range ActiveLayout(tmpl) {
		for _, r := range b.Rows {
			if r.Key == key {
				cols := make([]string, len(b.Columns))
				for i, c := range b.Columns {
					cols[i] = c.Key
				}
				return cols
			}
		}
	}
	return nil
}

// ActiveRequired are the Table 2 rows report.complete requires per template.
func ActiveRequired(tmpl Template) []string {
	var keys []string
	for _, b := range ActiveLayout(tmpl) {
		for _, r := range b.Rows {
			keys = append(keys, r.Key)
		}
	}
	return keys
}

// ActiveHeads are column headers that only the real Table 2 prints (prose
// such as "办理行政许可 12 件" is not Table 2 without one of them).
var ActiveHeads = []string{"信息内容", "制发件数", "废止件数", "现行有效", "处理决定数", "新制作", "新公开", "收费金额", "项目数量", "第二十条"}

// ActiveStarts are labels that open Table 2 when its heading is missing.
var ActiveStarts = []string{"第二十条", "本年制发", "本年新制作"}

// ActiveMarkers2019 and ActiveMarkers2021 are Table 2 texts that tell the
// two templates apart.
var (
	ActiveMarkers2019 = []string{"新制作", "新公开数量", "对外公开总数", "上一年项目数", "本年增", "集中采购", "采购项目数", "其他对外管理"}
	ActiveMarkers2021 = []string{"制发件数", "废止件数", "现行有效", "收费金额"}
)

// Table 3 (收到和处理政府信息公开申请情况).

// ApplicationColumnDefs are the seven columns of Table 3, in order, with
// the headers that name them.
var ApplicationColumnDefs = []Column{
	{"natural_person", "自然人", []string{"自然人"}},
	{"commercial", "商业企业", []string{"商业企业"}},
	{"research", "科研机构", []string{"科研机构"}},
	{"social_welfare", "社会公益组织", []string{"社会公益组织", "社会公益机构"}},
	{"legal_service", "法律服务机构", []string{"法律服务机构", "法律服务组织"}},
	{"other_org", "其他", []string{"其他", "其他组织"}},
	{"total", "总计", []string{"总计", "合计"}},
}

// ApplicationRowDefs are the Table 3 rows in template order with the
// variants that identify them. "other_misc" and "other" have no variants:
// the parser recognises them by position in the label (a label ending
// with 其他; a label holding 其他处理).
var ApplicationRowDefs = []Row{
	{"new_received", "一、本年新收政府信息公开申请数量", []string{"本年新收", "新收政府信息", "本年收到"}},
	{"carried_over", "二、上年结转政府信息公开申请数量", []string{"上年结转", "上年转结", "上年度结转", "上年度转结", "上一年结转", "上一年度结转"}},
	{"granted", "（一）予以公开", []string{"予以公开"}},
	{"partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", []string{"部分公开"}},
	{"denied_state_secret", "1.属于国家秘密", []string{"国家秘密"}},
	{"denied_law_forbidden", "2.其他法律行政法规禁止公开", []string{"法律行政法规", "其他法律", "行政止公开", "禁止公开", "法规禁止"}},
	{"denied_three_security", "3.危及“三安全一稳定”", []string{"三安全一稳定", "三安全", "一稳定"}},
	{"denied_third_party", "4.保护第三方合法权益", []string{"第三方"}},
	{"denied_internal_affairs", "5.属于三类内部事务信息", []string{"内部事务"}},
	{"denied_process_info", "6.属于四类过程性信息", []string{"过程性"}},
	{"denied_enforcement_file", "7.属于行政执法案卷", []string{"执法案卷", "案卷"}},
	{"denied_admin_query", "8.属于行政查询事项", []string{"行政查询", "查询事项"}},
	{"unable_not_held", "1.本机关不掌握相关政府信息", []string{"不掌握"}},
	{"unable_need_creation", "2.没有现成信息需要另行制作", []string{"另行制作", "现成信息"}},
	{"unable_unclear", "3.补正后申请内容仍不明确", []string{"仍不明确", "不明确"}},
	{"not_processed_petition", "1.信访举报投诉类申请", []string{"信访", "举报投诉"}},
	{"not_processed_repeated", "2.重复申请", []string{"重复申请"}},
	{"not_processed_publication", "3.要求提供公开出版物", []string{"公开出版物", "出版物"}},
	{"not_processed_excessive", "4.无正当理由大量反复申请", []string{"大量反复", "反复申请"}},
	{"not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", []string{"确认或重新", "重新出具", "重新出", "确认"}},
	{"other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", []string{"逾期不补", "不补正"}},
	{"other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", []string{"缴纳费用", "收费通知", "逾期未按收费", "未按收费"}},
	{"other_misc", "3.其他", nil},
	{"other", "（六）其他处理", nil},
	{"total", "（七）总计", []string{"总计", "合计"}},
	{"carried_forward", "四、结转下年度继续办理", []string{"结转下年", "转结下年", "下年度继续", "继续办理", "结转下一年"}},
}

// Label texts of Table 3 the parser and the web need beyond the rows'.
const (
	// T3Results is the top label of the outcome rows.
	T3Results = "三、本年度办理结果"
	// T3Other is the middle label (and the 2019 row) of （六）其他处理.
	T3Other = "（六）其他处理"
	// T3OtherMark is what a label holds when it is the （六）其他处理 row.
	T3OtherMark = "其他处理"
	// T3MiscMark is what the 2021 sub-row 3.其他 ends with.
	T3MiscMark = "其他"
	// T3Subtotal is the leaf label of a （六） subtotal printed beside
	// the three 2021 sub-rows.
	T3Subtotal = "小计"
)

// ApplicationStarts are labels that open Table 3 when its heading is
// missing; ApplicationHeads are its header texts just above the first row.
var (
	ApplicationStarts = []string{"本年新收", "上年结转", "上年转结", "予以公开"}
	ApplicationHeads  = []string{"申请人情况", "自然人"}
)

// ApplicationEnds are the labels of the carried-forward row (the last row
// of Table 3).
var ApplicationEnds = []string{"结转下年", "转结下年", "下年度继续"}

// Rows2021Only are the Table 3 rows only the 2021 template has.
var Rows2021Only = []string{"other_no_correction", "other_unpaid_fee", "other_misc"}

// OutcomeRows are the Table 3 rows that sum to the total row (with either
// "other" or Rows2021Only).
var OutcomeRows = []string{
	"granted", "partially_granted",
	"denied_state_secret", "denied_law_forbidden", "denied_three_security", "denied_third_party",
	"denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_admin_query",
	"unable_not_held", "unable_need_creation", "unable_unclear",
	"not_processed_petition", "not_processed_repeated", "not_processed_publication", "not_processed_excessive", "not_processed_confirmation",
}

// T3Layout returns Table 3's rows as printed for a report of tmpl whose
// Table 3 has the rows has says: the 2019 single （六）其他处理 row, or the
// three 2021 sub-rows (with a 小计 row when the report prints one).
func T3Layout(tmpl Template, has func(key string) bool) []T3Row {
	sub2021 := has("other_no_correction") || has("other_unpaid_fee") || has("other_misc")
	single := tmpl == Template2019 || (!sub2021 && has("other"))
	out := make([]T3Row, 0, len(ApplicationRowDefs))
	for _, d := range ApplicationRowDefs {
		switch d.Key {
		case "new_received", "carried_over", "carried_forward":
			out = append(out, T3Row{Key: d.Key, Top: d.Label})
		case "other": // placed before the 2021 sub-rows, below
		case "granted", "partially_granted", "total":
			out = append(out, T3Row{Key: d.Key, Top: T3Results, Mid: d.Label})
		default:
			if isSub2021(d.Key) {
				if single {
					if d.Key == Rows2021Only[0] {
						out = append(out, T3Row{Key: "other", Top: T3Results, Mid: T3Other})
					}
					continue
				}
				if d.Key == Rows2021Only[0] && has("other") { // a subtotal printed beside the three sub-rows
					out = append(out, T3Row{Key: "other", Top: T3Results, Mid: T3Other, Leaf: T3Subtotal})
				}
			}
			out = append(out, T3Row{Key: d.Key, Top: T3Results, Mid: t3Mids[d.Key[:3]], Leaf: d.Label})
		}
	}
	return out
}

// t3Mids are the middle labels of the Table 3 rows with a leaf label, by
// the first three letters of their key.
var t3Mids = map[string]string{"den": "（三）不予公开", "una": "（四）无法提供", "not": "（五）不予处理", "oth": T3Other}

func isSub2021(key string) bool { return slices.Contains(Rows2021Only, key) }

// Table 4 (行政复议、行政诉讼情况).

// ReviewGroupDefs are the three groups of Table 4 with their variants.
var ReviewGroupDefs = []Row{
	{"review", "行政复议", []string{"行政复议"}},
	{"litigation_direct", "未经复议直接起诉", []string{"直接起诉", "未经复议"}},
	{"litigation_after_review", "复议后起诉", []string{"复议后起诉"}},
}

// ReviewColumnDefs are the five columns of each Table 4 group.
var ReviewColumnDefs = []Column{
	{"upheld", "结果维持", []string{"结果维持", "维持"}},
	{"corrected", "结果纠正", []string{"结果纠正", "纠正"}},
	{"other", "其他结果", []string{"其他结果"}},
	{"pending", "尚未审结", []string{"尚未审结", "未审结"}},
	{"total", "总计", []string{"总计", "合计"}},
}

// ReviewStart is the label that opens Table 4 when its heading is missing.
const ReviewStart = "行政复议"

// Part headings.

// PartHeading is what recognises the heading of a part holding a template
// table: the heading holds one of Variants, or else all of Words (the
// parser adds conditions of numbering and length).
type PartHeading struct {
	// Label is the heading as the template prints it.
	Label    string
	Variants []string
	Words    []string
}

// The headings of the parts holding Tables 2, 3 and 4.
var (
	HeadingActive = PartHeading{Label: "二、主动公开政府信息情况",
		Variants: []string{"主动公开政府信息情况", "主动公开政府信息的情况"}, Words: []string{"主动公开"}}
	HeadingApplications = PartHeading{Label: "三、收到和处理政府信息公开申请情况",
		Variants: []string{"收到和处理"}, Words: []string{"依申请", "处理", "申请情况"}}
	HeadingReview = PartHeading{Label: "四、政府信息公开行政复议、行政诉讼情况",
		Words: []string{"行政复议", "行政诉讼"}}
)

// NoTablesWarning is the warning of a document that has none of the
// template tables in its text.
const NoTablesWarning = "none of the template tables (主动公开/收到和处理申请/行政复议行政诉讼) was found in the text; they may be images"

// Markers are row and section labels only the annual report's own tables
// carry (the 2021 and 2019 templates): a page holding two of them holds
// the report's tables.
var Markers = []string{unnumbered(ApplicationRowDefs[0].Label), unnumbered(HeadingApplications.Label), unnumbered(ApplicationRowDefs[1].Label)}

// unnumbered drops the "一、" numbering of a label.
func unnumbered(label string) string {
	if _, rest, ok := strings.Cut(label, "、"); ok {
		return rest
	}
	return label
}

// Keys returns the keys of rows in order.
func Keys(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Key
	}
	return out
}

// ColumnKeys returns the keys of cols in order.
func ColumnKeys(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Key
	}
	return out
}

// HeadIndex maps every header text of cols to the column's index.
func HeadIndex(cols []Column) map[string]int {
	m := map[string]int{}
	for i, c := range cols {
		for _, h := range c.Heads {
			m[h] = i
		}
	}
	return m
}
