package extract

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nianbao/nianbao/report"
)

// trad maps traditional characters common in report labels to simplified
// ones, so that one keyword list matches both scripts.
var trad = func() map[rune]rune {
	pairs := "報报資资訊讯開开處处請请數数計计總总務务條条項项規规範范執执強强費费復复議议訟讼結结轉转" +
		"機机關关門门網网無无與与護护權权國国祕秘險险穩稳內内過过製制發发廢废現现許许罰罚對对辦办" +
		"應应當当舉举訴诉訪访複复覆复類类況况據据為为時时間间單单萬万額额統统問问題题進进區区縣县" +
		"鎮镇鄉乡廳厅會会員员衛卫營营組组織织構构學学術术產产業业證证體体確确認认獲获補补後后" +
		"維维糾纠審审經经繼继續续歸归檔档詢询頒颁佈布準准團团動动態态實实決决陽阳陰阴歷历銷销" +
		"廣广東东陝陕雲云貴贵蘇苏遼辽龍龙寧宁灣湾濟济華华義义鐵铁財财稅税衛卫醫医藥药環环療疗" +
		"電电話话郵邮編编輯辑檢检測测監监督督傳传遞递聯联繫系屬属級级戶户號号條条書书標标誌志" +
		"價价狀状級级據据擴扩獨独讀读專专屆届劃划庫库漁渔農农廠厂礦矿險险責责貿贸導导幣币圖图" +
		"場场聽听設设計计劃划態态彙汇匯汇總总覽览視视紀纪錄录備备註注說说誤误錯错違违"
	m := make(map[rune]rune, len(pairs)/2)
	rs := []rune(pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	return m
}()

// tradTable is trad as a table over the CJK block (0 = no mapping), for
// lookups without hashing; uint16 holds every simplified form there and
// keeps the table small enough to stay in cache. Every pair of trad lies
// in the block (TestSimplified checks simplified against trad for every
// rune, so a pair added outside it fails there).
var tradTable = func() []uint16 {
	t := make([]uint16, tradTableEnd-tradTableStart)
	for k, v := range trad {
		if k >= tradTableStart && k < tradTableEnd && v < 0x10000 {
			t[k-tradTableStart] = uint16(v)
		}
	}
	return t
}()

// The CJK block tradTable covers.
const (
	tradTableStart = 0x4E00
	tradTableEnd   = 0xA000
)

// simplified maps a traditional character to its simplified form.
func simplified(r rune) (rune, bool) {
	if r >= tradTableStart && r < tradTableEnd {
		if t := tradTable[r-tradTableStart]; t != 0 {
			return rune(t), true
		}
	}
	return r, false
}

// normLabel prepares text for keyword matching: traditional characters
// become simplified, full-width ASCII becomes half-width, ASCII brackets
// become full-width ones, and all white space is removed.
func normLabel(s string) string {
	i, bad := firstAbnormal(s)
	if i == len(s) {
		return s
	}
	// s[:i] is normal already: copy it (up to a byte that is not UTF-8,
	// which becomes U+FFFD like every rune written) and fold the rest
	cut := min(i, bad)
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:cut])
	for _, r := range s[cut:] {
		if r, keep := labelRune(r); keep {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normJoined is normLabel(strings.Join(parts, " ")) without building the
// joined string first: normLabel drops the spaces and folds rune by rune,
// so the parts can be folded one by one (most are normal already and
// need no copy).
func normJoined(parts []string) string {
	n := 0
	for _, p := range parts {
		if !utf8.ValidString(p) {
			return normLabel(strings.Join(parts, " "))
		}
		n += len(p)
	}
	if len(parts) == 1 {
		return normLabel(parts[0])
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		b.WriteString(normLabel(p))
	}
	return b.String()
}

// labelRune is what normLabel makes of one rune, and false for white
// space, which it drops.
func labelRune(r rune) (rune, bool) {
	if isSpaceFast(r) {
		return 0, false
	}
	if t, ok := simplified(r); ok {
		r = t
	}
	switch {
	case r == '(':
		r = '（'
	case r == ')':
		r = '）'
	case r >= '！' && r <= '～' && r != '（' && r != '）':
		r = r - '！' + '!'
	}
	return r, true
}

// labelIsNormal reports text that normLabel leaves as it is.
func labelIsNormal(s string) bool {
	i, _ := firstAbnormal(s)
	return i == len(s)
}

// firstAbnormal is the byte offset of the first rune of s that normLabel
// changes or drops, len(s) when there is none, and the offset of the
// first byte that is not UTF-8 (len(s) when there is none). Such a byte
// alone does not make s abnormal.
func firstAbnormal(s string) (int, int) {
	bad := len(s)
	for i, r := range s {
		switch {
		case r < 0x80:
			if r == '(' || r == ')' || r <= ' ' || r == 0x7f {
				return i, bad
			}
		case isSpaceFast(r):
			return i, bad
		case r >= '！' && r <= '～' && r != '（' && r != '）':
			return i, bad
		case r == utf8.RuneError && bad == len(s):
			if _, w := utf8.DecodeRuneInString(s[i:]); w == 1 {
				bad = i
			}
		default:
			if _, ok := simplified(r); ok {
				return i, bad
			}
		}
	}
	return len(s), bad
}

// isSpaceFast is isSpaceRune with a shortcut for the CJK and full-width
// ranges (U+3001 to U+FEFE), which hold no space: most runes of a report.
func isSpaceFast(r rune) bool {
	if r > 0x3000 && r < 0xFEFF {
		return false
	}
	return isSpaceRune(r)
}

// rowRule recognises one template row by keywords in its label.
type rowRule struct {
	key      string
	keywords []string
}

// rulesOf makes the row rules of template rows (rows without variants,
// recognised by special rules in matchRowPos, are left out).
func rulesOf(rows []report.Row) []rowRule {
	out := make([]rowRule, 0, len(rows))
	for _, r := range rows {
		if len(r.Variants) > 0 {
			out = append(out, rowRule{r.Key, r.Variants})
		}
	}
	return out
}

// table3Rules, table2Rules and table4Rules are the rows of Tables 3, 2
// and 4 with the variants that identify them, from the template
// description. "other_misc" and "other" are recognised by special rules
// in matchRow.
var (
	table3Rules = rulesOf(report.ApplicationRowDefs)
	table2Rules = rulesOf(report.ActiveRows)
	table4Rules = rulesOf(report.ReviewGroupDefs)
)

// matchRow finds the row a (normalised) label names: the keyword that
// occurs last in the label wins, because labels collect text wrapped from
// the previous row and group labels printed before the row's own label.
func matchRow(label string, rules []rowRule, table3 bool) string {
	k, _ := matchRowPos(label, rules, table3)
	return k
}

// matchRowPos is matchRow that also returns where the winning keyword
// starts (-1 when nothing matched).
func matchRowPos(label string, rules []rowRule, table3 bool) (string, int) {
	best, bestPos, bestLen := "", -1, 0
	idx := keywordIndexOf(rules)
	// every occurrence of every keyword, the last one winning (as the
	// last index of each keyword would), the longer on the same spot
	for i, r := range label {
		for _, e := range idx[r] {
			if strings.HasPrefix(label[i:], e.kw) && (i > bestPos || (i == bestPos && len(e.kw) > bestLen)) {
				best, bestPos, bestLen = e.key, i, len(e.kw)
			}
		}
	}
	if !table3 {
		return best, bestPos
	}
	// "3.其他" (2021 sub-row): the label ends with 其他.
	trimmed := strings.TrimRightFunc(label, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if strings.HasSuffix(trimmed, report.T3MiscMark) {
		if i := len(trimmed) - len(report.T3MiscMark); i > bestPos {
			return "other_misc", i
		}
	}
	// "（六）其他处理" as a single row (2019 template, some 2021 reports).
	if i := strings.LastIndex(label, report.T3OtherMark); i >= 0 && i >= bestPos {
		if best != "other_no_correction" && best != "other_unpaid_fee" {
			return "other", i
		}
	}
	return best, bestPos
}

// kwEntry is one keyword of a row rule.
type kwEntry struct{ kw, key string }

// keywordIndex maps the first rune of each keyword to the keywords, in
// rule order.
type keywordIndex map[rune][]kwEntry

func newKeywordIndex(rules []rowRule) keywordIndex {
	idx := keywordIndex{}
	for _, r := range rules {
		for _, kw := range r.keywords {
			first, _ := utf8.DecodeRuneInString(kw)
			idx[first] = append(idx[first], kwEntry{kw, r.key})
		}
	}
	return idx
}

// The keyword indexes of the three rule tables (built once, never
// written after).
var (
	table3Index = newKeywordIndex(table3Rules)
	table2Index = newKeywordIndex(table2Rules)
	table4Index = newKeywordIndex(table4Rules)
)

func keywordIndexOf(rules []rowRule) keywordIndex {
	if len(rules) > 0 {
		switch &rules[0] {
		case &table3Rules[0]:
			return table3Index
		case &table2Rules[0]:
			return table2Index
		case &table4Rules[0]:
			return table4Index
		}
	}
	return newKeywordIndex(rules)
}

// rowKeysInOrder lists the rows whose keywords occur in label, in the
// order they occur.
func rowKeysInOrder(label string, rules []rowRule) []string {
	type hit struct {
		pos int
		key string
	}
	var hits []hit
	for _, r := range rules {
		first := -1
		for _, kw := range r.keywords {
			if i := strings.Index(label, kw); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
		if first >= 0 {
			hits = append(hits, hit{first, r.key})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].pos < hits[j].pos })
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = h.key
	}
	return keys
}
