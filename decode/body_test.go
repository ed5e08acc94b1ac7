package decode

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzBodyFacts checks the fast validity facts (check) against the byte
// census (count) they replace: valid UTF-8 (a cut rune at the end
// allowed) has no bad non-ASCII byte, and ASCII has no non-ASCII byte.
func FuzzBodyFacts(f *testing.F) {
	for _, s := range []string{
		"", "abc", "政府", "政府\xe5\xb9", "政府\xe5", "\xe5\xb9", "\xf0\x9f\x98", "\xf0\x9f\x98\x80",
		"政\xe9府", "\x80", "ab\xbf", "\xc3", "\xed\xa0\x80", "\xe5\xb9\xe5\xb9", "\xd5\xfe\xb8\xae",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := newBody(data)
		b.check()
		b.count()
		if b.valid != (b.badHigh == 0) {
			t.Errorf("%q: valid=%v but %d bad bytes", data, b.valid, b.badHigh)
		}
		if b.ascii != (b.high == 0) {
			t.Errorf("%q: ascii=%v but %d non-ASCII bytes", data, b.ascii, b.high)
		}
		if b.whole != utf8.Valid(data) {
			t.Errorf("%q: whole=%v", data, b.whole)
		}
	})
}

// cleanByRunes is clean as it was first written: decode every rune.
func cleanByRunes(dec []byte) bool {
	runes, bad := 0, 0
	for i := 0; i < len(dec); runes++ {
		r, n := utf8.DecodeRune(dec[i:])
		if r == utf8.RuneError {
			bad++
		}
		i += n
	}
	return bad*50 <= runes+1
}

// TestClean checks clean against a rune-by-rune count on valid UTF-8
// around the one-in-50 threshold.
func TestClean(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want bool
	}{
		{"empty", "", true},
		{"ascii", "abc", true},
		{"one replacement alone", "\uFFFD", false},
		{"two replacements alone", "\uFFFD\uFFFD", false},
		{"one in 50", "\uFFFD" + string(make([]byte, 49)), true},
		{"two in 50", "\uFFFD\uFFFD" + string(make([]byte, 48)), false},
		{"two in 100 Chinese", "\uFFFD\uFFFD" + strings.Repeat("政", 98), true},
		{"three in 100 Chinese", "\uFFFD\uFFFD\uFFFD" + strings.Repeat("政", 97), false},
	} {
		if got := clean([]byte(tc.text)); got != tc.want || got != cleanByRunes([]byte(tc.text)) {
			t.Errorf("%s: clean = %v, want %v (by runes %v)", tc.name, got, tc.want, cleanByRunes([]byte(tc.text)))
		}
	}
}

// TestOwned: Text is marked as the caller's to modify exactly when it
// does not share the input's memory.
func TestOwned(t *testing.T) {
	gbkPage := append([]byte(`<meta charset="gbk"><p>`), gbk(t, "政府信息公开")...)
	for _, tc := range []struct {
		name string
		body []byte
		ct   string
		want bool
	}{
		{"valid utf-8", []byte("<p>政府"), "", false},
		{"utf-8 bom", []byte("\xef\xbb\xbf<p>政府"), "", false},
		{"utf-8 with a stray byte", []byte("<p>政府信息公开\xe9 2021年度报告"), "text/html; charset=utf-8", true},
		{"gbk", gbkPage, "", true},
		{"windows-1252", []byte("caf\xe9"), "text/html; charset=windows-1252", true},
	} {
		in := bytes.Clone(tc.body)
		r := HTML(in, tc.ct)
		if r.Owned != tc.want {
			t.Errorf("%s: Owned = %v, want %v", tc.name, r.Owned, tc.want)
		}
		if r.Owned && len(r.Text) > 0 {
			r.Text[0] ^= 0xff
			if !bytes.Equal(in, tc.body) {
				t.Errorf("%s: Owned text shares the input's memory", tc.name)
			}
		}
	}
}
