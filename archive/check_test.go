package archive

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// mutated returns a copy of src changed by fn in one bbolt transaction:
// a sound bbolt file whose records break nianbao's invariants.
func mutated(t *testing.T, src string, fn func(tx *bolt.Tx) error) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "mutated.db")
	copyFile(t, src, dst)
	db, err := bolt.Open(dst, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	return dst
}

// zeroedPages returns a copy of src with n pages zeroed from page first.
func zeroedPages(t *testing.T, src string, first uint64, n int64) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "zeroed.db")
	copyFile(t, src, dst)
	ps := openTestPages(t, src).pageSize
	zeroRange(t, dst, int64(first)*ps, n*ps)
	return dst
}

// leafOf returns a leaf page of bucket that is not its root, and the
// overflow of the page: the one with the most overflow pages (with
// overflow set, it must have some), or else the first.
func leafOf(t *testing.T, path, bucket string, overflow bool) (uint64, uint32) {
	t.Helper()
	pf := openTestPages(t, path)
	var ids []uint64
	hs := map[uint64]pageHeader{}
	w := walkTree(pf, func(b string, id uint64, h pageHeader, _ []leafElem) {
		if b == bucket && (!overflow || h.Overflow > 0) {
			ids = append(ids, id)
			hs[id] = h
		}
	})
	// The biggest page first (with overflow wanted: the 200 KB payload's).
	sort.Slice(ids, func(i, j int) bool {
		if hs[ids[i]].Overflow != hs[ids[j]].Overflow {
			return hs[ids[i]].Overflow > hs[ids[j]].Overflow
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids {
		if id != w.Buckets[bucket].Root {
			return id, hs[id].Overflow
		}
	}
	t.Fatalf("%s has no leaf page below its root (overflow %v)", bucket, overflow)
	return 0, 0
}

// leafHasReport reports whether a capture stored on the captures leaf
// page id has a report.
func leafHasReport(t *testing.T, path string, id uint64) bool {
	t.Helper()
	var keys [][]byte
	walkTree(openTestPages(t, path), func(b string, pid uint64, _ pageHeader, elems []leafElem) {
		if b == "captures" && pid == id {
			for _, e := range elems {
				keys = append(keys, append([]byte(nil), e.Key...))
			}
		}
	})
	if len(keys) == 0 {
		t.Fatalf("captures leaf %d holds no keys", id)
	}
	a, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	found := false
	err = a.View(func(r *Reader) error {
		for _, k := range keys {
			found = found || r.HasReport(idString(k))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// pageInside returns the first page wholly inside a value of at least
// size bytes on leaf page id, with 4 more pages inside it.
func pageInside(t *testing.T, path string, id uint64, size int) uint64 {
	t.Helper()
	pf := openTestPages(t, path)
	_, data, _, err := pf.page(id)
	if err != nil {
		t.Fatal(err)
	}
	elems, _ := parseLeaf(data)
	for _, e := range elems {
		if len(e.Value) >= size {
			first := (int64(e.End-len(e.Value)) + pf.pageSize - 1) / pf.pageSize
			if (first+5)*pf.pageSize > int64(e.End) {
				t.Fatalf("value of %d bytes has no 5 whole pages", len(e.Value))
			}
			return id + uint64(first)
		}
	}
	t.Fatalf("page %d has no value of %d bytes", id, size)
	return 0
}

// problemsIn returns the buckets named by the report's problems, sorted
// and without repeats.
func problemsIn(r *CheckReport) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range r.Problems {
		if !seen[p.Bucket] {
			seen[p.Bucket] = true
			out = append(out, p.Bucket)
		}
	}
	sort.Strings(out)
	return out
}

func TestCheckFileHealthy(t *testing.T) {
	src := richArchive(t, 120)
	for _, deep := range []bool{false, true} {
		r, err := CheckFile(src, CheckOptions{Deep: deep})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Healthy() || r.Summary() != "healthy" || r.BoltCheck != "ok" {
			var b strings.Builder
			r.WriteText(&b, 20)
			t.Fatalf("deep=%v: %s", deep, b.String())
		}
		want := map[string]int{"captures": 120, "reports": 23, "extracted": 23, "runs": 2, "audits": 2, "frontier": 1, "queued": 1, "meta": 1}
		for _, c := range r.Buckets {
			if n, ok := want[c.Name]; ok && c.Records != n {
				t.Errorf("deep=%v: %s has %d records, want %d", deep, c.Name, c.Records, n)
			}
		}
	}
}

// TestCheckFileDamage checks that each kind of damage is found, in the
// bucket where it is, and only with -deep where only -deep can see it.
func TestCheckFileDamage(t *testing.T) {
	src := richArchive(t, 120)
	capLeaf, _ := leafOf(t, src, "captures", false)
	bigBody, bigOverflow := leafOf(t, src, "bodies", true)
	inside := pageInside(t, src, bigBody, 100<<10)
	// Zeroing the captures leaf orphans a report only when one of the
	// captures on it has one: which do depends on the page layout.
	capLeafWant := []string{"bbolt", "captures", "idx_agency", "idx_digest", "idx_role", "idx_url"}
	if leafHasReport(t, src, capLeaf) {
		capLeafWant = append(capLeafWant, "reports")
	}
	enc, _ := zstd.NewWriter(nil)
	tests := []struct {
		name string
		file func(t *testing.T) string
		deep bool
		// want are the buckets the problems name; key, if set, must be
		// the key of one problem.
		want []string
		key  string
	}{
		{"capture record does not decode", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error { return tx.Bucket(bucketCaptures).Put(idKey(7), []byte(`{"id":`)) })
		}, false, []string{"captures", "idx_agency", "idx_digest", "idx_role", "idx_url"}, "7"},
		{"capture record names another ID", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error {
				return tx.Bucket(bucketCaptures).Put(idKey(8), []byte(`{"id":"9","url":"http://x.gov.cn/"}`))
			})
		}, false, []string{"captures", "idx_agency", "idx_digest", "idx_role", "idx_url"}, "8"},
		{"index entry of a missing capture", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error {
				return tx.Bucket(bucketByURL).Put(indexKey("http://x.gov.cn/", idKey(999)), nil)
			})
		}, false, []string{"idx_url"}, `"http://x.gov.cn/"/999`},
		{"capture missing from an index", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error {
				return tx.Bucket(bucketByRole).Delete(indexKey(string(RoleReport), idKey(3)))
			})
		}, false, []string{"idx_role"}, "3"},
		{"payload missing", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error {
				c := tx.Bucket(bucketBodies).Cursor()
				k, _ := c.First()
				return tx.Bucket(bucketBodies).Delete(k)
			})
		}, false, []string{"captures"}, ""},
		{"payload that does not match its digest, without -deep", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error {
				k, _ := tx.Bucket(bucketBodies).Cursor().First()
				return tx.Bucket(bucketBodies).Put(append([]byte(nil), k...), enc.EncodeAll([]byte("other bytes"), nil))
			})
		}, false, nil, ""},
		{"payload that does not match its digest, with -deep", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error {
				k, _ := tx.Bucket(bucketBodies).Cursor().First()
				return tx.Bucket(bucketBodies).Put(append([]byte(nil), k...), enc.EncodeAll([]byte("other bytes"), nil))
			})
		}, true, []string{"bodies"}, ""},
		{"text that is not zstd", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error {
				k, _ := tx.Bucket(bucketTexts).Cursor().First()
				return tx.Bucket(bucketTexts).Put(append([]byte(nil), k...), []byte("plain"))
			})
		}, false, []string{"texts"}, ""},
		{"report that is not a JSON object", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error { return tx.Bucket(bucketReports).Put(idKey(1), []byte(`[1,2]`)) })
		}, false, []string{"reports"}, "1"},
		{"run, URL state and mark that do not decode", func(t *testing.T) string {
			return mutated(t, src, func(tx *bolt.Tx) error {
				_ = tx.Bucket(bucketRuns).Put(idKey(1), []byte(`{"id":"2"}`))
				_ = tx.Bucket(bucketURLs).Put([]byte("http://www.example.gov.cn/xxgk/1.html"), []byte(`{`))
				return tx.Bucket(bucketExtracted).Put(idKey(1), []byte(`{"outcome":"maybe"}`))
			})
		}, false, []string{"extracted", "runs", "urls"}, ""},
		{"zeroed captures leaf", func(t *testing.T) string { return zeroedPages(t, src, capLeaf, 1) },
			false, capLeafWant, ""},
		// Overflow pages that hold only the middle of the 200 KB payload:
		// every key and header is intact, only decompressing shows it.
		{"zeroed inside a payload, without -deep", func(t *testing.T) string { return zeroedPages(t, src, inside, 4) }, false, nil, ""},
		{"zeroed inside a payload, with -deep", func(t *testing.T) string { return zeroedPages(t, src, inside, 4) }, true, []string{"bodies"}, ""},
		// All its overflow pages: the keys stored after the big value are
		// zeroed too, so bbolt's order check and the key check see it.
		{"zeroed overflow of a payload page", func(t *testing.T) string {
			return zeroedPages(t, src, bigBody+1, int64(bigOverflow))
		}, false, []string{"bbolt", "bodies", "captures"}, ""},
		{"truncated", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "cut.db")
			copyFile(t, src, p)
			st, _ := os.Stat(p)
			if err := os.Truncate(p, st.Size()*6/10); err != nil {
				t.Fatal(err)
			}
			return p
		}, false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := CheckFile(tt.file(t), CheckOptions{Deep: tt.deep})
			if err != nil {
				t.Fatal(err)
			}
			got := problemsIn(r)
			var text strings.Builder
			r.WriteText(&text, 0)
			if tt.name == "truncated" {
				// Which buckets lost pages depends on the layout; the
				// truncation itself is always named, and bbolt's check
				// (which would fault past the end) is skipped.
				if !strings.Contains(strings.Join(got, " "), "file") || !strings.HasPrefix(r.BoltCheck, "skipped") || r.Healthy() {
					t.Fatalf("truncated: buckets %v, bolt check %q:\n%s", got, r.BoltCheck, text.String())
				}
				return
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("problems in %v, want %v:\n%s", got, tt.want, text.String())
			}
			if r.Healthy() != (len(tt.want) == 0) || !strings.HasSuffix(text.String(), r.Summary()+"\n") {
				t.Fatalf("healthy %v summary %q:\n%s", r.Healthy(), r.Summary(), text.String())
			}
			if tt.key != "" {
				found := false
				for _, p := range r.Problems {
					found = found || p.Key == tt.key
				}
				if !found {
					t.Errorf("no problem has key %s:\n%s", tt.key, text.String())
				}
			}
		})
	}
}

