package archive

import (
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// PayloadDecoder decodes payload values as stored in bodies or payloads
// (a Location's Value), for tools that read an archive's pages themselves
// (as DecodeRecord does for capture records). A payload compressed
// against a site dictionary (schema 3) needs the payloads the dictionary
// was made of: member returns the stored value of the payload of a
// capture ID.
type PayloadDecoder struct {
	pd payloadDecoder
}

// NewPayloadDecoder returns a decoder reading dictionary members through
// member (nil: a payload that needs one is an error).
func NewPayloadDecoder(member func(captureID uint64) ([]byte, error)) (*PayloadDecoder, error) {
	dec, err := newDecoder(zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("payload decoder: zstd: %w", err)
	}
	return &PayloadDecoder{pd: payloadDecoder{dec: dec, sites: newSiteDicts(), member: member}}, nil
}

// Decode returns the payload bytes of a stored payload value and its text
// (nil when the value holds none).
func (p *PayloadDecoder) Decode(v []byte) (body, text []byte, err error) {
	body, text, _, err = splitPayload(p.pd, v)
	if err != nil {
		return nil, nil, fmt.Errorf("decode payload: %w", err)
	}
	return body, text, nil
}

// Close releases the decoder.
func (p *PayloadDecoder) Close() { p.pd.dec.Close() }

// PayloadMembers returns the capture IDs of the payloads a stored payload
// value needs besides itself to be read (the members of the site
// dictionary it is compressed against), nil for a payload that needs none.
func PayloadMembers(v []byte) []uint64 {
	_, members, _, err := decodeDictDesc(siteDesc(v))
	if err != nil {
		return nil
	}
	return members
}
