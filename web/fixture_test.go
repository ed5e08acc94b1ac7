package web

import (
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/internal/testlog"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

// The fixture archive: the five seed reports (testdata/seeds, copies of
// ../shared/seeds) archived as report pages of the five seeds.txt agencies,
// an attachment of the 长沙 report, a hostile HTML page with a script, two
// captures of one URL with different text, a failed fetch and two runs.

const seedsText = `http://gaj.changsha.gov.cn/   长沙市公安局       department
http://gaj.jiyuan.gov.cn/     济源示范区公安局   department
http://www.xtx.gov.cn/        湘潭县公安局       department
http://www.shengsi.gov.cn/    嵊泗县公安局       department
http://gaj.ningbo.gov.cn/     宁波市公安局       department
`

// evilHTML is an archived page whose script must never run in the UI.
const evilHTML = `<!doctype html><html><head><meta charset="utf-8"><title>archived title</title></head>
<body><h1 id="h">archived page</h1>
<script>document.title='pwned';window.pwned=1;fetch('/api/runs');document.getElementById('h').textContent='pwned';</script>
</body></html>`

// seedReport says how one seed text is archived.
type seedReport struct {
	file, agency, url string
	// dateLine is inserted under the title ("" for none), which is
	// titleLines lines long (0: one).
	dateLine   string
	titleLines int
}

var seedReports = []seedReport{
	{"000_058c891ac62dd96d.txt", "长沙市公安局", "http://gaj.changsha.gov.cn/zfxxgk/ndbg/2022/t1001.html", "发布时间：2022-01-20", 1},
	{"001_33cbb0de23e7a3a9.txt", "济源示范区公安局", "http://gaj.jiyuan.gov.cn/xxgk/ndbg/2022/0128.html", "", 1},
	{"002_c513a80de85e28c5.txt", "湘潭县公安局", "http://www.xtx.gov.cn/zwgk/gaj/ndbg/2025/0120.html", "", 1},
	{"003_5b5855e3c5339d3b.txt", "嵊泗县公安局", "http://www.shengsi.gov.cn/art/2021/1/26/art_1229.html", "", 1},
	{"004_dda7dad8d758c7d1.txt", "宁波市公安局", "http://gaj.ningbo.gov.cn/art/2022/2/15/art_1.html", "发布日期：2022-02-15", 2},
}

const (
	noticeURL = "http://gaj.ningbo.gov.cn/art/notice.html"
	evilURL   = "http://gaj.changsha.gov.cn/evil.html"
	attachURL = "http://gaj.changsha.gov.cn/zfxxgk/ndbg/2022/附件1.pdf"
	failedURL = "http://gaj.jiyuan.gov.cn/slow.html"
)

// fixture is an archive built in a temporary directory and a Server over it.
type fixture struct {
	a       *archive.Archive
	srv     *Server
	logs    *syncBuffer
	reports map[string]string // agency → capture ID of its report
	// broken is the 宁波 report's capture, with one Table 3 cell changed so
	// that validation fails; brokenCell is that cell.
	broken, brokenCell string
	evil, attach       string
	notice1, notice2   string
	failed             string
	parsed             map[string]*report.Report // capture ID → report stored
}

// syncBuffer is a log buffer safe for concurrent writes.
type syncBuffer = testlog.Buffer

// pageHTML wraps a report text as the HTML page a site would serve.
func pageHTML(title, text string) []byte {
	return []byte("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(title) +
		"</title></head><body><pre>" + html.EscapeString(text) + "</pre></body></html>")
}

var fixtureStart = time.Date(2025, 1, 10, 2, 0, 0, 0, time.UTC)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	a, err := archive.Open(filepath.Join(t.TempDir(), "test.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	agencies, err := seeds.Parse(strings.NewReader(seedsText))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{a: a, logs: &syncBuffer{}, reports: map[string]string{}, parsed: map[string]*report.Report{}}
	f.srv = &Server{Archive: a, Agencies: agencies, From: 2019, To: 2024,
		Now:    func() time.Time { return time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC) },
		Logger: slog.New(slog.NewTextHandler(f.logs, nil))}
	at := fixtureStart
	put := func(c *archive.Capture, body []byte, text string) string {
		t.Helper()
		at = at.Add(time.Minute)
		if c.FetchedAt.IsZero() {
			c.FetchedAt = at
		}
		if err := a.Put(c, body, text); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	for _, sr := range seedReports {
		raw, err := os.ReadFile(filepath.Join("testdata", "seeds", sr.file))
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		if sr.dateLine != "" {
			lines := strings.SplitAfter(strings.TrimLeft(text, "\n"), "\n")
			n := max(sr.titleLines, 1)
			text = strings.Join(lines[:n], "") + sr.dateLine + "\n" + strings.Join(lines[n:], "")
		}
		lines := strings.Split(strings.TrimSpace(strings.TrimLeft(text, "# \n")), "\n")
		title := strings.Join(lines[:max(sr.titleLines, 1)], "")
		c := &archive.Capture{URL: sr.url, Status: 200, ContentType: "text/html", Charset: "utf-8",
			Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Agency: sr.agency, Role: archive.RoleReport,
			Title: title, DiscoveredFrom: "http://" + strings.Split(sr.url, "/")[2] + "/"}
		id := put(c, pageHTML(title, text), text)
		doc, err := extract.ReadText([]byte(text))
		if err != nil {
			t.Fatalf("read %s: %v", sr.file, err)
		}
		r, err := extract.ParseDocument(doc, extract.Options{Source: report.Source{URL: c.URL, CaptureID: id, Digest: c.Digest,
			FetchedAt: c.FetchedAt.Format(time.RFC3339)}})
		if err != nil {
			t.Fatalf("parse %s: %v", sr.file, err)
		}
		if sr.agency == "宁波市公安局" {
			// break Table 3: new_received.total one more than its row and balance
			v := *r.Applications.Rows["new_received"][6] + 1
			r.Applications.Rows["new_received"][6] = &v
			r.Checks = report.Validate(r)
			f.broken, f.brokenCell = id, "new_received.total"
		}
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.PutReport(id, data); err != nil {
			t.Fatal(err)
		}
		f.reports[sr.agency] = id
		f.parsed[id] = r
	}
	f.attach = put(&archive.Capture{URL: attachURL, Status: 200, ContentType: "application/pdf", Agency: "长沙市公安局",
		Role: archive.RoleAttachment, Title: "附件1：2021年年报.pdf", DiscoveredFrom: seedReports[0].url},
		[]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), "")
	f.evil = put(&archive.Capture{URL: evilURL, Status: 200, ContentType: "text/html", Charset: "utf-8",
		Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Agency: "长沙市公安局", Role: archive.RoleOther,
		Title: "<b>archived</b> & title"}, []byte(evilHTML), "archived page")
	f.notice1 = put(&archive.Capture{URL: noticeURL, Status: 200, ContentType: "text/html", Agency: "宁波市公安局", Role: archive.RoleOther},
		[]byte("<p>v1</p>"), "关于政府信息公开工作的通知\n第一条 按期公开年度报告。\n第二条 报告于1月31日前发布。\n联系电话：0574-87062074\n")
	f.notice2 = put(&archive.Capture{URL: noticeURL, Status: 200, ContentType: "text/html", Agency: "宁波市公安局", Role: archive.RoleOther},
		[]byte("<p>v2</p>"), "关于政府信息公开工作的通知\n第一条 按期公开年度报告。\n第二条 报告于3月31日前发布。\n联系电话：0574-87062074\n")
	f.failed = put(&archive.Capture{URL: failedURL, Error: "fetch: context deadline exceeded", Agency: "济源示范区公安局", Role: archive.RoleOther}, nil, "")
	for _, r := range []*archive.Run{
		{Kind: "harvest", Started: fixtureStart.Add(-24 * time.Hour), Ended: fixtureStart.Add(-23 * time.Hour), Pages: 40, NewCaptures: 3, Status: "done"},
		{Kind: "harvest", Started: fixtureStart, Ended: fixtureStart.Add(20 * time.Minute), Pages: 52, NewCaptures: 11, NewReports: 5, Errors: 1,
			New: []string{seedReports[4].url, noticeURL}, Status: "done"},
	} {
		if err := a.PutRun(r); err != nil {
			t.Fatal(err)
		}
	}
	return f
}
