package audit

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

// scanOnly hides the report index of a Source: Compute decodes every
// stored report, as it does on an archive written before the index.
type scanOnly struct{ Source }

// TestIndexAgreesWithScan: the audit read from the report index equals the
// audit decoded from every stored report, on reports that exercise every
// rule (copies, attachments dated by their page or landing page, shared
// hosts, failed checks, odd and undecodable reports), for several year
// ranges.
func TestIndexAgreesWithScan(t *testing.T) {
	stub := []report.Check{{Rule: "report.complete", OK: false, Severity: "error"}, {Rule: "x", OK: false, Severity: "warning"}}
	fx := []fixture{
		{url: "http://a.gov.cn/2021.html", crawlAgency: "甲局", fetched: "2022-03-01T00:00:00Z", agency: "甲局", year: 2021, published: "2022-02-03", checks: stub},
		{url: "http://a.gov.cn/2021.docx", crawlAgency: "甲局", fetched: "2022-03-01T00:00:01Z", agency: "甲局", year: 2021, tables: true, from: "http://a.gov.cn/2021.html"},
		{url: "http://a.gov.cn/2021.html", crawlAgency: "甲局", fetched: "2022-04-01T00:00:00Z", agency: "甲局", year: 2021, published: "2022-02-01"},
		{url: "http://a.gov.cn/2022.pdf", crawlAgency: "甲局", fetched: "2023-03-01T00:00:01Z", agency: "甲局", year: 2022, published: "2023-01-10", tables: true, from: "http://a.gov.cn/list.html", datedBy: report.DatedByLandingPage},
		{url: "http://a.gov.cn/list.html", crawlAgency: "甲局", fetched: "2023-02-01T00:00:00Z", noReport: true},
		{url: "http://a.gov.cn/2023.html", crawlAgency: "甲局", fetched: "2024-03-02T00:00:00Z", agency: "局", year: 2023},
		{url: "http://x.gov.cn/2021.html", crawlAgency: "乙县公安局", fetched: "2022-01-02T00:00:00Z", agency: "乙县人民政府", year: 2021, published: "2022-03-30"},
		{url: "http://x.gov.cn/2022.html", crawlAgency: "乙县人民政府", fetched: "2023-01-02T00:00:00Z", agency: "公安局", year: 2022, published: "2023-02-20"},
		{url: "http://x.gov.cn/edu.html", crawlAgency: "乙县人民政府", fetched: "2023-01-02T00:00:00Z", agency: "乙县教育局", year: 2022, published: "2023-01-20"},
		{url: "http://x.gov.cn/old.html", crawlAgency: "乙县人民政府", fetched: "2018-05-02T00:00:00Z", agency: "乙县人民政府", year: 2017},
		{url: "http://x.gov.cn/fail.html", crawlAgency: "乙县人民政府", fetched: "2023-05-02T00:00:00Z", fetchErr: "timeout", agency: "乙县人民政府", year: 2022},
	}
	a := build(t, fx)
	for i, data := range []string{`{"agency":"甲局","year":2021,"published":"2022/01/05"}`, `{"agency":"甲局","year":"2021"}`, `null`, `[]`} {
		c := &archive.Capture{URL: fmt.Sprintf("http://a.gov.cn/odd%d.html", i), Agency: "甲局", Status: 200, FetchedAt: time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)}
		if err := a.Put(c, []byte(data), ""); err != nil {
			t.Fatal(err)
		}
		if err := a.PutReport(c.ID, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	ags := agencies(t, "http://a.gov.cn/ 甲局\nhttp://x.gov.cn/ 乙县公安局\nhttp://x.gov.cn/ 乙县人民政府 government\n")
	asof := time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, yr := range [][2]int{{2021, 2021}, {2017, 2024}, {2022, 2023}, {1990, 2000}} {
		err := a.View(func(r *archive.Reader) error {
			if !r.ReportIndexed() {
				t.Fatal("the archive has no report index")
			}
			indexed, err := Compute(r, ags, yr[0], yr[1], asof)
			if err != nil {
				return err
			}
			scanned, err := Compute(scanOnly{r}, ags, yr[0], yr[1], asof)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(indexed, scanned) {
				t.Errorf("%d-%d: index gives\n%+v\nscan gives\n%+v", yr[0], yr[1], indexed, scanned)
			}
			if yr[0] == 2021 && (len(indexed) != 3 || indexed[0].Status != Late || indexed[0].FailedChecks != 0 || len(indexed[0].Copies) != 2) {
				t.Errorf("2021: %+v", indexed)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
