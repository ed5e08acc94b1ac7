package decode

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHTML is the one table of the charset policy: every case the crawler
// and the extract readers met in the field.
func TestHTML(t *testing.T) {
	zhGBK := gbk(t, "政府信息公开工作年度报告")
	utf16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("<p>政府</p>"))
	utf16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("<p>政府</p>"))
	longHead := "<!--" + strings.Repeat(" padding ", 200) + "-->"
	for _, tc := range []struct {
		name, ct string
		body     []byte
		want     string // a substring of the text
		charset  string
		decoder  string
		from     Source
	}{
		{"utf-8 undeclared", "", []byte("<p>政府"), "政府", "utf-8", "utf-8", FromSniff},
		{"utf-8 by header", "text/html; charset=UTF-8", []byte("<p>政府"), "政府", "utf-8", "utf-8", FromHeader},
		{"utf-8 bom", "", []byte("\xef\xbb\xbf<p>政府"), "<p>政府", "utf-8", "utf-8", FromBOM},
		{"utf-8 bom beats a gbk header", "text/html; charset=gbk", []byte("\xef\xbb\xbf<p>政府"), "<p>政府", "utf-8", "utf-8", FromBOM},
		{"utf-16be bom", "", utf16be, "政府", "utf-16be", "utf-16be", FromBOM},
		{"utf-16le bom", "text/html; charset=gbk", utf16le, "政府", "utf-16le", "utf-16le", FromBOM},
		{"gbk by header", "text/html; charset=GBK", append([]byte("<p>"), zhGBK...), "政府", "gbk", "gb18030", FromHeader},
		{"gb2312 by meta charset", "text/html", append([]byte(`<meta charset="gb2312"><p>`), zhGBK...), "政府", "gbk", "gb18030", FromMeta},
		{"gbk by meta http-equiv", "", append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=gbk"><p>`), zhGBK...), "政府", "gbk", "gb18030", FromMeta},
		{"gbk meta after 1024 bytes", "", append([]byte(longHead+`<meta charset="gbk"><p>`), zhGBK...), "政府", "gbk", "gb18030", FromMeta},
		{"gbk sniffed", "text/html", append([]byte("<p>"), zhGBK...), "政府", "gb18030", "gb18030", FromSniff},
		{"gbk page labelled utf-8, meta gb2312", "text/html; charset=UTF-8",
			append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>`), zhGBK...), "政府", "gbk", "gb18030", FromMeta},
		{"gbk page labelled utf-8, no meta", "text/html; charset=utf-8", append([]byte("<p>"), zhGBK...), "政府", "gb18030", "gb18030", FromSniff},
		{"gbk page with few Chinese labelled utf-8", "text/html; charset=utf-8",
			append([]byte("<html><head><title>"+strings.Repeat("x", 3000)+"</title></head><p>2021"), gbk(t, "年报")...), "2021年报", "gb18030", "gb18030", FromSniff},
		{"utf-8 page with one stray byte stays utf-8", "text/html; charset=utf-8", []byte("<p>政府信息公开\xe9 2021年度报告"), "2021年度报告", "utf-8", "utf-8", FromHeader},
		{"utf-8 page cut mid-rune stays utf-8", "text/html; charset=utf-8", []byte("<p>政府信息公开\xe5\xb9"), "政府信息公开", "utf-8", "utf-8", FromHeader},
		{"utf-8 page, meta gbk, header right", "text/html; charset=utf-8", []byte(`<meta charset="gbk"><p>政府`), "政府", "utf-8", "utf-8", FromHeader},
		{"utf-8 page labelled gbk", "text/html; charset=gbk", []byte("<p>政府信息公开"), "政府信息公开", "utf-8", "utf-8", FromSniff},
		{"utf-8 page, meta gb2312, no header", "text/html", []byte(`<meta charset="gb2312"><p>政府信息公开`), "政府信息公开", "utf-8", "utf-8", FromSniff},
		// issue 10: the crawler stored 2021年报, extract parsed 2021骞存姤
		{"utf-8 page labelled gb2312, few Chinese", "text/html; charset=gb2312", []byte("<title>2021年报</title>"), "2021年报", "utf-8", "utf-8", FromSniff},
		{"utf-8 page, meta gb2312, few Chinese", "", []byte(`<meta charset="gb2312"><title>2021年报</title>`), "2021年报", "utf-8", "utf-8", FromSniff},
		{"utf-8 page labelled big5", "text/html; charset=big5", []byte("<p>政府"), "政府", "utf-8", "utf-8", FromSniff},
		{"utf-8 page labelled latin-1", "text/html;charset=ISO-8859-1", []byte("<html><p>政府信息公开"), "政府信息公开", "utf-8", "utf-8", FromSniff},
		{"gbk page labelled latin-1, meta gbk", "text/html; charset=ISO-8859-1", append([]byte(`<meta charset="gbk"><p>`), zhGBK...), "政府", "gbk", "gb18030", FromMeta},
		{"gbk page labelled latin-1", "text/html; charset=iso-8859-1", append([]byte("<p>"), zhGBK...), "政府", "gb18030", "gb18030", FromSniff},
		{"latin-1 page stays latin-1", "text/html; charset=iso-8859-1", []byte("<p>caf\xe9 cr\xe8me"), "café crème", "windows-1252", "windows-1252", FromHeader},
		{"ascii labelled gbk", "text/html; charset=gbk", []byte("<p>2021"), "2021", "gbk", "gb18030", FromHeader},
		{"unknown label ignored", "text/html; charset=x-nonsense", []byte("<p>政府"), "政府", "utf-8", "utf-8", FromSniff},
		{"meta utf-16 means utf-8", "", []byte(`<meta charset="utf-16"><p>政府`), "政府", "utf-8", "utf-8", FromMeta},
		{"malformed header still names its charset", `text/html; charset="gbk; x`, append([]byte("<p>"), zhGBK...), "政府", "gbk", "gb18030", FromHeader},
		{"empty", "", nil, "", "utf-8", "utf-8", FromSniff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := HTML(tc.body, tc.ct)
			if !bytes.Contains(r.Text, []byte(tc.want)) || r.Charset != tc.charset || r.Decoder != tc.decoder || r.From != tc.from {
				t.Errorf("HTML = %q, %s/%s from %s; want %q, %s/%s from %s", r.Text, r.Charset, r.Decoder, r.From, tc.want, tc.charset, tc.decoder, tc.from)
			}
			if bytes.HasPrefix(r.Text, []byte("\ufeff")) {
				t.Errorf("BOM kept: %q", r.Text)
			}
		})
	}
}

