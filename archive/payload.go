package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// A bodies value is one of two forms:
//
//   - body only (schema 1, and schema 2 for a payload without text): one
//     zstd frame of the raw payload;
//   - body and text (schema 2): a zstd skippable frame (magic 0x184D2A5E)
//     holding "nbpt" and the body's length as a uvarint, then one zstd
//     frame of the body followed by its text. The text, mostly words of
//     the HTML, then costs little beyond the body it comes from; such a
//     digest has no texts entry.
//
// Both are zstd streams (a decoder skips the skippable frame), so a
// value's shape test stays "starts with a zstd magic number".
var (
	combinedMagic = []byte{0x5e, 0x2a, 0x4d, 0x18}
	combinedTag   = []byte("nbpt")
)

// isCombined reports whether a bodies value holds the body and its text.
func isCombined(v []byte) bool { return bytes.HasPrefix(v, combinedMagic) }

// isPayloadValue reports whether v has the shape of a bodies value.
func isPayloadValue(v []byte) bool { return bytes.HasPrefix(v, zstdMagic) || isCombined(v) }

// encodeCombined returns the body-and-text value of body and text.
func encodeCombined(enc *zstd.Encoder, body []byte, text string) []byte {
	var meta []byte
	meta = append(meta, combinedTag...)
	meta = binary.AppendUvarint(meta, uint64(len(body)))
	out := append([]byte(nil), combinedMagic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(meta)))
	out = append(out, meta...)
	plain := make([]byte, 0, len(body)+len(text))
	plain = append(append(plain, body...), text...)
	return enc.EncodeAll(plain, out)
}

// splitPayload decodes a bodies value into the body and, for the combined
// form, the text (hasText false for a body-only value).
func splitPayload(dec *zstd.Decoder, v []byte) (body, text []byte, hasText bool, err error) {
	if !isCombined(v) {
		body, err = dec.DecodeAll(v, nil)
		return body, nil, false, err
	}
	if len(v) < 8 {
		return nil, nil, false, errors.New("payload header is cut short")
	}
	n := binary.LittleEndian.Uint32(v[4:8])
	if uint64(n) > uint64(len(v)-8) || n < uint32(len(combinedTag))+1 {
		return nil, nil, false, fmt.Errorf("payload header of %d bytes does not fit the %d-byte value", n, len(v))
	}
	meta, rest := v[8:8+n], v[8+n:]
	if !bytes.HasPrefix(meta, combinedTag) {
		return nil, nil, false, errors.New("payload header lacks its tag")
	}
	blen, k := binary.Uvarint(meta[len(combinedTag):])
	if k <= 0 {
		return nil, nil, false, errors.New("payload header has no body length")
	}
	all, err := dec.DecodeAll(rest, nil)
	if err != nil {
		return nil, nil, false, err
	}
	if blen > uint64(len(all)) {
		return nil, nil, false, fmt.Errorf("payload header says %d body bytes, the value holds %d", blen, len(all))
	}
	return all[:blen], all[blen:], true, nil
}
