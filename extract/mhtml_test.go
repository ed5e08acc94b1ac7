package extract

import (
	"bytes"
	"encoding/base64"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mhtml wraps an HTML page into a Word-style MIME web archive.
func mhtml(t *testing.T, page []byte, charset, enc string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"----=_NextPart_01D8\"\r\n\r\n")
	b.WriteString("此文档为“单个文件网页”。\r\n\r\n------=_NextPart_01D8\r\n")
	b.WriteString("Content-Location: file:///C:/report.htm\r\nContent-Transfer-Encoding: " + enc + "\r\nContent-Type: text/html; charset=\"" + charset + "\"\r\n\r\n")
	switch enc {
	case "quoted-printable":
		w := quotedprintable.NewWriter(&b)
		if _, err := w.Write(page); err != nil {
			t.Fatal(err)
		}
		w.Close()
	case "base64":
		s := base64.StdEncoding.EncodeToString(page)
		for len(s) > 76 {
			b.WriteString(s[:76] + "\r\n")
			s = s[76:]
		}
		b.WriteString(s)
	}
	b.WriteString("\r\n\r\n------=_NextPart_01D8\r\nContent-Location: file:///C:/report.files/filelist.xml\r\nContent-Type: text/xml; charset=\"utf-8\"\r\n\r\n<xml/>\r\n\r\n------=_NextPart_01D8--\r\n")
	return b.Bytes()
}

// TestMHTMLSeeds: a report saved by Word as a single-file web page and
// published as ".doc" (GBK, quoted-printable or base64) parses to the
// golden cells.
func TestMHTMLSeeds(t *testing.T) {
	for _, tc := range []struct{ name, enc string }{
		{"004_dda7dad8d758c7d1", "quoted-printable"},
		{"000_058c891ac62dd96d", "base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := os.ReadFile(filepath.Join("testdata", "html", tc.name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			cs := "utf-8"
			if htmlStyles[tc.name].gbk {
				cs = "gb2312"
				page = bytes.Replace(page, []byte("charset=gb2312"), []byte("charset=iso-8859-1"), 1) // the part header must win
			}
			data := mhtml(t, page, cs, tc.enc)
			if got := Sniff("report.doc", data); got != FormatHTML {
				t.Fatalf("Sniff = %q", got)
			}
			r, err := Parse("report.doc", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			compareCells(t, r, loadGolden(t, tc.name))
		})
	}
	if _, err := ReadHTML([]byte("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--x--\r\n"), ""); err == nil || !strings.Contains(err.Error(), "no text/html part") {
		t.Errorf("err = %v", err)
	}
}
