package archive

import (
	"bytes"
	"testing"
)

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ID
		ok   bool
	}{
		{"1", 1, true},
		{"42", 42, true},
		{"9223372036854775807", 1<<63 - 1, true},
		{"9999999999999999999", 9999999999999999999, true},
		{"12345678901234567890", 0, false}, // 20 digits
		{"", 0, false},
		{"0", 0, false},
		{"007", 0, false},
		{"+1", 0, false},
		{"-1", 0, false},
		{"1a", 0, false},
		{" 1", 0, false},
		{"１", 0, false}, // full-width digit
		{"123456789012345678901", 0, false},
	} {
		got, err := ParseID(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseID(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("ParseID(%q).String() = %q", tc.in, got.String())
		}
		if ValidID(tc.in) != tc.ok {
			t.Errorf("ValidID(%q) = %v", tc.in, !tc.ok)
		}
		if n := IDNum(tc.in); n != uint64(tc.want) {
			t.Errorf("IDNum(%q) = %d", tc.in, n)
		}
	}
}

func TestIDKeyOrder(t *testing.T) {
	ids := []ID{1, 2, 9, 10, 255, 256, 1 << 40}
	for i := 1; i < len(ids); i++ {
		if bytes.Compare(ids[i-1].key(), ids[i].key()) >= 0 {
			t.Errorf("key(%d) does not sort before key(%d)", ids[i-1], ids[i])
		}
	}
	for _, id := range ids {
		if idOfKey(id.key()) != id || idString(id.key()) != id.String() {
			t.Errorf("key round trip of %d", id)
		}
	}
}
