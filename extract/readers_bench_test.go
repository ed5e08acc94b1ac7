package extract

import (
	"os"
	"testing"
)

// BenchmarkParseHTML measures Parse (Sniff, ReadHTML, ParseDocument) of a
// typical Word-export HTML report page: seed 000 (UTF-8, TRS #zoom page)
// and seed 004 (GBK, layout-table page).
func BenchmarkParseHTML(b *testing.B) {
	for _, name := range []string{"000_058c891ac62dd96d", "004_dda7dad8d758c7d1"} {
		data, err := os.ReadFile("testdata/html/" + name + ".html")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse(name+".html", data, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
		})
	}
}

// BenchmarkReadHTML measures the reader alone (no template parsing).
func BenchmarkReadHTML(b *testing.B) {
	data, err := os.ReadFile("testdata/html/000_058c891ac62dd96d.html")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadHTML(data, ""); err != nil {
			b.Fatal(err)
		}
	}
}
