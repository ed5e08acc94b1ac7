package extract

import "testing"

func TestHeadingKind(t *testing.T) {
	tests := map[string]int{
		"一、总体情况":                      secOverview,
		"## 一、总体情况":                   secOverview,
		"一、政府信息公开工作的基本情况":             secOverview,
		"一、工作概述":                      secOverview,
		"概述":                          secOverview,
		"二、主动公开政府信息情况":                secActive,
		"2、主动公开政府信息情况":                secActive,
		"二、政府信息主动公开情况":                secActive,
		"二、主动公开、依申请公开工作情况":            secExtra, // findOutline ignores extra parts before part 二
		"（一）主动公开情况":                   secNone,
		"三、收到和处理政府信息公开申请情况":           secApps,
		"3、 收到和处理政府信息公开申请情况":          secApps,
		"收到和处理政府信息公开申请情况":             secApps,
		"四、政府信息公开行政复议、行政诉讼情况":         secReview,
		"四、因政府信息公开工作被申请行政复议、提起行政诉讼情况": secReview,
		"行政复议 行政诉讼":                   secNone,
		"五、存在的主要问题及改进情况":              secProblems,
		"五、存在问题及改进情况":                 secProblems,
		"五、存在的不足及改进措施":                secProblems,
		"六、其他需要报告的事项":                 secOther,
		"七、其他事项":                      secOther,
		"4、 公开平台建设和信息发布情况":            secExtra,
		"一、本年新收政府信息公开申请数量":            secNone,
		"四、结转下年度继续办理":                 secNone,
		"8.属于行政查询事项":                  secNone,
		"三、":                          secNone,
		"2021年，我局坚持以习近平新时代中国特色社会主义思想为指导，全面落实条例要求。": secNone,
	}
	for text, want := range tests {
		u := lineUnit(0, text)
		if got := headingKind(&u); got != want {
			t.Errorf("headingKind(%q) = %d, want %d", text, got, want)
		}
	}
}
