package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rawRecord returns a copy of the stored capture record under id.
func rawRecord(t *testing.T, path string, id uint64) []byte {
	t.Helper()
	db, err := bolt.Open(path, 0o444, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v []byte
	if err := db.View(func(tx *bolt.Tx) error {
		v = bytes.Clone(tx.Bucket(bucketCaptures).Get(idKey(id)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// version1File writes an archive whose capture records are plain JSON and
// whose schema is "1", as a version-1 program left it: two captures.
func version1File(t *testing.T) (string, []*Capture) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v1.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	caps := []*Capture{
		{URL: "http://www.example.gov.cn/a.html", FetchedAt: t0, Status: 200, Agency: "某局", Role: RoleReport,
			Header: map[string][]string{"Etag": {`"x1"`}}},
		{URL: "http://www.example.gov.cn/b.html", FetchedAt: t0.Add(time.Minute), Status: 404, Agency: "某局", Role: RoleOther},
	}
	for i, c := range caps {
		body := []byte("<html>payload " + c.URL + "</html>")
		if i == 1 {
			body = nil
		}
		if err := a.Put(c, body, "text of "+c.URL); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		for i, c := range caps {
			js, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketCaptures).Put(idKey(uint64(i+1)), js); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("1"))
	}); err != nil {
		t.Fatal(err)
	}
	return path, caps
}

func schemaOf(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o444, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	_ = db.View(func(tx *bolt.Tx) error { v = string(tx.Bucket(bucketMeta).Get(keySchema)); return nil })
	return v
}

// TestRecordCompressed checks that Put stores a capture record as a zstd
// frame against the record dictionary, smaller than its JSON, and that it
// reads back as the same capture.
func TestRecordCompressed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &Capture{URL: "http://www.example.gov.cn/nb/2023.html", FetchedAt: time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC), Status: 200,
		Header: map[string][]string{"Content-Type": {"text/html; charset=utf-8"}}, ContentType: "text/html; charset=utf-8",
		Agency: "某局", Role: RoleReport, Title: "2023年政府信息公开工作年度报告"}
	if err := a.Put(c, []byte("<html>2023</html>"), "2023"); err != nil {
		t.Fatal(err)
	}
	got, err := a.Get(c.ID)
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(c)
	if js, _ := json.Marshal(got); !bytes.Equal(js, want) {
		t.Errorf("read back %s, want %s", js, want)
	}
	raw := rawRecord(t, path, 1)
	if !bytes.HasPrefix(raw, zstdMagic) || len(raw) >= len(want) {
		t.Errorf("stored record is %d bytes starting %x; want a zstd frame shorter than its %d-byte JSON", len(raw), raw[:4], len(want))
	}
	if v := schemaOf(t, path); v != strconv.Itoa(SchemaVersion) {
		t.Errorf("schema %q, want %d", v, SchemaVersion)
	}
}

// TestVersion1File checks that a version-1 file is read as it is, and that
// opening it for writing marks it version 2, keeps its plain records and
// writes new ones compressed; check and salvage take both forms.
func TestVersion1File(t *testing.T) {
	path, caps := version1File(t)
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range caps {
		got, err := ro.Get(c.ID)
		if err != nil || got.URL != c.URL || got.Status != c.Status {
			t.Errorf("version-1 capture %s: %+v, %v", c.ID, got, err)
		}
	}
	ro.Close()
	if v := schemaOf(t, path); v != "1" {
		t.Fatalf("read-only open changed the schema to %q", v)
	}

	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c3 := &Capture{URL: caps[0].URL, FetchedAt: caps[0].FetchedAt.Add(time.Hour), Status: 200, Agency: "某局", Role: RoleReport}
	if err := a.Put(c3, []byte("<html>new</html>"), "new"); err != nil {
		t.Fatal(err)
	}
	byURL, err := a.ByURL(caps[0].URL)
	var n int
	_ = a.View(func(r *Reader) error { return r.Each(func(*Capture) error { n++; return nil }) })
	a.Close()
	if err != nil || len(byURL) != 2 || byURL[0].ID != caps[0].ID || byURL[1].ID != c3.ID || n != 3 {
		t.Errorf("after a write: ByURL %d captures (%v), Each %d; want 2 and 3", len(byURL), err, n)
	}
	if v := schemaOf(t, path); v != strconv.Itoa(SchemaVersion) {
		t.Errorf("schema after opening for writing %q, want %d", v, SchemaVersion)
	}
	if raw := rawRecord(t, path, 1); len(raw) == 0 || raw[0] != '{' {
		t.Errorf("version-1 record rewritten: %q", raw)
	}
	if raw := rawRecord(t, path, 3); !bytes.HasPrefix(raw, zstdMagic) {
		t.Errorf("new record not compressed: %q", raw)
	}

	rep, err := CheckFile(path, CheckOptions{Deep: true})
	if err != nil || !rep.Healthy() {
		t.Fatalf("check of a file with both record forms: %v %+v", err, rep)
	}
	dst := filepath.Join(t.TempDir(), "salvaged.db")
	srep, err := Salvage(context.Background(), path, dst, SalvageOptions{})
	if err != nil || !srep.Complete() {
		t.Fatalf("salvage of a file with both record forms: %v %+v", err, srep)
	}
	got := readContents(t, dst).buckets["captures"]
	want := readContents(t, path).buckets["captures"]
	if len(got) != 3 {
		t.Fatalf("salvage kept %d captures, want 3", len(got))
	}
	for k, v := range want {
		if !bytes.Equal(got[k], v) {
			t.Errorf("salvaged capture %x: %s, want %s", k, got[k], v)
		}
	}
}

// TestRecordUndecodable checks that a compressed record that does not
// decompress is damage Get reports, and a record Each skips.
func TestRecordUndecodable(t *testing.T) {
	path, caps := version1File(t)
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := append(append([]byte(nil), zstdMagic...), 0xff, 0x00, 0x13)
	_ = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketCaptures).Put(idKey(1), bad) })
	db.Close()
	a, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Get(caps[0].ID); err == nil {
		t.Error("Get of an undecodable compressed record: no error")
	}
	var n int
	err = a.View(func(r *Reader) error {
		err := r.Each(func(*Capture) error { n++; return nil })
		if len(r.Skipped()) != 1 {
			t.Errorf("skipped %v, want capture 1", r.Skipped())
		}
		return err
	})
	if err != nil || n != 1 {
		t.Errorf("Each: %d captures, %v; want 1", n, err)
	}
	rep, err := CheckFile(path, CheckOptions{})
	if err != nil || rep.Healthy() {
		t.Errorf("check of an undecodable compressed record: healthy (%v)", err)
	}
}
