package extract

import (
	"fmt"

	"github.com/nianbao/nianbao/report"
)

// Usable returns an error wrapping ErrNotReport for a parsed document that
// states no report year and has none of the template tables (template
// "unknown", year 0): a list page, a site's front page or a notice the
// parser could not rule out. Such a document cannot be attributed to any
// report year, so Run does not store it.
func Usable(r *report.Report) error {
	if r.Template == report.TemplateUnknown && r.Year == 0 && r.Applications == nil && r.Active == nil && r.ReviewLitigation == nil {
		return fmt.Errorf("%w: no report year and none of the template tables (title %q)", ErrNotReport, r.Title)
	}
	return nil
}