// TestHTMLInvalidBytes: bytes no decoder accepts become U+FFFD, never
// invalid UTF-8.
func TestHTMLInvalidBytes(t *testing.T) {
	for _, ct := range []string{"", "text/html; charset=utf-8", "text/html; charset=gbk", "text/html; charset=shift_jis"} {
		r := HTML([]byte("<p>\xff\xfe\x80\x81\xc0 ok"), ct)
		if !bytes.HasSuffix(r.Text, []byte(" ok")) || !bytes.Contains(r.Text, []byte("\ufffd")) {
			t.Errorf("%q: %q (%s)", ct, r.Text, r.Charset)
		}
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    []byte
		want    string
		charset string
		err     bool
	}{
		{"utf-8", []byte("一、总体情况\n"), "一、总体情况\n", "utf-8", false},
		{"utf-8 bom", []byte("\xef\xbb\xbf一、总体情况"), "一、总体情况", "utf-8", false},
		{"gbk", gbk(t, "一、总体情况\n"), "一、总体情况\n", "gb18030", false},
		{"utf-16 bom over binary", []byte{0xff, 0xfe, 0xff, 0x00, 0x81}, "", "", true},
		{"utf-16le", append([]byte{0xff, 0xfe}, '2', 0, '0', 0, 0x74, 0x5e), "20年", "utf-16le", false},
		{"binary", []byte("\x00\x01\xff\xfe\xfd\x80\x80\x80\x80\x80\x80"), "", "", true},
		{"empty", nil, "", "utf-8", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Text(tc.data)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "neither UTF-8 nor GB18030") {
					t.Errorf("err = %v", err)
				}
				return
			}
			if string(r.Text) != tc.want || r.Charset != tc.charset {
				t.Errorf("Text = %q %s", r.Text, r.Charset)
			}
			if IsText(tc.data) != (len(tc.data) > 0) {
				t.Errorf("IsText = %v", IsText(tc.data))
			}
		})
	}
}
