package crawler

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/seeds"
)

func TestAgencyForms(t *testing.T) {
	for name, want := range map[string][]string{
		"某某县公安局":     {"某某县公安局", "公安局", "县公安局"},
		"湖南省长沙市公安局":  {"湖南省长沙市公安局", "公安局", "市公安局"},
		"长沙市市场监督管理局": {"长沙市市场监督管理局", "市场监督管理局", "市市场监督管理局"},
		"国家统计局":      {"国家统计局"},
	} {
		if got := agencyForms(name); !reflect.DeepEqual(got, want) {
			t.Errorf("agencyForms(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestPreferAgencies(t *testing.T) {
	ags := []seeds.Agency{{Name: "某某县公安局"}, {Name: "某某县司法局"}}
	var kids []*archive.FrontierItem
	for i, d := range []string{"县教育局", "县财政局", "县民政局", "县交通运输局", "县卫生健康委员会", "县审计局", "县林业局", "县水利局", "县商务局"} {
		kids = append(kids, &archive.FrontierItem{URL: fmt.Sprintf("http://x/bm/%d/", i), Title: d, Priority: prioOther, Agency: "某某县公安局"})
	}
	police := &archive.FrontierItem{URL: "http://x/bm/ga/", Title: "县公安局", Priority: prioOther, Agency: "某某县公安局"}
	justice := &archive.FrontierItem{URL: "http://x/bm/sf/", Title: "某某县司法局", Priority: prioDisclosure, Agency: "某某县公安局"}
	report := &archive.FrontierItem{URL: "http://x/nb/1.html", Title: "县教育局2023年政府信息公开工作年度报告", Priority: prioReport}
	home := &archive.FrontierItem{URL: "http://x/", Title: "首页", Priority: prioOther}
	kids = append(kids, police, justice, report, home)
	preferAgencies(ags, kids)
	if police.Priority != prioList || police.Agency != "某某县公安局" {
		t.Errorf("police = %+v", police)
	}
	if justice.Priority != prioList || justice.Agency != "某某县司法局" {
		t.Errorf("justice = %+v (crawled for the agency it names)", justice)
	}
	if kids[0].Priority != prioOtherAgency || report.Priority != prioReport || home.Priority != prioOther {
		t.Errorf("other department %d, report %d, home %d", kids[0].Priority, report.Priority, home.Priority)
	}
	// a page with a few department links is no directory
	few := []*archive.FrontierItem{{Title: "县教育局", Priority: prioOther}, {Title: "县公安局", Priority: prioOther}}
	preferAgencies(ags, few)
	if few[0].Priority != prioOther || few[1].Priority != prioList {
		t.Errorf("few: %d %d", few[0].Priority, few[1].Priority)
	}
}

func TestNamesAgency(t *testing.T) {
	ags := []seeds.Agency{{Name: "某某县公安局"}, {Name: "某某县司法局"}}
	for _, tc := range []struct{ text, want string }{
		{"某某县公安局", "某某县公安局"},
		{"县公安局", "某某县公安局"},
		{"公安局", "某某县公安局"},
		{"某某县公安局信息公开专栏", "某某县公安局"},
		{" 某某县司法局 政府信息公开 ", "某某县司法局"},
		// headlines mentioning the agency are not links to it
		{"某某县公安局召开2024年度工作总结暨表彰大会（3）", ""},
		{"某某县公安局部署2023年度政务公开重点工作", ""},
		{"县公安局召开会议", ""},
		{"交通运输局", ""},
		{"", ""},
	} {
		if got := namesAgency(tc.text, ags); got != tc.want {
			t.Errorf("namesAgency(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
