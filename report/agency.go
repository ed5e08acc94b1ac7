package report

// This file holds the one agency-name normaliser and the choice between a
// document's agency name and the caller's.

import (
	"strings"
	"unicode"

	"github.com/nianbao/nianbao/decode"
)

// NormAgency returns the form agency names are compared and grouped in
// (reports of the same agency across years, seeds agencies in the audit):
// white space (including U+3000) and zero-width characters removed,
// full-width forms folded to half-width (decode.FoldRune).
func NormAgency(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' {
			continue
		}
		b.WriteRune(decode.FoldRune(r))
	}
	return b.String()
}

// PreferAgency returns the agency a report should carry given the name the
// document states (parsed) and the name the caller knows (known, e.g. the
// seed list's name for the site). The document's own name wins, except
// when it is only the tail of the known one — a report titled
// "公安局2021年…" on the site of 济源示范区公安局 — then the full name is kept.
func PreferAgency(parsed, known string) string {
	known = strings.TrimSpace(known)
	switch {
	case parsed == "":
		return known
	case known == "" || parsed == known:
		return parsed
	case len(known) > len(parsed) && strings.HasSuffix(known, parsed):
		return known
	}
	return parsed
}
