package extractrun

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/report"
)

// TestRunLandingPageAndAttachment stores a landing page (role report) and
// the real Hongze 2023 PDF it links (role attachment, discovered from the
// page): Run stores one report, the attachment's, with the page's date,
// and its tables exactly as the parser reads the attachment alone.
func TestRunLandingPageAndAttachment(t *testing.T) {
	pdf, err := os.ReadFile(filepath.Join("../../shared/corpus", "003_hongze_2023.pdf"))
	name, ct := "P020240126.pdf", "application/pdf"
	if err != nil {
		// without the shared corpus: the same report as pdftotext prints it
		pdf = readTestdata(t, "corpus", "003_hongze_2023.txt")
		name, ct = "P020240126.txt", "text/plain; charset=utf-8"
	}
	a, _ := openTestArchive(t)
	const page = "http://www.hongze.gov.cn/art/2024/1/26/art_1.html"
	putCapture(t, a, &archive.Capture{URL: page, Role: archive.RoleReport, ContentType: "text/html; charset=utf-8", Agency: "淮安市洪泽区人民政府"},
		readTestdata(t, "landing", "landing_hanweb.html"))
	putCapture(t, a, &archive.Capture{URL: "http://www.hongze.gov.cn/module/download/" + name, Role: archive.RoleAttachment, ContentType: ct,
		DiscoveredFrom: page, Agency: "淮安市洪泽区人民政府"}, pdf)
	sum, err := Run(t.Context(), a, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.NotReports) != 1 || sum.NotReports[0].URL != page || !strings.Contains(sum.NotReports[0].Reason, "landing page") {
		t.Errorf("not reports = %+v, want the landing page", sum.NotReports)
	}
	reps, err := LoadReports(a, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 {
		t.Fatalf("%d reports stored, want 1 (the attachment's)", len(reps))
	}
	r := reps[0]
	if r.Published == nil || *r.Published != "2024-01-26" || r.DatedBy != report.DatedByLandingPage {
		t.Errorf("published = %v dated_by %q, want 2024-01-26 from the landing page", r.Published, r.DatedBy)
	}
	if r.Year != 2023 {
		t.Errorf("year = %d, want 2023", r.Year)
	}
	alone, err := extract.Parse(name, pdf, extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct {
		name      string
		got, want any
	}{
		{"active", r.Active, alone.Active},
		{"applications", r.Applications, alone.Applications},
		{"review_litigation", r.ReviewLitigation, alone.ReviewLitigation},
	} {
		g, _ := json.Marshal(part.got)
		w, _ := json.Marshal(part.want)
		if string(g) != string(w) || string(w) == "null" {
			t.Errorf("%s stored = %s, the attachment alone reads %s", part.name, g, w)
		}
	}
}
