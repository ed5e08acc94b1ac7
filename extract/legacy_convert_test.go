package extract

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needConverter skips the test when bin is not installed, or fails it
// when NIANBAO_REQUIRE_LEGACY is set (CI sets it and installs catdoc and
// antiword).
func needConverter(t *testing.T, bin, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err != nil {
		if os.Getenv("NIANBAO_REQUIRE_LEGACY") != "" {
			t.Fatalf("%s not found and NIANBAO_REQUIRE_LEGACY is set: apt-get install -y %s", bin, pkg)
		}
		t.Skipf("%s not installed (apt-get install -y %s)", bin, pkg)
	}
}

// readFixture reads a file of testdata/legacy.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(legacyDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestLegacyTextConverters runs catdoc and antiword on each seed's .doc:
// their text loses merged cells, so some cells stay null, but agency, year
// and template are read and no cell they give differs from the golden.
func TestLegacyTextConverters(t *testing.T) {
	for _, cv := range []struct {
		bin     string
		read    func(context.Context, []byte) (*Document, error)
		minSame int // cells equal to the golden (blanks included), of 207
	}{
		{"catdoc", catdocDOC, 20},
		{"antiword", antiwordDOC, 10},
	} {
		t.Run(cv.bin, func(t *testing.T) {
			needConverter(t, cv.bin, cv.bin)
			for _, name := range legacySeeds() {
				doc, err := cv.read(context.Background(), readFixture(t, name+".doc"))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if doc.Meta["reader"] != cv.bin {
					t.Errorf("%s: reader %q", name, doc.Meta["reader"])
				}
				r, err := ParseDocument(doc, Options{})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want := loadGolden(t, name)
				if r.Agency != want.Agency || r.Year != want.Year || r.Template != want.Template {
					t.Errorf("%s: %s/%d/%s, want %s/%d/%s", name, r.Agency, r.Year, r.Template, want.Agency, want.Year, want.Template)
				}
				a := compareLeaves(r, want)
				if len(a.wrong) > 0 {
					t.Errorf("%s: cells differing from the golden: %v", name, a.wrong)
				}
				if a.same < cv.minSame {
					t.Errorf("%s: only %d cells as in the golden", name, a.same)
				}
				t.Logf("%s: %d cells as in the golden, %d null", name, a.same, a.missing)
			}
		})
	}
}

// TestLegacyXLS2CSV runs xls2csv on each seed's .xls. catdoc 0.95's
// xls2csv garbles the Chinese shared strings of these files and loses the
// cells after some of them (which is why soffice comes first), so the
// test asserts what it does give: its numbers, in reading order, are a
// subsequence of the Go reader's, never a number the workbook lacks, and
// at least half of them.
func TestLegacyXLS2CSV(t *testing.T) {
	needConverter(t, "xls2csv", "catdoc")
	for _, name := range legacySeeds() {
		data := readFixture(t, name+".xls")
		conv, err := xls2csvXLS(context.Background(), data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		goDoc, err := ReadXLS(data)
		if err != nil {
			t.Fatal(err)
		}
		got, want := numberCells(conv), numberCells(goDoc)
		if !isSubsequence(got, want) || 2*len(got) < len(want) {
			t.Errorf("%s: xls2csv numbers\n%v\nGo reader\n%v", name, got, want)
		}
		t.Logf("%s: xls2csv gives %d of the %d numbers", name, len(got), len(want))
	}
}

// isSubsequence reports whether a appears in b in order.
func isSubsequence(a, b []string) bool {
	i := 0
	for _, s := range b {
		if i < len(a) && a[i] == s {
			i++
		}
	}
	return i == len(a)
}

// numberCells lists the numeric cells of a Document's tables in reading
// order, spanned copies left out.
func numberCells(doc *Document) []string {
	var out []string
	for _, b := range doc.Blocks {
		for _, row := range b.Table {
			for _, c := range row {
				if c.Span || c.Text == "" || strings.Trim(c.Text, "0123456789.") != "" {
					continue
				}
				out = append(out, c.Text)
			}
		}
	}
	return out
}

// TestLegacySoffice converts seed 004 with LibreOffice when it is
// installed (it is never required) and expects every golden cell.
func TestLegacySoffice(t *testing.T) {
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Skip("soffice not installed (optional: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
	}
	if testing.Short() {
		t.Skip("soffice takes seconds per file")
	}
	name := "004_dda7dad8d758c7d1"
	want := loadGolden(t, name)
	for _, tc := range []struct {
		ext  string
		read func(context.Context, []byte) (*Document, error)
	}{{".doc", sofficeDOC}, {".xls", sofficeXLS}} {
		t.Run(tc.ext, func(t *testing.T) {
			doc, err := tc.read(context.Background(), readFixture(t, name+tc.ext))
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseDocument(doc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			compareCells(t, r, want)
		})
	}
}

// fibAt returns the offset of the FIB in a fixture .doc (the
// WordDocument stream starts on a sector with the Word identifier).
func fibAt(t *testing.T, data []byte) int {
	t.Helper()
	for off := 512; off+0x200 < len(data); off += 512 {
		if binary.LittleEndian.Uint16(data[off:]) == docWordIdent {
			return off
		}
	}
	t.Fatal("no FIB in the fixture")
	return 0
}

// TestReadLegacyFallback: when the Go reader cannot read a document
// (here its piece table is cut off, or its FIB says Word 6/95), ReadLegacy
// gives it to the converters; with only catdoc on PATH, catdoc reads it
// and Meta says why.
func TestReadLegacyFallback(t *testing.T) {
	needConverter(t, "catdoc", "catdoc")
	bin := t.TempDir()
	catdoc, _ := exec.LookPath("catdoc")
	if err := os.Symlink(catdoc, filepath.Join(bin, "catdoc")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	name := "004_dda7dad8d758c7d1"
	orig := readFixture(t, name+".doc")
	fib := fibAt(t, orig)
	for _, tc := range []struct {
		name, note string
		corrupt    func(b []byte)
	}{
		{"no piece table", "CLX", func(b []byte) { binary.LittleEndian.PutUint32(b[fib+0x1A6:], 0) }},
		{"word 6 fib", "Word 6/95", func(b []byte) { binary.LittleEndian.PutUint16(b[fib+2:], 0x0065) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Clone(orig)
			tc.corrupt(data)
			if _, err := ReadDOC(data); err == nil || !strings.Contains(err.Error(), tc.note) {
				t.Fatalf("Go reader: %v, want an error naming %q", err, tc.note)
			}
			doc, err := ReadLegacy(context.Background(), FormatDOC, data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Meta["reader"] != "catdoc" || !strings.Contains(doc.Meta["reader_note"], tc.note) {
				t.Errorf("reader %q, note %q", doc.Meta["reader"], doc.Meta["reader_note"])
			}
			r, err := ParseDocument(doc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if want := loadGolden(t, name); r.Agency != want.Agency || r.Year != want.Year {
				t.Errorf("%s/%d", r.Agency, r.Year)
			}
			pr, err := Parse(name+".doc", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !hasWarning(pr, "legacy document read by catdoc") {
				t.Errorf("no warning naming catdoc: %q", pr.Warnings)
			}
		})
	}
	t.Run("no converter", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		data := bytes.Clone(orig)
		binary.LittleEndian.PutUint32(data[fib+0x1A6:], 0)
		_, err := ReadLegacy(context.Background(), FormatDOC, data)
		for _, w := range []string{"CLX", "soffice not found", "catdoc not found", "antiword not found"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v does not say %q", err, w)
			}
		}
	})
}
