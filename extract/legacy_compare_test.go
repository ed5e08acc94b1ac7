package extract

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/nianbao/nianbao/report"
)

// leafAgreement counts how a lossy rendering's table cells compare with
// the golden ones: equal, left null, or different (with their paths).
type leafAgreement struct {
	same, missing int
	wrong         []string
}

// compareLeaves compares every number of the three template tables of
// got with want.
func compareLeaves(got, want *report.Report) leafAgreement {
	var a leafAgreement
	for _, part := range []struct {
		name      string
		got, want any
	}{
		{"active", got.Active, want.Active},
		{"applications", got.Applications, want.Applications},
		{"review_litigation", got.ReviewLitigation, want.ReviewLitigation},
	} {
		g, w := leaves(part.got), leaves(part.want)
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, gv := w[k], g[k]
			switch {
			case gv == wv:
				a.same++
			case gv == "null" || gv == "":
				a.missing++
			default:
				a.wrong = append(a.wrong, fmt.Sprintf("%s.%s=%s (want %s)", part.name, k, gv, wv))
			}
		}
	}
	return a
}

// leaves flattens a value's JSON into path → scalar text.
func leaves(v any) map[string]string {
	out := map[string]string{}
	b, err := json.Marshal(v)
	if err != nil {
		return out
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return out
	}
	var walk func(p string, x any)
	walk = func(p string, x any) {
		switch t := x.(type) {
		case map[string]any:
			for k, v := range t {
				walk(p+"."+k, v)
			}
		case []any:
			for i, v := range t {
				walk(fmt.Sprintf("%s[%d]", p, i), v)
			}
		default:
			b, _ := json.Marshal(t)
			out[p] = string(b)
		}
	}
	walk("", x)
	return out
}
