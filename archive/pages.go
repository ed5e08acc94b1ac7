package archive

// This file reads bbolt's file format directly, without bbolt: the meta
// pages (to tell a truncated file before bbolt maps past its end), the tree
// of branch and leaf pages (walkTree: what check reports and what makes it
// safe to let bbolt's own check run) and, for salvage, every leaf page of
// the file (scanLeaves). The layout is bbolt's (internal/common): a page
// starts with a 16-byte header (id uint64, flags uint16, count uint16,
// overflow uint32), little-endian on every platform nianbao runs on, and
// spans (overflow+1) pages. A leaf page holds count 16-byte elements (flags,
// pos, ksize, vsize uint32; the key is pos bytes after the element, the
// value follows the key); a branch page count 16-byte elements (pos, ksize
// uint32, child page uint64). An element with flag 0x01 is a bucket: its
// value is a 16-byte bucket header (root page, sequence uint64) followed,
// when root is 0, by the bucket's own leaf page (an inline bucket).
//
// Nothing read from the file is trusted: every offset and length is checked
// against the bytes actually read, so a damaged or hostile file can make
// these functions report faults but never panic or read out of bounds.

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

const (
	leafElemSize   = 16
	branchElemSize = 16
	bucketHdrSize  = 16 // root page uint64, sequence uint64
	elemFlagBucket = 0x01
	// maxPageExtent caps what one page with its overflow may occupy in
	// memory: a damaged header may claim 2³² overflow pages.
	maxPageExtent = 1 << 30
	// maxTreeDepth bounds the walk of a damaged tree (bbolt's trees of a
	// few million keys are 4 or 5 levels deep).
	maxTreeDepth = 64
)

// pageHeader is the 16-byte header every page starts with.
type pageHeader struct {
	ID       uint64
	Flags    uint16
	Count    uint16
	Overflow uint32
}

func parsePageHeader(b []byte) pageHeader {
	le := binary.LittleEndian
	return pageHeader{ID: le.Uint64(b[0:]), Flags: le.Uint16(b[8:]), Count: le.Uint16(b[10:]), Overflow: le.Uint32(b[12:])}
}

// pageFile reads the pages of a bbolt file through an io.ReaderAt (never a
// memory map, so a short file is an error, not a fault).
type pageFile struct {
	r        io.ReaderAt
	size     int64
	pageSize int64
	meta     fileMeta
	// metaErr is set when neither meta page is valid: pageSize is then a
	// guess (guessPageSize) and meta is zero.
	metaErr error
}

// openPageFile reads the meta pages of the file r of size bytes. Without a
// valid meta page it still returns a pageFile, with a guessed page size and
// metaErr set, so that salvage can scan the pages of a file whose meta pages
// are both damaged.
func openPageFile(r io.ReaderAt, size int64) *pageFile {
	m, err := readFileMeta(r)
	if err == nil && (m.PageSize < 256 || m.PageSize > 1<<20 || m.PageSize&(m.PageSize-1) != 0) {
		err = fmt.Errorf("meta page gives an implausible page size %d", m.PageSize)
	}
	if err != nil {
		return &pageFile{r: r, size: size, pageSize: guessPageSize(r, size), metaErr: err}
	}
	return &pageFile{r: r, size: size, pageSize: int64(m.PageSize), meta: m}
}

// guessPageSize returns the page size of a file whose meta pages are both
// unreadable: the power of two from 4 KB to 64 KB under which the most of
// the file's first pages carry their own page ID in their header (bbolt
// writes it there), 4096 when none does.
func guessPageSize(r io.ReaderAt, size int64) int64 {
	best, score := int64(4096), 0
	hdr := make([]byte, 16)
	for ps := int64(4096); ps <= 65536; ps *= 2 {
		n := 0
		for id := int64(2); id < 66 && (id+1)*ps <= size; id++ {
			if _, err := r.ReadAt(hdr, id*ps); err == nil && parsePageHeader(hdr).ID == uint64(id) {
				n++
			}
		}
		if n > score {
			best, score = ps, n
		}
	}
	return best
}

