package extractrun

import (
	"fmt"
	"testing"
)

// TestGroupHeads: reports are one group when linked, directly or through
// others, by a normalised agency or a source URL; groups and their members
// keep capture order.
func TestGroupHeads(t *testing.T) {
	h := func(key, agency, url string) storedHead { return storedHead{key: key, agency: agency, url: url} }
	for _, tc := range []struct {
		name  string
		heads []storedHead
		want  string
	}{
		{"agency and URL apart", []storedHead{h("1", "甲局", "u1"), h("2", "乙局", "u2"), h("3", "甲局", "u3")}, "[[1 3] [2]]"},
		{"a URL links two agencies", []storedHead{h("1", "甲局", "u1"), h("2", "乙局", "u2"), h("3", "乙局", "u1"), h("4", "丙局", "u4")}, "[[1 2 3] [4]]"},
		{"normalised names are one agency", []storedHead{h("1", "甲 局", "u1"), h("2", "甲局\u3000", "u2")}, "[[1 2]]"},
		{"no agency: by URL only", []storedHead{h("1", "", "u1"), h("2", "", "u2"), h("3", "甲局", "u1")}, "[[1 3] [2]]"},
		{"no URL: by agency only", []storedHead{h("1", "甲局", ""), h("2", "乙局", ""), h("3", "甲局", "")}, "[[1 3] [2]]"},
		{"neither: alone", []storedHead{h("1", "", ""), h("2", "", "")}, "[[1] [2]]"},
		{"a chain joins late", []storedHead{h("1", "甲局", "u1"), h("2", "乙局", "u2"), h("3", "丙局", "u3"), h("4", "乙局", "u1"), h("5", "丙局", "u2")}, "[[1 2 3 4 5]]"},
	} {
		if got := fmt.Sprint(groupHeads(tc.heads)); got != tc.want {
			t.Errorf("%s: groups %s, want %s", tc.name, got, tc.want)
		}
	}
}
