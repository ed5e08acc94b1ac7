package decode

import (
	"bytes"
	"mime"
	"regexp"
	"strings"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// Source says where the charset of a decoded payload came from.
type Source string

// The sources of a charset, strongest first.
const (
	FromBOM    Source = "bom"    // a byte-order mark
	FromHeader Source = "header" // the charset parameter of Content-Type
	FromMeta   Source = "meta"   // <meta charset> or <meta http-equiv>
	FromSniff  Source = "sniff"  // the bytes: UTF-8 when valid, else GB18030
)

// Result is a payload decoded to UTF-8.
type Result struct {
	// Text is the payload as valid UTF-8 without a leading BOM. It may
	// share memory with the input when the input was UTF-8 already.
	Text []byte
	// Charset is the WHATWG name of the charset the payload was read as
	// ("utf-8", "gbk", "gb18030", "windows-1252"…): the declared label's
	// canonical name, or "utf-8"/"gb18030" when sniffed.
	Charset string
	// Decoder names the decoder that produced Text: Charset, except that
	// the whole GB family (gb2312, gbk, gb18030) is read with the
	// GB18030 decoder, their superset, and reported as "gb18030".
	Decoder string
	// From says which evidence decided Charset.
	From Source
	// Owned reports that Text is a buffer of its own, not sharing memory
	// with the input: the caller may modify it in place.
	Owned bool
}

// prescanLimit is how far into a page the <meta> charset is looked for:
// long CMS heads put it after the 1024 bytes the WHATWG prescan reads.
const prescanLimit = 16384

var reMetaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-]+)`)

// HTML decodes an HTML page (or any text/* payload the crawler reads)
// to UTF-8. It is the one charset policy of nianbao: the crawler stores
// what it returns as a capture's text and every extract reader parses
// it. In order:
//
//  1. a byte-order mark (UTF-8, UTF-16BE, UTF-16LE) decides;
//  2. else the Content-Type charset, unless the body contradicts it;
//  3. else the first <meta charset>/<meta http-equiv> in the first 16 KB,
//     unless the body contradicts it;
//  4. else the bytes: valid UTF-8 is UTF-8, anything else GB18030 (the
//     encoding of Chinese government sites that do not say).
//
// The body contradicts a label (field-proven cases: a server default of
// ISO-8859-1, a UTF-8 header over a GBK page, a gb2312 meta left over
// from a CMS migration) when:
//   - the label is UTF-8 but most non-ASCII bytes are not valid UTF-8 and
//     the bytes read cleanly as GB18030;
//   - the label is any other charset but the body has non-ASCII bytes and
//     is valid UTF-8 (multi-byte UTF-8 is not valid by accident), even
//     with only a few Chinese characters (`2021年报` labelled gb2312);
//   - the label is of the Latin-1 family (windows-1252, ISO-8859-x,
//     US-ASCII) but the bytes read cleanly as GB18030 Chinese text.
//
// HTML never fails: bytes no decoder accepts become U+FFFD.
func HTML(body []byte, contentType string) Result {
	if r, ok := byBOM(body); ok {
		return r
	}
	b := newBody(body)
	if name := headerCharset(contentType); name != "" {
		if e, canon := charset.Lookup(name); e != nil && !b.contradicts(canon) {
			return b.decode(e, canon, FromHeader)
		}
	}
	if m := reMetaCharset.FindSubmatch(head(body, prescanLimit)); m != nil {
		if e, canon := lookupMeta(string(m[1])); e != nil && !b.contradicts(canon) {
			return b.decode(e, canon, FromMeta)
		}
	}
	if b.validUTF8() {
		return b.decode(unicode.UTF8, "utf-8", FromSniff)
	}
	return b.decode(simplifiedchinese.GB18030, "gb18030", FromSniff)
}

// byBOM decodes a payload that starts with a byte-order mark.
func byBOM(body []byte) (Result, bool) {
	var e encoding.Encoding
	var name string
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		b := newBody(body[3:])
		return b.decode(unicode.UTF8, "utf-8", FromBOM), true
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		e, name = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be"
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		e, name = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le"
	default:
		return Result{}, false
	}
	b := newBody(body[2:])
	return b.decode(e, name, FromBOM), true
}

// headerCharset is the charset parameter of a Content-Type value, or "".
func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["charset"]
	}
	// a malformed header (duplicate parameters, stray quotes) still names
	// its charset
	low := strings.ToLower(contentType)
	i := strings.Index(low, "charset=")
	if i < 0 {
		return ""
	}
	v := strings.Trim(low[i+len("charset="):], "\"' ")
	if j := strings.IndexAny(v, ";, \"'"); j >= 0 {
		v = v[:j]
	}
	return v
}

// lookupMeta is charset.Lookup (the encoding of a label and its
// canonical WHATWG name, nil for an unknown label) for a <meta> label: as the WHATWG prescan says, a
// page cannot declare itself UTF-16 in ASCII, so such a label means
// UTF-8, and x-user-defined means windows-1252.
func lookupMeta(label string) (encoding.Encoding, string) {
	e, name := charset.Lookup(label)
	switch name {
	case "utf-16be", "utf-16le":
		return unicode.UTF8, "utf-8"
	case "x-user-defined":
		return charset.Lookup("windows-1252")
	}
	return e, name
}

// head is the first n bytes of b.
func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
