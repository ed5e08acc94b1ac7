package extract

import "bytes"

// Word's HTML export and CMS editors put presentational attributes on
// nearly every element (style, align, valign, lang, width…). The reader
// never looks at them, but x/net/html copies each one several times while
// building the tree. stripPresentation removes them from the page before
// it is parsed. It only removes attributes it has read completely (name,
// '=', quoted or unquoted value) inside a start tag; anything it does not
// understand is left as it is, and text, comments and the raw text of
// script, style, textarea… are never touched. A style attribute that can
// hide its element (none, hidden) is kept: the reader skips such elements.

// isDroppedAttr reports the attributes the HTML reader never reads.
func isDroppedAttr(a string) bool {
	switch a {
	case "style", "align", "valign", "lang", "width", "height", "border", "cellspacing", "cellpadding",
		"bgcolor", "face", "color", "size", "nowrap", "bordercolor", "dir":
		return true
	}
	return false
}

// isRawTextTag reports elements whose content the tokenizer reads as raw
// text.
func isRawTextTag(name string) bool {
	switch name {
	case "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext":
		return true
	}
	return false
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isASCIILetter(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// lowerInto writes b with ASCII letters lowered into buf and returns it;
// nil when b does not fit (no tag or attribute of interest is that long).
func lowerInto(buf, b []byte) []byte {
	if len(b) > len(buf) {
		return nil
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(b)]
}

// hidesElement reports a style value that may hide its element.
func hidesElement(v []byte) bool {
	return containsFold(v, "none") || containsFold(v, "hidden")
}

// containsFold reports whether s holds sub (lower case) ignoring the case
// of ASCII letters.
func containsFold(s []byte, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == sub[0] && tailEqualFold(s[i:], sub) {
			return true
		}
	}
	return false
}

// tailEqualFold reports whether s[1:len(sub)] equals sub[1:] ignoring the
// case of ASCII letters in s (sub is lower case); s holds at least
// len(sub) bytes. The first byte is left to the caller.
func tailEqualFold(s []byte, sub string) bool {
	for m := 1; m < len(sub); m++ {
		c := s[m]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != sub[m] {
			return false
		}
	}
	return true
}

// stripPresentation returns data without the presentational attributes
// of its start tags (data itself when there are none), in a new buffer.
func stripPresentation(data []byte) []byte { return stripAttrs(data, false) }

// stripPresentationOwned is stripPresentation for a buffer the caller
// owns (a page decoded from another charset): the attributes are removed
// in place and data's memory is reused.
func stripPresentationOwned(data []byte) []byte { return stripAttrs(data, true) }

// stripAttrs is stripPresentation; inPlace compacts data itself, which is
// safe because the kept bytes are only ever copied backwards, to offsets
// the scan has passed.
func stripAttrs(data []byte, inPlace bool) []byte {
	var out []byte // nil until something is dropped
	last := 0      // data[:last] is in out (when out != nil)
	drop := func(from, to int) {
		if out == nil && inPlace {
			out = data[:0]
		} else if out == nil {
			out = make([]byte, 0, len(data))
		}
		out = append(out, data[last:from]...)
		last = to
	}
	var ranges []int
	n := len(data)
	i := 0
	for i < n {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			break
		}
		p := i + j
		if p+1 >= n {
			break
		}
		if bytes.HasPrefix(data[p:], []byte("<!--")) {
			e := bytes.Index(data[p+4:], []byte("-->"))
			if e < 0 {
				break
			}
			i = p + 4 + e + 3
			continue
		}
		if !isASCIILetter(data[p+1]) {
			i = p + 1 // end tag, doctype, "<" in text
			continue
		}
		k := p + 1
		for k < n && !isHTMLSpace(data[k]) && data[k] != '>' && data[k] != '/' {
			k++
		}
		var nameBuf [16]byte
		name := lowerInto(nameBuf[:], data[p+1:k])
		var closed bool
		k, closed, ranges = stripTagAttrs(data, k, ranges[:0])
		if closed {
			// only a tag read to its '>' loses attributes
			for m := 0; m+1 < len(ranges); m += 2 {
				drop(ranges[m], ranges[m+1])
			}
		}
		i = k
		if closed && name != nil && isRawTextTag(string(name)) {
			// skip to the end tag: nothing in raw text is a tag
			e := indexFold(data[i:], "</"+string(name))
			if e < 0 {
				break
			}
			i += e
		}
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// stripTagAttrs reads the attributes of a start tag from k (just after
// its name) and appends the [from, to) range of each one to remove to
// ranges. It returns where the tag ends, and whether it ended with '>' as
// expected.
func stripTagAttrs(data []byte, k int, ranges []int) (int, bool, []int) {
	n := len(data)
	for {
		for k < n && (isHTMLSpace(data[k]) || data[k] == '/') {
			k++
		}
		if k >= n {
			return k, false, ranges
		}
		if data[k] == '>' {
			return k + 1, true, ranges
		}
		start := k
		for k < n && !isHTMLSpace(data[k]) && data[k] != '=' && data[k] != '>' && data[k] != '/' && data[k] != '<' {
			k++
		}
		if k == start || k >= n {
			return k, false, ranges // "=x" or '<' in a tag: leave the rest to the tokenizer
		}
		attr := data[start:k]
		for k < n && isHTMLSpace(data[k]) {
			k++
		}
		var val []byte
		if k < n && data[k] == '=' {
			k++
			for k < n && isHTMLSpace(data[k]) {
				k++
			}
			if k >= n {
				return k, false, ranges
			}
			if q := data[k]; q == '"' || q == '\'' {
				e := bytes.IndexByte(data[k+1:], q)
				if e < 0 {
					return k, false, ranges
				}
				val = data[k+1 : k+1+e]
				k += e + 2
			} else {
				vs := k
				for k < n && !isHTMLSpace(data[k]) && data[k] != '>' {
					k++
				}
				val = data[vs:k]
			}
		}
		var attrBuf [16]byte
		if a := lowerInto(attrBuf[:], attr); a != nil && isDroppedAttr(string(a)) {
			if !(string(a) == "style" && hidesElement(val)) {
				ranges = append(ranges, start, k)
			}
		}
	}
}

// indexFold is bytes.Index ignoring the case of ASCII letters in sub
// (which is lower case).
func indexFold(s []byte, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := bytes.IndexByte(s[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if i+len(sub) > len(s) {
			return -1
		}
		if tailEqualFold(s[i:], sub) {
			return i
		}
	}
	return -1
}