// newPageFileSize is a pageFile with a given page size and no meta (for
// tests and the fuzzer, which cannot forge a meta checksum).
func newPageFileSize(r io.ReaderAt, size, pageSize int64) *pageFile {
	return &pageFile{r: r, size: size, pageSize: pageSize, metaErr: errors.New("no meta")}
}

// filePages is the number of whole pages the file holds.
func (f *pageFile) filePages() uint64 { return uint64(f.size / f.pageSize) }

// hwm is the high-water mark of the last commit, or the file's page count
// when the meta pages are unreadable.
func (f *pageFile) hwm() uint64 {
	if f.metaErr != nil {
		return f.filePages()
	}
	return f.meta.HWM
}

// header reads the header of page id.
func (f *pageFile) header(id uint64) (pageHeader, error) {
	if id >= f.filePages() {
		return pageHeader{}, fmt.Errorf("page %d lies past the end of the file (%d pages)", id, f.filePages())
	}
	var b [pageHeaderSize]byte
	if _, err := f.r.ReadAt(b[:], int64(id)*f.pageSize); err != nil {
		return pageHeader{}, fmt.Errorf("read page %d: %w", id, err)
	}
	return parsePageHeader(b[:]), nil
}

// page reads page id with its overflow pages: the header and as many of
// the page's bytes as the file holds. short is set when the page's overflow
// runs past the end of the file (or past maxPageExtent): data then holds
// only what is there.
func (f *pageFile) page(id uint64) (h pageHeader, data []byte, short bool, err error) {
	if h, err = f.header(id); err != nil {
		return h, nil, false, err
	}
	off := int64(id) * f.pageSize
	extent := (uint64(h.Overflow) + 1) * uint64(f.pageSize)
	n := extent
	if avail := uint64(f.size - off); n > avail {
		n = avail
	}
	if n > maxPageExtent {
		n = maxPageExtent
	}
	data = make([]byte, n)
	if _, err := f.r.ReadAt(data, off); err != nil && !errors.Is(err, io.EOF) {
		return h, nil, false, fmt.Errorf("read page %d: %w", id, err)
	}
	return h, data, n < extent, nil
}

// leafElem is one key/value of a leaf page. Key and Value point into the
// page's bytes; Start and End are the bytes of the page they occupy.
type leafElem struct {
	Flags      uint32
	Key, Value []byte
	Start, End int
	// Index is the element's position on its page.
	Index int
}

// bucket reports whether the element is a nested bucket.
func (e leafElem) bucket() bool { return e.Flags&elemFlagBucket != 0 }

// parseLeaf returns the elements of the leaf page data (header included)
// whose key and value lie inside data, and how many it had to drop.
func parseLeaf(data []byte) (elems []leafElem, dropped int) {
	if len(data) < pageHeaderSize {
		return nil, 0
	}
	count := int(parsePageHeader(data).Count)
	le := binary.LittleEndian
	for i := 0; i < count; i++ {
		eo := pageHeaderSize + i*leafElemSize
		if eo+leafElemSize > len(data) {
			return elems, dropped + count - i
		}
		flags, pos := le.Uint32(data[eo:]), uint64(le.Uint32(data[eo+4:]))
		ksize, vsize := uint64(le.Uint32(data[eo+8:])), uint64(le.Uint32(data[eo+12:]))
		ks := uint64(eo) + pos
		ke, ve := ks+ksize, ks+ksize+vsize
		if ve > uint64(len(data)) {
			dropped++
			continue
		}
		elems = append(elems, leafElem{Flags: flags, Key: data[ks:ke:ke], Value: data[ke:ve:ve], Start: int(ks), End: int(ve), Index: i})
	}
	return elems, dropped
}

// branchElem is one child of a branch page: its first key and its page.
type branchElem struct {
	Key   []byte
	Child uint64
}

