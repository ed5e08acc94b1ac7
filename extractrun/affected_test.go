package extractrun

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// TestAffectedReports checks which stored reports the cross pass reads for
// a run's parses: the parsed agency's reports, the other reports of their
// source URLs and those reports' agencies — never an unrelated agency.
func TestAffectedReports(t *testing.T) {
	a, _ := openTestArchive(t)
	store := func(url, agency string, year int) string {
		c := putCapture(t, a, &archive.Capture{URL: url, Agency: agency, Role: archive.RoleReport}, []byte(fmt.Sprint(url, agency, year)))
		r := &report.Report{Agency: agency, Year: year, Source: report.Source{URL: url, CaptureID: c.ID}}
		data, err := report.MarshalReportCompact(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.PutReport(c.ID, data); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	a21 := store("http://a/2021", "甲县公安局", 2021)
	a22 := store("http://a/2022", "甲县 公安局", 2022)  // same agency, normalised
	moved := store("http://c/2022", "甲县公安局", 2022) // this URL is parsed again below, under 乙
	b22 := store("http://b/2022", "乙县公安局", 2022)
	store("http://d/2022", "丙县公安局", 2022) // unrelated
	store("http://d/2021", "丙县公安局", 2021)
	reparsed := store("http://c/2022", "乙县公安局", 2022)

	cases := []struct {
		name   string
		parsed []string
		want   []string
	}{
		{"one agency", []string{a21}, []string{a21, a22, moved, reparsed, b22}},
		{"agency of a URL's other capture", []string{reparsed}, []string{a21, a22, moved, b22, reparsed}},
		{"only 乙 and what its URLs lead to", []string{b22}, []string{b22, reparsed, moved, a21, a22}},
	}
	for _, tc := range cases {
		parsed := map[string]parsedInfo{}
		err := a.View(func(rd *archive.Reader) error {
			for _, id := range tc.parsed {
				data, err := rd.Report(id)
				if err != nil {
					return err
				}
				var r report.Report
				if err := json.Unmarshal(data, &r); err != nil {
					return err
				}
				parsed[id] = parsedInfo{agency: r.Agency, url: r.Source.URL}
			}
			got, ok := affectedReports(rd, parsed)
			if !ok {
				t.Fatalf("%s: no report index", tc.name)
			}
			want := slices.Clone(tc.want)
			slices.SortFunc(want, func(x, y string) int { return int(archive.IDNum(x)) - int(archive.IDNum(y)) })
			if g := sortedIDs(got); !slices.Equal(g, want) {
				t.Errorf("%s: read %v, want %v", tc.name, g, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
