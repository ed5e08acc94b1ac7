package crawler

import "strings"

// mayContainFold reports whether s may contain lit (lower-case ASCII) under
// the case folding of a (?i) regexp: false only when it certainly does
// not, so a slow case-insensitive regexp that needs lit can be skipped on
// a page without it. Only ASCII letters and the two non-ASCII runes that
// fold to ASCII letters (K KELVIN SIGN to k, ſ LONG S to s) can fold onto
// lit; a page with either of those is always a "maybe".
func mayContainFold(s, lit string) bool {
	if strings.ContainsRune(s, '\u212a') || strings.ContainsRune(s, '\u017f') {
		return true
	}
	n := len(lit)
	if n == 0 {
		return true
	}
	first := lit[0]
	for i := 0; i+n <= len(s); i++ {
		if lowerASCII(s[i]) != first {
			continue
		}
		j := 1
		for j < n && lowerASCII(s[i+j]) == lit[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
