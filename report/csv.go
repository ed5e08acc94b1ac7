package report

// This file writes reports as one CSV row each, for spreadsheets.

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// csvColumn is one CSV column: its stable header name and how to read the
// cell from a report ("" for a blank or absent cell).
type csvColumn struct {
	name string
	get  func(*Report) string
}

// csvActiveRow is the CSV columns of one Table 2 row.
type csvActiveRow struct {
	row  string
	cols []string
}

// csvActiveColumns are the Table 2 columns per row, 2021 template columns
// first, then the 2019 template's (each name once).
var csvActiveColumns = func() []csvActiveRow {
	out := make([]csvActiveRow, 0, len(ActiveRows))
	for _, k := range ActiveKeys() {
		cols := ActiveColumns(Template2021, k)
		for _, c := range ActiveColumns(Template2019, k) {
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
		out = append(out, csvActiveRow{k, cols})
	}
	return out
}()

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
		{"template", func(r *Report) string { return string(r.Template) }},
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
				return numCell(r.Active.Row(row).Cell(col))
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
	for _, g := range ReviewGroups {
		for _, f := range GroupColumns {
			g, f := g, f
			cols = append(cols, csvColumn{"review_litigation." + g + "." + f, func(r *Report) string {
				grp := r.ReviewLitigation.Group(g)
				if grp == nil {
					return ""
				}
				return floatCell(grp.Cell(f))
			}})
		}
	}
	cols = append(cols,
		csvColumn{"checks_failed", func(r *Report) string { return strconv.Itoa(r.FailedChecks()) }},
		csvColumn{"failed_rules", func(r *Report) string { return strings.Join(r.FailedRules(), ";") }},
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
	cw, err := NewCSVWriter(w)
	if err != nil {
		return err
	}
	for _, r := range reports {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// CSVWriter writes reports as the rows of WriteCSV one at a time, for a
// caller that does not hold them all (extractrun.EachReport).
type CSVWriter struct {
	cw  *csv.Writer
	row []string
}

// NewCSVWriter writes the byte-order mark and the header row to w.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVColumns()); err != nil {
		return nil, fmt.Errorf("write csv header: %w", err)
	}
	return &CSVWriter{cw: cw, row: make([]string, len(csvColumns))}, nil
}

// Write writes the row of r (nothing for a nil report).
func (c *CSVWriter) Write(r *Report) error {
	if r == nil {
		return nil
	}
	for i, col := range csvColumns {
		c.row[i] = col.get(r)
	}
	if err := c.cw.Write(c.row); err != nil {
		return fmt.Errorf("write csv row of %s: %w", r.Source.URL, err)
	}
	return nil
}

// Flush writes the buffered rows and returns the first error met.
func (c *CSVWriter) Flush() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
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
	return string(FormatNumber(*v))
}

func numCell(n *Num) string {
	if n == nil || n.Blank {
		return ""
	}
	return string(FormatNumber(n.Value))
}
