package extract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
	"golang.org/x/net/html"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// loadGolden reads a hand-reviewed golden report.
func loadGolden(t testing.TB, name string) *report.Report {
	t.Helper()
	gb, err := os.ReadFile(filepath.Join("testdata", "golden", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var want report.Report
	if err := json.Unmarshal(gb, &want); err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	return &want
}

// compareCells compares the numeric tables and agency/year/template of two
// reports (not source, title or sections: those differ by rendering).
func compareCells(t *testing.T, got, want *report.Report) {
	t.Helper()
	for _, part := range []struct {
		name      string
		got, want any
	}{
		{"agency", got.Agency, want.Agency},
		{"year", got.Year, want.Year},
		{"template", got.Template, want.Template},
		{"active", got.Active, want.Active},
		{"applications", got.Applications, want.Applications},
		{"review_litigation", got.ReviewLitigation, want.ReviewLitigation},
	} {
		g, _ := json.Marshal(part.got)
		w, _ := json.Marshal(part.want)
		if string(g) != string(w) {
			t.Errorf("%s:\ngot  %s\nwant %s", part.name, g, w)
		}
	}
	failing := map[string]bool{}
	for _, c := range want.Checks {
		if !c.OK {
			failing[c.Rule+" "+strings.Join(c.Cells, ",")] = true
		}
	}
	for _, c := range got.Checks {
		if !c.OK && !failing[c.Rule+" "+strings.Join(c.Cells, ",")] {
			t.Errorf("check failing only in this rendering: %s: %s", c.Rule, c.Message)
		}
	}
}

// TestHTMLSeeds parses the Word-export HTML renderings of the five seeds
// (testdata/html, one CMS style each: TRS #zoom, .wzcon, an unnamed
// container, GBK UCAP and GBK layout-table pages, Table 3 split in two)
// and expects every cell of the hand-reviewed golden files.
func TestHTMLSeeds(t *testing.T) {
	for name, st := range htmlStyles {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "html", name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Parse(name+".html", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := loadGolden(t, name)
			compareCells(t, r, want)
			if r.Source.File != name+".html" {
				t.Errorf("source.file = %q", r.Source.File)
			}
			wantDate := parseDate(st.pubDate)
			if r.Published == nil || *r.Published != wantDate {
				t.Errorf("published = %v, want %s (the info bar above the body)", r.Published, wantDate)
			}
			if !strings.Contains(r.Sections.Problems+r.Sections.Other, strings.TrimSpace(firstRunes(want.Sections.Other, 10))) {
				t.Errorf("sections.other lost: got %q want %q", firstRunes(r.Sections.Other, 40), firstRunes(want.Sections.Other, 40))
			}
			for _, w := range r.Warnings {
				t.Logf("warning: %s", w)
			}
		})
	}
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// TestHTMLWordSpacers: Word's HTML export adds a zero-height row of empty
// cells fixing the column widths (inside <![if !supportMisc]>) and empty
// spacer cells at row ends; neither may shift a value.
func TestHTMLWordSpacers(t *testing.T) {
	for _, name := range []string{"000_058c891ac62dd96d", "003_5b5855e3c5339d3b"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "html", name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			if htmlStyles[name].gbk {
				if data, err = simplifiedchinese.GBK.NewDecoder().Bytes(data); err != nil {
					t.Fatal(err)
				}
				data = bytes.Replace(data, []byte("charset=gb2312"), []byte("charset=utf-8"), 1)
			}
			spacerRow := "<![if !supportMisc]><tr height=0>" + strings.Repeat("<td width=48 style='border:none'></td>", 16) + "</tr><![endif]>\n</table>"
			data = bytes.ReplaceAll(data, []byte("</table>"), []byte(spacerRow))
			data = bytes.ReplaceAll(data, []byte("</tr>"), []byte("<td style='border:none;padding:0' width=0><p class=MsoNormal>&nbsp;</p></td></tr>"))
			r, err := Parse(name+".html", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			compareCells(t, r, loadGolden(t, name))
		})
	}
}

// TestBodyCandidatesAreNecessary: every element a body selector matches in the
// test pages (and in a page built to hit each selector) passes the
// candidates prefilter of its index (and so for the title selectors),
// so the prefilter never hides a container or a title.
func TestBodyCandidatesAreNecessary(t *testing.T) {
	if len(bodySelectors) > 64 || len(titleSelectors) > 64 {
		t.Fatalf("%d body, %d title selectors: more than a 64-bit set holds", len(bodySelectors), len(titleSelectors))
	}
	pages := []string{`<body><div id="zoom"></div><div class="x TRS_Editor y"></div><div class="view TRS_UEDITOR">` +
		`</div><div id="Zoom" class="zoom"></div><article></article><div class="content main-content"></div><div class="a\tarticle-content\n"></div><h1>t</h1><p class="title">t</p><h2 id="title">t</h2></body>`}
	files, _ := filepath.Glob("testdata/html/*.html")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, string(data))
	}
	hits := 0
	for _, p := range pages {
		root, err := html.Parse(strings.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		for n := range root.Descendants() {
			for _, x := range []struct {
				idx  *selectorIndex
				sels []string
			}{{bodyIndex, bodySelectors}, {titleIndex, titleSelectors}} {
				for i, m := range x.idx.matchers {
					if m.Match(n) {
						hits++
						if x.idx.candidates(n)&(1<<i) == 0 {
							t.Errorf("%s matches <%s %v> but candidates leaves it out", x.sels[i], n.Data, n.Attr)
						}
					}
				}
			}
		}
	}
	if hits < 7 {
		t.Errorf("only %d matches: the test pages do not exercise the selectors", hits)
	}
}
