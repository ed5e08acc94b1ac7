package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/richardlehane/mscfb"
)

// Limits for reading OLE2 compound files (.doc, .wps, .xls, .et): a
// report's streams are a few hundred kilobytes; a stream's directory entry
// can claim any size, so reads are capped whatever it says.
const (
	maxOLEStream  = 64 << 20  // bytes read of one stream
	maxOLETotal   = 128 << 20 // bytes read of all wanted streams together
	maxOLEEntries = 4096      // directory entries walked
)

// errCorruptOLE marks a file whose compound-file container cannot be
// read at all: a converter, which needs the same container, is not tried.
var errCorruptOLE = errors.New("corrupt compound file")

// errNotOLE is returned for data that is not a compound file at all.
var errNotOLE = fmt.Errorf("%w: not an OLE2 compound file (no D0 CF 11 E0 signature)", errCorruptOLE)

// oleStreams opens data as an OLE2 compound file (with
// github.com/richardlehane/mscfb) and returns the root-level streams named
// in want that it holds, each read whole up to maxOLEStream bytes. A
// malformed file is an error naming what failed; the library's panics on
// crafted files are returned as errors too.
func oleStreams(data []byte, want ...string) (streams map[string][]byte, err error) {
	if !bytes.HasPrefix(data, magicOLE) {
		return nil, errNotOLE
	}
	defer func() {
		if v := recover(); v != nil {
			streams, err = nil, fmt.Errorf("%w: %v", errCorruptOLE, v)
		}
	}()
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: open: %w", errCorruptOLE, err)
	}
	wanted := make(map[string]bool, len(want))
	for _, w := range want {
		wanted[w] = true
	}
	streams = map[string][]byte{}
	total := 0
	for n := 0; n < maxOLEEntries; n++ {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: directory: %w", errCorruptOLE, err)
		}
		if len(f.Path) != 0 || !wanted[f.Name] || streams[f.Name] != nil {
			continue
		}
		if f.Size > maxOLEStream {
			return nil, fmt.Errorf("stream %s: %d bytes, over the %d limit", f.Name, f.Size, maxOLEStream)
		}
		b, err := io.ReadAll(io.LimitReader(f, maxOLEStream+1))
		if err != nil {
			return nil, fmt.Errorf("%w: stream %s: %w", errCorruptOLE, f.Name, err)
		}
		if len(b) > maxOLEStream {
			return nil, fmt.Errorf("stream %s: over %d bytes", f.Name, maxOLEStream)
		}
		if total += len(b); total > maxOLETotal {
			return nil, fmt.Errorf("streams over %d bytes together", maxOLETotal)
		}
		streams[f.Name] = b
	}
	return streams, nil
}