// parseBranch returns the elements of the branch page data whose key lies
// inside data, and how many it had to drop.
func parseBranch(data []byte) (elems []branchElem, dropped int) {
	if len(data) < pageHeaderSize {
		return nil, 0
	}
	count := int(parsePageHeader(data).Count)
	le := binary.LittleEndian
	for i := 0; i < count; i++ {
		eo := pageHeaderSize + i*branchElemSize
		if eo+branchElemSize > len(data) {
			return elems, dropped + count - i
		}
		pos, ksize := uint64(le.Uint32(data[eo:])), uint64(le.Uint32(data[eo+4:]))
		child := le.Uint64(data[eo+8:])
		ks := uint64(eo) + pos
		if ks+ksize > uint64(len(data)) {
			dropped++
			continue
		}
		elems = append(elems, branchElem{Key: data[ks : ks+ksize : ks+ksize], Child: child})
	}
	return elems, dropped
}

// bucketRef is the value of a bucket element: its root page and sequence,
// and for an inline bucket (root 0) the bytes of its own leaf page.
type bucketRef struct {
	Root, Seq uint64
	Inline    []byte
}

func parseBucketRef(v []byte) (bucketRef, error) {
	if len(v) < bucketHdrSize {
		return bucketRef{}, fmt.Errorf("bucket header is %d bytes, want %d", len(v), bucketHdrSize)
	}
	b := bucketRef{Root: binary.LittleEndian.Uint64(v), Seq: binary.LittleEndian.Uint64(v[8:])}
	if b.Root == 0 {
		b.Inline = v[bucketHdrSize:]
		if len(b.Inline) < pageHeaderSize {
			return b, fmt.Errorf("inline bucket page is %d bytes, shorter than a page header", len(b.Inline))
		}
		if fl := parsePageHeader(b.Inline).Flags; fl != pageFlagLeaf {
			return b, fmt.Errorf("inline bucket page has flags %#x, not a leaf", fl)
		}
	}
	return b, nil
}

// pageFault is a damaged page met by walkTree.
type pageFault struct {
	// Page is the page (its first page, for one with overflow).
	Page uint64
	// Bucket is the top-level bucket whose tree holds it ("" for the root
	// bucket, which lists the buckets).
	Bucket string
	// Reason says what is wrong.
	Reason string
	// Unsafe is set when bbolt, reading the page, would read outside the
	// file or loop, not merely fail an assertion: bbolt's own check must
	// not run then (it runs in a goroutine of its own, where a memory
	// fault cannot be recovered).
	Unsafe bool
	// File is set for a fault of the file as a whole (truncated, no valid
	// meta page) rather than of one page.
	File bool
}

// String names the page, its bucket and what is wrong with it.
func (p pageFault) String() string {
	if p.File {
		return p.Reason
	}
	where := "the bucket list"
	if p.Bucket != "" {
		where = "bucket " + p.Bucket
	}
	return fmt.Sprintf("page %d (%s): %s", p.Page, where, p.Reason)
}

// treeBucket is a top-level bucket as the walk found it.
type treeBucket struct {
	Name string
	// Root is its root page, 0 for an inline bucket.
	Root uint64
	// Seq is its sequence (the last ID NextSequence gave).
	Seq uint64
	// Keys counts the records the walk found in it.
	Keys int
	// Separators are the keys of its branch pages, sorted: the first key
	// of every subtree, where a logical walk stopped by a damaged page can
	// resume.
	Separators [][]byte
}

// treeWalk is what walkTree found.
type treeWalk struct {
	// Buckets are the top-level buckets, by name.
	Buckets map[string]*treeBucket
	// Owner maps every page of a bucket's tree (with its overflow pages)
	// to the bucket's name; the pages of the bucket list map to "".
	Owner map[uint64]string
	// Faults are the damaged pages, in the order met.
	Faults []pageFault
	// Unsafe is set when a fault is Unsafe.
	Unsafe bool
}

// leafVisitor is called by walkTree for each leaf page of a top-level
// bucket it reads: the page holding the records (for an inline bucket, the
// bucket-list page whose value holds it), and the records.
type leafVisitor func(bucket string, page uint64, h pageHeader, elems []leafElem)

