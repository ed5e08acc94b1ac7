package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// leafPage builds a leaf page of size bytes holding the given elements,
// laid out as bbolt lays them out; fix may then damage it.
func leafPage(size int, id uint64, kvs [][2]string, fix func(b []byte)) []byte {
	b := make([]byte, size)
	le := binary.LittleEndian
	le.PutUint64(b, id)
	le.PutUint16(b[8:], pageFlagLeaf)
	le.PutUint16(b[10:], uint16(len(kvs)))
	data := pageHeaderSize + leafElemSize*len(kvs)
	for i, kv := range kvs {
		eo := pageHeaderSize + leafElemSize*i
		le.PutUint32(b[eo+4:], uint32(data-eo))
		le.PutUint32(b[eo+8:], uint32(len(kv[0])))
		le.PutUint32(b[eo+12:], uint32(len(kv[1])))
		data += copy(b[data:], kv[0])
		data += copy(b[data:], kv[1])
	}
	if fix != nil {
		fix(b)
	}
	return b
}

func TestParseLeafBounds(t *testing.T) {
	kvs := [][2]string{{"a", "one"}, {"bb", "two"}, {"ccc", "three"}}
	le := binary.LittleEndian
	tests := []struct {
		name        string
		page        []byte
		wantKeys    []string
		wantDropped int
	}{
		{"sound", leafPage(128, 2, kvs, nil), []string{"a", "bb", "ccc"}, 0},
		{"value runs past the page", leafPage(128, 2, kvs, func(b []byte) { le.PutUint32(b[16+16+12:], 1<<31) }), []string{"a", "ccc"}, 1},
		{"key position past the page", leafPage(128, 2, kvs, func(b []byte) { le.PutUint32(b[16+4:], 0xFFFFFFFF) }), []string{"bb", "ccc"}, 1},
		// The header claims 65535 elements: the 3 real ones are read, the
		// page's other bytes read as elements only where they point inside
		// the page, and every other one is dropped.
		{"count larger than the page", leafPage(128, 2, kvs, func(b []byte) { le.PutUint16(b[10:], 0xFFFF) }), []string{"a", "bb", "ccc"}, -1},
		{"cut inside the third element's key", leafPage(128, 2, kvs, nil)[:16+48+4+5+2], []string{"a", "bb"}, 1},
		{"cut inside the first value", leafPage(128, 2, kvs, nil)[:16+48+3], nil, 3},
		{"shorter than a header", []byte{1, 2, 3}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elems, dropped := parseLeaf(tt.page)
			var keys []string
			for _, e := range elems {
				keys = append(keys, string(e.Key))
				if e.Start < 0 || e.End > len(tt.page) || e.Start > e.End {
					t.Errorf("element %q spans [%d,%d) of a %d-byte page", e.Key, e.Start, e.End, len(tt.page))
				}
			}
			if tt.wantDropped < 0 { // only the real elements are checked
				if len(elems)+dropped != 0xFFFF {
					t.Errorf("%d elements + %d dropped, want 65535 in all", len(elems), dropped)
				}
				keys, tt.wantDropped = keys[:len(tt.wantKeys)], dropped
			}
			if strings.Join(keys, ",") != strings.Join(tt.wantKeys, ",") || dropped != tt.wantDropped {
				t.Errorf("keys %q dropped %d, want %q dropped %d", keys, dropped, tt.wantKeys, tt.wantDropped)
			}
		})
	}
	elems, _ := parseLeaf(leafPage(128, 2, kvs, nil))
	if string(elems[2].Value) != "three" || elems[2].Index != 2 {
		t.Errorf("third element = %q index %d, want \"three\" index 2", elems[2].Value, elems[2].Index)
	}
}

func TestParseBranchBounds(t *testing.T) {
	b := make([]byte, 96)
	le := binary.LittleEndian
	le.PutUint16(b[8:], pageFlagBranch)
	le.PutUint16(b[10:], 3)
	// Element 0: key "k1" → page 7; element 1: key past the page; 2: "k3" → 9.
	copy(b[64:], "k1k3")
	le.PutUint32(b[16:], 64-16)
	le.PutUint32(b[20:], 2)
	le.PutUint64(b[24:], 7)
	le.PutUint32(b[32:], 1000)
	le.PutUint32(b[36:], 2)
	le.PutUint32(b[48:], 66-48)
	le.PutUint32(b[52:], 2)
	le.PutUint64(b[56:], 9)
	elems, dropped := parseBranch(b)
	if len(elems) != 2 || dropped != 1 || string(elems[0].Key) != "k1" || elems[0].Child != 7 || string(elems[1].Key) != "k3" || elems[1].Child != 9 {
		t.Fatalf("parseBranch = %+v, dropped %d; want k1→7, k3→9, 1 dropped", elems, dropped)
	}
}

