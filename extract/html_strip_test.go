package extract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sameAsUnstripped fails when the page read without its presentational
// attributes (what ReadHTML does) differs from the page read whole.
func sameAsUnstripped(t *testing.T, page []byte, got *Document) {
	t.Helper()
	whole, err := readHTML(page, "", false)
	if err != nil {
		t.Fatalf("stripped page read, whole page: %v", err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(whole)
	if string(g) != string(w) {
		t.Errorf("stripping presentational attributes changed the document:\nstripped %.600s\nwhole    %.600s", g, w)
	}
}

func TestStripPresentation(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<td style="border:solid" valign=top colspan=2>x</td>`, `<td   colspan=2>x</td>`},
		{`<div style="display:none">a</div>`, `<div style="display:none">a</div>`},
		{`<p STYLE='VISIBILITY:HIDDEN'>a</p>`, `<p STYLE='VISIBILITY:HIDDEN'>a</p>`},
		{`<script>var s='<td style="x">';</script><td align=center>`, `<script>var s='<td style="x">';</script><td >`},
		{`<!-- <td style="x"> --><td lang=EN-US>`, `<!-- <td style="x"> --><td >`},
		{`<td style="a>b" class=c>`, `<td  class=c>`},
		{`<td style="unterminated>`, `<td style="unterminated>`},
		{`a < b and <3 <td style=x`, `a < b and <3 <td style=x`},
		{`<p class="MsoNormal"><span lang="EN-US">&nbsp;</span></p>`, `<p class="MsoNormal"><span >&nbsp;</span></p>`},
		{`<TEXTAREA><b style=x></textarea><b style=y>`, `<TEXTAREA><b style=x></textarea><b >`},
	} {
		if got := string(stripPresentation([]byte(tc.in))); got != tc.want {
			t.Errorf("stripPresentation(%q)\ngot  %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestStripPresentationSameDocument: the fixture pages and the layout
// variants read the same with and without their presentational
// attributes.
func TestStripPresentationSameDocument(t *testing.T) {
	files, _ := filepath.Glob("testdata/html/*.html")
	if len(files) == 0 {
		t.Fatal("no html fixtures")
	}
	pages := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[f] = b
	}
	for _, tr := range variantTruths(t) {
		if tr.rep.Applications != nil {
			pages[tr.name+" variant"] = variantHTML(tr.rep, &t3Variant{perm: []int{6, 5, 3, 1, 4, 2, 0}, t4: "transposed"})
		}
	}
	for name, b := range pages {
		t.Run(name, func(t *testing.T) {
			doc, err := ReadHTML(b, "")
			if err != nil {
				t.Fatal(err)
			}
			sameAsUnstripped(t, b, doc)
		})
	}
}

// TestStripPresentationOwned: stripping in place gives the bytes a copy
// gives, for every page of testdata/html.
func TestStripPresentationOwned(t *testing.T) {
	files, err := filepath.Glob("testdata/html/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test pages: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := stripPresentation(data)
		got := stripPresentationOwned(bytes.Clone(data))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: in place differs from a copy", f)
		}
	}
}
