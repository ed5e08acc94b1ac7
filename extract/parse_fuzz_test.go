package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// addTextSeeds adds every text rendering under testdata as a fuzz seed.
func addTextSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/text/*.txt")
	more, _ := filepath.Glob("testdata/corpus/*.txt")
	for _, p := range append(files, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(buildReport("某局2021年度政府信息公开工作年度报告", nil, nil)))
	f.Add([]byte("| a | b |\n|---|---|\n| 1 | 2 |\n"))
	f.Add([]byte("一、本年新收政府信息公开申请数量\t１\t—\t无\t/\t\t1,000\t¥2万元\n"))
}

// FuzzReadText: ReadText and ParseDocument never panic, and the report
// always marshals to JSON.
func FuzzReadText(f *testing.F) {
	addTextSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := ReadText(b)
		if err != nil {
			return
		}
		r, err := ParseDocument(doc, Options{})
		if err != nil {
			return
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("marshal: %v", err)
		}
		for _, row := range rowsOrNil(r.Applications) {
			if len(row) != 7 {
				t.Fatalf("row with %d cells", len(row))
			}
		}
	})
}

func rowsOrNil(a *report.Applications) map[string][]*float64 {
	if a == nil {
		return nil
	}
	return a.Rows
}

// docFromBytes builds a Document with grid tables from fuzz input:
// consecutive lines with tabs form one table (a cell starting with "^" is a
// spanned copy), other lines are text blocks, "##" starts a new table.
func docFromBytes(b []byte) *Document {
	doc := &Document{Meta: map[string]string{}}
	var grid [][]Cell
	flush := func() {
		if grid != nil {
			doc.Blocks = append(doc.Blocks, Block{Table: grid})
			grid = nil
		}
	}
	for _, ln := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(ln, "##") {
			flush()
			continue
		}
		if !strings.Contains(ln, "\t") {
			flush()
			doc.Blocks = append(doc.Blocks, Block{Text: ln})
			continue
		}
		var row []Cell
		for _, c := range strings.Split(ln, "\t") {
			span := strings.HasPrefix(c, "^")
			row = append(row, Cell{Text: strings.TrimPrefix(c, "^"), Span: span})
		}
		grid = append(grid, row)
	}
	flush()
	if len(doc.Blocks) > 0 && doc.Blocks[0].Table == nil {
		doc.Title = doc.Blocks[0].Text
	}
	doc.Meta["pubdate"] = doc.Title
	return doc
}

// FuzzParseDocument: ParseDocument never panics on any Document shape
// (ragged grids, spans everywhere, empty blocks).
func FuzzParseDocument(f *testing.F) {
	addTextSeeds(f)
	f.Add([]byte("某局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t^一、本年新收\t1\t2\n##\n\t\t\n行政复议\t^行政复议\t0\t0\t0\t0\t0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc := docFromBytes(b)
		r, err := ParseDocument(doc, Options{Year: 2021})
		if err != nil {
			return
		}
		_ = report.Validate(r)
		_ = report.CrossCheck(r, r)
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}