func TestParseBucketRef(t *testing.T) {
	inline := leafPage(64, 0, [][2]string{{"k", "v"}}, nil)[:16+16+2]
	hdr := func(root, seq uint64) []byte {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint64(b, root)
		binary.LittleEndian.PutUint64(b[8:], seq)
		return b
	}
	tests := []struct {
		name    string
		v       []byte
		wantErr bool
		root    uint64
		seq     uint64
		keys    int
	}{
		{"with a root page", hdr(42, 7), false, 42, 7, 0},
		{"inline", append(hdr(0, 3), inline...), false, 0, 3, 1},
		{"short header", []byte{1, 2, 3}, true, 0, 0, 0},
		{"inline without a page", hdr(0, 3), true, 0, 3, 0},
		{"inline page not a leaf", append(hdr(0, 3), make([]byte, 16)...), true, 0, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, err := parseBucketRef(tt.v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			elems, _ := parseLeaf(ref.Inline)
			if ref.Root != tt.root || ref.Seq != tt.seq || len(elems) != tt.keys {
				t.Errorf("ref = root %d seq %d with %d records, want %d %d %d", ref.Root, ref.Seq, len(elems), tt.root, tt.seq, tt.keys)
			}
		})
	}
}

// smallArchive writes an archive of n captures, each with a payload of a
// few KB and a text, and returns its path.
func smallArchive(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "small.db")
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		body := bytes.Repeat([]byte(fmt.Sprintf("<p>第%d页 %x</p>", i, i*7919)), 40+i%50)
		c := &Capture{URL: fmt.Sprintf("http://www.example.gov.cn/xxgk/%d.html", i), FetchedAt: t0.Add(time.Duration(i) * time.Minute),
			Status: 200, Agency: "某县人民政府", Role: RoleReport}
		if err := a.Put(c, body, fmt.Sprintf("第%d页", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// richArchive writes an archive with every kind of record: n captures
// (every 10th a revisit of the one before, every 17th a failed fetch
// without payload, one with a 200 KB incompressible payload on overflow
// pages), their texts, a report and an extraction mark for every 5th, two
// runs with an audit, and a frontier entry. It returns its path.
func richArchive(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rich.db")
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	var prev []byte
	marks := map[string]Extraction{}
	for i := 0; i < n; i++ {
		body := bytes.Repeat([]byte(fmt.Sprintf("<p>第%d页 %x</p>", i, i*7919)), 40+i%50)
		c := &Capture{URL: fmt.Sprintf("http://www.example.gov.cn/xxgk/%d.html", i), FetchedAt: t0.Add(time.Duration(i) * time.Minute),
			Status: 200, Agency: fmt.Sprintf("机构%d", i%4), Role: RoleReport, Header: http.Header{"Etag": {fmt.Sprintf(`"e%d"`, i)}}}
		text := fmt.Sprintf("第%d页", i)
		switch {
		case i == n/2:
			body = make([]byte, 200<<10)
			rng := rand.New(rand.NewPCG(1, 2))
			for j := range body {
				body[j] = byte(rng.Uint32())
			}
			c.Role, text = RoleAttachment, ""
		case i%17 == 16:
			body, text, c.Status, c.Error = nil, "", 0, "timeout"
		case i%10 == 9 && prev != nil:
			c.URL = fmt.Sprintf("http://www.example.gov.cn/xxgk/%d.html", i-1)
			body, c.Revisit = prev, true
		}
		if err := a.Put(c, body, text); err != nil {
			t.Fatal(err)
		}
		if i%10 == 3 && c.Digest != "" && text != "" {
			// Every tenth payload in the version-1 form (body and text
			// apart), as a file written before schema 2 holds them.
			if err := a.db.Update(func(tx *bolt.Tx) error { return putVersion1Payload(tx, a.enc, c.ID, c.Digest, body, text) }); err != nil {
				t.Fatal(err)
			}
		}
		if i == n/2 {
			// The big payload as the branch before the payloads bucket
			// stored it, under its digest in bodies: the page-damage
			// cases of bodies overflow pages keep their subject.
			if err := a.db.Update(func(tx *bolt.Tx) error { return moveToBodies(tx, c.ID, c.Digest) }); err != nil {
				t.Fatal(err)
			}
		}
		prev = body
		if i%5 == 0 && c.Error == "" {
			if err := a.PutReport(c.ID, []byte(fmt.Sprintf(`{"source":{"capture_id":%q},"year":2023,"title":"%d年政府信息公开工作年度报告"}`, c.ID, 2023))); err != nil {
				t.Fatal(err)
			}
			marks[c.ID] = Extraction{Outcome: ExtractedReport, Digest: c.Digest, At: t0}
		}
	}
	if err := a.MarkExtracted(marks); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		r := &Run{Kind: "harvest", Started: t0, Ended: t0.Add(time.Hour), Status: "done", Pages: n}
		if err := a.PutRun(r); err != nil {
			t.Fatal(err)
		}
		if err := a.PutRunAudit(r.ID, []byte(`{"statuses":[]}`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Enqueue([]*FrontierItem{{URL: "http://www.example.gov.cn/next.html", Host: "www.example.gov.cn"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// putVersion1Payload moves the payload Put stored under key to bodies and
// texts, keyed by digest and apart, as schema 1 stored every payload.
func putVersion1Payload(tx *bolt.Tx, enc *zstd.Encoder, id, digest string, body []byte, text string) error {
	key, err := parseID(id)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketPayloads).Delete(key); err != nil {
		return err
	}
	if err := tx.Bucket(bucketBodies).Put([]byte(digest), enc.EncodeAll(body, nil)); err != nil {
		return err
	}
	return tx.Bucket(bucketTexts).Put([]byte(digest), enc.EncodeAll([]byte(text), nil))
}

// moveToBodies moves the payload stored under capture id to bodies, under
// its digest.
func moveToBodies(tx *bolt.Tx, id, digest string) error {
	key, err := parseID(id)
	if err != nil {
		return err
	}
	v := bytes.Clone(tx.Bucket(bucketPayloads).Get(key))
	if v == nil {
		return fmt.Errorf("no payload under capture %s", id)
	}
	if err := tx.Bucket(bucketPayloads).Delete(key); err != nil {
		return err
	}
	return tx.Bucket(bucketBodies).Put([]byte(digest), v)
}

func openTestPages(t testing.TB, path string) *pageFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return openPageFile(f, st.Size())
}

func zeroRange(t testing.TB, path string, off, n int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, n), off); err != nil {
		t.Fatal(err)
	}
}

// TestWalkTreeNamesDamage checks that the walk of the pages reads a sound
// archive's buckets and names the bucket of a zeroed page, and that a
// truncated file is unsafe for bbolt's check.
func TestWalkTreeNamesDamage(t *testing.T) {
	path := smallArchive(t, 300)
	pf := openTestPages(t, path)
	leaves := map[uint64]string{}
	w := walkTree(pf, func(b string, id uint64, _ pageHeader, _ []leafElem) { leaves[id] = b })
	if len(w.Faults) != 0 {
		t.Fatalf("sound archive: faults %v", w.Faults)
	}
	for _, b := range allBuckets {
		if w.Buckets[string(b)] == nil {
			t.Errorf("bucket %s not found", b)
		}
	}
	caps := w.Buckets["captures"]
	if caps.Keys != 300 || caps.Seq != 300 || caps.Root == 0 || len(caps.Separators) < 2 {
		t.Fatalf("captures: %d keys, seq %d, root %d, %d separators; want 300, 300, a page, several", caps.Keys, caps.Seq, caps.Root, len(caps.Separators))
	}
	var victim uint64
	for id, b := range leaves {
		if b == "captures" && id != caps.Root {
			victim = id
			break
		}
	}
	damaged := filepath.Join(t.TempDir(), "zeroed.db")
	copyFile(t, path, damaged)
	zeroRange(t, damaged, int64(victim)*pf.pageSize, pf.pageSize)
	w = walkTree(openTestPages(t, damaged), nil)
	if len(w.Faults) != 1 || w.Faults[0].Page != victim || w.Faults[0].Bucket != "captures" || w.Unsafe {
		t.Fatalf("zeroed page %d: faults %v (unsafe %v), want one fault of captures, safe", victim, w.Faults, w.Unsafe)
	}

	cut := filepath.Join(t.TempDir(), "cut.db")
	copyFile(t, path, cut)
	st, _ := os.Stat(cut)
	if err := os.Truncate(cut, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	w = walkTree(openTestPages(t, cut), nil)
	if !w.Unsafe || len(w.Faults) == 0 || !w.Faults[0].File || !strings.Contains(w.Faults[0].Reason, "truncated") {
		t.Fatalf("truncated: unsafe %v faults %v, want unsafe with a truncation fault first", w.Unsafe, w.Faults)
	}
}

// TestScanLeavesReadsFreedPages checks that the page scan finds records on
// pages bbolt has freed: an overwritten report's old version is still
// there, which is why salvage takes only immutable records from it.
func TestScanLeavesReadsFreedPages(t *testing.T) {
	path := smallArchive(t, 3)
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{`{"version":"old"}`, `{"version":"new"}`} {
		if err := a.PutReport("2", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	pf := openTestPages(t, path)
	var found []string
	err = scanLeaves(pf, func(_ uint64, _ pageHeader, data []byte) error {
		elems, _ := parseLeaf(data)
		for _, e := range elems {
			if !e.bucket() {
				continue
			}
			ref, err := parseBucketRef(e.Value)
			if err != nil || ref.Root != 0 || string(e.Key) != "reports" {
				continue
			}
			in, _ := parseLeaf(ref.Inline)
			for _, r := range in {
				found = append(found, string(r.Value))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(found, " ")
	if !strings.Contains(joined, `"old"`) || !strings.Contains(joined, `"new"`) {
		t.Fatalf("reports found on pages: %s; want the old version (freed page) and the new one", joined)
	}
}

func TestOpenPageFileWithoutMeta(t *testing.T) {
	data := bytes.Repeat([]byte{0xAB}, 3*4096)
	pf := openPageFile(bytes.NewReader(data), int64(len(data)))
	if pf.metaErr == nil || pf.pageSize != 4096 || pf.hwm() != 3 {
		t.Fatalf("no meta: metaErr %v pageSize %d hwm %d; want an error, a 4096 guess, 3 pages", pf.metaErr, pf.pageSize, pf.hwm())
	}
	if w := walkTree(pf, nil); !w.Unsafe || len(w.Faults) != 1 {
		t.Errorf("walk without meta: %v", w.Faults)
	}
}

// TestGuessPageSize: with both meta pages zeroed, the page size is read
// back from the page IDs of the file's pages, for files of either size.
func TestGuessPageSize(t *testing.T) {
	for _, ps := range []int{4096, newPageSize, 16384} {
		path := filepath.Join(t.TempDir(), "a.db")
		db, err := bolt.Open(path, 0o644, &bolt.Options{PageSize: ps})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("b"))
			for i := 0; err == nil && i < 2000; i++ {
				err = b.Put([]byte(fmt.Sprintf("key %06d", i)), bytes.Repeat([]byte{'v'}, 40))
			}
			return err
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		clear(data[:2*ps])
		pf := openPageFile(bytes.NewReader(data), int64(len(data)))
		if pf.metaErr == nil || pf.pageSize != int64(ps) {
			t.Errorf("page size %d, meta pages zeroed: guessed %d (meta error %v)", ps, pf.pageSize, pf.metaErr)
		}
	}
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tinyBolt is a bbolt file with 256-byte pages, a few buckets (inline and
// with pages of their own) and records of the shapes salvage classifies:
// small enough for the fuzzer to mutate and minimize quickly.
func tinyBolt(t testing.TB) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.db")
	db, err := bolt.Open(path, 0o644, &bolt.Options{PageSize: 256, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := zstd.NewWriter(nil)
	err = db.Update(func(tx *bolt.Tx) error {
		caps, _ := tx.CreateBucketIfNotExists(bucketCaptures)
		bodies, _ := tx.CreateBucketIfNotExists(bucketBodies)
		meta, _ := tx.CreateBucketIfNotExists(bucketMeta)
		_ = meta.Put(keySchema, []byte("1"))
		for i := uint64(1); i <= 4; i++ {
			body := []byte(fmt.Sprintf("body %d", i))
			rec := fmt.Sprintf(`{"id":"%d","url":"http://x.gov.cn/%d","fetched_at":"2024-01-01T00:00:00Z","digest":"%s"}`, i, i, Digest(body))
			_ = caps.Put(idKey(i), []byte(rec))
			_ = bodies.Put([]byte(Digest(body)), enc.EncodeAll(body, nil))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Only the pages in use: a small seed is mutated and minimized faster.
	if pf := openPageFile(bytes.NewReader(b), int64(len(b))); pf.metaErr == nil && int64(pf.meta.HWM)*pf.pageSize < int64(len(b)) {
		b = b[:int64(pf.meta.HWM)*pf.pageSize]
	}
	return b
}

// FuzzScanPages feeds arbitrary bytes to the page reader as a file: the
// meta pages, the walk of the tree, the scan of every leaf and the shape
// classification of its records must never panic nor read out of bounds.
func FuzzScanPages(f *testing.F) {
	f.Add(tinyBolt(f))
	f.Add(make([]byte, 1024))
	f.Add(leafPage(256, 2, [][2]string{{"captures", "\x00"}}, nil))
	dec, err := newDecoder(zstd.WithDecoderMaxMemory(1<<20), zstd.WithDecoderConcurrency(1))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for _, pf := range []*pageFile{openPageFile(r, int64(len(data))), newPageFileSize(r, int64(len(data)), 256)} {
			w := walkTree(pf, func(_ string, id uint64, _ pageHeader, elems []leafElem) {
				if id >= pf.filePages() {
					t.Fatalf("walk visited page %d of a %d-page file", id, pf.filePages())
				}
			})
			for id := range w.Owner {
				if id >= pf.filePages() {
					t.Fatalf("walk owns page %d of a %d-page file", id, pf.filePages())
				}
			}
			err := scanLeaves(pf, func(id uint64, h pageHeader, page []byte) error {
				if h.ID != id || h.Flags != pageFlagLeaf || len(page) > len(data) {
					t.Fatalf("scan gave page %d: header %+v, %d bytes of %d", id, h, len(page), len(data))
				}
				elems, _ := parseLeaf(page)
				for _, e := range elems {
					classifyForFuzz(e, dec)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
		}
	})
}

// classifyForFuzz runs the shape tests salvage runs on a record, and on
// the records of an inline bucket (one level, as salvage reads them).
func classifyForFuzz(e leafElem, dec *zstd.Decoder) {
	if e.bucket() {
		if ref, err := parseBucketRef(e.Value); err == nil && ref.Root == 0 {
			in, _ := parseLeaf(ref.Inline)
			for _, r := range in {
				if !r.bucket() {
					classifyShape(r, dec)
				}
			}
		}
		return
	}
	classifyShape(e, dec)
}

func classifyShape(e leafElem, dec *zstd.Decoder) {
	if len(e.Key) == 8 && looksLikeCapture(dec, e.Key, e.Value) {
		_, _ = decodeCapture(dec, e.Key, e.Value)
	}
	if isDigest(e.Key) && bytes.HasPrefix(e.Value, zstdMagic) {
		_, _ = dec.DecodeAll(e.Value, nil)
	}
}

// TestLocate checks that Locate lists every live record once with its
// bucket and where it lies, and finds the old version of an overwritten
// record on the page bbolt freed.
func TestLocate(t *testing.T) {
	path := richArchive(t, 120)
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PutReport("1", []byte(`{"version":"new"}`)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	locs, pageSize, err := Locate(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	live := map[string]int{}
	var oldReport, newReport bool
	for _, l := range locs {
		if l.Live {
			live[l.Bucket]++
			// The spans hold the record: its value is where they say.
			if s := l.Spans[1]; !bytes.Equal(raw[s[0]:s[1]], append(append([]byte(nil), l.Key...), l.Value...)) {
				t.Fatalf("%s %q: span %v does not hold the record", l.Bucket, l.Key, s)
			}
		}
		if bytes.Equal(l.Key, idKey(1)) && bytes.HasPrefix(l.Value, []byte(`{"source"`)) && !l.Live {
			oldReport = true
		}
		if l.Live && l.Bucket == "reports" && bytes.Equal(l.Key, idKey(1)) {
			newReport = string(l.Value) == `{"version":"new"}`
		}
	}
	if pageSize != newPageSize || live["captures"] != 120 || live["reports"] != 23 || live["runs"] != 2 || live["meta"] != 1 || !newReport || !oldReport {
		t.Fatalf("page size %d, live records %v, new report live %v, old one on a freed page %v", pageSize, live, newReport, oldReport)
	}
	if _, _, err := Locate(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("Locate of a missing file: no error")
	}
}
