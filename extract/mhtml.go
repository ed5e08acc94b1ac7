package extract

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
)

// maxMHTMLPart bounds the HTML part read out of an MHTML archive.
const maxMHTMLPart = 64 << 20

// isMHTML reports a MIME web archive (.mht/.mhtml, and the ".doc" files
// Word saves as "single file web page"): MIME headers with a multipart
// content type at the start.
func isMHTML(data []byte) bool {
	head := data
	if len(head) > 2048 {
		head = head[:2048]
	}
	lower := asciiLower(head)
	return bytes.Contains(lower, []byte("mime-version:")) && bytes.Contains(lower, []byte("multipart/")) &&
		bytes.Contains(lower, []byte("boundary="))
}

// unwrapMHTML returns the first text/html part of a MIME web archive,
// decoded from quoted-printable or base64, and that part's content type
// (which carries its charset).
func unwrapMHTML(data []byte) ([]byte, string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("mhtml headers: %w", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return nil, "", fmt.Errorf("mhtml: not a multipart archive (%q)", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for i := 0; i < 1000; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("mhtml part %d: %w", i, err)
		}
		ct := p.Header.Get("Content-Type")
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "text/html") {
			continue
		}
		// multipart decodes quoted-printable itself; base64 is left to us
		var r io.Reader = p
		if strings.EqualFold(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, newlineStripper{p})
		}
		b, err := io.ReadAll(io.LimitReader(r, maxMHTMLPart+1))
		if err != nil {
			return nil, "", fmt.Errorf("mhtml html part: %w", err)
		}
		if len(b) > maxMHTMLPart {
			return nil, "", fmt.Errorf("mhtml html part over %d bytes", maxMHTMLPart)
		}
		return b, ct, nil
	}
	return nil, "", errors.New("mhtml: no text/html part")
}

// newlineStripper drops CR and LF so base64 lines decode as one stream.
type newlineStripper struct{ r io.Reader }

func (s newlineStripper) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}
