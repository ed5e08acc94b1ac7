package decode

import (
	"bytes"
	"mime"

	"github.com/gabriel-vasile/mimetype"
)

// MediaType is the media type of data by WHATWG-style content sniffing
// (github.com/gabriel-vasile/mimetype, which reads the first 3 KB):
// "application/pdf", "application/msword", "text/html", "text/plain",
// "image/png"…, lower-case and without parameters;
// "application/octet-stream" when nothing matches.
func MediaType(data []byte) string {
	mt, _, err := mime.ParseMediaType(mimetype.Detect(data).String())
	if err != nil {
		return "application/octet-stream"
	}
	return mt
}

// htmlMarkers are tags whose presence in the first KB makes a payload an
// HTML page even with stray control bytes (a NUL in a CMS template).
var htmlMarkers = [][]byte{[]byte("<html"), []byte("<head"), []byte("<body"), []byte("<meta"), []byte("<title"), []byte("<!doctype html")}

// Binary reports a payload that is not text whatever its name or
// Content-Type says, the way browsers sniff: it is text when sniffing
// (MediaType) finds a textual type (a BOM, an HTML or XML signature, or
// no binary data byte — a control character other than TAB, LF, FF, CR
// and ESC — in the first 4 KB), or when an HTML tag stands in its first
// KB (a CMS template with a stray NUL); anything else (an image, an
// archive, a font, control bytes) is binary. An empty payload is not
// binary.
func Binary(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	for m := mimetype.Detect(data); m != nil; m = m.Parent() {
		if m.Is("text/plain") {
			return false
		}
	}
	low := bytes.ToLower(bytes.ReplaceAll(head(data, 1024), []byte{0}, nil))
	for _, m := range htmlMarkers {
		if bytes.Contains(low, m) {
			return false
		}
	}
	return true
}
