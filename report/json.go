package report

// This file encodes reports as the archive stores them and as people read
// them.

import (
	"bytes"
	"encoding/json"
)

// MarshalReportCompact encodes a report as stored in the archive: compact
// JSON, HTML characters not escaped.
func MarshalReportCompact(r *Report) ([]byte, error) { return encodeReport(r, "") }

// MarshalReport encodes a report for people: JSON indented by two spaces,
// HTML characters not escaped.
func MarshalReport(r *Report) ([]byte, error) { return encodeReport(r, "  ") }

// encodeReport encodes r with indent ("" for compact), without escaping
// HTML characters and without the trailing newline.
func encodeReport(r *Report, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(storedForm{(*plainReport)(r), r.TitleYear, r.PeriodFrom, r.PeriodTo, r.Unreadable}); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// plainReport is Report without its methods: the JSON of report-model.md.
type plainReport Report

// storedForm is the stored form of a report: its JSON with the fields
// validation needs added at the end (additions to the contract; each
// omitted when zero).
type storedForm struct {
	*plainReport
	TitleYear  int      `json:"title_year,omitempty"`
	PeriodFrom int      `json:"period_from,omitempty"`
	PeriodTo   int      `json:"period_to,omitempty"`
	Unreadable []string `json:"unreadable,omitempty"`
}

// UnmarshalJSON reads a report in its stored form (or in the plain JSON
// of report-model.md, which lacks the stored form's additions).
func (r *Report) UnmarshalJSON(b []byte) error {
	f := storedForm{plainReport: (*plainReport)(r)}
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	r.TitleYear, r.PeriodFrom, r.PeriodTo, r.Unreadable = f.TitleYear, f.PeriodFrom, f.PeriodTo, f.Unreadable
	return nil
}
