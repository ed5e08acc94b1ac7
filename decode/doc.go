// Package decode owns how nianbao turns fetched or archived bytes into
// text: the one charset policy (BOM, Content-Type header, <meta>
// prescan, sniffing, and the field-proven cases where a page's bytes
// contradict its label), the WHATWG content sniffing that names a
// payload's type, and the width folding that makes full-width letters,
// digits and punctuation comparable with their ASCII forms.
//
// The crawler stores what HTML returns as a capture's text and every
// extract reader parses the same bytes, so a page reads the same in the
// archive and in its extracted report. decode sits at the bottom of the
// dependency graph beside archive and imports nothing of nianbao.
package decode
