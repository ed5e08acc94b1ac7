package crawler

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// Content codings are undone the way browsers undo them. The crawler
// asks for gzip only (net/http's transport does, and undoes it, so such
// bodies are archived decoded, as they always were). A server that sends
// another coding unasked (deflate, zlib-wrapped as RFC 9110 says or raw
// as many servers send it; br; zstd; gzip again) is decoded here for the
// page's text and links only: the archive keeps those bytes as received,
// with the Content-Encoding header that says how to read them. A list of
// codings is undone last first, and the decoded size is capped so a
// compression bomb stops at the cap.

// decodeContent undoes coding (a Content-Encoding value) on body, reading
// at most limit decoded bytes; truncated reports that more was there.
func decodeContent(body []byte, coding string, limit int64) (out []byte, truncated bool, err error) {
	codings := strings.Split(strings.ToLower(coding), ",")
	out = body
	for i := len(codings) - 1; i >= 0; i-- {
		c := strings.TrimSpace(codings[i])
		if c == "" || c == "identity" {
			continue
		}
		out, truncated, err = decodeOne(out, c, limit)
		if err != nil || truncated {
			return out, truncated, err
		}
	}
	return out, false, nil
}

func decodeOne(body []byte, coding string, limit int64) ([]byte, bool, error) {
	var r io.Reader
	switch coding {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, false, fmt.Errorf("decode gzip body: %w", err)
		}
		defer zr.Close()
		r = zr
	case "deflate":
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			defer zr.Close()
			r = zr
		} else {
			fr := flate.NewReader(bytes.NewReader(body))
			defer fr.Close()
			r = fr
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(32<<20))
		if err != nil {
			return nil, false, fmt.Errorf("decode zstd body: %w", err)
		}
		defer zr.Close()
		r = zr
	default:
		return nil, false, fmt.Errorf("unknown content coding %q", coding)
	}
	out, truncated, err := readCapped(r, limit)
	if err != nil {
		return out, truncated, fmt.Errorf("decode %s body: %w", coding, err)
	}
	return out, truncated, nil
}
