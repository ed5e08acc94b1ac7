package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// keysOf returns the keys of bucket, as capture IDs when 8 bytes long.
func keysOf(t *testing.T, a *Archive, bucket []byte) []string {
	t.Helper()
	var out []string
	err := a.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				out = append(out, idString(k))
			} else {
				out = append(out, string(k))
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPayloadsKeyedByCapture checks where Put stores payloads: under the
// ID of the first capture that brought the body, once per digest, also
// when an earlier capture (an imported revisit) named the digest without
// a body, and not at all when bodies holds the digest already.
func TestPayloadsKeyedByCapture(t *testing.T) {
	a, err := Open(filepath.Join(t.TempDir(), "a.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	put := func(url string, body []byte, digest string) *Capture {
		t.Helper()
		c := &Capture{URL: url, FetchedAt: t0, Status: 200, Digest: digest}
		if err := a.Put(c, body, "text of "+url); err != nil {
			t.Fatal(err)
		}
		return c
	}
	one, two, old := []byte("<p>one</p>"), []byte("<p>two</p>"), []byte("<p>old</p>")
	put("http://x.gov.cn/1", one, "")                     // 1: stores one
	put("http://x.gov.cn/1", one, "")                     // 2: revisit
	revisit := put("http://x.gov.cn/2", nil, Digest(two)) // 3: names two, no body yet
	put("http://x.gov.cn/2", two, "")                     // 4: stores two
	put("http://x.gov.cn/3", two, "")                     // 5: revisit
	// A payload as an earlier file stored it, under its digest in bodies.
	if err := a.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBodies).Put([]byte(Digest(old)), encodeCombined(a.enc, old, "old text"))
	}); err != nil {
		t.Fatal(err)
	}
	put("http://x.gov.cn/4", old, "") // 6: found in bodies
	if got := strings.Join(keysOf(t, a, bucketPayloads), ","); got != "1,4" {
		t.Errorf("payloads keys %s, want 1,4", got)
	}
	if got := keysOf(t, a, bucketBodies); len(got) != 1 {
		t.Errorf("bodies keys %v, want the old payload only", got)
	}
	for id, want := range map[string][]byte{"1": one, "2": one, "3": two, "4": two, "5": two, "6": old} {
		if body, err := a.Body(id); err != nil || !bytes.Equal(body, want) {
			t.Errorf("Body(%s) = %q, %v; want %q", id, body, err, want)
		}
	}
	if text, err := a.Text(revisit.ID); err != nil || text != "text of http://x.gov.cn/2" {
		t.Errorf("Text of the revisit named before its payload: %q, %v", text, err)
	}
	if text, err := a.Text("6"); err != nil || text != "old text" {
		t.Errorf("Text of a payload in bodies: %q, %v", text, err)
	}
}

