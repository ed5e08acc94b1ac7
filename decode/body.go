package decode

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// body is a payload with the facts the charset policy asks about it,
// each computed at most once and only when asked: the fast validity
// checks first, the byte census only for a page labelled UTF-8 whose
// bytes are not.
type body struct {
	b       []byte
	checked bool   // valid, whole, ascii computed
	valid   bool   // valid UTF-8, a rune cut at the end allowed
	whole   bool   // valid UTF-8, no rune cut at the end
	ascii   bool   // no byte above 0x7F
	counted bool   // badHigh, high computed
	badHigh int    // non-ASCII bytes not part of a valid UTF-8 sequence
	high    int    // non-ASCII bytes
	gbDone  bool   // gb, gbClean computed
	gb      []byte // the body decoded as GB18030 (mustDecode)
	gbClean bool   // gb reads cleanly (clean)
}

func newBody(b []byte) *body { return &body{b: b} }

// check computes valid, whole and ascii with the standard library's
// validity scan, which skips ASCII runs a word at a time.
func (b *body) check() {
	if b.checked {
		return
	}
	b.checked = true
	b.whole = utf8.Valid(b.b)
	// a rune cut by a size cap at the end is not evidence against UTF-8
	b.valid = b.whole || utf8.Valid(b.b[:cutRuneStart(b.b)])
	// invalid UTF-8 always has a byte above 0x7F
	b.ascii = b.valid && isASCII(b.b)
}

// cutRuneStart is where an incomplete UTF-8 sequence at the very end of
// s starts (a rune cut off by a size cap), or len(s) when s ends with a
// complete rune or with bytes that could never start one.
func cutRuneStart(s []byte) int {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax+1; i-- {
		if !utf8.RuneStart(s[i]) {
			continue // a continuation byte: look further back
		}
		if !utf8.FullRune(s[i:]) {
			return i
		}
		break
	}
	return len(s)
}

// isASCII reports whether s has no byte above 0x7F.
func isASCII(s []byte) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// count computes badHigh and high: how many non-ASCII bytes there are
// and how many of them are not part of a valid UTF-8 sequence.
func (b *body) count() {
	if b.counted {
		return
	}
	b.counted = true
	s := b.b
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRune(s[i:]) {
				// a rune cut by a size cap: the rest is not evidence
				b.high += len(s) - i
				break
			}
			b.badHigh++
			b.high++
			i++
			continue
		}
		b.high += n
		i += n
	}
}

func (b *body) validUTF8() bool { b.check(); return b.valid }

// gbText is the body decoded as GB18030 when that reads cleanly (at most
// one rune in 50 a replacement), else nil.
func (b *body) gbText() []byte {
	if dec := b.gbDecoded(); b.gbClean {
		return dec
	}
	return nil
}

// gbDecoded is the body decoded as GB18030, clean or not, decoded once
// for both the sniffing question (gbText) and the fallback decode.
func (b *body) gbDecoded() []byte {
	if !b.gbDone {
		b.gbDone = true
		b.gb = mustDecode(simplifiedchinese.GB18030, b.b)
		b.gbClean = clean(b.gb)
	}
	return b.gb
}

// contradicts reports whether the body cannot be in the charset a label
// names (canonical WHATWG name); see HTML for the cases.
func (b *body) contradicts(name string) bool {
	b.check()
	switch {
	case name == "utf-8":
		if b.valid {
			return false
		}
		// GBK pairs are mostly invalid UTF-8 (some read as valid
		// three-byte runes by accident); a UTF-8 page has at most a few
		// stray bytes
		b.count()
		return b.badHigh*8 >= b.high && b.badHigh > 0 && b.gbText() != nil
	case b.ascii:
		return false
	case b.valid:
		return true
	case latin1Family(name):
		gb := b.gbText()
		return gb != nil && hanText(gb)
	}
	return false
}

// latin1Family reports the single-byte Western labels servers default to.
func latin1Family(name string) bool {
	switch name {
	case "windows-1252", "iso-8859-2", "iso-8859-15", "us-ascii":
		return true
	}
	return false
}

// isGB reports the GB family of Chinese charsets.
func isGB(name string) bool {
	return name == "gbk" || name == "gb18030" || name == "gb2312"
}

// decode reads the body with e (canonical name name).
func (b *body) decode(e encoding.Encoding, name string, from Source) Result {
	r := Result{Charset: name, Decoder: name, From: from}
	switch {
	case name == "utf-8":
		b.check()
		r.Text = b.b
		if !b.whole {
			r.Text = bytes.ToValidUTF8(b.b, []byte("\uFFFD"))
			r.Owned = true
		}
	case isGB(name):
		r.Decoder = "gb18030"
		r.Text = b.gbDecoded()
	default:
		r.Text = mustDecode(e, b.b)
	}
	// every decoder but UTF-8 of valid UTF-8 writes a new buffer
	r.Owned = r.Owned || name != "utf-8"
	r.Text = bytes.TrimPrefix(r.Text, []byte("\uFEFF"))
	return r
}

// mustDecode decodes data with e, every byte e refuses a U+FFFD.
func mustDecode(e encoding.Encoding, data []byte) []byte {
	out, err := transformAppend(e, data)
	if err != nil {
		out, _ = encoding.Replacement.NewDecoder().Bytes(data)
	}
	return out
}

// transformAppend decodes data with e into valid UTF-8.
func transformAppend(e encoding.Encoding, data []byte) ([]byte, error) {
	// sized for two-byte GBK characters becoming three UTF-8 bytes, so
	// that the output rarely has to grow
	out := make([]byte, 0, len(data)+len(data)/2+16)
	out, _, err := transform.Append(e.NewDecoder(), out, data)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, nil
}

// clean reports decoded text with at most one replacement rune in 50.
// dec is valid UTF-8 (every decoder's output is), so its runes are its
// bytes that are not continuation bytes.
func clean(dec []byte) bool {
	runes := 0
	for _, c := range dec {
		if utf8.RuneStart(c) {
			runes++
		}
	}
	bad := bytes.Count(dec, []byte("\uFFFD"))
	return bad*50 <= runes+1
}

// hanText reports text whose non-ASCII letters are mostly Chinese.
func hanText(s []byte) bool {
	han, other := 0, 0
	for _, r := range string(s) {
		switch {
		case r < 0x80:
		case r >= 0x4e00 && r <= 0x9fff:
			han++
		default:
			other++
		}
	}
	return han > 0 && han >= 2*other
}
