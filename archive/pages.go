package archive

// This file reads bbolt's file format directly, without bbolt: the meta
// pages (to tell a truncated file before bbolt maps past its end) and, for
// salvage, the leaf pages. The layout is bbolt's (internal/common): a page
// starts with a 16-byte header (id uint64, flags uint16, count uint16,
// overflow uint32), little-endian on every platform nianbao runs on.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

const (
	pageHeaderSize = 16
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	metaSize       = 64 // magic … txid (56 bytes) + checksum
	pageFlagBranch = 0x01
	pageFlagLeaf   = 0x02
	pageFlagMeta   = 0x04
	pageFlagFree   = 0x10
)

// fileMeta is what one of bbolt's two meta pages says of the file.
type fileMeta struct {
	PageSize uint32
	Root     uint64 // page of the root bucket
	Freelist uint64
	HWM      uint64 // high-water mark: pages in use are below it
	TxID     uint64
}

// parseMeta decodes the meta page at the start of b, checking its magic,
// version and checksum.
func parseMeta(b []byte) (fileMeta, error) {
	if len(b) < pageHeaderSize+metaSize {
		return fileMeta{}, errors.New("short meta page")
	}
	m := b[pageHeaderSize : pageHeaderSize+metaSize]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != boltMagic {
		return fileMeta{}, errors.New("no bbolt magic")
	}
	if v := le.Uint32(m[4:]); v != boltVersion {
		return fileMeta{}, fmt.Errorf("bbolt version %d", v)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return fileMeta{}, errors.New("meta checksum mismatch")
	}
	return fileMeta{
		PageSize: le.Uint32(m[8:]),
		Root:     le.Uint64(m[16:]),
		Freelist: le.Uint64(m[32:]),
		HWM:      le.Uint64(m[40:]),
		TxID:     le.Uint64(m[48:]),
	}, nil
}

// readFileMeta returns the newer valid meta page of the bbolt file f, as
// bbolt itself chooses it.
func readFileMeta(f io.ReaderAt) (fileMeta, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	var metas []fileMeta
	var firstErr error
	// Page 0 is at offset 0; page 1 at one page size, which page 0 gives,
	// or (page 0 damaged) one of the usual sizes.
	offsets := []int64{0}
	if _, err := f.ReadAt(buf, 0); err == nil {
		if m, err := parseMeta(buf); err == nil {
			metas = append(metas, m)
			offsets = append(offsets, int64(m.PageSize))
		} else {
			firstErr = fmt.Errorf("meta page 0: %w", err)
			offsets = append(offsets, 4096, 8192, 16384, 65536)
		}
	} else {
		return fileMeta{}, fmt.Errorf("read meta page 0: %w", err)
	}
	for _, off := range offsets[1:] {
		if _, err := f.ReadAt(buf, off); err != nil {
			continue
		}
		if m, err := parseMeta(buf); err == nil {
			metas = append(metas, m)
			break
		}
	}
	if len(metas) == 0 {
		if firstErr == nil {
			firstErr = errors.New("no valid meta page")
		}
		return fileMeta{}, firstErr
	}
	best := metas[0]
	for _, m := range metas[1:] {
		if m.TxID > best.TxID {
			best = m
		}
	}
	return best, nil
}

// checkFileSize reports a DamageError when the file at path is shorter than
// its meta page says it is (a truncated copy): bbolt would map past the end
// of the file and fault on the first page it reads there. A file that is
// not a bbolt file at all is left for bbolt to refuse.
func checkFileSize(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("open archive %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return nil
	}
	m, err := readFileMeta(f)
	if err != nil {
		if st.Size() < 2*4096 {
			return &DamageError{Path: path, Detail: fmt.Sprintf("the file is %d bytes, too short to be a bbolt archive (%v)", st.Size(), err)}
		}
		return nil // bbolt says what is wrong with it
	}
	need := int64(m.HWM) * int64(m.PageSize)
	if st.Size() < need {
		return &DamageError{Path: path, Detail: fmt.Sprintf("the file is truncated: it is %d bytes, its last commit (tx %d) needs %d (%d pages of %d bytes)", st.Size(), m.TxID, need, m.HWM, m.PageSize)}
	}
	return nil
}