// TestPayloadsCheckSalvage checks that check verifies a payloads value
// against its capture's digest (with -deep) and that salvage keeps the
// intact payloads and drops that one, reporting its captures.
func TestPayloadsCheckSalvage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	good := &Capture{URL: "http://x.gov.cn/good.html", FetchedAt: t0, Status: 200}
	bad := &Capture{URL: "http://x.gov.cn/bad.html", FetchedAt: t0, Status: 200}
	for _, c := range []*Capture{good, bad} {
		if err := a.Put(c, []byte("<p>"+c.URL+"</p>"), "text"); err != nil {
			t.Fatal(err)
		}
	}
	key, _ := parseID(bad.ID)
	err = a.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPayloads).Put(key, encodeCombined(a.enc, []byte("<p>other</p>"), "text"))
	})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := CheckFile(path, CheckOptions{}); err != nil || !rep.Healthy() {
		t.Errorf("check without -deep: %+v, %v; want healthy (only the body's hash tells)", rep, err)
	}
	rep, err := CheckFile(path, CheckOptions{Deep: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Bucket != "payloads" || rep.Problems[0].Key != bad.ID {
		t.Errorf("check -deep: %+v; want the payloads record %s", rep.Problems, bad.ID)
	}
	dst := filepath.Join(t.TempDir(), "salvaged.db")
	srep, err := Salvage(context.Background(), path, dst, SalvageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !srep.Check.Healthy() {
		t.Errorf("salvage: check %+v; want healthy", srep.Check.Problems)
	}
	s, err := Open(dst, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if body, err := s.Body(good.ID); err != nil || string(body) != "<p>"+good.URL+"</p>" {
		t.Errorf("salvaged body of the intact payload: %q, %v", body, err)
	}
	// The overwritten value is dropped; the scan of freed pages may find
	// the original, which matches the digest.
	body, err := s.Body(bad.ID)
	switch {
	case err == nil && Digest(body) != bad.Digest:
		t.Errorf("salvaged a payload that does not match its capture's digest: %q", body)
	case err != nil && (!errors.Is(err, ErrNotFound) || strings.Join(srep.WithoutBody, ",") != bad.ID):
		t.Errorf("salvaged payload of %s: %v, without body %v", bad.ID, err, srep.WithoutBody)
	}
}

// TestIsRecordFrame checks that salvage's shape test tells a capture
// record from a payload under a capture ID.
func TestIsRecordFrame(t *testing.T) {
	a, err := Open(filepath.Join(t.TempDir(), "a.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rec := a.rec.EncodeAll([]byte(`{"id":"1","url":"http://x.gov.cn/"}`), nil)
	big := a.rec.EncodeAll(bytes.Repeat([]byte(`{"id":"1"}`), 20000), nil)
	tests := []struct {
		name string
		v    []byte
		want bool
	}{
		{"capture record", rec, true},
		{"large capture record", big, true},
		{"payload frame", a.enc.EncodeAll([]byte("<p>body</p>"), nil), false},
		{"body and text", encodeCombined(a.enc, []byte("<p>body</p>"), "body"), false},
		{"URL state", a.st.EncodeAll([]byte(`{"status":200}`), nil), false},
		{"version-1 record", []byte(`{"id":"1"}`), false},
		{"magic only", zstdMagic, false},
		{"cut in the dictionary ID", rec[:6], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isRecordFrame(tt.v); got != tt.want {
				t.Errorf("isRecordFrame(%x...) = %v, want %v", tt.v[:min(len(tt.v), 10)], got, tt.want)
			}
		})
	}
}

// TestURLStateForms checks that a URL state is stored compressed, that a
// version-1 (plain JSON) state reads alike and is rewritten compressed
// when its URL is captured again, and that a state that does not
// decompress is a check problem.
func TestURLStateForms(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	c := &Capture{URL: "http://x.gov.cn/a.html", FetchedAt: t0, Status: 200, Role: RoleReport, Agency: "某局",
		Header: map[string][]string{"Etag": {`"e1"`}}}
	if err := a.Put(c, []byte("<p>a</p>"), ""); err != nil {
		t.Fatal(err)
	}
	raw := func(url string) []byte {
		var v []byte
		_ = a.db.View(func(tx *bolt.Tx) error { v = bytes.Clone(tx.Bucket(bucketURLs).Get([]byte(url))); return nil })
		return v
	}
	if v := raw(c.URL); !bytes.HasPrefix(v, zstdMagic) {
		t.Errorf("stored state %q is not compressed", v)
	}
	want := URLState{LastCaptureID: c.ID, LastFetched: t0, Status: 200, ETag: `"e1"`, Digest: c.Digest, Role: RoleReport, Agency: "某局", Archived: true}
	if st, ok, err := a.URLState(c.URL); err != nil || !ok || st != want {
		t.Errorf("URLState = %+v, %v, %v; want %+v", st, ok, err, want)
	}
	// A version-1 state, as a file written before holds it.
	v1 := URLState{LastCaptureID: "", LastFetched: t0, Status: 404, Role: RoleList, Agency: "某局"}
	js, _ := json.Marshal(v1)
	const old = "http://x.gov.cn/old.html"
	if err := a.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketURLs).Put([]byte(old), js) }); err != nil {
		t.Fatal(err)
	}
	if st, ok, err := a.URLState(old); err != nil || !ok || st != v1 {
		t.Errorf("version-1 URLState = %+v, %v, %v; want %+v", st, ok, err, v1)
	}
	again := &Capture{URL: old, FetchedAt: t0.Add(time.Hour), Status: 200, Role: RoleOther}
	if err := a.Put(again, []byte("<p>old</p>"), ""); err != nil {
		t.Fatal(err)
	}
	if v := raw(old); !bytes.HasPrefix(v, zstdMagic) {
		t.Errorf("state captured again is still %q", v)
	}
	if st, _, _ := a.URLState(old); st.Role != RoleList || st.LastCaptureID != again.ID || !st.Archived {
		t.Errorf("state after a capture of a version-1 one: %+v (role kept, capture %s)", st, again.ID)
	}
	// A state whose frame is damaged.
	bad := append(bytes.Clone(raw(c.URL)[:8]), 0xff, 0xff, 0xff)
	if err := a.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketURLs).Put([]byte(c.URL), bad) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.URLState(c.URL); err == nil {
		t.Error("URLState of a damaged state: no error")
	}
	a.Close()
	rep, err := CheckFile(path, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Bucket != "urls" {
		t.Errorf("check: %+v; want the damaged state", rep.Problems)
	}
}
