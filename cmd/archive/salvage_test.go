package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/internal/archivetest"
	bolt "go.etcd.io/bbolt"
)

// source is a crawled archive with a run, its audit and a frontier entry
// added, and what its live tree holds.
type source struct {
	path     string
	size     int64
	pageSize int64
	recs     []archive.Location // of the live tree
	locs     []archive.Location // on every page
	captures map[uint64][]byte  // ID → record
	urlOf    map[uint64]string
	digestOf map[uint64]string
	bodies   map[string][]byte // digest → payload, in bodies or in payloads
	reports  map[uint64][]byte
	runs     map[uint64][]byte
	maxID    uint64
}

func crawledSource(t *testing.T) *source {
	t.Helper()
	path := archivetest.Copy(t, archivetest.Crawled(t))
	a, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	run := &archive.Run{Kind: "harvest", Started: time.Date(2024, 5, 1, 2, 0, 0, 0, time.UTC), Status: "done"}
	if err := a.PutRun(run); err != nil {
		t.Fatal(err)
	}
	if err := a.PutRunAudit(run.ID, []byte(`{"agencies":[]}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Enqueue([]*archive.FrontierItem{{URL: "http://www.example.gov.cn/queued.html", Host: "www.example.gov.cn"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	s := &source{path: path, captures: map[uint64][]byte{}, urlOf: map[uint64]string{}, digestOf: map[uint64]string{},
		bodies: map[string][]byte{}, reports: map[uint64][]byte{}, runs: map[uint64][]byte{}}
	st, _ := os.Stat(path)
	s.size = st.Size()
	locs, pageSize, err := archive.Locate(path)
	if err != nil {
		t.Fatal(err)
	}
	s.pageSize, s.locs = pageSize, locs
	for _, l := range locs {
		if l.Live {
			s.recs = append(s.recs, l)
		}
	}
	payloadOf := map[uint64][]byte{}
	for _, r := range s.recs {
		if r.Bucket == "payloads" && len(r.Key) == 8 {
			payloadOf[binary.BigEndian.Uint64(r.Key)] = r.Value
		}
	}
	dec := newDecoder(t, func(id uint64) ([]byte, error) {
		if v := payloadOf[id]; v != nil {
			return v, nil
		}
		return nil, fmt.Errorf("no payload under capture %d", id)
	})
	for _, r := range s.recs {
		switch r.Bucket {
		case "captures":
			id := binary.BigEndian.Uint64(r.Key)
			s.captures[id] = r.Value
			c, err := archive.DecodeRecord(r.Value)
			if err != nil {
				t.Fatal(err)
			}
			s.urlOf[id], s.digestOf[id] = c.URL, c.Digest
			s.maxID = max(s.maxID, id)
		case "reports":
			s.reports[binary.BigEndian.Uint64(r.Key)] = r.Value
		case "runs":
			s.runs[binary.BigEndian.Uint64(r.Key)] = r.Value
		}
	}
	for _, r := range s.recs {
		if dg := s.payloadDigest(r); dg != "" {
			b, err := dec.DecodeAll(r.Value, nil)
			if err != nil {
				t.Fatal(err)
			}
			s.bodies[dg] = b
		}
	}
	if len(s.captures) < 50 || len(s.reports) == 0 || len(s.runs) != 1 || len(s.bodies) == 0 {
		t.Fatalf("crawled source: %d captures, %d reports, %d runs", len(s.captures), len(s.reports), len(s.runs))
	}
	return s
}

// payloadDigest returns the digest of the payload record r (its key in
// bodies; its capture's digest in payloads, keyed by capture ID), "" for
// any other record.
func (s *source) payloadDigest(r archive.Location) string {
	switch r.Bucket {
	case "bodies":
		return string(r.Key)
	case "payloads":
		if len(r.Key) == 8 {
			return s.digestOf[binary.BigEndian.Uint64(r.Key)]
		}
	}
	return ""
}

// payloadDecoder decodes payload values (body and text joined), reading
// the members of site dictionaries through member.
type payloadDecoder struct{ *archive.PayloadDecoder }

func newDecoder(t *testing.T, member func(captureID uint64) ([]byte, error)) payloadDecoder {
	t.Helper()
	dec, err := archive.NewPayloadDecoder(member)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dec.Close)
	return payloadDecoder{dec}
}

// DecodeAll returns the payload value's body followed by its text.
func (d payloadDecoder) DecodeAll(v, _ []byte) ([]byte, error) {
	body, text, err := d.Decode(v)
	return append(body, text...), err
}

// damage is a damaged copy of the source: the byte ranges zeroed or the
// size it was cut to, and the records that must be lost (every copy of
// them, live or on a freed page, was destroyed).
type damage struct {
	path       string
	zeroed     [][2]int64
	cut        int64
	loseCaps   []uint64
	loseBodies []string
}

// hit reports whether the damage touched a live record.
func (d *damage) hit(r archive.Location) bool {
	for _, z := range d.zeroed {
		if r.Hit(z[0], z[1]) {
			return true
		}
	}
	return d.cut > 0 && r.Hit(d.cut, 1<<62)
}

// zero returns d with n bytes zeroed at off.
func (d *damage) zero(t *testing.T, off, n int64) *damage {
	d.path = archivetest.Zeroed(t, d.path, off, n)
	d.zeroed = append(d.zeroed, [2]int64{off, n})
	return d
}

// zeroCopies zeroes the header of every page other than except that holds
// key with a value match accepts: the freed copies salvage would find.
func (d *damage) zeroCopies(t *testing.T, s *source, key []byte, match func([]byte) bool, except uint64) {
	done := map[uint64]bool{except: true}
	for _, l := range s.locs {
		if bytes.Equal(l.Key, key) && match(l.Value) && !done[l.Page] {
			done[l.Page] = true
			d.zero(t, int64(l.Page)*s.pageSize, 16)
		}
	}
}

// isCapture reports whether v is a capture record, plain or compressed
// (schema 2): one with a URL and a fetch time, as salvage's shape test
// asks (a run record, which also starts {"id":, is not one).
func isCapture(v []byte) bool {
	c, err := archive.DecodeRecord(v)
	return err == nil && c.URL != "" && !c.FetchedAt.IsZero()
}

// damages are the damaged copies the salvage tests run on.
func damages(t *testing.T, s *source) []struct {
	name string
	make func(t *testing.T) *damage
} {
	return []struct {
		name string
		make func(t *testing.T) *damage
	}{
		{"healthy", func(t *testing.T) *damage { return &damage{path: archivetest.Copy(t, s.path)} }},
		{"truncated to half", func(t *testing.T) *damage {
			p := archivetest.Truncated(t, s.path, 0.5)
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			return &damage{path: p, cut: st.Size()}
		}},
		{"64 KiB zeroed in the middle", func(t *testing.T) *damage {
			return (&damage{path: s.path}).zero(t, (s.size/2)&^4095, 64<<10)
		}},
		{"a captures leaf and every copy of its records zeroed", func(t *testing.T) *damage {
			page, overflow, keys := leafWithMost(s, "captures")
			d := (&damage{path: s.path}).zero(t, int64(page)*s.pageSize, int64(overflow+1)*s.pageSize)
			for _, k := range keys {
				d.zeroCopies(t, s, k, isCapture, page)
				d.loseCaps = append(d.loseCaps, binary.BigEndian.Uint64(k))
			}
			return d
		}},
		{"a payloads leaf and every copy of its payloads zeroed", func(t *testing.T) *damage {
			// Payloads are keyed by capture ID like captures: the damage
			// costs those payloads only, never a capture record.
			page, overflow, keys := leafWithMost(s, "payloads")
			if len(keys) == 0 {
				t.Fatal("the crawled archive has no payloads leaf")
			}
			d := (&damage{path: s.path}).zero(t, int64(page)*s.pageSize, int64(overflow+1)*s.pageSize)
			orig := map[string][]byte{}
			for _, r := range s.recs {
				if r.Bucket == "payloads" {
					orig[string(r.Key)] = r.Value
				}
			}
			for _, k := range keys {
				v0 := orig[string(k)]
				d.zeroCopies(t, s, k, func(v []byte) bool { return bytes.Equal(v, v0) }, page)
				d.loseBodies = append(d.loseBodies, s.digestOf[binary.BigEndian.Uint64(k)])
			}
			return d
		}},
		{"the middle of a large payload and its freed copies zeroed", func(t *testing.T) *damage {
			r := largestBody(s)
			first := (r.Spans[1][1] - int64(len(r.Value)) + s.pageSize - 1) / s.pageSize
			if (first+2)*s.pageSize > r.Spans[1][1] {
				t.Fatalf("the largest payload (%d bytes) spans no 2 whole pages", len(r.Value))
			}
			d := (&damage{path: s.path}).zero(t, first*s.pageSize, 2*s.pageSize)
			d.zeroCopies(t, s, r.Key, func(v []byte) bool { return bytes.Equal(v, r.Value) }, r.Page)
			d.loseBodies = []string{s.payloadDigest(r)}
			return d
		}},
		{"the captures root page zeroed", func(t *testing.T) *damage {
			root := bucketRoot(t, s.path, "captures")
			return (&damage{path: s.path}).zero(t, int64(root)*s.pageSize, s.pageSize)
		}},
	}
}

// leafWithMost returns the leaf page of bucket holding the most records.
func leafWithMost(s *source, bucket string) (uint64, uint32, [][]byte) {
	byPage := map[uint64][][]byte{}
	var best uint64
	var overflow uint32
	for _, r := range s.recs {
		if r.Bucket == bucket {
			byPage[r.Page] = append(byPage[r.Page], r.Key)
			if len(byPage[r.Page]) > len(byPage[best]) {
				best, overflow = r.Page, r.Overflow
			}
		}
	}
	return best, overflow, byPage[best]
}

func largestBody(s *source) archive.Location {
	var best archive.Location
	for _, r := range s.recs {
		if s.payloadDigest(r) != "" && len(r.Value) > len(best.Value) {
			best = r
		}
	}
	return best
}

func bucketRoot(t *testing.T, path, bucket string) uint64 {
	t.Helper()
	db, err := bolt.Open(path, 0o444, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var root uint64
	db.View(func(tx *bolt.Tx) error { root = uint64(tx.Bucket([]byte(bucket)).Root()); return nil })
	if root == 0 {
		t.Fatalf("bucket %s is inline", bucket)
	}
	return root
}

// salvaged is what the new archive holds, read raw.
type salvaged struct {
	// members are payloads kept without their capture (site dictionary
	// members), decoded.
	members  [][]byte
	captures map[uint64][]byte
	bodies   map[string][]byte
	reports  map[uint64][]byte
	runs     map[uint64][]byte
	audits   int
	frontier int
	seq      uint64
}

func readSalvaged(t *testing.T, path string) *salvaged {
	t.Helper()
	db, err := bolt.Open(path, 0o444, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dec := newDecoder(t, func(id uint64) (v []byte, err error) {
		err = db.View(func(tx *bolt.Tx) error {
			key := binary.BigEndian.AppendUint64(nil, id)
			if v = tx.Bucket([]byte("payloads")).Get(key); v != nil {
				return nil
			}
			// Moved by the salvage: under another capture of its digest.
			c, err := archive.DecodeRecord(tx.Bucket([]byte("captures")).Get(key))
			if err != nil {
				return err
			}
			return tx.Bucket([]byte("payloads")).ForEach(func(k, pv []byte) error {
				if o, err := archive.DecodeRecord(tx.Bucket([]byte("captures")).Get(k)); err == nil && o.Digest == c.Digest {
					v = pv
				}
				return nil
			})
		})
		if err == nil && v == nil {
			err = fmt.Errorf("no payload of capture %d", id)
		}
		return append([]byte(nil), v...), err
	})
	out := &salvaged{captures: map[uint64][]byte{}, bodies: map[string][]byte{}, reports: map[uint64][]byte{}, runs: map[uint64][]byte{}}
	err = db.View(func(tx *bolt.Tx) error {
		out.seq = tx.Bucket([]byte("captures")).Sequence()
		for name, m := range map[string]map[uint64][]byte{"captures": out.captures, "reports": out.reports, "runs": out.runs} {
			tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				m[binary.BigEndian.Uint64(k)] = append([]byte(nil), v...)
				return nil
			})
		}
		out.audits = tx.Bucket([]byte("audits")).Stats().KeyN
		out.frontier = tx.Bucket([]byte("frontier")).Stats().KeyN + tx.Bucket([]byte("queued")).Stats().KeyN
		err := tx.Bucket([]byte("bodies")).ForEach(func(k, v []byte) error {
			b, err := dec.DecodeAll(v, nil)
			out.bodies[string(k)] = b
			return err
		})
		if err != nil {
			return err
		}
		// A payload in payloads is keyed by a capture naming its digest.
		return tx.Bucket([]byte("payloads")).ForEach(func(k, v []byte) error {
			rec := out.captures[binary.BigEndian.Uint64(k)]
			if rec == nil {
				// Kept without its capture, as a member of a site
				// dictionary of payloads kept: decoded, it is that
				// payload of the original.
				b, err := dec.DecodeAll(v, nil)
				out.members = append(out.members, b)
				return err
			}
			c, err := archive.DecodeRecord(rec)
			if err != nil {
				return fmt.Errorf("payload %x: its capture: %w", k, err)
			}
			b, err := dec.DecodeAll(v, nil)
			if out.bodies[c.Digest] != nil {
				return fmt.Errorf("payload %x: a second payload of %s", k, c.Digest)
			}
			out.bodies[c.Digest] = b
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSalvage salvages each damaged copy of a crawled archive and checks
// that the damaged file is untouched, that the new archive passes check,
// that every record on an undamaged page is kept exactly, that nothing
// kept differs from the original, and that the losses reported are the
// losses there are.
func TestSalvage(t *testing.T) {
	s := crawledSource(t)
	for _, tt := range damages(t, s) {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.make(t)
			before := fingerprint(t, d.path)
			out := filepath.Join(t.TempDir(), "salvaged.db")
			rep, err := archive.Salvage(context.Background(), d.path, out, archive.SalvageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			rep.WriteText(&text, 0)
			t.Logf("%s", text.String())
			if after := fingerprint(t, d.path); after != before {
				t.Fatalf("the damaged file changed: %s → %s", before, after)
			}
			chk, err := archive.CheckFile(out, archive.CheckOptions{Deep: true})
			if err != nil || !chk.Healthy() || !rep.Check.Healthy() {
				var b strings.Builder
				if chk != nil {
					chk.WriteText(&b, 30)
				}
				t.Fatalf("check of the salvaged archive: %v\n%s", err, b.String())
			}
			got := readSalvaged(t, out)
			checkCaptures(t, s, d, rep, got)
			checkBodies(t, s, d, rep, got)
			checkDependents(t, s, d, got)
			if got.frontier != 0 || (tt.name == "healthy" && rep.Dropped != 2) {
				t.Errorf("frontier: %d entries kept, %d dropped; want none kept (2 dropped from the healthy copy)", got.frontier, rep.Dropped)
			}
			checkNextID(t, s, out)
			if tt.name == "healthy" && (!rep.Complete() || len(got.captures) != len(s.captures) || len(got.bodies) != len(s.bodies) ||
				len(got.reports) != len(s.reports) || len(got.runs) != 1 || got.audits != 1) {
				t.Errorf("healthy: complete %v; %d/%d captures, %d/%d bodies, %d/%d reports, %d runs, %d audits",
					rep.Complete(), len(got.captures), len(s.captures), len(got.bodies), len(s.bodies), len(got.reports), len(s.reports), len(got.runs), got.audits)
			}
		})
	}
}

func checkCaptures(t *testing.T, s *source, d *damage, rep *archive.SalvageReport, got *salvaged) {
	t.Helper()
	hit := map[uint64]bool{}
	for _, r := range s.recs {
		if r.Bucket == "captures" && d.hit(r) {
			hit[binary.BigEndian.Uint64(r.Key)] = true
		}
	}
	for id, rec := range got.captures {
		if !bytes.Equal(rec, s.captures[id]) {
			t.Errorf("capture %d kept as %.80q, the original is %.80q", id, rec, s.captures[id])
		}
	}
	var lost []uint64
	for id := range s.captures {
		if got.captures[id] == nil {
			lost = append(lost, id)
			if !hit[id] {
				t.Errorf("capture %d lay on an undamaged page and was not kept", id)
			}
		}
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
	var reported []uint64
	for _, l := range rep.LostCaptures {
		id, _ := strconv.ParseUint(l.ID, 10, 64)
		reported = append(reported, id)
		if l.URL != "" && l.URL != s.urlOf[id] {
			t.Errorf("lost capture %d reported with URL %s, it was %s", id, l.URL, s.urlOf[id])
		}
	}
	if strconvIDs(lost) != strconvIDs(reported) {
		t.Errorf("captures lost %v, reported lost %v", lost, reported)
	}
	for _, id := range d.loseCaps {
		if got.captures[id] != nil {
			t.Errorf("capture %d: every copy was zeroed, yet it was kept", id)
		}
	}
	for _, c := range rep.Counts {
		if c.Name == "captures" && (c.Kept != len(got.captures) || c.Lost != len(lost)) {
			t.Errorf("captures count %+v, want %d kept, %d lost", c, len(got.captures), len(lost))
		}
	}
	if got.seq != s.maxID {
		t.Errorf("captures sequence %d, want %d (the original's)", got.seq, s.maxID)
	}
	t.Logf("captures: %d kept, %d lost (%d records hit)", len(got.captures), len(lost), len(hit))
}

func strconvIDs(ids []uint64) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(strconv.FormatUint(id, 10) + " ")
	}
	return b.String()
}

// membersHit reports whether a member payload of the site dictionary the
// payload record r is compressed against lay on a damaged page (or is not
// in the file's live tree).
func (s *source) membersHit(d *damage, r archive.Location) bool {
	for _, id := range archive.PayloadMembers(r.Value) {
		found := false
		for _, m := range s.recs {
			if m.Bucket == "payloads" && len(m.Key) == 8 && binary.BigEndian.Uint64(m.Key) == id {
				found = !d.hit(m)
			}
		}
		if !found {
			return true
		}
	}
	return false
}

func checkBodies(t *testing.T, s *source, d *damage, rep *archive.SalvageReport, got *salvaged) {
	t.Helper()
	for _, r := range s.recs {
		dg := s.payloadDigest(r)
		if dg == "" || d.hit(r) || got.bodies[dg] != nil {
			continue
		}
		// One in payloads is kept only with a capture naming it, and,
		// compressed against a site dictionary, with its members.
		named := r.Bucket == "bodies"
		for id, c := range s.digestOf {
			named = named || (c == dg && got.captures[id] != nil)
		}
		if named && s.membersHit(d, r) {
			continue
		}
		if named {
			t.Errorf("payload %s lay on an undamaged page and was not kept", dg)
		}
	}
	for dg, b := range got.bodies {
		if want, ok := s.bodies[dg]; !ok || !bytes.Equal(b, want) {
			t.Errorf("payload %s kept with %d bytes that are not the original's %d", dg, len(b), len(want))
		}
	}
	var without []string
	for id, rec := range got.captures {
		if dg := s.digestOf[id]; dg != "" && got.bodies[dg] == nil && rec != nil {
			without = append(without, strconv.FormatUint(id, 10))
		}
	}
	sort.Strings(without)
	reported := append([]string(nil), rep.WithoutBody...)
	sort.Strings(reported)
	if strings.Join(without, ",") != strings.Join(reported, ",") {
		t.Errorf("captures kept without payload %v, reported %v", without, reported)
	}
	for _, dg := range d.loseBodies {
		if got.bodies[dg] != nil {
			t.Errorf("payload %s: every copy was zeroed, yet it was kept", dg)
		}
		n := 0
		for id, c := range s.digestOf {
			if c == dg && got.captures[id] != nil {
				n++
			}
		}
		if n == 0 {
			t.Errorf("payload %s lost: no capture of it was kept (want them kept without it)", dg)
		}
	}
	t.Logf("bodies: %d kept of %d; %d captures kept without payload", len(got.bodies), len(s.bodies), len(without))
}

func checkDependents(t *testing.T, s *source, d *damage, got *salvaged) {
	t.Helper()
	for _, r := range s.recs {
		switch {
		case d.hit(r):
		case r.Bucket == "reports":
			id := binary.BigEndian.Uint64(r.Key)
			if got.captures[id] != nil && !bytes.Equal(got.reports[id], r.Value) {
				t.Errorf("report of capture %d lay on an undamaged page and was not kept as it was", id)
			}
		case r.Bucket == "runs":
			if id := binary.BigEndian.Uint64(r.Key); !bytes.Equal(got.runs[id], r.Value) {
				t.Errorf("run %d lay on an undamaged page and was not kept as it was", id)
			}
		}
	}
	for id, v := range got.reports {
		if !bytes.Equal(v, s.reports[id]) || got.captures[id] == nil {
			t.Errorf("report %d kept differs from the original, or its capture was not kept", id)
		}
	}
}

// TestSalvageRefuses checks that salvage never replaces a file and fails
// on a file it cannot read, leaving nothing behind.
func TestSalvageRefuses(t *testing.T) {
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists.db")
	os.WriteFile(exists, []byte("keep me"), 0o644)
	src := filepath.Join(dir, "src.db")
	a, err := archive.Open(src, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	for _, tt := range []struct{ name, src, out, want string }{
		{"output exists", src, exists, "exists"},
		{"source missing", filepath.Join(dir, "missing.db"), filepath.Join(dir, "new.db"), "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := archive.Salvage(context.Background(), tt.src, tt.out, archive.SalvageOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.src) {
				t.Fatalf("err = %v, want one naming %s and %q", err, tt.src, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(exists); string(b) != "keep me" {
		t.Errorf("the existing output was changed: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left in %s: %v (want exists.db and src.db)", dir, entries)
	}
}

// checkNextID checks that the salvaged archive goes on giving capture IDs
// after the last one the damaged file gave.
func checkNextID(t *testing.T, s *source, out string) {
	t.Helper()
	a, err := archive.Open(out, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	c := &archive.Capture{URL: "http://www.example.gov.cn/new.html", Status: 200}
	if err := a.Put(c, []byte("new"), "new"); err != nil {
		t.Fatal(err)
	}
	if want := strconv.FormatUint(s.maxID+1, 10); c.ID != want {
		t.Errorf("next capture ID %s, want %s", c.ID, want)
	}
}
