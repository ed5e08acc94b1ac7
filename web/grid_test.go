package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/audit"
	"github.com/nianbao/nianbao/seeds"
)

// gridRowTemplate is the dashboard's grid row as the page template wrote
// it before gridRowHTML replaced it.
const gridRowTemplate = `{{range .}}<tr>
  <th class="agency"><a href="/agency/{{pathesc .Agency}}">{{.Agency}}</a> <span class="level">{{levelName .Level}}</span></th>
  {{range .Entries}}<td class="st st-{{.Status}}" title="{{entryTitle .}}">
    {{if .CaptureID}}<a href="/report/{{.CaptureID}}">{{statusText .}}</a>{{else}}<span>{{statusText .}}</span>{{end}}
    {{if gt .FailedChecks 0}}<span class="fail-mark" title="{{.FailedChecks}} failed validation rules">⚠ {{.FailedChecks}}</span>{{end}}
    {{with .Published}}<small>{{.}}</small>{{else}}{{with .FirstSeen}}<small>seen {{.}}</small>{{end}}{{end}}
  </td>{{end}}
</tr>
{{end}}`

// TestGridRowHTMLIsTheTemplates: gridRowHTML writes byte for byte what
// html/template writes for the same rows, names and dates holding every
// character its escapers replace, non-ASCII text and invalid UTF-8.
func TestGridRowHTMLIsTheTemplates(t *testing.T) {
	tmpl := template.Must(template.New("row").Funcs(funcs).Parse(gridRowTemplate))
	odd := "A&B+C<D>\"E'F\x00G %41%zz% 100%/?#[]@!$*,;=:~ 机构\xff\xfe ⚠"
	str := func(s string) *string { return &s }
	rows := []AgencyRow{
		{Agency: "长沙市公安局", Level: seeds.Department, Entries: []audit.Entry{
			{Agency: "长沙市公安局", Year: 2021, Status: audit.OnTime, Deadline: "2022-01-31", Published: str("2022-01-20"), URL: "http://x/1", CaptureID: "17", Copies: []audit.Copy{{URL: "u"}}},
			{Agency: "长沙市公安局", Year: 2022, Status: audit.Late, DaysLate: 14, Deadline: "2023-01-31", Published: str("2023-02-14"), CaptureID: "18", FailedChecks: 3},
			{Agency: "长沙市公安局", Year: 2023, Status: audit.Undated, Deadline: "2024-01-31", FirstSeen: str("2024-02-01"), CaptureID: "19"},
			{Agency: "长沙市公安局", Year: 2024, Status: audit.Missing, Deadline: "2025-01-31"},
		}},
		{Agency: odd, Level: odd, Entries: []audit.Entry{
			{Agency: odd, Year: 2021, Status: odd, Deadline: odd, Published: str(odd), FirstSeen: str(odd), CaptureID: odd, FailedChecks: 1},
			{Agency: odd, Year: 2022, Status: audit.NotDue, Deadline: odd, FirstSeen: str(odd)},
		}},
		{Agency: "湘潭县人民政府", Level: seeds.Government},
	}
	var want strings.Builder
	if err := tmpl.Execute(&want, rows); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, r := range rows {
		gridRowHTML(&got, r)
	}
	if got.String() != want.String() {
		t.Errorf("gridRowHTML differs from the template:\n got %q\nwant %q", got.String(), want.String())
	}
	if !strings.Contains(want.String(), "&#43;") || !strings.Contains(want.String(), "%ef%bf%bd") && !strings.Contains(want.String(), "%ff") {
		t.Errorf("the odd row does not exercise the escapers: %q", want.String())
	}
}
