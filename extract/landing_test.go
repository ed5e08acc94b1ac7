package extract

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

func TestAttachmentLinks(t *testing.T) {
	tests := []struct {
		html string
		want []string
	}{
		{`<a href="/files/2023nb.pdf">年报</a>`, []string{"/files/2023nb.pdf"}},
		{`<a href="./P0201.PDF">附件</a><a href="./P0201.PDF">again</a>`, []string{"./P0201.PDF"}},
		{`<a href="/download.jsp?id=9">某县2023年年度报告.docx</a>`, []string{"/download.jsp?id=9"}},
		{`<iframe src="a.pdf"></iframe><embed src="b.doc"><object data="c.wps"></object>`, []string{"a.pdf", "b.doc", "c.wps"}},
		{`<a href="/art/2024/1/1/art_1.html">2023年报告</a><a href="javascript:open('x.pdf')">x</a>`, nil},
		{`<a href="/x?f=a.pdf">download</a>`, nil}, // the file is in the query, not the path: a script link with plain text
		{`<a href="/x.html">附件.xlsx</a><a href="/y.et">y</a>`, []string{"/x.html", "/y.et"}},
		{`<a href="/a.pdf"`, nil}, // cut off inside the tag
		{``, nil},
	}
	for _, tc := range tests {
		if got := attachmentLinks([]byte(tc.html)); !slices.Equal(got, tc.want) {
			t.Errorf("attachmentLinks(%q) = %q, want %q", tc.html, got, tc.want)
		}
	}
}

// TestLandingPageNotReport: the landing pages (Hanweb and TRS article
// pages: an info bar and the attachment link, no tables) are not reports
// of their own; ReadLanding reads their title and date.
func TestLandingPageNotReport(t *testing.T) {
	tests := []struct {
		file, title, agency, published, link string
		year                                 int
	}{
		{"landing_hanweb.html", "洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府", "2024-01-26", "/module/download/downfile.jsp?classid=0&filename=b3c1e2a9.pdf", 2023},
		{"landing_trs.html", "淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府", "2025-01-22", "./P020250122591234567890.pdf", 2024},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data := readTestdata(t, "landing", tc.file)
			_, err := Parse(tc.file, data, Options{})
			if !errors.Is(err, ErrNotReport) || !errors.Is(err, ErrLandingPage) {
				t.Fatalf("Parse error = %v, want ErrNotReport and ErrLandingPage", err)
			}
			l, err := ReadLanding("http://www.example.gov.cn/"+tc.file, data, "text/html; charset=utf-8")
			if err != nil {
				t.Fatal(err)
			}
			if l.Title != tc.title || l.Agency != tc.agency || l.Year != tc.year || l.Published == nil || *l.Published != tc.published {
				t.Errorf("landing = %q %q %d %v, want %q %q %d %q", l.Title, l.Agency, l.Year, derefOr(l.Published), tc.title, tc.agency, tc.year, tc.published)
			}
			if len(l.Attachments) == 0 || l.Attachments[0] != tc.link {
				t.Errorf("attachments = %q, want %q first", l.Attachments, tc.link)
			}
		})
	}
	// a real report page with its tables is no landing page, even when it
	// links its PDF copy
	page := readTestdata(t, "html", "004_dda7dad8d758c7d1.html")
	page = []byte(strings.Replace(string(page), "</body>", `<p>附件：<a href="/r.pdf">年报.pdf</a></p></body>`, 1))
	if _, err := Parse("004.html", page, Options{}); err != nil {
		t.Errorf("a report page linking its PDF: %v", err)
	}
	if _, err := ReadLanding("004.html", page, ""); !errors.Is(err, ErrNotReport) {
		t.Errorf("ReadLanding of a report page: %v, want ErrNotReport", err)
	}
}

func TestAdoptLanding(t *testing.T) {
	d := "2024-01-26"
	l := &Landing{Title: "洪泽区人民政府2023年政府信息公开工作年度报告", Agency: "洪泽区人民政府", Year: 2023, Published: &d}
	own := "2024-02-01"
	tests := []struct {
		name                     string
		r                        report.Report
		title, agency, published string
		datedBy                  string
	}{
		{"undated PDF", report.Report{Title: "洪泽区人民政府 2023 年政府信息公开工作年度报告", Agency: "淮安市洪泽区人民政府", Year: 2023},
			"洪泽区人民政府 2023 年政府信息公开工作年度报告", "淮安市洪泽区人民政府", d, report.DatedByLandingPage},
		{"title an image", report.Report{Title: "一、总体情况", Year: 0},
			l.Title, "洪泽区人民政府", d, report.DatedByLandingPage},
		{"dated document", report.Report{Title: l.Title, Agency: "洪泽区人民政府", Year: 2023, Published: &own},
			l.Title, "洪泽区人民政府", own, ""},
		{"another year", report.Report{Title: "某县2022年政府信息公开工作年度报告", Agency: "某县", Year: 2022},
			"某县2022年政府信息公开工作年度报告", "某县", "", ""},
	}
	for _, tc := range tests {
		r := tc.r
		AdoptLanding(&r, l)
		if r.Title != tc.title || r.Agency != tc.agency || derefOr(r.Published) != tc.published || r.DatedBy != tc.datedBy {
			t.Errorf("%s: %q %q %q %q, want %q %q %q %q", tc.name, r.Title, r.Agency, derefOr(r.Published), r.DatedBy, tc.title, tc.agency, tc.published, tc.datedBy)
		}
	}
}

func derefOr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// readTestdata reads a file under testdata/.
func readTestdata(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
