package extract

import (
	"context"
	"os"
	"path/filepath"
	"sort"
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

// TestLegacySeeds reads each seed's LibreOffice-written .doc and .xls with
// the Go readers through Parse — also under the names WPS Office gives
// the same formats (.wps, .et) and under a name that says nothing (the
// compound file's streams decide) — and expects every cell of the golden
// files.
func TestLegacySeeds(t *testing.T) {
	for _, name := range legacySeeds() {
		want := loadGolden(t, name)
		for _, tc := range []struct{ file, as, sniffed, reader string }{
			{name + ".doc", name + ".doc", FormatDOC, "doc-go"},
			{name + ".doc", name + ".wps", FormatWPS, "doc-go"},
			{name + ".doc", "download.do", FormatDOC, "doc-go"},
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