// TestCheckFileCannotInspect checks the files CheckFile refuses outright.
func TestCheckFileCannotInspect(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a bbolt file ", 2000)), 0o644)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	plain := filepath.Join(dir, "plain.db")
	db, err := bolt.Open(plain, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
	db.Close()
	for _, tt := range []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "missing.db"), "no such file"},
		{"not bbolt", junk, "not a bbolt file"},
		{"empty", empty, "not a bbolt file"},
		{"another bbolt file", plain, "not a nianbao archive"},
		{"a directory", dir, "is a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := CheckFile(tt.path, CheckOptions{})
			if err == nil || r != nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("CheckFile = %v, %v; want an error naming the file and %q", r, err, tt.want)
			}
		})
	}
}

// TestCheckFileInUse checks that a file held by a writer is ErrInUse.
func TestCheckFileInUse(t *testing.T) {
	src := smallArchive(t, 3)
	a, err := Open(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := CheckFile(src, CheckOptions{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrInUse) {
		t.Fatalf("CheckFile of a held file: %v, want ErrInUse", err)
	}
}

// TestEachRecordResumes checks that a walk through bbolt stopped by a
// zeroed leaf resumes at the next subtree: only the records of that page
// are missed, and the stop is reported once.
func TestEachRecordResumes(t *testing.T) {
	src := richArchive(t, 300)
	victim, _ := leafOf(t, src, "captures", false)
	var onVictim [][]byte
	walkTree(openTestPages(t, src), func(b string, id uint64, _ pageHeader, elems []leafElem) {
		if id == victim {
			for _, e := range elems {
				onVictim = append(onVictim, append([]byte(nil), e.Key...))
			}
		}
	})
	s, err := openSource(zeroedPages(t, src, victim, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got int
	var damage []string
	err = s.view(func(tx *bolt.Tx) error {
		var err error
		_, damage, err = s.eachRecord(tx, bucketCaptures, func(k, v []byte) error { got++; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != 300-len(onVictim) || len(damage) != 1 || !strings.Contains(damage[0], "resumed at key") {
		t.Fatalf("read %d captures of 300 with %d on the zeroed page; damage %q", got, len(onVictim), damage)
	}
}
