package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads a report title as real pages and PDF text layers print
// it: with spaces (ASCII, full-width, no-break) between the year and 年,
// broken over two or three lines, or behind an info-bar label (标题：…).

var (
	// reLabelPrefix is an info-bar label in front of a title or agency
	// name, with a half- or full-width colon and any spaces around it.
	reLabelPrefix = regexp.MustCompile(`^[\s\x{3000}\x{00a0}]*(?:文章标题|信息标题|信息名称|标题|名称|发布机构|发布单位|发文机关|信息来源|文章来源|来源)[\s\x{3000}\x{00a0}]*[:：][\s\x{3000}\x{00a0}]*`)
	// reTrailingYear is a line that ends with a year whose 年 is printed
	// on the next line ("某县人民政府 2025").
	reTrailingYear = regexp.MustCompile(`(?:^|[^0-9])[12][0-9]{3}$`)
)

// closeYearGap removes the white space between a year and 年 and between
// 年 and 度, and maps full-width digits to ASCII, so that the year rules
// read "2025 年度" like "2025年度". It allocates only when it changes s.
func closeYearGap(s string) string {
	s = normalizeDigits(s)
	if !strings.Contains(s, "年") || !strings.ContainsAny(s, " \t\u3000\u00a0") {
		return s
	}
	var b strings.Builder
	last := 0 // s[last:] is not yet written
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r2) {
				break
			}
			j += n2
		}
		afterYear := i >= 4 && startsWithYear(s[i-4:i]) && strings.HasPrefix(s[j:], "年")
		inNianDu := strings.HasSuffix(s[:i], "年") && strings.HasPrefix(s[j:], "度")
		if afterYear || inNianDu {
			b.WriteString(s[last:i])
			last = j
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// stripLabelPrefix drops an info-bar label ("标题：", "名称:", "发布机构 ：",
// "来源：", "信息来源：") in front of a title or an agency name.
func stripLabelPrefix(s string) string {
	if !strings.ContainsAny(s, ":：") {
		return s
	}
	if loc := reLabelPrefix.FindStringIndex(s); loc != nil {
		return s[loc[1]:]
	}
	return s
}

// isTitleFragment reports a short line without sentence punctuation: a
// part of a title printed over several lines.
func isTitleFragment(n string) bool {
	return n != "" && utf8.RuneCountInString(n) <= 40 && !strings.ContainsAny(n, "。，,；;") && !isBreadcrumb(n)
}

// namesReport reports a (normalised) line that names an annual report.
func namesReport(n string) bool {
	return (strings.Contains(n, "报告") || strings.Contains(n, "年报")) &&
		(strings.Contains(n, "公开") || strings.Contains(n, "年报"))
}

// joinTitleLines joins the lines of a title that PDF text breaks in two:
// a line ending with the year and the next starting with 年 ("某县人民政府
// 2025" + "年政府信息公开工作年度报告") join without a space; a line that
// starts a title ("2025 年度政府信息公开", "某县人民政府政府信息公开") and
// the line that ends it ("工作年度报告") join as printed. It returns the
// joined title and true, or "" and false when next does not continue cur.
func joinTitleLines(cur, next string) (string, bool) {
	cur = strings.TrimFunc(cur, unicode.IsSpace)
	next = strings.TrimFunc(next, unicode.IsSpace)
	nc, nn := normLabel(cur), normLabel(next)
	if !isTitleFragment(nc) || !isTitleFragment(nn) || namesReport(nc) || strings.HasPrefix(nn, "本") {
		return "", false
	}
	joined := cur + next
	if !namesReport(normLabel(joined)) || utf8.RuneCountInString(normLabel(joined)) > 60 {
		return "", false
	}
	if reTrailingYear.MatchString(normalizeDigits(nc)) && strings.HasPrefix(nn, "年") {
		return joined, true
	}
	// the first part must itself start the title: name the year or the
	// disclosure work, and the second must not start a new sentence
	if (leadingYear(nc) > 0 || strings.Contains(nc, "公开")) && !startsWithYear(normalizeDigits(nn)) {
		return joined, true
	}
	return "", false
}
