package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// A bodies value is one of three forms:
//
//   - body only (schema 1, and since schema 2 for a payload without
//     text): one zstd frame of the raw payload;
//   - body and text (schema 2): a zstd skippable frame (magic 0x184D2A5E)
//     holding "nbpt" and the body's length as a uvarint, then one zstd
//     frame of the body followed by its text. The text, mostly words of
//     the HTML, then costs little beyond the body it comes from; such a
//     digest has no texts entry;
//   - body and text against a site dictionary (schema 3): the skippable
//     frame holds "nbpd", the body's length and the dictionary's
//     description (sitedict.go), and the zstd frame names siteDictID.
//
// All are zstd streams (a decoder skips the skippable frame), so a
// value's shape test stays "starts with a zstd magic number".
var (
	combinedMagic = []byte{0x5e, 0x2a, 0x4d, 0x18}
	combinedTag   = []byte("nbpt")
	siteTag       = []byte("nbpd")
)

// isCombined reports whether a bodies value holds the body and its text.
func isCombined(v []byte) bool { return bytes.HasPrefix(v, combinedMagic) }

// isPayloadValue reports whether v has the shape of a bodies value.
func isPayloadValue(v []byte) bool { return bytes.HasPrefix(v, zstdMagic) || isCombined(v) }

// encodeCombined returns the body-and-text value of body and text.
func encodeCombined(enc *zstd.Encoder, body []byte, text string) []byte {
	return encodePlain(enc, joinPlain(body, text), len(body))
}

// joinPlain returns the bytes a body-and-text value compresses: the body
// followed by its text.
func joinPlain(body []byte, text string) []byte {
	plain := make([]byte, 0, len(body)+len(text))
	return append(append(plain, body...), text...)
}

// encodePlain returns the body-and-text value of plain (joinPlain's), the
// first bodyLen bytes of which are the body.
func encodePlain(enc *zstd.Encoder, plain []byte, bodyLen int) []byte {
	var meta []byte
	meta = append(meta, combinedTag...)
	meta = binary.AppendUvarint(meta, uint64(bodyLen))
	out := append([]byte(nil), combinedMagic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(meta)))
	out = append(out, meta...)
	return enc.EncodeAll(plain, out)
}

// encodeSite returns the body-and-text value of plain (joinPlain's, the
// first bodyLen bytes the body) compressed against the site dictionary d.
func encodeSite(d *siteDict, plain []byte, bodyLen int) []byte {
	meta := append([]byte(nil), siteTag...)
	meta = binary.AppendUvarint(meta, uint64(bodyLen))
	meta = append(meta, d.desc...)
	out := append([]byte(nil), combinedMagic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(meta)))
	out = append(out, meta...)
	return d.enc.EncodeAll(plain, out)
}

// payloadHeader splits a value with a header (isCombined) into the
// header's bytes and the frame after it.
func payloadHeader(v []byte) (meta, rest []byte, err error) {
	if len(v) < 8 {
		return nil, nil, errors.New("payload header is cut short")
	}
	n := binary.LittleEndian.Uint32(v[4:8])
	if uint64(n) > uint64(len(v)-8) || n < uint32(len(combinedTag))+1 {
		return nil, nil, fmt.Errorf("payload header of %d bytes does not fit the %d-byte value", n, len(v))
	}
	return v[8 : 8+n], v[8+n:], nil
}

// isSiteForm reports whether v is compressed against a site dictionary.
func isSiteForm(v []byte) bool {
	if !isCombined(v) {
		return false
	}
	meta, _, err := payloadHeader(v)
	return err == nil && bytes.HasPrefix(meta, siteTag)
}

// siteDesc returns the description of the dictionary a site-form value
// is compressed against (nil for another form).
func siteDesc(v []byte) []byte {
	if !isSiteForm(v) {
		return nil
	}
	meta, _, _ := payloadHeader(v)
	if _, k := binary.Uvarint(meta[len(siteTag):]); k > 0 {
		return meta[len(siteTag)+k:]
	}
	return nil
}

// siteDecoding is a frameDecoder that can also decode against a site
// dictionary (payloadDecoder).
type siteDecoding interface {
	siteDecoder(desc []byte) (frameDecoder, error)
}

// splitPayload decodes a bodies value into the body and, for the combined
// form, the text (hasText false for a body-only value).
func splitPayload(dec frameDecoder, v []byte) (body, text []byte, hasText bool, err error) {
	if !isCombined(v) {
		body, err = dec.DecodeAll(v, nil)
		return body, nil, false, err
	}
	meta, rest, err := payloadHeader(v)
	if err != nil {
		return nil, nil, false, err
	}
	site := bytes.HasPrefix(meta, siteTag)
	if !site && !bytes.HasPrefix(meta, combinedTag) {
		return nil, nil, false, errors.New("payload header lacks its tag")
	}
	blen, k := binary.Uvarint(meta[len(combinedTag):])
	if k <= 0 {
		return nil, nil, false, errors.New("payload header has no body length")
	}
	fd := dec
	if site {
		sd, ok := dec.(siteDecoding)
		if !ok {
			return nil, nil, false, errors.New("the payload is compressed against a site dictionary, which cannot be read here")
		}
		if fd, err = sd.siteDecoder(meta[len(siteTag)+k:]); err != nil {
			return nil, nil, false, err
		}
	}
	all, err := fd.DecodeAll(rest, nil)
	if err != nil {
		return nil, nil, false, err
	}
	if blen > uint64(len(all)) {
		return nil, nil, false, fmt.Errorf("payload header says %d body bytes, the value holds %d", blen, len(all))
	}
	return all[:blen], all[blen:], true, nil
}
