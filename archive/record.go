package archive

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// Capture records of schema version 2 are their JSON compressed as one
// zstd frame against recordDict, a raw-content dictionary of the record's
// field names and the values most records share (header names, nianbao's
// own request header). A record is ~900 bytes of JSON and ~280 bytes so.
// Version-1 records (plain JSON, starting with '{') are read as they are:
// captureJSON tells the two forms apart by their first bytes.
//
// recordDict is part of the file format: a frame names its dictionary by
// recordDictID, and the bytes under that ID must never change. A new
// dictionary takes a new ID, with the old one kept for reading.
const (
	recordDictID = 0x6e620002 // "nb", 2: the dictionary of schema version 2
	recordDict   = `{"id":"1","url":"https://www.gov.cn/zwgk/","final_url":"https://www.gov.cn/zwgk/","fetched_at":"2026-01-02T03:04:05.123456789Z","status":200,"header":{"Accept-Ranges":["bytes"],"Cache-Control":["max-age=600"],"Connection":["keep-alive"],"Content-Length":["1234"],"Content-Type":["text/html; charset=utf-8"],"Date":["Mon, 02 Jan 2026 03:04:05 GMT"],"Etag":["\"5f3a-1b2c\""],"Last-Modified":["Mon, 02 Jan 2026 03:04:05 GMT"],"Server":["nginx"],"Vary":["Accept-Encoding"]},"content_type":"application/pdf","charset":"gbk","digest":"sha256:0123456789abcdef","size":2921,"agency":"人民政府办公室","role":"report","revisit":false,"error":"","title":"政府信息公开工作年度报告","truncated":true,"run_id":"1","rendered":true,"tls_verified":true,"tls_error":"","seed_moved_to":"","request_header":{"Accept":["text/html,application/xhtml+xml,*/*;q=0.8"],"Accept-Encoding":["gzip"],"If-Modified-Since":[""],"If-None-Match":[""],"User-Agent":["nianbao/0.1 (+https://github.com/nianbao/nianbao; annual-report archive)"]},"ip":"127.0.0.1","proto":"HTTP/1.1","warc_record_id":"<urn:uuid:","worker":""}{"id":"2","url":"http://www.gov.cn/","final_url":"http://www.gov.cn/","fetched_at":"2026-01-02T03:04:05.123456789Z","status":200,"header":{"Content-Type":["text/html; charset=utf-8"],"Date":["Mon, 02 Jan 2026 03:04:05 GMT"]},"content_type":"text/html; charset=utf-8","charset":"utf-8","digest":"sha256:","size":1234,"agency":"县人民政府","role":"list","revisit":false,"error":"","title":"","run_id":"1","request_header":{"Accept":["text/html,application/xhtml+xml,*/*;q=0.8"],"Accept-Encoding":["gzip"],"User-Agent":["nianbao/0.1 (+https://github.com/nianbao/nianbao; annual-report archive)"]},"ip":"127.0.0.1","proto":"HTTP/1.1"}`
)

// newDecoder returns a zstd decoder for payloads, texts, capture records
// and URL states of either schema version.
func newDecoder(opts ...zstd.DOption) (*zstd.Decoder, error) {
	opts = append([]zstd.DOption{zstd.WithDecoderMaxMemory(maxDecompressed), zstd.WithDecoderDictRaw(recordDictID, []byte(recordDict)),
		zstd.WithDecoderDictRaw(stateDictID, []byte(stateDict))}, opts...)
	return zstd.NewReader(nil, opts...)
}

// newRecordEncoder returns the zstd encoder of capture records.
// SpeedFastest: on a capture record it makes the same bytes (±1) as the
// default level in 60-85 % of the time (most of it the dictionary's reset
// per call); any level decodes alike.
func newRecordEncoder() (*zstd.Encoder, error) {
	return zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderDictRaw(recordDictID, []byte(recordDict)),
		zstd.WithEncoderConcurrency(1))
}

// isRecordFrame reports whether v is a zstd frame made with the record
// dictionary (a version-2 capture record), as its frame header says: a
// payload's frame names no dictionary, and a body-and-text value starts
// with a skippable frame.
func isRecordFrame(v []byte) bool { return frameDictID(v) == recordDictID }

// captureJSON returns the JSON of a stored capture record: v itself for a
// version-1 record, decompressed for a version-2 one.
func captureJSON(dec *zstd.Decoder, v []byte) ([]byte, error) {
	if !bytes.HasPrefix(v, zstdMagic) {
		return v, nil
	}
	js, err := dec.DecodeAll(v, nil)
	if err != nil {
		return nil, fmt.Errorf("compressed record does not decompress: %w", err)
	}
	return js, nil
}

// DecodeRecord decodes a capture record as stored in the captures bucket,
// in either form (a Location's Value, for tools that read pages
// themselves). It makes a decoder of its own for each call.
func DecodeRecord(v []byte) (*Capture, error) {
	dec, err := newDecoder(zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("decode capture record: zstd: %w", err)
	}
	defer dec.Close()
	js, err := captureJSON(dec, v)
	if err != nil {
		return nil, fmt.Errorf("decode capture record: %w", err)
	}
	var c Capture
	if err := json.Unmarshal(js, &c); err != nil {
		return nil, fmt.Errorf("decode capture record: %w", err)
	}
	return &c, nil
}
