package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// contents is what the buckets of an archive file hold, read raw.
type contents struct {
	buckets map[string]map[string][]byte
	seq     map[string]uint64
	// inPayloads are the digests of bodies whose payload is in the
	// payloads bucket (see foldPayloads).
	inPayloads map[string]bool
}

func readContents(t *testing.T, path string) *contents {
	t.Helper()
	db, err := bolt.Open(path, 0o444, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dec, err := newDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	c := &contents{buckets: map[string]map[string][]byte{}, seq: map[string]uint64{}, inPayloads: map[string]bool{}}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			m := map[string][]byte{}
			c.buckets[string(name)], c.seq[string(name)] = m, b.Sequence()
			return b.ForEach(func(k, v []byte) error {
				if bytes.Equal(name, bucketCaptures) {
					// Capture records as their JSON, whichever form
					// (plain or compressed) they are stored in.
					js, err := captureJSON(dec, v)
					if err != nil {
						return fmt.Errorf("capture record %x: %w", k, err)
					}
					v = js
				}
				if bytes.Equal(name, bucketURLs) {
					// URL states as their JSON, of either form.
					js, err := stateJSON(dec, v)
					if err != nil {
						return fmt.Errorf("URL state %q: %w", k, err)
					}
					v = js
				}
				m[string(k)] = append([]byte(nil), v...)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	foldPayloads(t, dec, c)
	return c
}

func ids(m map[string][]byte) []string {
	var out []uint64
	for k := range m {
		out = append(out, binary64([]byte(k)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	var s []string
	for _, id := range out {
		s = append(s, strconv.FormatUint(id, 10))
	}
	return s
}

// salvageCase is a damaged copy of a rich archive and what salvage must
// make of it.
type salvageCase struct {
	name string
	// damage makes the damaged copy of src.
	damage func(t *testing.T, src string) string
	// lostCaptures, withoutBody, lostReports are the IDs salvage must
	// report (nil: none).
	lostCaptures, withoutBody, lostReports []string
	// physicalOnly is set when bbolt cannot open the file.
	physicalOnly bool
}

// pageHolding returns the live leaf page of bucket that holds key.
func pageHolding(t *testing.T, path, bucket string, key []byte) uint64 {
	t.Helper()
	locs, _, err := Locate(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range locs {
		if l.Live && l.Bucket == bucket && bytes.Equal(l.Key, key) {
			return l.Page
		}
	}
	t.Fatalf("no live record %q in %s", key, bucket)
	return 0
}

// zeroAll zeroes, in a copy of path, the given pages and the header of
// every freed page that holds a copy of one of keys (by match).
func zeroAll(t *testing.T, path string, pages []uint64, n int64, keys [][]byte, match func([]byte) bool) string {
	t.Helper()
	locs, pageSize, err := Locate(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "damaged.db")
	copyFile(t, path, dst)
	for _, p := range pages {
		zeroRange(t, dst, int64(p)*pageSize, n*pageSize)
	}
	for _, l := range locs {
		for _, k := range keys {
			if !l.Live && bytes.Equal(l.Key, k) && match(l.Value) {
				zeroRange(t, dst, int64(l.Page)*pageSize, pageHeaderSize)
			}
		}
	}
	return dst
}

func salvageCases(t *testing.T, src string) []salvageCase {
	orig := readContents(t, src)
	// The capture leaf holding capture 40, and the captures on it.
	capPage := pageHolding(t, src, "captures", idKey(40))
	var onPage, reportsOnPage []string
	locs, _, _ := Locate(src)
	for _, l := range locs {
		if l.Live && l.Page == capPage {
			id := strconv.FormatUint(binary64(l.Key), 10)
			onPage = append(onPage, id)
			if orig.buckets["reports"][string(l.Key)] != nil {
				reportsOnPage = append(reportsOnPage, id)
			}
		}
	}
	// The 200 KB payload of capture 61 (richArchive's capture n/2, IDs
	// counting from 1).
	var big Capture
	json.Unmarshal(orig.buckets["captures"][string(idKey(61))], &big)
	bigPage := pageHolding(t, src, "bodies", []byte(big.Digest))
	return []salvageCase{
		{name: "healthy", damage: func(t *testing.T, src string) string {
			dst := filepath.Join(t.TempDir(), "copy.db")
			copyFile(t, src, dst)
			return dst
		}},
		{name: "a captures leaf and its freed copies zeroed", damage: func(t *testing.T, src string) string {
			var keys [][]byte
			for _, id := range onPage {
				n, _ := strconv.ParseUint(id, 10, 64)
				keys = append(keys, idKey(n))
			}
			return zeroAll(t, src, []uint64{capPage}, 1, keys, func(v []byte) bool { return bytes.HasPrefix(v, []byte(`{"id":`)) })
		}, lostCaptures: onPage},
		{name: "the reports root zeroed", damage: func(t *testing.T, src string) string {
			return zeroAll(t, src, []uint64{rootOf(t, src, "reports")}, 1, nil, nil)
		}, lostReports: ids(orig.buckets["reports"])},
		{name: "the middle of a 200 KB payload and its freed copies zeroed", damage: func(t *testing.T, src string) string {
			return zeroAll(t, src, []uint64{pageInside(t, src, bigPage, 100<<10)}, 4, [][]byte{[]byte(big.Digest)}, func([]byte) bool { return true })
		}, withoutBody: []string{"61"}},
		{name: "both meta pages zeroed", damage: func(t *testing.T, src string) string {
			return zeroAll(t, src, []uint64{0}, 2, nil, nil)
		}, physicalOnly: true},
		{name: "a capture record overwritten", damage: func(t *testing.T, src string) string {
			return mutated(t, src, func(tx *bolt.Tx) error { return tx.Bucket(bucketCaptures).Put(idKey(33), []byte("{garbage")) })
		}},
	}
}

func rootOf(t *testing.T, path, bucket string) uint64 {
	t.Helper()
	w := walkTree(openTestPages(t, path), nil)
	if b := w.Buckets[bucket]; b != nil && b.Root != 0 {
		return b.Root
	}
	t.Fatalf("bucket %s has no root page", bucket)
	return 0
}

// TestSalvageRich salvages damaged copies of an archive holding every kind
// of record and checks, record by record, what was kept and what was
// reported lost.
func TestSalvageRich(t *testing.T) {
	src := richArchive(t, 120)
	orig := readContents(t, src)
	for _, tc := range salvageCases(t, src) {
		t.Run(tc.name, func(t *testing.T) {
			damaged := tc.damage(t, src)
			before, _ := os.ReadFile(damaged)
			out := filepath.Join(t.TempDir(), "salvaged.db")
			rep, err := Salvage(context.Background(), damaged, out, SalvageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			rep.WriteText(&text, 0)
			t.Logf("%s", text.String())
			if after, _ := os.ReadFile(damaged); !bytes.Equal(before, after) {
				t.Fatal("salvage changed the damaged file")
			}
			if !rep.Check.Healthy() {
				t.Fatalf("the salvaged archive fails its check:\n%s", text.String())
			}
			got := readContents(t, out)
			checkRich(t, tc, orig, got, rep, text.String())
		})
	}
}

func checkRich(t *testing.T, tc salvageCase, orig, got *contents, rep *SalvageReport, text string) {
	t.Helper()
	lost := map[string]bool{}
	for _, id := range tc.lostCaptures {
		lost[id] = true
	}
	for k, v := range orig.buckets["captures"] {
		id := idString([]byte(k))
		if w := got.buckets["captures"][k]; lost[id] != (w == nil) || (w != nil && !bytes.Equal(w, v)) {
			t.Errorf("capture %s: kept %.60q, want lost %v (original %.60q)", id, w, lost[id], v)
		}
	}
	var reported []string
	for _, l := range rep.LostCaptures {
		reported = append(reported, l.ID)
		var c Capture
		json.Unmarshal(orig.buckets["captures"][string(idKey(mustID(l.ID)))], &c)
		if l.URL != c.URL && !tc.physicalOnly {
			t.Errorf("lost capture %s reported with URL %q, it was %q", l.ID, l.URL, c.URL)
		}
	}
	for _, cmp := range []struct {
		what      string
		got, want []string
	}{
		{"lost captures", reported, tc.lostCaptures},
		{"captures without payload", rep.WithoutBody, tc.withoutBody},
		{"lost reports", rep.LostReports, tc.lostReports},
	} {
		if strings.Join(cmp.got, ",") != strings.Join(cmp.want, ",") {
			t.Errorf("%s reported %v, want %v\n%s", cmp.what, cmp.got, cmp.want, text)
		}
	}
	// Payloads and texts: all kept but the lost one, byte for byte. A
	// payload in payloads is kept only with a capture naming it (it is
	// keyed by its capture): one no kept capture names is lost with its
	// captures; one in bodies verifies against its key.
	named := map[string]bool{}
	for _, v := range got.buckets["captures"] {
		var c Capture
		json.Unmarshal(v, &c)
		named[c.Digest] = true
	}
	for _, b := range []string{"bodies", "texts"} {
		want := -len(tc.withoutBody)
		for d := range orig.buckets["bodies"] {
			if named[d] || !orig.inPayloads[d] {
				want++
			}
		}
		if b == "texts" {
			want = len(orig.buckets[b])
		}
		if len(got.buckets[b]) != want {
			t.Errorf("%s: %d kept, want %d", b, len(got.buckets[b]), want)
		}
		for k, v := range got.buckets[b] {
			if !bytes.Equal(v, orig.buckets[b][k]) {
				t.Errorf("%s %s kept with other bytes", b, k)
			}
		}
	}
	// Reports and marks of kept captures, runs and audits: kept as they
	// were unless lost; the frontier dropped; indexes made again.
	for _, b := range []string{"reports", "extracted", "runs", "audits", "idx_url", "idx_agency", "idx_role", "idx_digest"} {
		want := 0
		for k, v := range orig.buckets[b] {
			keep := true
			switch b {
			case "reports":
				keep = len(tc.lostReports) == 0 && !tc.physicalOnly && got.buckets["captures"][k] != nil
			case "extracted":
				keep = !tc.physicalOnly && got.buckets["captures"][k] != nil
			case "runs", "audits":
				keep = !tc.physicalOnly
			default:
				keep = got.buckets["captures"][k[len(k)-8:]] != nil
			}
			if keep {
				want++
				if !bytes.Equal(got.buckets[b][k], v) {
					t.Errorf("%s %q not kept as it was", b, k)
				}
			}
		}
		if len(got.buckets[b]) != want {
			t.Errorf("%s: %d records, want %d", b, len(got.buckets[b]), want)
		}
	}
	if len(got.buckets["frontier"])+len(got.buckets["queued"]) != 0 || (!tc.physicalOnly && rep.Dropped != 2) {
		t.Errorf("frontier: %d entries kept, %d dropped; want none kept, 2 dropped", len(got.buckets["frontier"]), rep.Dropped)
	}
	if got.seq["captures"] != 120 || (!tc.physicalOnly && got.seq["runs"] != 2) {
		t.Errorf("sequences: captures %d, runs %d; want 120, 2", got.seq["captures"], got.seq["runs"])
	}
	if tc.physicalOnly != rep.ReportsMayBeLost && len(tc.lostReports) == 0 {
		t.Errorf("reports may be lost: %v, want %v", rep.ReportsMayBeLost, tc.physicalOnly)
	}
	if tc.name == "healthy" && !rep.Complete() {
		t.Errorf("healthy copy: the report says something was lost:\n%s", text)
	}
	checkURLStates(t, orig, got, tc)
}

// foldPayloads adds the payloads records to c's bodies, keyed by the
// digest of their body, so the salvage assertions read payloads in either
// bucket alike; each must sit under a capture naming that digest, one per
// digest.
func foldPayloads(t *testing.T, dec *zstd.Decoder, c *contents) {
	t.Helper()
	if c.buckets["bodies"] == nil {
		c.buckets["bodies"] = map[string][]byte{}
	}
	for k, v := range c.buckets["payloads"] {
		body, _, _, err := splitPayload(dec, v)
		if err != nil {
			t.Errorf("payload %s does not decode: %v", idString([]byte(k)), err)
			continue
		}
		d := Digest(body)
		var cp Capture
		if err := json.Unmarshal(c.buckets["captures"][k], &cp); err != nil || cp.Digest != d {
			t.Errorf("payload %s (%s) is not under a capture naming its digest (%q, %v)", idString([]byte(k)), d, cp.Digest, err)
		}
		if c.buckets["bodies"][d] != nil {
			t.Errorf("payload %s: a second payload of %s", idString([]byte(k)), d)
		}
		c.buckets["bodies"][d] = v
		c.inPayloads[d] = true
	}
}

func mustID(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

// checkURLStates checks that every URL with a kept capture whose payload
// was kept has a state, identical to the original's when no capture of it
// was lost, and that a URL with none has no state (the next crawl fetches
// it again instead of revalidating what the archive no longer has).
func checkURLStates(t *testing.T, orig, got *contents, tc salvageCase) {
	t.Helper()
	usable := map[string]bool{} // URLs with a kept capture that has its payload or needs none
	for _, v := range got.buckets["captures"] {
		var c Capture
		json.Unmarshal(v, &c)
		if c.Digest == "" || got.buckets["bodies"][c.Digest] != nil {
			usable[c.URL] = true
		}
	}
	for u, v := range orig.buckets["urls"] {
		g := got.buckets["urls"][u]
		switch {
		case !usable[u]:
			if g != nil {
				t.Errorf("URL %s: no capture of it with its payload was kept, yet it has the state %s", u, g)
			}
		case g == nil:
			t.Errorf("URL %s: no state", u)
		case len(tc.lostCaptures) == 0 && len(tc.withoutBody) == 0 && !bytes.Equal(g, v):
			// Made again from the captures (the states were not read):
			// what the crawler revalidates with is the same.
			var a, b URLState
			json.Unmarshal(g, &a)
			json.Unmarshal(v, &b)
			if a.LastCaptureID != b.LastCaptureID || a.Digest != b.Digest || a.ETag != b.ETag || a.Archived != b.Archived || !a.LastFetched.Equal(b.LastFetched) {
				t.Errorf("URL %s: state %s, the original was %s", u, g, v)
			}
		}
	}
}

// TestSalvageTwice checks that a payload lost in a first salvage stays
// recorded in the second, so that its capture still checks healthy.
func TestSalvageTwice(t *testing.T) {
	src := richArchive(t, 120)
	var big Capture
	json.Unmarshal(readContents(t, src).buckets["captures"][string(idKey(61))], &big)
	damaged := zeroAll(t, src, []uint64{pageInside(t, src, pageHolding(t, src, "bodies", []byte(big.Digest)), 100<<10)}, 4,
		[][]byte{[]byte(big.Digest)}, func([]byte) bool { return true })
	first := filepath.Join(t.TempDir(), "first.db")
	second := filepath.Join(t.TempDir(), "second.db")
	if _, err := Salvage(context.Background(), damaged, first, SalvageOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := Salvage(context.Background(), first, second, SalvageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rec SalvageRecord
	json.Unmarshal(readContents(t, second).buckets["meta"]["salvaged"], &rec)
	if !rep.Check.Healthy() || strings.Join(rep.WithoutBody, ",") != "61" || strings.Join(rec.LostBodies, ",") != big.Digest || rec.From != first {
		t.Fatalf("second salvage: healthy %v, without body %v, record %+v", rep.Check.Healthy(), rep.WithoutBody, rec)
	}
	chk, err := CheckFile(second, CheckOptions{Deep: true})
	if err != nil || !chk.Healthy() || len(chk.Notes) != 2 {
		t.Fatalf("check of the second salvage: %v, notes %q", err, chk.Notes)
	}
}

// TestSalvageRefusesNonArchive checks that salvage will not turn a file
// that is no archive into an empty one.
func TestSalvageRefusesNonArchive(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.db")
	db, err := bolt.Open(plain, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
	db.Close()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte{0x5a}, 5*4096), 0o644)
	for _, p := range []string{plain, junk} {
		out := filepath.Join(dir, "out.db")
		if _, err := Salvage(context.Background(), p, out, SalvageOptions{}); err == nil || !strings.Contains(err.Error(), "not ") {
			t.Errorf("salvage of %s: %v, want a refusal", p, err)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("salvage of %s left %s", p, out)
		}
	}
}

// TestSalvageCancelled checks that a cancelled salvage stops with the
// context's error and leaves no new file.
func TestSalvageCancelled(t *testing.T) {
	src := smallArchive(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "out.db")
	if _, err := Salvage(ctx, src, out, SalvageOptions{}); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), src) {
		t.Fatalf("cancelled salvage: %v, want context.Canceled naming %s", err, src)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("cancelled salvage left %v", entries)
	}
}
