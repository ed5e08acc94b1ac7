package extract

import (
	"os"
	"testing"
)

// BenchmarkParseText measures ReadText+ParseDocument of one seed text report.
func BenchmarkParseText(b *testing.B) {
	data, err := os.ReadFile("testdata/text/004_dda7dad8d758c7d1.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		doc, err := ReadText(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseDocument(doc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

// BenchmarkParseLayout measures a pdftotext -layout report (the largest corpus file).
func BenchmarkParseLayout(b *testing.B) {
	data, err := os.ReadFile("testdata/corpus/005_huaian_2024.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		doc, err := ReadText(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseDocument(doc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

// BenchmarkParseGrid measures ParseDocument alone on a report whose tables
// arrive as grids (what the HTML/DOCX readers hand over), seed 004 rebuilt.
func BenchmarkParseGrid(b *testing.B) {
	data, err := os.ReadFile("testdata/text/004_dda7dad8d758c7d1.txt")
	if err != nil {
		b.Fatal(err)
	}
	doc := gridDocFromSeed(string(data))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDocument(doc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
