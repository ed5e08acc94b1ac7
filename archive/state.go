package archive

import (
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// URL states (the urls bucket) of schema version 2 are their JSON
// compressed as one zstd frame against stateDict, a raw-content dictionary
// of the field names and common values; the decoded JSON is unchanged.
// Version-1 states (plain JSON, starting with '{') are read as they are,
// and a state is rewritten in the new form the next time its URL is
// captured. Like recordDict, stateDict is part of the file format: its
// bytes never change under stateDictID.
const (
	stateDictID = 0x6e620003 // "nb", 3: URL states of schema version 2
	stateDict   = `{"last_capture_id":"1","last_fetched":"2026-01-02T03:04:05.123456789Z","status":404,"role":"other","agency":"县人民政府","archived":false}` +
		`{"last_capture_id":"12","last_fetched":"2026-01-02T03:04:05.123456789Z","status":200,"etag":"\"5f3a-1b2c\"","last_modified":"Mon, 02 Jan 2026 03:04:05 GMT","digest":"sha256:","role":"attachment","agency":"人民政府办公室","archived":true}` +
		`{"last_capture_id":"123","last_fetched":"2026-01-02T03:04:05.123456789Z","status":200,"etag":"W/\"5f3a-1b2c\"","last_modified":"Mon, 02 Jan 2026 03:04:05 GMT","digest":"sha256:","role":"list","agency":"市人民政府","archived":true}` +
		`{"last_capture_id":"1234","last_fetched":"2026-01-02T03:04:05.123456789Z","status":200,"digest":"sha256:","role":"report","agency":"人民政府办公室","archived":true}`
)

// newStateEncoder returns the zstd encoder of URL states (SpeedFastest, as
// newRecordEncoder: the same bytes as the default level in half the time).
func newStateEncoder() (*zstd.Encoder, error) {
	return zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderDictRaw(stateDictID, []byte(stateDict)),
		zstd.WithEncoderConcurrency(1))
}

// encodeState returns the stored form of st.
func encodeState(enc *zstd.Encoder, st *URLState) ([]byte, error) {
	js, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return enc.EncodeAll(js, nil), nil
}

// stateJSON returns the JSON of a stored URL state, of either form.
func stateJSON(dec *zstd.Decoder, v []byte) ([]byte, error) {
	js, err := captureJSON(dec, v)
	if err != nil {
		return nil, fmt.Errorf("compressed URL state does not decompress: %w", err)
	}
	return js, nil
}

// decodeState decodes a stored URL state of either form.
func decodeState(dec *zstd.Decoder, v []byte) (URLState, error) {
	var st URLState
	js, err := stateJSON(dec, v)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(js, &st); err != nil {
		return st, err
	}
	return st, nil
}
