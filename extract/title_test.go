package extract

import (
	"os"
	"strings"
	"testing"
)

func TestCloseYearGap(t *testing.T) {
	tests := map[string]string{
		"某县人民政府2025 年政府信息公开":    "某县人民政府2025年政府信息公开",
		"某县人民政府2025　年度报告":       "某县人民政府2025年度报告",
		"２０２５ 年 度":              "2025年度",
		"2025\u00a0年":           "2025年",
		"第 711 号":               "第 711 号",
		"统计期限自 2024 年 1 月 1 日起": "统计期限自 2024年 1 月 1 日起",
		"没有年份":                  "没有年份",
	}
	for in, want := range tests {
		if got := closeYearGap(in); got != want {
			t.Errorf("closeYearGap(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStripLabelPrefix(t *testing.T) {
	tests := map[string]string{
		"标题：某县人民政府2025年政府信息公开工作年度报告": "某县人民政府2025年政府信息公开工作年度报告",
		"标题:某县人民政府":    "某县人民政府",
		"名称 ： 某县人民政府":  "某县人民政府",
		"发布机构：某县人民政府":  "某县人民政府",
		"　来源：某县人民政府":   "某县人民政府",
		"信息来源:  某县教育局": "某县教育局",
		"某县人民政府":       "某县人民政府",
		"标题党整治工作":      "标题党整治工作", // no colon: not a label
	}
	for in, want := range tests {
		if got := stripLabelPrefix(in); got != want {
			t.Errorf("stripLabelPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJoinTitleLines(t *testing.T) {
	tests := []struct {
		cur, next, want string
	}{
		{"洪泽区人民政府 2023", "年政府信息公开工作年度报告", "洪泽区人民政府 2023年政府信息公开工作年度报告"},
		{"2024", "年淮安市人民政府政府信息公开工作年度报告", "2024年淮安市人民政府政府信息公开工作年度报告"},
		{"2024 年度政府信息公开", "工作年度报告", "2024 年度政府信息公开工作年度报告"},
		{"淮安市人民政府政府信息公开", "工作年度报告", "淮安市人民政府政府信息公开工作年度报告"},
		// not a title continued
		{"淮安市人民政府", "2024 年政府信息公开工作年度报告", ""}, // the agency line: findTitle keeps it as prev
		{"2024 年政府信息公开工作年度报告", "本报告由办公室编制", ""},
		{"政府信息公开", "本报告由某县人民政府办公室编制。", ""},
		{"第 711 号", "年政府信息公开工作年度报告", ""},
		{"一、总体情况", "2023年，我区政府信息公开工作…", ""},
	}
	for _, tc := range tests {
		got, ok := joinTitleLines(tc.cur, tc.next)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("joinTitleLines(%q, %q) = %q %v, want %q", tc.cur, tc.next, got, ok, tc.want)
		}
	}
}

// TestTitleShapesCorpus rewrites the title of the real Hongze 2024 report
// (pdftotext -raw) the ways real PDF text layers and pages print it; each
// must parse as the same report, cell for cell.
func TestTitleShapesCorpus(t *testing.T) {
	b, err := os.ReadFile("testdata/corpus/004_hongze_2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	e := loadExpected(t, "testdata/corpus/004_hongze_2024.expected.json")
	const orig = "淮安市洪泽区人民政府\n2024 年政府信息公开工作年度报告\n"
	if !strings.Contains(string(b), orig) {
		t.Fatal("corpus title lines changed")
	}
	shapes := []struct {
		name, title, wantTitle string
	}{
		{"full-width space", "淮安市洪泽区人民政府\n2024　年政府信息公开工作年度报告\n", "淮安市洪泽区人民政府 2024　年政府信息公开工作年度报告"},
		{"year ends line", "淮安市洪泽区人民政府 2024\n年政府信息公开工作年度报告\n", "淮安市洪泽区人民政府 2024年政府信息公开工作年度报告"},
		{"year alone", "淮安市洪泽区人民政府\n2024\n年政府信息公开工作年度报告\n", "淮安市洪泽区人民政府 2024年政府信息公开工作年度报告"},
		{"three lines", "淮安市洪泽区人民政府\n2024 年度政府信息公开\n工作年度报告\n", "淮安市洪泽区人民政府 2024 年度政府信息公开工作年度报告"},
		{"label prefix", "标题：淮安市洪泽区人民政府 2024 年政府信息公开工作年度报告\n", "淮安市洪泽区人民政府 2024 年政府信息公开工作年度报告"},
		{"full-width digits", "淮安市洪泽区人民政府\n２０２４ 年 度政府信息公开工作年度报告\n", "淮安市洪泽区人民政府 ２０２４ 年 度政府信息公开工作年度报告"},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			text := strings.Replace(string(b), orig, sh.title, 1)
			r := parseText(t, text)
			if r.Title != sh.wantTitle {
				t.Errorf("title = %q, want %q", r.Title, sh.wantTitle)
			}
			if r.Agency != e.Agency {
				t.Errorf("agency = %q, want %q", r.Agency, e.Agency)
			}
			checkExpected(t, r, e)
		})
	}
}

// TestTitleShapesFreeForm: a report without template tables is kept only
// when its title is found, so a broken or spaced title must not lose it.
func TestTitleShapesFreeForm(t *testing.T) {
	body := "本报告根据《中华人民共和国政府信息公开条例》要求编制。\n一、概述\n本年度我局主动公开政府信息120条。\n"
	tests := []struct {
		title, agency string
		year          int
	}{
		{"某县人民政府 2025\n年政府信息公开工作年度报告", "某县人民政府", 2025},
		{"某县人民政府\n2025 年度政府信息公开\n工作年度报告", "某县人民政府", 2025},
		{"2016\n年某县教育局政府信息公开工作年度报告", "某县教育局", 2016},
		{"标题：某县交通运输局2025　年政府信息公开工作年度报告", "某县交通运输局", 2025},
		{"名称 ：某县人民政府２０１７年度政务信息公开年度报告", "某县人民政府", 2017},
		{"发布机构：某县水利局2014年政府信息公开工作年度报告", "某县水利局", 2014},
	}
	for _, tc := range tests {
		doc, err := ReadText([]byte(tc.title + "\n" + body))
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseDocument(doc, Options{})
		if err != nil {
			t.Errorf("%q: %v", tc.title, err)
			continue
		}
		if r.Agency != tc.agency || r.Year != tc.year {
			t.Errorf("%q: agency/year = %q %d, want %q %d", tc.title, r.Agency, r.Year, tc.agency, tc.year)
		}
		if strings.HasPrefix(r.Title, "标题") || strings.HasPrefix(r.Title, "名称") || strings.HasPrefix(r.Title, "发布机构") {
			t.Errorf("%q: title keeps its label: %q", tc.title, r.Title)
		}
	}
}

func TestAgencyYearLabelled(t *testing.T) {
	tests := []struct {
		title, agency string
		year          int
	}{
		{"标题：某县人民政府2021年政府信息公开工作年度报告", "某县人民政府", 2021},
		{"标题:某县人民政府 2021 年政府信息公开工作年度报告", "某县人民政府", 2021},
		{"名称：某市财政局2022年度政府信息公开工作年度报告", "某市财政局", 2022},
		{"发布机构 ： 某区卫生健康委员会2023 年政府信息公开工作年度报告", "某区卫生健康委员会", 2023},
		{"来源：某县教育局2020　年政府信息公开工作年度报告", "某县教育局", 2020},
		{"信息来源：2021 年 度某县公安局政府信息公开工作年度报告", "某县公安局", 2021},
	}
	for _, tc := range tests {
		a, y := agencyYear(tc.title)
		if a != tc.agency || y != tc.year {
			t.Errorf("agencyYear(%q) = %q %d, want %q %d", tc.title, a, y, tc.agency, tc.year)
		}
	}
}
