package extract

import (
	"reflect"
	"testing"
)

// TestFieldsWithPos: fields and their rune columns, the slicing path
// (valid UTF-8) agreeing with the copying one.
func TestFieldsWithPos(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []posField
	}{
		{"", nil},
		{"   ", nil},
		{"行政许可 12 3", []posField{{"行政许可", 0, 4}, {"12", 5, 7}, {"3", 8, 9}}},
		{"\u3000收到申请\u00a0 5\t", []posField{{"收到申请", 1, 5}, {"5", 7, 8}}},
		{"a\u200bb", []posField{{"a", 0, 1}, {"b", 2, 3}}},
	} {
		got := fieldsWithPos(tc.line)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("fieldsWithPos(%q) = %v, want %v", tc.line, got, tc.want)
		}
		if cp := fieldsWithPosCopy(tc.line); !reflect.DeepEqual(cp, got) {
			t.Errorf("fieldsWithPosCopy(%q) = %v, slicing gave %v", tc.line, cp, got)
		}
	}
	// a bad byte reads as U+FFFD, as it always did
	if got := fieldsWithPos("a\xffb c"); !reflect.DeepEqual(got, []posField{{"a\uFFFDb", 0, 3}, {"c", 4, 5}}) {
		t.Errorf("invalid UTF-8: %v", got)
	}
}
