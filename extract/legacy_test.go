package extract

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// legacySeeds lists the seed names of the legacy fixtures.
func legacySeeds() []string {
	var names []string
	for name := range htmlStyles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// TestLegacySeeds reads each seed's LibreOffice-written .doc and .xls, and
// its CMS page saved from Writer as .doc (layout tables around the report
// tables), with the Go readers through Parse — also under the names WPS
// Office gives the same formats (.wps, .et) and under a name that says
// nothing (the compound file's streams decide) — and expects every cell
// of the golden files.
func TestLegacySeeds(t *testing.T) {
	for _, name := range legacySeeds() {
		want := loadGolden(t, name)
		for _, tc := range []struct{ file, as, sniffed, reader string }{
			{name + ".doc", name + ".doc", FormatDOC, "doc-go"},
			{name + ".doc", name + ".wps", FormatWPS, "doc-go"},
			{name + ".doc", "download.do", FormatDOC, "doc-go"},
			{name + ".web.doc", name + ".web.doc", FormatDOC, "doc-go"},
			{name + ".xls", name + ".xls", FormatXLS, "xls-go"},
			{name + ".xls", name + ".et", FormatET, "xls-go"},
			{name + ".xls", "attachment", FormatXLS, "xls-go"},
		} {
			t.Run(tc.as, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(legacyDir, tc.file))
				if err != nil {
					t.Fatal(err)
				}
				if got := Sniff(tc.as, data); got != tc.sniffed {
					t.Fatalf("Sniff = %q, want %q", got, tc.sniffed)
				}
				doc, err := ReadLegacy(context.Background(), tc.sniffed, data)
				if err != nil {
					t.Fatal(err)
				}
				if doc.Meta["reader"] != tc.reader {
					t.Errorf("reader %q (%s), want %q", doc.Meta["reader"], doc.Meta["reader_note"], tc.reader)
				}
				r, err := Parse(tc.as, data, Options{})
				if err != nil {
					t.Fatal(err)
				}
				compareCells(t, r, want)
			})
		}
	}
}

// TestReadLegacyNoConverter: an encrypted document or a corrupt container
// is an error naming it, and no converter is run (none could read it).
func TestReadLegacyNoConverter(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // a converter run would fail with "not found"
	doc := readFixture(t, "004_dda7dad8d758c7d1.doc")
	enc := bytes.Clone(doc)
	enc[fibAt(t, enc)+0x0B] |= 0x01 // fEncrypted
	for _, tc := range []struct {
		name, format string
		data         []byte
		want         string
	}{
		{"encrypted doc", FormatDOC, enc, "encrypted"},
		{"truncated doc", FormatDOC, doc[:1000], "corrupt compound file"},
		{"xls without a workbook", FormatXLS, doc, "no Workbook stream"},
		{"doc without a WordDocument", FormatWPS, readFixture(t, "004_dda7dad8d758c7d1.xls"), "no WordDocument stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadLegacy(context.Background(), tc.format, tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "not found") {
				t.Errorf("error %v, want %q and no converter", err, tc.want)
			}
		})
	}
}

// BenchmarkReadLegacy measures the Go readers on seed 004.
func BenchmarkReadLegacy(b *testing.B) {
	for _, ext := range []string{".doc", ".xls"} {
		data, err := os.ReadFile(filepath.Join(legacyDir, "004_dda7dad8d758c7d1"+ext))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(ext, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse("a"+ext, data, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
