// Package report owns the annual-report model of ../shared/report-model.md
// and the one description of the official templates (2021, 2019; pre-2019
// reports are free-form): their tables, rows and columns with JSON keys,
// printed labels and the label variants real reports print
// (template.go); the validation rules with their English and Chinese
// messages (rules.go) and the checks they make (validate.go, zh.go); the
// stored form of a report (json.go); the CSV export (csv.go); and the one
// agency-name normaliser (agency.go). The parser (extract), the web's
// table rendering, the crawler's report markers and the audit all read
// this package; it imports nothing of the project.
package report
