package decode

import (
	"errors"
	"fmt"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// ErrNotText is returned (wrapped) by Text for bytes that are neither
// UTF-8 nor GB18030.
var ErrNotText = errors.New("neither UTF-8 nor GB18030")

// Text decodes a plain-text payload that carries no declaration (a .txt
// file, pdftotext output): a byte-order mark decides; else valid UTF-8
// is UTF-8 and bytes that read cleanly as GB18030 are GB18030. Anything
// else is refused with ErrNotText, so a binary file is not read as text
// (nor one that merely starts with bytes that look like a UTF-16 BOM:
// its decoding must be clean too).
func Text(data []byte) (Result, error) {
	if r, ok := byBOM(data); ok {
		if r.Charset == "utf-8" || clean(r.Text) {
			return r, nil
		}
		return Result{}, fmt.Errorf("decode text (%d bytes): %s byte-order mark over bytes that are not %s: %w", len(data), r.Charset, r.Charset, ErrNotText)
	}
	b := newBody(data)
	if b.validUTF8() {
		return b.decode(unicode.UTF8, "utf-8", FromSniff), nil
	}
	if b.gbText() != nil {
		return b.decode(simplifiedchinese.GB18030, "gb18030", FromSniff), nil
	}
	return Result{}, fmt.Errorf("decode text (%d bytes): %w", len(data), ErrNotText)
}

// IsText reports whether Text would accept data: the sniffing question
// "is this text?" asked with the same rules that decode it.
func IsText(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	if r, ok := byBOM(data); ok {
		return r.Charset == "utf-8" || clean(r.Text)
	}
	b := newBody(data)
	return b.validUTF8() || b.gbText() != nil
}
