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

func TestParseCode(t *testing.T) {
	in := "http://a.gov.cn/ 某局 code=11220100MB1507524C\n" +
		"http://b.gov.cn/ 某县人民政府 government CODE=111500000115122125 # comment\n" +
		"http://c.gov.cn/ 某委\n"
	got, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Code != "11220100MB1507524C" || got[0].Level != Department {
		t.Errorf("first = %+v", got[0])
	}
	if got[1].Code != "111500000115122125" || got[1].Level != Government {
		t.Errorf("second = %+v", got[1])
	}
	if got[2].Code != "" {
		t.Errorf("third = %+v", got[2])
	}
}

func TestParseCodeErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://a.gov.cn/ 某局 code=11220100MB1507524\n", "line 1: code \"11220100MB1507524\": want 18 characters"},
		{"http://a.gov.cn/ 某局 code=11220100MB1507524D\n", "check character is D, want C"},
		{"http://a.gov.cn/ 某局 code=11220100MB15O7524C\n", "is not a code character"},
		{"http://a.gov.cn/ 某局 code=11220100MB1507524C code=111500000115122125\n", "code given twice"},
		{"http://a.gov.cn/ 某局 department code=11220100MB1507524C extra\n", "too many fields"},
	} {
		_, err := Parse(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want containing %q", tc.in, err, tc.want)
		}
	}
}

func TestCheckCode(t *testing.T) {
	for _, c := range []string{"11220100MB1507524C", "111500000115122125", "113706000042603877"} {
		if err := CheckCode(c); err != nil {
			t.Errorf("CheckCode(%s) = %v", c, err)
		}
	}
}
