package report

// This file writes a check's Chinese message (message_zh). It is derived
// from the check's English message and the rule's description: the
// message's arguments are read back through the rule's English format and
// printed through its Chinese one. So it needs nothing stored beyond the
// English message, and reports stored before message_zh existed get one
// too. The parser leaves message_zh empty (its output and golden files are
// the contract of report-model.md); Localize fills it where reports are
// stored and shown.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// labelMark is where a Chinese message prints the label of its first
// argument.
const labelMark = "{label}"

// The notes appended to messages, in English and Chinese.
const (
	blankNoteFew     = " (blank cells counted as 0: %s)"
	blankNoteMany    = " (%d blank cells counted as 0: %s, …)"
	blankNoteFewZh   = "（空白单元格按 0 计：%s）"
	blankNoteManyZh  = "（%s 个空白单元格按 0 计：%s, …）"
	unreadableNote   = "; printed but unreadable (see warnings, not counted missing): "
	unreadableNoteZh = "；已印出但无法读取（见警告，不计为缺少）："
)

// Localize sets MessageZh on every check of checks that has none.
func Localize(checks []Check) {
	for i := range checks {
		if checks[i].MessageZh == "" {
			checks[i].MessageZh = MessageZh(checks[i])
		}
	}
}

// MessageZh returns the Chinese message of c, or "" when c's rule is
// unknown or its message is not in the rule's English form.
func MessageZh(c Check) string {
	d := rulesByID[c.Rule]
	if d == nil {
		return ""
	}
	msg, note := splitNote(c.Message)
	okFmt, zhFmt := d.Fail, d.FailZh
	if c.OK {
		okFmt, zhFmt = d.OK, d.OKZh
	}
	args, ok := readArgs(okFmt, msg)
	if !ok {
		return ""
	}
	zh := zhFmt
	if reVerb.MatchString(zhFmt) { // a format without verbs takes no arguments
		zh = fmt.Sprintf(zhFormat(zhFmt), args...)
	}
	if d.Label != nil {
		zh = strings.Replace(zh, labelMark, d.Label(fmt.Sprint(args[0])), 1)
	}
	return zh + note
}

// splitNote cuts a blank-cells or unreadable note off an English message
// and returns the message and the note in Chinese.
func splitNote(msg string) (string, string) {
	if i := strings.Index(msg, unreadableNote); i >= 0 {
		return msg[:i], unreadableNoteZh + msg[i+len(unreadableNote):]
	}
	if m := reBlankMany.FindStringSubmatchIndex(msg); m != nil {
		return msg[:m[0]], fmt.Sprintf(blankNoteManyZh, msg[m[2]:m[3]], msg[m[4]:m[5]])
	}
	if m := reBlankFew.FindStringSubmatchIndex(msg); m != nil {
		return msg[:m[0]], fmt.Sprintf(blankNoteFewZh, msg[m[2]:m[3]])
	}
	return msg, ""
}

var (
	reBlankFew  = regexp.MustCompile(` \(blank cells counted as 0: (.*)\)$`)
	reBlankMany = regexp.MustCompile(` \((\d+) blank cells counted as 0: (.*), …\)$`)
	// reVerb is one argument of a message format: %[n]s or %[n]d.
	reVerb = regexp.MustCompile(`%\[(\d)\]([sd])`)
)

// formatPatterns are the English formats of the rules compiled to
// patterns that read their arguments back (built once, never written
// after).
var formatPatterns = func() map[string]*formatPattern {
	m := map[string]*formatPattern{}
	for _, d := range Rules {
		for _, f := range []string{d.OK, d.Fail} {
			if _, ok := m[f]; !ok {
				m[f] = compileFormat(f)
			}
		}
	}
	return m
}()

// formatPattern reads the arguments of one English format back.
type formatPattern struct {
	re *regexp.Regexp
	// index is, per group of re, the argument (0-based) it holds.
	index []int
	n     int
}

// compileFormat turns a format of %[n]s and %[n]d verbs into a pattern.
func compileFormat(f string) *formatPattern {
	p := &formatPattern{}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range reVerb.FindAllStringSubmatchIndex(f, -1) {
		b.WriteString(regexp.QuoteMeta(f[last:m[0]]))
		n, _ := strconv.Atoi(f[m[2]:m[3]])
		p.index = append(p.index, n-1)
		p.n = max(p.n, n)
		if f[m[4]:m[5]] == "d" {
			b.WriteString(`(-?\d+)`)
		} else {
			b.WriteString(`(.*?)`)
		}
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(f[last:]))
	b.WriteString("$")
	p.re = regexp.MustCompile(b.String())
	return p
}

// readArgs reads the arguments of format back from msg, as strings (an
// argument the format does not print is "").
func readArgs(format, msg string) ([]any, bool) {
	p := formatPatterns[format]
	if p == nil {
		return nil, false
	}
	m := p.re.FindStringSubmatch(msg)
	if m == nil {
		return nil, false
	}
	args := make([]any, max(p.n, 1))
	for i := range args {
		args[i] = ""
	}
	for g, a := range p.index {
		args[a] = m[g+1]
	}
	return args, true
}

// zhFormat prints every argument of a Chinese format as a string (the
// arguments read back are strings).
func zhFormat(f string) string { return reVerb.ReplaceAllString(f, "%[$1]s") }
