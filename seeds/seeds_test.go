package seeds

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := "\ufeff# comment\n\nhttp://gaj.ningbo.gov.cn 宁波市公安局\nhttps://www.gov.example/xxgk/ 某市人民政府 government # trailing\n"
	got, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d agencies, want 2", len(got))
	}
	if got[0].URL != "http://gaj.ningbo.gov.cn/" || got[0].Name != "宁波市公安局" || got[0].Level != Department || got[0].Line != 3 || got[0].Host() != "gaj.ningbo.gov.cn" {
		t.Errorf("first = %+v", got[0])
	}
	if got[1].Level != Government || got[1].Line != 4 {
		t.Errorf("second = %+v", got[1])
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://a.gov.cn/\n", "line 1: want"},
		{"\n\nftp://a.gov.cn/ 某局\n", "line 3: \"ftp://a.gov.cn/\" is not an http(s) URL"},
		{"http://a.gov.cn/ 某局 province\n", "line 1: level \"province\""},
		{"http://a.gov.cn/ 某 局 department\n", "line 1: too many fields"},
		{"http://a.gov.cn/ 某局\nhttp://a.gov.cn/ 某局\n", "line 2: duplicate of line 1"},
		{"# nothing\n", "no agencies"},
	} {
		_, err := Parse(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want containing %q", tc.in, err, tc.want)
		}
	}
}
