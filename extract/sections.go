package extract

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao/report"
)

// Section kinds, in template order.
const (
	secNone = iota
	secOverview
	secActive
	secApps
	secReview
	secProblems
	secOther
	secExtra // a numbered part the template does not define
)

var (
	// reTopNumber is a top-level heading number: 一、 3、 4. 第三部分 (not （三）).
	reTopNumber = regexp.MustCompile(`^(?:第?[一二三四五六七八九十]{1,3}(?:部分)?[、.:：]|[0-9]{1,2}(?:[、:：]|\.(?:[^0-9]|$)))`)
)

// headingKind says which part of the report a text line opens, if any.
func headingKind(u *unit) int {
	if !(u.isText || (u.grid && u.single)) || u.tabbed || u.empty {
		return secNone
	}
	s := strings.TrimLeft(u.norm, "#*>") // markdown heading marks
	s = strings.Trim(s, "*")
	if s == "" || utf8.RuneCountInString(s) > 40 {
		return secNone
	}
	numbered, strong := false, false
	if m := reTopNumber.FindString(s); m != "" {
		numbered = true
		strong = !strings.HasSuffix(m, ".")
		s = s[len(m):]
	}
	body := strings.TrimRight(s, "。.:：;；")
	switch {
	case containsAny(body, report.HeadingApplications.Variants...) || containsAll(body, report.HeadingApplications.Words...):
		return secApps
	case containsAll(body, report.HeadingReview.Words...) && (numbered || strings.Contains(body, "情况")):
		return secReview
	case containsAny(body, report.HeadingActive.Variants...) ||
		(strong && containsAll(body, report.HeadingActive.Words...) && strings.HasSuffix(body, "情况") &&
			!containsAny(body, report.HeadingApplications.Words[0]) && utf8.RuneCountInString(body) <= 16):
		return secActive
	case strings.Contains(body, "存在的主要问题") || strings.Contains(body, "问题及改进") || strings.Contains(body, "问题和改进") ||
		(numbered && strings.Contains(body, "存在") && (strings.Contains(body, "问题") || strings.Contains(body, "不足"))):
		return secProblems
	case strings.Contains(body, "其他需要报告") || (numbered && strings.HasPrefix(body, "其他") && strings.Contains(body, "事项")):
		return secOther
	case strings.Contains(body, "总体情况") || body == "概述" ||
		(numbered && (strings.HasSuffix(body, "基本情况") || strings.Contains(body, "概况") || strings.HasSuffix(body, "概述"))):
		return secOverview
	}
	if strong && utf8.RuneCountInString(body) >= 4 && (strings.HasSuffix(body, "情况") || strings.HasSuffix(body, "事项")) &&
		matchRow(body, table3Rules, true) == "" && matchRow(body, table2Rules, false) == "" {
		return secExtra
	}
	return secNone
}

// containsAll reports whether s holds every one of subs.
func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// region is a half-open range of units.
type region struct{ from, to int }

func (r region) ok() bool { return r.to > r.from }

// outline is where the parts of the report are.
type outline struct {
	start   [secExtra]int // unit index of each heading, -1 if not found
	heads   []int         // every accepted heading, in order
	kinds   []int
	extras  []int // headings of extra parts
	overEnd int
}

// findOutline finds the section headings in document order. A heading is
// accepted only after the headings of earlier parts, so that a sub-heading
// in the overview (such as （一）主动公开情况) is not taken for part 二.
func findOutline(units []unit) outline {
	var o outline
	for i := range o.start {
		o.start[i] = -1
	}
	last := secNone
	for i := range units {
		k := headingKind(&units[i])
		switch {
		case k == secNone:
			continue
		case k == secExtra:
			if last < secActive || last >= secProblems {
				continue
			}
			o.extras = append(o.extras, i)
		case k <= last:
			continue
		default:
			o.start[k] = i
			last = k
		}
		o.heads = append(o.heads, i)
		o.kinds = append(o.kinds, k)
	}
	return o
}

// sectionRegion returns the units of part k, from after its heading to the
// next accepted heading.
func (o *outline) sectionRegion(k, n int) region {
	s := o.start[k]
	if s < 0 {
		return region{}
	}
	return region{s + 1, o.nextHead(s, n)}
}

func (o *outline) nextHead(s, n int) int {
	for _, h := range o.heads {
		if h > s {
			return h
		}
	}
	return n
}

// sectionText joins the text lines of a region. Lines wrapped by a PDF
// renderer are joined without a break; a line ending a sentence ends a
// paragraph.
func sectionText(units []unit, r region) string {
	var b strings.Builder
	prevEnds := true
	for i := r.from; i < r.to && i < len(units); i++ {
		u := &units[i]
		if !(u.isText || (u.grid && u.single)) || u.empty {
			// an empty line alone does not end a paragraph: PDF renderings
			// put them around page breaks in mid-sentence
			continue
		}
		t := u.raw
		if strings.Contains(t, "[bookmark:") {
			t = reBookmark.ReplaceAllString(t, "")
		}
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			if prevEnds {
				b.WriteByte('\n')
			}
		}
		b.WriteString(t)
		last, _ := utf8.DecodeLastRuneInString(t)
		prevEnds = strings.ContainsRune("。！？；：:;!?”」）)", last) || utf8.RuneCountInString(t) < 20
	}
	return strings.TrimSpace(b.String())
}