// walkTree walks the file's tree from the root named by the meta page:
// the bucket list, then each top-level bucket's pages, checking each
// page's header, bounds and references. visit, if not nil, sees every leaf.
func walkTree(f *pageFile, visit leafVisitor) *treeWalk {
	w := &treeWalk{Buckets: map[string]*treeBucket{}, Owner: map[uint64]string{}}
	if f.metaErr != nil {
		w.fault(pageFault{Reason: "no valid meta page: " + f.metaErr.Error(), Unsafe: true, File: true})
		return w
	}
	if f.meta.HWM > f.filePages() {
		w.fault(pageFault{Page: f.filePages(), Reason: fmt.Sprintf("the file is truncated: it is %d bytes, its last commit (tx %d) uses %d pages of %d; pages %d to %d are missing",
			f.size, f.meta.TxID, f.meta.HWM, f.pageSize, f.filePages(), f.meta.HWM-1), Unsafe: true, File: true})
	}
	w.checkFreelist(f)
	tw := &walker{f: f, w: w, visit: visit, seen: map[uint64]bool{}}
	tw.visitPage(f.meta.Root, nil, 0)
	return w
}

func (w *treeWalk) fault(p pageFault) {
	w.Faults = append(w.Faults, p)
	if p.Unsafe {
		w.Unsafe = true
	}
}

// checkFreelist checks the freelist page bbolt's check loads.
func (w *treeWalk) checkFreelist(f *pageFile) {
	id := f.meta.Freelist
	if id == ^uint64(0) { // no freelist synced
		return
	}
	fault := func(reason string, unsafe bool) {
		w.fault(pageFault{Page: id, Bucket: "", Reason: "freelist: " + reason, Unsafe: unsafe})
	}
	if id < 2 || id >= f.meta.HWM {
		fault(fmt.Sprintf("page %d is outside the pages in use (2 to %d)", id, f.meta.HWM-1), true)
		return
	}
	h, data, short, err := f.page(id)
	switch {
	case err != nil:
		fault(err.Error(), true)
		return
	case short:
		fault("runs past the end of the file", true)
		return
	case h.Flags != pageFlagFree:
		fault(fmt.Sprintf("has flags %#x, not a freelist page (zeroed or overwritten)", h.Flags), false)
		return
	}
	n, start := uint64(h.Count), uint64(pageHeaderSize)
	if h.Count == 0xFFFF && len(data) >= pageHeaderSize+8 {
		n, start = binary.LittleEndian.Uint64(data[pageHeaderSize:]), pageHeaderSize+8
	}
	if n > uint64(len(data)) || start+n*8 > uint64(len(data)) {
		fault(fmt.Sprintf("lists %d pages, more than it holds", n), true)
	}
	if h.ID != id {
		fault(fmt.Sprintf("self-identifies as page %d", h.ID), false)
	}
}

// walker is walkTree's state.
type walker struct {
	f     *pageFile
	w     *treeWalk
	visit leafVisitor
	seen  map[uint64]bool
}

// visitPage checks page id of bucket b (nil: the bucket list) and what it
// leads to.
func (t *walker) visitPage(id uint64, b *treeBucket, depth int) {
	name := ""
	if b != nil {
		name = b.Name
	}
	fault := func(reason string, unsafe bool) {
		t.w.fault(pageFault{Page: id, Bucket: name, Reason: reason, Unsafe: unsafe})
	}
	switch {
	case depth > maxTreeDepth:
		fault("the tree is deeper than any bbolt tree (a loop?)", true)
		return
	case id < 2 || id >= t.f.meta.HWM:
		fault(fmt.Sprintf("referenced, but outside the pages in use (2 to %d)", t.f.meta.HWM-1), true)
		return
	case t.seen[id]:
		fault("referenced twice", true)
		return
	}
	t.seen[id] = true
	h, data, short, err := t.f.page(id)
	if err != nil {
		fault(err.Error(), true)
		return
	}
	if h.ID != id {
		fault(fmt.Sprintf("self-identifies as page %d (zeroed or overwritten); what it held is unreadable", h.ID), false)
		return
	}
	for i := uint64(0); i <= uint64(h.Overflow) && id+i < t.f.filePages(); i++ {
		t.w.Owner[id+i] = name
	}
	if short {
		fault(fmt.Sprintf("its %d overflow pages run past the end of the file", h.Overflow), true)
	}
	switch h.Flags {
	case pageFlagBranch:
		t.branch(id, data, b, depth)
	case pageFlagLeaf:
		t.leaf(id, h, data, b)
	default:
		fault(fmt.Sprintf("has flags %#x, neither branch nor leaf", h.Flags), false)
	}
}

