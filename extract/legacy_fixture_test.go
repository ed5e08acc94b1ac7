package extract

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updateLegacy = flag.Bool("update-legacy", false, "rewrite the legacy .doc/.xls fixtures under testdata/legacy with LibreOffice (soffice) from the seeds and golden files")

// legacyDir holds the Word 97-2003 and Excel 97-2003 fixtures.
var legacyDir = filepath.Join("testdata", "legacy")

// TestWriteLegacyFixtures regenerates testdata/legacy with -update-legacy:
// each seed is written as a DOCX and an XLSX (the same layouts as
// TestDOCXSeeds and TestXLSXSeeds) and saved as .doc ("MS Word 97") and
// .xls ("MS Excel 97") by LibreOffice, a real producer of the binary
// formats; and each seed's CMS page (testdata/html) opened in Writer and
// saved as NAME.web.doc.
func TestWriteLegacyFixtures(t *testing.T) {
	if !*updateLegacy {
		t.Skip("run with -update-legacy to rewrite the fixtures (needs soffice)")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice not found: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")
	}
	tmp := t.TempDir()
	if err := os.MkdirAll(legacyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, st := range htmlStyles {
		seed, err := os.ReadFile(filepath.Join("testdata", "text", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := loadGolden(t, name)
		items := fixtureDoc(string(seed), want, st.split)
		for _, out := range []struct {
			ext, filter string
			data        []byte
		}{
			{"docx", "doc:MS Word 97", buildDOCX(t, docxWithGrid(docxBody(items), items), want.Title)},
			{"xlsx", "xls:MS Excel 97", buildXLSX(t, items, want.Title)},
		} {
			src := filepath.Join(tmp, name+"."+out.ext)
			if err := os.WriteFile(src, out.data, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			cmd := exec.CommandContext(ctx, soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(tmp, "profile"),
				"--convert-to", out.filter, "--outdir", legacyDir, src)
			if b, err := cmd.CombinedOutput(); err != nil {
				cancel()
				t.Fatalf("soffice %s: %v: %s", src, err, b)
			}
			cancel()
		}
		// The CMS page itself opened in Writer and saved as .doc: a
		// report copied from a web page into Word, layout tables and all.
		page := filepath.Join(tmp, name+".web.html")
		if err := os.Link(filepath.Join("testdata", "html", name+".html"), page); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(tmp, "profile"),
			"--convert-to", "doc:MS Word 97", "--outdir", legacyDir, page)
		if b, err := cmd.CombinedOutput(); err != nil {
			cancel()
			t.Fatalf("soffice %s: %v: %s", page, err, b)
		}
		cancel()
	}
}

// docxWithGrid gives each table of a docxBody its grid columns (Word
// writes them; docxBody leaves <w:tblGrid/> empty), so that LibreOffice
// lays spanned cells on shared column edges as a Word-authored .doc has
// them.
func docxWithGrid(body string, items []fxItem) string {
	var out strings.Builder
	for _, it := range items {
		if it.table == nil {
			continue
		}
		width := 0
		for _, cl := range it.table[0] {
			width += cl.cs
		}
		i := strings.Index(body, "<w:tblGrid/>")
		if i < 0 {
			break
		}
		out.WriteString(body[:i])
		out.WriteString("<w:tblGrid>")
		for k := 0; k < width; k++ {
			fmt.Fprintf(&out, `<w:gridCol w:w="%d"/>`, 9000/width)
		}
		out.WriteString("</w:tblGrid>")
		body = body[i+len("<w:tblGrid/>"):]
	}
	out.WriteString(body)
	return out.String()
}
