package crawler

import (
	"regexp"
	"testing"
)

func TestMayContainFold(t *testing.T) {
	re := regexp.MustCompile(`(?i)xxgkAnnualReport\.jsp`)
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"", false},
		{"<a href='/module/xxgk/xxgkAnnualReport.jsp?area=1'>", true},
		{"XXGKANNUALREPORT.JSP", true},
		{"xxgkAnnualReport.js", false},
		{"xxgkAnnualReport_jsp", false},
		{"政府信息公开 xxgkannualreport.jsp", true},
		{"xxg\u212aAnnualReport.jsp", true}, // KELVIN SIGN folds to k
		{"xxgkAnnualReport.j\u017fp", true}, // LONG S folds to s
		{"xxgkannualreport.js", false},
	} {
		got := mayContainFold(tc.s, "xxgkannualreport.jsp")
		if got != tc.want {
			t.Errorf("mayContainFold(%q) = %v, want %v", tc.s, got, tc.want)
		}
		if re.MatchString(tc.s) && !got {
			t.Errorf("mayContainFold(%q) = false but the regexp matches", tc.s)
		}
	}
}

func TestHasTemplate(t *testing.T) {
	for _, s := range []string{"", "<div ms-repeat='x'>", "{{ item.title }}", "{{x}", "<script type=text/template>", "plain page", "ms-"} {
		if got, want := hasTemplate(s), reTemplate.MatchString(s); got != want {
			t.Errorf("hasTemplate(%q) = %v, reTemplate says %v", s, got, want)
		}
	}
}
