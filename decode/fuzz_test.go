package decode

import (
	"testing"
	"unicode/utf8"
)

// FuzzHTML: any bytes under any label decode to valid UTF-8 without a
// BOM, with a charset and a source named; Text either refuses or returns
// valid UTF-8, and IsText agrees with it.
func FuzzHTML(f *testing.F) {
	f.Add([]byte("<title>2021年报</title>"), "text/html; charset=gb2312")
	f.Add([]byte{0xc4, 0xea, 0xb1, 0xa8}, "text/html; charset=utf-8")
	f.Add([]byte("\xff\xfe<\x00p\x00"), "")
	f.Add([]byte(`<meta charset="utf-16"><p>x`), "text/html; charset=\"x")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		r := HTML(body, ct)
		if !utf8.Valid(r.Text) || r.Charset == "" || r.Decoder == "" || r.From == "" {
			t.Fatalf("HTML(%q, %q) = %q %s/%s from %q", body, ct, r.Text, r.Charset, r.Decoder, r.From)
		}
		if len(r.Text) >= 3 && string(r.Text[:3]) == "\ufeff" {
			t.Fatalf("BOM kept: %q", r.Text)
		}
		tr, err := Text(body)
		if err == nil && !utf8.Valid(tr.Text) {
			t.Fatalf("Text(%q) = %q, not UTF-8", body, tr.Text)
		}
		if IsText(body) != (err == nil && len(body) > 0) {
			t.Fatalf("IsText(%q) = %v, Text err %v", body, IsText(body), err)
		}
		_ = FoldWidth(string(body), "（）")
		_ = Binary(body)
	})
}
