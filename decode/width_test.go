package decode

import "testing"

func TestFoldWidth(t *testing.T) {
	for _, tc := range []struct{ in, keep, want string }{
		{"２０２１年", "", "2021年"},
		{"ＡＢＣ！～", "", "ABC!~"},
		{"一、总体情况（２０２１）：", "（）：", "一、总体情况（2021）："},
		{"行政许可　１２５", "", "行政许可 125"},
		{"￥１，２３４．５", "", "¥1,234.5"},
		{"ｶ", "", "カ"},
		{"plain 年报", "", "plain 年报"},
		{"", "", ""},
	} {
		if got := FoldWidth(tc.in, tc.keep); got != tc.want {
			t.Errorf("FoldWidth(%q, %q) = %q, want %q", tc.in, tc.keep, got, tc.want)
		}
	}
	if got := Widen("12"); got != "１２" {
		t.Errorf("Widen = %q", got)
	}
	s := "政府信息公开2021"
	if testing.AllocsPerRun(10, func() { _ = FoldWidth(s, "") }) != 0 {
		t.Error("FoldWidth allocates on text with nothing to fold")
	}
}
