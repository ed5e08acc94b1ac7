package report

import "slices"

// This file holds the report model of ../shared/report-model.md. The JSON
// names are a contract read by tools outside this package: never rename them.

// Report is one archived annual report as structured data.
type Report struct {
	Source           Source            `json:"source"`
	Agency           string            `json:"agency"`
	Year             int               `json:"year"`
	Template         Template          `json:"template"` // "2021" | "2019" | "pre2019" | "unknown"
	Title            string            `json:"title"`
	Published        *string           `json:"published"` // "YYYY-MM-DD" or null
	Sections         Sections          `json:"sections"`
	Active           *Active           `json:"active,omitempty"`
	Applications     *Applications     `json:"applications,omitempty"`
	ReviewLitigation *ReviewLitigation `json:"review_litigation,omitempty"`
	ExtraTables      []ExtraTable      `json:"extra_tables"`
	Checks           []Check           `json:"checks"`
	Warnings         []string          `json:"warnings"`
	// StatedNumbers holds, for free-form (pre2019) reports, the numbers the
	// text states with the phrase around them. Empty for template reports.
	StatedNumbers []StatedNumber `json:"stated_numbers,omitempty"`
	// DatedBy says where Published came from when the document itself
	// does not print it (DatedByLandingPage); empty when the date is the
	// document's own or there is none.
	DatedBy string `json:"dated_by,omitempty"`

	// The fields below are what validation reads beyond the tables. They
	// are not in the JSON of report-model.md (json.Marshal leaves them
	// out) but in the stored form (MarshalReport, MarshalReportCompact
	// write them; decoding reads them), so that a stored report
	// re-validates exactly like a fresh one.

	// TitleYear is the year the title states (0 when it states none), as
	// the parser read it; report.year compares it with the period.
	TitleYear int `json:"-"`
	// PeriodFrom and PeriodTo are the years of the statistics period
	// (统计期限) when the document states it; 0 otherwise.
	PeriodFrom int `json:"-"`
	PeriodTo   int `json:"-"`
	// Unreadable names template rows ("applications.total") that are
	// printed but could not be read, sorted; report.complete does not list
	// them.
	Unreadable []string `json:"-"`
}

// IsUnreadable reports whether the row (as "table.row") is printed but
// could not be read.
func (r *Report) IsUnreadable(row string) bool {
	return slices.Contains(r.Unreadable, row)
}

// DatedByLandingPage is Report.DatedBy of a report dated by the landing
// page that links the attachment it was read from.
const DatedByLandingPage = "landing_page"

// Source says which archived capture a report was parsed from.
type Source struct {
	URL       string `json:"url"`
	CaptureID string `json:"capture_id"`
	Digest    string `json:"digest"`     // "sha256:<hex>"
	FetchedAt string `json:"fetched_at"` // RFC 3339
	File      string `json:"file,omitempty"`
}

// Sections holds the free text of parts 一, 五 and 六.
type Sections struct {
	Overview string `json:"overview"`
	Problems string `json:"problems"`
	Other    string `json:"other"`
}

// Template names a report's template (the JSON "template" value).
type Template string

// Template names.
const (
	Template2021    Template = "2021"
	Template2019    Template = "2019"
	TemplatePre2019 Template = "pre2019"
	TemplateUnknown Template = "unknown"
)

// Active is Table 2 (主动公开政府信息情况). Which rows and columns are set
// depends on the template: 2021 uses Issued/Repealed/InForce and Decisions
// and AmountWanYuan; 2019 uses NewMade/NewPublished/TotalPublished,
// PrevItems/Change/Decisions, Items/Amount.
type Active struct {
	Regulations        *ActiveRow `json:"regulations,omitempty"`
	NormativeDocuments *ActiveRow `json:"normative_documents,omitempty"`
	Licensing          *ActiveRow `json:"licensing,omitempty"`
	OtherServices      *ActiveRow `json:"other_services,omitempty"`
	Penalty            *ActiveRow `json:"penalty,omitempty"`
	Coercion           *ActiveRow `json:"coercion,omitempty"`
	Fees               *ActiveRow `json:"fees,omitempty"`
	Procurement        *ActiveRow `json:"procurement,omitempty"`
}