func (t *walker) branch(id uint64, data []byte, b *treeBucket, depth int) {
	elems, dropped := parseBranch(data)
	if dropped > 0 {
		t.w.fault(pageFault{Page: id, Bucket: nameOf(b), Reason: fmt.Sprintf("%d branch elements point outside the page", dropped), Unsafe: true})
	}
	for _, e := range elems {
		if b != nil {
			b.Separators = append(b.Separators, append([]byte(nil), e.Key...))
		}
		t.visitPage(e.Child, b, depth+1)
	}
}

func (t *walker) leaf(id uint64, h pageHeader, data []byte, b *treeBucket) {
	elems, dropped := parseLeaf(data)
	if dropped > 0 {
		t.w.fault(pageFault{Page: id, Bucket: nameOf(b), Reason: fmt.Sprintf("%d leaf elements point outside the page", dropped), Unsafe: true})
	}
	if b != nil {
		b.Keys += len(elems)
		if t.visit != nil {
			t.visit(b.Name, id, h, elems)
		}
		return
	}
	// The bucket list: every element is a top-level bucket.
	for _, e := range elems {
		if !e.bucket() {
			t.w.fault(pageFault{Page: id, Reason: fmt.Sprintf("key %q in the bucket list is not a bucket", e.Key)})
			continue
		}
		ref, err := parseBucketRef(e.Value)
		nb := &treeBucket{Name: string(e.Key), Root: ref.Root, Seq: ref.Seq}
		if err != nil {
			t.w.fault(pageFault{Page: id, Bucket: nb.Name, Reason: err.Error(), Unsafe: true})
			continue
		}
		t.w.Buckets[nb.Name] = nb
		if ref.Root != 0 {
			t.visitPage(ref.Root, nb, 1)
			continue
		}
		if int64(len(ref.Inline)) > t.f.pageSize {
			t.w.fault(pageFault{Page: id, Bucket: nb.Name, Reason: fmt.Sprintf("inline bucket of %d bytes, larger than a page", len(ref.Inline)), Unsafe: true})
			continue
		}
		in, dropped := parseLeaf(ref.Inline)
		if dropped > 0 {
			t.w.fault(pageFault{Page: id, Bucket: nb.Name, Reason: fmt.Sprintf("%d elements of the inline bucket point outside it", dropped), Unsafe: true})
		}
		for i := range in { // offsets in the bucket-list page
			shift := e.Start + len(e.Key) + bucketHdrSize
			in[i].Start += shift
			in[i].End += shift
		}
		nb.Keys = len(in)
		if t.visit != nil {
			t.visit(nb.Name, id, h, in)
		}
	}
}

func nameOf(b *treeBucket) string {
	if b == nil {
		return ""
	}
	return b.Name
}

// scanLeaves calls fn for every page of the file whose header names its own
// position and says it is a leaf, in file order, with the page's bytes (as
// many as the file holds). Live, freed and orphaned pages alike: a freed
// page still holds the records it held when it was freed. An error from fn
// stops the scan.
func scanLeaves(f *pageFile, fn func(id uint64, h pageHeader, data []byte) error) error {
	n := f.filePages()
	for id := uint64(2); id < n; id++ {
		h, err := f.header(id)
		if err != nil {
			return err
		}
		if h.ID != id || h.Flags != pageFlagLeaf {
			continue
		}
		h, data, _, err := f.page(id)
		if err != nil {
			return err
		}
		if err := fn(id, h, data); err != nil {
			return err
		}
	}
	return nil
}

