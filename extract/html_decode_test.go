package extract

import "testing"

// TestReadHTMLFewChineseMislabelled is issue 10's charset case on the
// extract side: a UTF-8 page labelled gb2312 (header or meta) with only a
// few Chinese characters reads as UTF-8, as the crawler stores it.
func TestReadHTMLFewChineseMislabelled(t *testing.T) {
	for _, tc := range []struct{ name, ct, page string }{
		{"header", "text/html; charset=gb2312", "<html><head><title>2021年报</title></head><body></body></html>"},
		{"meta", "", `<html><head><meta charset="gb2312"><title>2021年报</title></head><body></body></html>`},
		{"http-equiv", "text/html", `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>2021年报</title></head><body></body></html>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ReadHTML([]byte(tc.page), tc.ct)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != "2021年报" || doc.Meta["charset"] != "utf-8" {
				t.Errorf("title %q charset %q; want 2021年报 utf-8", doc.Title, doc.Meta["charset"])
			}
		})
	}
}