// ActiveRow is one row of Table 2. A nil pointer field is a column the
// template does not have for that row; a present column with a blank cell
// is encoded as JSON null through the Num type.
type ActiveRow struct {
	// 2021 template.
	Issued        *Num `json:"issued,omitempty"`
	Repealed      *Num `json:"repealed,omitempty"`
	InForce       *Num `json:"in_force,omitempty"`
	Decisions     *Num `json:"decisions,omitempty"`
	AmountWanYuan *Num `json:"amount_wan_yuan,omitempty"`
	// 2019 template.
	NewMade        *Num `json:"new_made,omitempty"`
	NewPublished   *Num `json:"new_published,omitempty"`
	TotalPublished *Num `json:"total_published,omitempty"`
	PrevItems      *Num `json:"prev_items,omitempty"`
	Change         *Num `json:"change,omitempty"`
	Items          *Num `json:"items,omitempty"`
	Amount         *Num `json:"amount,omitempty"`
}

// Num is a table cell: a number, or blank (JSON null) when Blank is set.
// It lets a column be present-but-blank (null) as distinct from absent
// (the *Num is nil and the field is omitted).
type Num struct {
	Value float64
	Blank bool
}

// MarshalJSON writes the number, or null for a blank cell.
func (n Num) MarshalJSON() ([]byte, error) {
	if n.Blank {
		return []byte("null"), nil
	}
	return FormatNumber(n.Value), nil
}

// UnmarshalJSON reads a number or null.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num{Blank: true}
		return nil
	}
	v, err := parseJSONNumber(b)
	if err != nil {
		return err
	}
	*n = Num{Value: v}
	return nil
}

// ApplicationColumns are the seven columns of Table 3, in order.
var ApplicationColumns = ColumnKeys(ApplicationColumnDefs)

// ApplicationRows are the row keys of Table 3 in template order. The 2019
// template has the single row "other" where 2021 has other_no_correction,
// other_unpaid_fee and other_misc.
var ApplicationRows = Keys(ApplicationRowDefs)

// GroupColumns are the Table 4 columns of each group, in order.
var GroupColumns = ColumnKeys(ReviewColumnDefs)

// ReviewGroups are the Table 4 group keys, in order.
var ReviewGroups = Keys(ReviewGroupDefs)

// Applications is Table 3 (收到和处理政府信息公开申请情况). Each row has 7
// cells in ApplicationColumns order; nil is a blank cell.
type Applications struct {
	Columns []string              `json:"columns"`
	Rows    map[string][]*float64 `json:"rows"`
}

// ReviewLitigation is Table 4 (行政复议、行政诉讼情况).
type ReviewLitigation struct {
	Review                *Group `json:"review"`
	LitigationDirect      *Group `json:"litigation_direct"`
	LitigationAfterReview *Group `json:"litigation_after_review"`
}

// Group is one group of Table 4; nil is a blank cell.
type Group struct {
	Upheld    *float64 `json:"upheld"`
	Corrected *float64 `json:"corrected"`
	Other     *float64 `json:"other"`
	Pending   *float64 `json:"pending"`
	Total     *float64 `json:"total"`
}

// ExtraTable is a table the template does not define, kept as cells.
type ExtraTable struct {
	Title string     `json:"title"`
	Rows  [][]string `json:"rows"`
}

// Check is the result of one validation rule on one column, row or group.
type Check struct {
	Rule     string   `json:"rule"`
	OK       bool     `json:"ok"`
	Severity Severity `json:"severity"` // "error" | "warning"
	Message  string   `json:"message"`
	// MessageZh is Message in Chinese, for the UI.
	MessageZh string   `json:"message_zh,omitempty"`
	Cells     []string `json:"cells,omitempty"`
	Expected  *float64 `json:"expected,omitempty"`
	Actual    *float64 `json:"actual,omitempty"`
}

// StatedNumber is a number a free-form report states in its text.
type StatedNumber struct {
	Context string  `json:"context"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit,omitempty"`
}
