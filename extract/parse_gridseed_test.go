package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/report"
)

// gridDocFromSeed rebuilds the HTML tables a seed text was flattened from,
// the way an HTML reader hands them over: tab-separated lines are grid rows;
// in one-cell-per-line renderings ("\tcell" lines) an empty line ends a row
// and a line without a tab continues the previous cell.
func gridDocFromSeed(text string) *Document {
	doc := &Document{}
	var grid [][]Cell
	var row []Cell
	flushRow := func() {
		if row != nil {
			grid = append(grid, row)
			row = nil
		}
	}
	flushTable := func() {
		flushRow()
		if grid != nil {
			doc.Blocks = append(doc.Blocks, Block{Table: grid})
			grid = nil
		}
	}
	lines := strings.Split(text, "\n")
	for i, ln := range lines {
		switch {
		case strings.HasPrefix(ln, "\t") && strings.Count(ln, "\t") == 1:
			row = append(row, Cell{Text: strings.TrimSpace(ln[1:])})
		case strings.Contains(ln, "\t"):
			flushRow()
			var r []Cell
			for _, c := range strings.Split(ln, "\t") {
				r = append(r, Cell{Text: strings.TrimSpace(c)})
			}
			grid = append(grid, r)
		case strings.TrimSpace(ln) == "":
			flushRow()
			// two empty lines, or text after the empty line, end the table
			if i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "\t") && strings.TrimSpace(lines[i+1]) != "" {
				flushTable()
			}
		case row != nil:
			row[len(row)-1].Text += ln // continuation of a cell
		default:
			flushTable()
			doc.Blocks = append(doc.Blocks, Block{Text: strings.TrimSpace(ln)})
		}
	}
	flushTable()
	return doc
}

// TestSeedsAsGrids parses the seeds rebuilt as HTML-like grids and expects
// the same tables as the golden files of the text renderings.
func TestSeedsAsGrids(t *testing.T) {
	for _, name := range []string{"000_058c891ac62dd96d", "001_33cbb0de23e7a3a9", "002_c513a80de85e28c5", "004_dda7dad8d758c7d1"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "text", name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			doc := gridDocFromSeed(string(b))
			tables := 0
			for _, bl := range doc.Blocks {
				if bl.Table != nil {
					tables++
				}
			}
			if tables < 3 {
				t.Fatalf("only %d tables rebuilt", tables)
			}
			r, err := ParseDocument(doc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			gb, err := os.ReadFile(filepath.Join("testdata", "golden", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want report.Report
			if err := json.Unmarshal(gb, &want); err != nil {
				t.Fatal(err)
			}
			for _, part := range []struct {
				name      string
				got, want any
			}{
				{"active", r.Active, want.Active},
				{"applications", r.Applications, want.Applications},
				{"review_litigation", r.ReviewLitigation, want.ReviewLitigation},
				{"agency", r.Agency, want.Agency},
				{"year", r.Year, want.Year},
				{"template", r.Template, want.Template},
			} {
				g, _ := json.Marshal(part.got)
				w, _ := json.Marshal(part.want)
				if string(g) != string(w) {
					t.Errorf("%s:\ngot  %s\nwant %s", part.name, g, w)
				}
			}
			for _, c := range r.Checks {
				if !c.OK {
					t.Errorf("failing %s: %s", c.Rule, c.Message)
				}
			}
		})
	}
}
