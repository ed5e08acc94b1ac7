package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// buildXLSX writes fixture items into one sheet as an office clerk would:
// text items in column A (the title merged across), tables with merged
// ranges for their spans, numbers as numeric cells with a rounding number
// format (the reader must read the raw value).
func buildXLSX(t testing.TB, items []fxItem, title string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "政府信息公开年报"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		t.Fatal(err)
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: title}); err != nil {
		t.Fatal(err)
	}
	style, err := f.NewStyle(&excelize.Style{NumFmt: 1}) // "0": would print 677.786 as 678
	if err != nil {
		t.Fatal(err)
	}
	row := 1
	cell := func(c, r int) string {
		n, err := excelize.CoordinatesToCellName(c, r)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, it := range items {
		if it.table == nil {
			if err := f.SetCellValue(sh, cell(1, row), it.text); err != nil {
				t.Fatal(err)
			}
			if it.bold {
				if err := f.MergeCell(sh, cell(1, row), cell(10, row)); err != nil {
					t.Fatal(err)
				}
			}
			row++
			continue
		}
		taken := map[[2]int]bool{}
		for i, tr := range it.table {
			col := 1
			for _, cl := range tr {
				for taken[[2]int{row + i, col}] {
					col++
				}
				ref := cell(col, row+i)
				if v, err := strconv.ParseFloat(cl.text, 64); err == nil {
					if err := f.SetCellValue(sh, ref, v); err != nil {
						t.Fatal(err)
					}
					if err := f.SetCellStyle(sh, ref, ref, style); err != nil {
						t.Fatal(err)
					}
				} else if err := f.SetCellValue(sh, ref, cl.text); err != nil {
					t.Fatal(err)
				}
				if cl.rs > 1 || cl.cs > 1 {
					if err := f.MergeCell(sh, ref, cell(col+cl.cs-1, row+i+cl.rs-1)); err != nil {
						t.Fatal(err)
					}
				}
				for r := 0; r < cl.rs; r++ {
					for k := 0; k < cl.cs; k++ {
						taken[[2]int{row + i + r, col + k}] = true
					}
				}
				col += cl.cs
			}
		}
		row += len(it.table) + 1 // an empty row after each table
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestXLSXSeeds writes each seed into a workbook and expects every cell
// of the golden files through Parse.
func TestXLSXSeeds(t *testing.T) {
	for name, st := range htmlStyles {
		t.Run(name, func(t *testing.T) {
			seed, err := os.ReadFile(filepath.Join("testdata", "text", name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			want := loadGolden(t, name)
			data := buildXLSX(t, fixtureDoc(string(seed), want, st.split), want.Title)
			if got := Sniff("download.do", data); got != FormatXLSX {
				t.Fatalf("Sniff = %q, want xlsx", got)
			}
			r, err := Parse(name+".xlsx", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			compareCells(t, r, want)
		})
	}
}

func TestReadXLSXMerges(t *testing.T) {
	items := []fxItem{{table: fxTable{
		{c("A", 2, 1), c("B", 1, 2)},
		{c("1", 1, 1), c("2.5", 1, 1)},
	}}}
	doc, err := ReadXLSX(buildXLSX(t, items, "T"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "T" || len(doc.Blocks) != 2 || doc.Blocks[0].Text != "政府信息公开年报" {
		t.Fatalf("doc: %q %+v", doc.Title, doc.Blocks)
	}
	want := [][]Cell{
		{{"A", false}, {"B", false}, {"B", true}},
		{{"A", true}, {"1", false}, {"2.5", false}},
	}
	if fmt.Sprint(doc.Blocks[1].Table) != fmt.Sprint(want) {
		t.Errorf("grid\ngot  %v\nwant %v", doc.Blocks[1].Table, want)
	}
	if _, err := ReadXLSX([]byte("PK\x03\x04broken")); err == nil {
		t.Error("broken workbook read without error")
	}
}

func TestRawNumber(t *testing.T) {
	for in, want := range map[string]string{
		"2159.0450000000001":   "2159.045",
		"0.30000000000000004":  "0.3",
		"677.786":              "677.786",
		"12345678901234567890": "12345678901234567890", // an index number, not a float
		"1.2345678901234567e5": "123456.789012346",
		"规章":                   "规章",
		"":                     "",
	} {
		if got := rawNumber(in); got != want {
			t.Errorf("rawNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestXLSXSheetPerTable: a workbook with one sheet per template table and
// no prose (the title only in the document properties) parses to the
// golden cells of seed 004.
func TestXLSXSheetPerTable(t *testing.T) {
	name := "004_dda7dad8d758c7d1"
	seed, err := os.ReadFile(filepath.Join("testdata", "text", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := loadGolden(t, name)
	var tables []fxTable
	for _, it := range fixtureDoc(string(seed), want, false) {
		if it.table != nil {
			tables = append(tables, it.table)
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetDocProps(&excelize.DocProperties{Title: want.Title}))
	names := []string{"主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议行政诉讼情况"}
	if len(tables) != len(names) {
		t.Fatalf("%d tables", len(tables))
	}
	for i, tb := range tables {
		sh := names[i]
		if i == 0 {
			must(f.SetSheetName("Sheet1", sh))
		} else if _, err := f.NewSheet(sh); err != nil {
			t.Fatal(err)
		}
		taken := map[[2]int]bool{}
		for r, tr := range tb {
			col := 1
			for _, cl := range tr {
				for taken[[2]int{r + 1, col}] {
					col++
				}
				ref, err := excelize.CoordinatesToCellName(col, r+1)
				must(err)
				must(f.SetCellValue(sh, ref, cl.text))
				if cl.rs > 1 || cl.cs > 1 {
					end, err := excelize.CoordinatesToCellName(col+cl.cs-1, r+cl.rs)
					must(err)
					must(f.MergeCell(sh, ref, end))
				}
				for a := 0; a < cl.rs; a++ {
					for b := 0; b < cl.cs; b++ {
						taken[[2]int{r + 1 + a, col + b}] = true
					}
				}
				col += cl.cs
			}
		}
	}
	buf, err := f.WriteToBuffer()
	must(err)
	r, err := Parse(name+".xlsx", buf.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	compareCells(t, r, want)
}