// Location is where a record lies in an archive file, as Locate finds it.
type Location struct {
	// Bucket is the top-level bucket of a record of the live tree, or of
	// an inline bucket on a freed page; "" for a record on a freed page.
	Bucket string
	// Key and Value are the record's bytes as the page holds them.
	Key, Value []byte
	// Page is the first page of the leaf page holding the record, and
	// Overflow its overflow pages.
	Page     uint64
	Overflow uint32
	// Live is set for a record of the live tree (what bbolt reads).
	Live bool
	// Spans are the byte ranges [start, end) of the file the record cannot
	// be read without: its page's header, its element (for a record not in
	// an inline bucket), its key and value.
	Spans [][2]int64
}

// Hit reports whether the byte range [off, off+n) of the file touches the
// record.
func (l Location) Hit(off, n int64) bool {
	for _, s := range l.Spans {
		if off < s[1] && s[0] < off+n {
			return true
		}
	}
	return false
}

// Locate reads the archive file at path without bbolt and lists every
// record on every leaf page whose header names its own position: those of
// the live tree first, in tree order, with their bucket, then those on
// freed pages, in file order. It returns the file's page size. It is for
// telling which records a damaged range of bytes held, and for tests that
// damage files on purpose; the file is only read.
func Locate(path string) ([]Location, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("locate records in %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("locate records in %s: %w", path, err)
	}
	pf := openPageFile(f, st.Size())
	type leaf struct {
		bucket string
		id     uint64
		h      pageHeader
		elems  []leafElem
	}
	var leaves []leaf
	w := walkTree(pf, func(b string, id uint64, h pageHeader, elems []leafElem) {
		leaves = append(leaves, leaf{b, id, h, elems})
	})
	var out []Location
	for _, l := range leaves {
		inline := w.Buckets[l.bucket] != nil && w.Buckets[l.bucket].Root == 0
		out = append(out, locations(pf, l.bucket, l.id, l.h, l.elems, inline, true)...)
	}
	err = scanLeaves(pf, func(id uint64, h pageHeader, data []byte) error {
		if _, live := w.Owner[id]; live {
			return nil
		}
		elems, _ := parseLeaf(data)
		out = append(out, locations(pf, "", id, h, elems, false, false)...)
		for _, e := range elems {
			if ref, err := parseBucketRef(e.Value); e.bucket() && err == nil && ref.Root == 0 {
				in, _ := parseLeaf(ref.Inline)
				shift := e.Start + len(e.Key) + bucketHdrSize
				for i := range in {
					in[i].Start, in[i].End = in[i].Start+shift, in[i].End+shift
				}
				out = append(out, locations(pf, string(e.Key), id, h, in, true, false)...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("locate records in %s: %w", path, err)
	}
	return out, pf.pageSize, nil
}

// locations are the Locations of the records of one leaf page.
func locations(pf *pageFile, bucket string, id uint64, h pageHeader, elems []leafElem, inline, live bool) []Location {
	base := int64(id) * pf.pageSize
	out := make([]Location, 0, len(elems))
	for _, e := range elems {
		if e.bucket() {
			continue
		}
		l := Location{Bucket: bucket, Key: append([]byte(nil), e.Key...), Value: append([]byte(nil), e.Value...),
			Page: id, Overflow: h.Overflow, Live: live,
			Spans: [][2]int64{{base, base + pageHeaderSize}, {base + int64(e.Start), base + int64(e.End)}}}
		if !inline {
			eo := base + pageHeaderSize + int64(e.Index)*leafElemSize
			l.Spans = append(l.Spans, [2]int64{eo, eo + leafElemSize})
		}
		out = append(out, l)
	}
	return out
}
