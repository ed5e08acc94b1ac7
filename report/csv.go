package extract

// This file writes reports as one CSV row each, for spreadsheets.

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvColumn is one CSV column: its stable header name and how to read the
// cell from a report ("" for a blank or absent cell).
type csvColumn struct {
	name string
	get  func(*Report) string
}

// csvActiveColumns are the Table 2 columns per row, 2021 template columns
// first, then the 2019 template's (each name once).
var csvActiveColumns = []struct {
	row  string
	cols []string
}{
	{"regulations", []string{"issued", "repealed", "in_force", "new_made", "new_published", "total_published"}},
	{"normative_documents", []string{"issued", "repealed", "in_force", "new_made", "new_published", "total_published"}},
	{"licensing", []string{"decisions", "prev_items", "change"}},
	{"other_services", []string{"prev_items", "change", "decisions"}},
	{"penalty", []string{"decisions", "prev_items", "change"}},
	{"coercion", []string{"decisions", "prev_items", "change"}},
	{"fees", []string{"amount_wan_yuan", "prev_items", "change"}},
	{"procurement", []string{"items", "amount"}},
}

// reviewGroups and reviewFields name the Table 4 cells in order.
var (
	reviewGroups = []string{"review", "litigation_direct", "litigation_after_review"}
	reviewFields = []string{"upheld", "corrected", "other", "pending", "total"}
)

var csvColumns = buildCSVColumns()

func buildCSVColumns() []csvColumn {
	cols := []csvColumn{
		{"source.url", func(r *Report) string { return r.Source.URL }},
		{"source.capture_id", func(r *Report) string { return r.Source.CaptureID }},
		{"source.fetched_at", func(r *Report) string { return r.Source.FetchedAt }},
		{"agency", func(r *Report) string { return safeText(r.Agency) }},
		{"year", func(r *Report) string {
			if r.Year == 0 {
				return ""
			}
			return strconv.Itoa(r.Year)
		}},
		{"template", func(r *Report) string { return r.Template }},
		{"title", func(r *Report) string { return safeText(r.Title) }},
		{"published", func(r *Report) string {
			if r.Published == nil {
				return ""
			}
			return *r.Published
		}},
	}
	for _, ar := range csvActiveColumns {
		for _, col := range ar.cols {
			row, col := ar.row, col
			cols = append(cols, csvColumn{"active." + row + "." + col, func(r *Report) string {
				if r.Active == nil {
					return ""
				}
				p := activeRowOf(r.Active, row)
				if p == nil {
					return ""
				}
				return numCell(activeCell(p, col))
			}})
		}
	}
	for _, row := range ApplicationRows {
		for i, col := range ApplicationColumns {
			row, i := row, i
			cols = append(cols, csvColumn{"applications." + row + "." + col, func(r *Report) string {
				if r.Applications == nil {
					return ""
				}
				vals := r.Applications.Rows[row]
				if i >= len(vals) {
					return ""
				}
				return floatCell(vals[i])
			}})
		}
	}
	for _, g := range reviewGroups {
		for _, f := range reviewFields {
			g, f := g, f
			cols = append(cols, csvColumn{"review_litigation." + g + "." + f, func(r *Report) string {
				if r.ReviewLitigation == nil {
					return ""
				}
				grp := reviewGroup(r.ReviewLitigation, g)
				if grp == nil {
					return ""
				}
				return floatCell(reviewField(grp, f))
			}})
		}
	}
	cols = append(cols,
		csvColumn{"checks_failed", func(r *Report) string { return strconv.Itoa(failedChecks(r)) }},
		csvColumn{"failed_rules", func(r *Report) string { return strings.Join(failedRules(r), ";") }},
		csvColumn{"warnings", func(r *Report) string { return strconv.Itoa(len(r.Warnings)) }},
	)
	return cols
}

// CSVColumns returns the header names WriteCSV writes, in order. The names
// are stable: spreadsheets and scripts address cells by them.
func CSVColumns() []string {
	out := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		out[i] = c.name
	}
	return out
}

// WriteCSV writes one row per report under a header row of CSVColumns:
// source, agency, year, template, title and publication date, every Table 2
// cell of both templates (active.<row>.<column>), every Table 3 cell
// (applications.<row>.<column>, 2021 rows and the 2019 row "other"), every
// Table 4 cell (review_litigation.<group>.<field>), then checks_failed (how
// many checks failed), failed_rules (their rule ids, ";"-separated) and
// warnings (how many). A blank or absent cell is an empty field.
//
// The output is UTF-8 preceded by a byte-order mark, with CRLF line ends,
// so that Excel opens the Chinese text correctly by double-click. A text
// cell starting with = + - or @ is prefixed with ' so that a spreadsheet
// does not run it as a formula.
func WriteCSV(w io.Writer, reports []*Report) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVColumns()); err != nil {
		return fmt.Errorf("write csv header: %w", err)
	}
	row := make([]string, len(csvColumns))
	for _, r := range reports {
		if r == nil {
			continue
		}
		for i, c := range csvColumns {
			row[i] = c.get(r)
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv row of %s: %w", r.Source.URL, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// safeText defuses spreadsheet formulas in a text cell.
func safeText(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

func floatCell(v *float64) string {
	if v == nil {
		return ""
	}
	return string(formatNumber(*v))
}

func numCell(n *Num) string {
	if n == nil || n.Blank {
		return ""
	}
	return string(formatNumber(n.Value))
}

func activeRowOf(a *Active, row string) *ActiveRow {
	switch row {
	case "regulations":
		return a.Regulations
	case "normative_documents":
		return a.NormativeDocuments
	case "licensing":
		return a.Licensing
	case "other_services":
		return a.OtherServices
	case "penalty":
		return a.Penalty
	case "coercion":
		return a.Coercion
	case "fees":
		return a.Fees
	case "procurement":
		return a.Procurement
	}
	return nil
}

func activeCell(r *ActiveRow, col string) *Num {
	switch col {
	case "issued":
		return r.Issued
	case "repealed":
		return r.Repealed
	case "in_force":
		return r.InForce
	case "decisions":
		return r.Decisions
	case "amount_wan_yuan":
		return r.AmountWanYuan
	case "new_made":
		return r.NewMade
	case "new_published":
		return r.NewPublished
	case "total_published":
		return r.TotalPublished
	case "prev_items":
		return r.PrevItems
	case "change":
		return r.Change
	case "items":
		return r.Items
	case "amount":
		return r.Amount
	}
	return nil
}

func reviewGroup(rl *ReviewLitigation, g string) *Group {
	switch g {
	case "review":
		return rl.Review
	case "litigation_direct":
		return rl.LitigationDirect
	case "litigation_after_review":
		return rl.LitigationAfterReview
	}
	return nil
}

func reviewField(g *Group, f string) *float64 {
	switch f {
	case "upheld":
		return g.Upheld
	case "corrected":
		return g.Corrected
	case "other":
		return g.Other
	case "pending":
		return g.Pending
	case "total":
		return g.Total
	}
	return nil
}
