// Package archivetest makes archives for tests: a real one, crawled from the
// default fixture world and extracted the way a user makes it, and damaged
// copies of it (truncated, or with a range of bytes zeroed) the way a full
// disk, a killed copy or a bad sector leaves a file.
package archivetest

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extractrun"
	"github.com/nianbao/nianbao/internal/fixtureworld"
	"github.com/nianbao/nianbao/seeds"
	bolt "go.etcd.io/bbolt"
)

// Crawled returns the path of a closed archive, in a temporary directory of
// t, made by crawling the default fixture world (with every report
// extracted). Build it once per test and copy it for each variant.
func Crawled(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "crawled.db")
	CrawlInto(t, path)
	return path
}

// CrawlInto crawls the default fixture world into the archive at path
// (created if missing; a second call is an incremental re-crawl, with
// revisits), extracts it, closes it, and returns the world's agencies.
func CrawlInto(t testing.TB, path string) []seeds.Agency {
	t.Helper()
	w, err := fixtureworld.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, resolve := fixtureworld.Serve(w)
	defer srv.Close()
	agencies, err := seeds.Parse(strings.NewReader(w.Seeds()))
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := crawler.DefaultConfig()
	cfg.Delay, cfg.Parallel, cfg.Resolve = 0, 8, resolve
	cfg.Timeout, cfg.Retries, cfg.RetryBackoff = 5*time.Second, 0, time.Millisecond
	c, err := crawler.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := c.Run(ctx, agencies); err != nil {
		t.Fatal(err)
	}
	if _, err := extractrun.Run(ctx, a, extractrun.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return agencies
}

// Copy copies the file src to a new file in a temporary directory of t and
// returns its path.
func Copy(t testing.TB, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Truncated returns a copy of src cut to fraction (0 < fraction < 1) of
// the bytes in use (bbolt's high-water mark: the file may be longer, grown
// ahead of its pages), as a copy interrupted by a full disk leaves it.
func Truncated(t testing.TB, src string, fraction float64) string {
	t.Helper()
	dst := Copy(t, src)
	if err := os.Truncate(dst, int64(float64(inUse(t, dst))*fraction)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// inUse returns the bytes of the closed bbolt file at path its pages use.
func inUse(t testing.TB, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// Zeroed returns a copy of src with n bytes zeroed from offset, as a bad
// sector leaves it.
func Zeroed(t testing.TB, src string, offset, n int64) string {
	t.Helper()
	dst := Copy(t, src)
	ZeroRange(t, dst, offset, n)
	return dst
}

// ZeroRange zeroes n bytes of the file at path from offset, in place.
func ZeroRange(t testing.TB, path string, offset, n int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, n), offset); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// ZeroMetaPages zeroes both meta pages of the closed bbolt file at path
// (its first two pages, of the page size the file has), in place.
func ZeroMetaPages(t testing.TB, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ps := int64(db.Info().PageSize)
	db.Close()
	ZeroRange(t, path, 0, 2*ps)
}

// ZeroedMiddle returns a copy of src with 64 KiB zeroed in the middle of
// the captures: from the middle leaf page of the captures bucket on, as a
// bad stretch of disk would. (The middle of the file itself may hold only
// free pages, depending on how the file grew.)
func ZeroedMiddle(t testing.TB, src string) string {
	t.Helper()
	leaf, pageSize := middleLeaf(t, src, "captures")
	return Zeroed(t, src, int64(leaf)*pageSize, 64<<10)
}

// middleLeaf returns the middle child page of a bucket's root page (a
// branch page: the bucket spans several pages) and the file's page size.
func middleLeaf(t testing.TB, path, bucket string) (uint64, int64) {
	t.Helper()
	root, pageSize := bucketRoot(t, path, bucket)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, pageSize)
	if _, err := f.ReadAt(page, int64(root)*pageSize); err != nil {
		t.Fatal(err)
	}
	// bbolt's page header: id u64, flags u16, count u16, overflow u32;
	// then count branch elements: pos u32, ksize u32, pgid u64.
	const branchPage = 0x01
	flags, count := binary.LittleEndian.Uint16(page[8:]), int(binary.LittleEndian.Uint16(page[10:]))
	if flags&branchPage == 0 || count < 2 {
		t.Fatalf("bucket %q fits one page (root %d, flags %#x): nothing in the middle to damage", bucket, root, flags)
	}
	el := 16 + (count/2)*16
	return binary.LittleEndian.Uint64(page[el+8:]), pageSize
}

// ZeroedBucketRoot returns a copy of src with the root page of a bucket
// ("captures", "reports", …) zeroed: every read of that bucket meets the
// damage.
func ZeroedBucketRoot(t testing.TB, src, bucket string) string {
	t.Helper()
	dst := Copy(t, src)
	ZeroBucketRoot(t, dst, bucket)
	return dst
}

// ZeroBucketRoot zeroes, in place, the root page of a bucket of the closed
// bbolt file at path, as a bad sector would; the other buckets stay
// readable. It fails the test when the bucket is inline (has no page).
func ZeroBucketRoot(t testing.TB, path, bucket string) {
	t.Helper()
	root, pageSize := bucketRoot(t, path, bucket)
	ZeroRange(t, path, int64(root)*pageSize, pageSize)
}

// bucketRoot returns the root page of a bucket of the closed bbolt file at
// path and the file's page size. It fails the test when the bucket is
// inline (has no page).
func bucketRoot(t testing.TB, path, bucket string) (uint64, int64) {
	t.Helper()
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var root uint64
	if err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return fmt.Errorf("no bucket %q", bucket)
		}
		root = uint64(b.Root())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if root == 0 {
		t.Fatalf("bucket %q is inline: no page of its own to damage", bucket)
	}
	return root, int64(db.Info().PageSize)
}

// CorruptRecord returns a copy of src in which the record under key of a
// bucket holds bytes that do not decode (the file itself stays a sound
// bbolt file): what a bug or a bit flip inside one value leaves.
func CorruptRecord(t testing.TB, src, bucket string, key []byte) string {
	t.Helper()
	dst := Copy(t, src)
	db, err := bolt.Open(dst, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil || b.Get(key) == nil {
			return fmt.Errorf("no record %x in bucket %q", key, bucket)
		}
		return b.Put(key, []byte("{\"id\":\x00garbage"))
	}); err != nil {
		t.Fatal(err)
	}
	return dst
}

// CaptureKey is the key of capture id in the captures bucket.
func CaptureKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}
