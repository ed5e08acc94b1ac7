package extract

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/nianbao/nianbao/decode"
)

// ReadText reads a plain-text or markdown rendering of a report (including
// pdftotext output; decoded by decode.Text: a BOM, else UTF-8, else
// GB18030) into a
// Document: one text Block per line. Lines are kept
// as they are (tabs and column spacing preserved, because the template
// parser reads cells from them); page footers such as "-2-" or "第 2 页" and
// form feeds are dropped, and an empty line is kept as an empty Block since
// blank lines separate table rows in flattened text.
func ReadText(b []byte) (*Document, error) {
	dec, err := decode.Text(b)
	if err != nil {
		return nil, fmt.Errorf("read text: %w", err)
	}
	s := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n").Replace(string(dec.Text))
	return &Document{Blocks: appendLines(nil, s), Meta: map[string]string{}}, nil
}

// appendLines appends one text Block per "\n"-separated line of s, trailing
// spaces trimmed and page footers dropped (ReadText and HTML <pre> text).
func appendLines(blocks []Block, s string) []Block {
	lines := strings.Split(s, "\n")
	blocks = slices.Grow(blocks, len(lines))
	for _, ln := range lines {
		ln = strings.TrimRight(ln, " \u3000")
		if isPageFooter(ln) {
			continue
		}
		blocks = append(blocks, Block{Text: ln})
	}
	return blocks
}

// isPageFooter reports page-number lines printed by PDF renderers: "-2-",
// "- 2 -", "— 2 —", "第 2 页", "第2页 共5页", "2/5".
func isPageFooter(ln string) bool {
	s := strings.TrimFunc(ln, isSpaceRune)
	if s == "" || len(s) > 40 {
		return false
	}
	s = normalizeDigits(strings.Map(func(r rune) rune {
		if isSpaceRune(r) {
			return -1
		}
		return r
	}, s))
	return reFooter.MatchString(s)
}

var reFooter = regexp.MustCompile(`^(?:[-—–－]+[0-9]{1,3}[-—–－]+|第[0-9]{1,3}页(?:[，,]?共[0-9]{1,3}页)?|[0-9]{1,3}/[0-9]{1,3}|Page[0-9]+(?:of[0-9]+)?)$`)
