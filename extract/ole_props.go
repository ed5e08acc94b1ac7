package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/richardlehane/msoleps"
	"github.com/richardlehane/msoleps/types"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// oleSummaryStream is the name mscfb gives the "\x05SummaryInformation"
// property set stream (the leading control character dropped).
const oleSummaryStream = "SummaryInformation"

// oleTitle returns the Title property of a SummaryInformation stream
// (read with github.com/richardlehane/msoleps), or "". Eight-bit strings
// are taken as UTF-8 when valid, else as GB18030 (Chinese Office writes
// code page 936).
func oleTitle(stream []byte) (title string) {
	if len(stream) == 0 {
		return ""
	}
	defer func() {
		if recover() != nil {
			title = ""
		}
	}()
	r, err := msoleps.NewFrom(bytes.NewReader(stream))
	if err != nil {
		return ""
	}
	for _, p := range r.Property {
		if p == nil || p.Name != "Title" || p.T == nil {
			continue
		}
		s := p.T.String()
		if cs, ok := p.T.(*types.CodeString); ok && !utf8.Valid(cs.Chars) {
			if dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(cs.Chars); err == nil {
				s = string(dec)
			}
		}
		return cleanSpace(strings.TrimRight(s, "\x00"))
	}
	return ""
}
