package archive

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rawPayload returns copies of the bodies and texts values under digest.
func rawPayload(t *testing.T, a *Archive, digest string) (body, text []byte) {
	t.Helper()
	_ = a.db.View(func(tx *bolt.Tx) error {
		body = bytes.Clone(payloadValue(tx, digest))
		text = bytes.Clone(tx.Bucket(bucketTexts).Get([]byte(digest)))
		return nil
	})
	return body, text
}

// TestPayloadForms checks which form Put stores a payload in, and that
// Body and Text read each back.
func TestPayloadForms(t *testing.T) {
	a, err := Open(filepath.Join(t.TempDir(), "a.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	put := func(url string, body []byte, text string) *Capture {
		c := &Capture{URL: url, FetchedAt: t0, Status: 200}
		if err := a.Put(c, body, text); err != nil {
			t.Fatal(err)
		}
		return c
	}
	html := []byte("<html><p>2023年度报告</p></html>")
	pdf := []byte("%PDF-1.4 binary")
	// Run in order: each Put meets what the ones before stored.
	tests := []struct {
		name         string
		url          string
		body         []byte
		text         string
		combined     bool
		separateText bool
		wantText     string
		textMissing  bool
	}{
		{name: "body and text in one value", url: "http://x.gov.cn/a.html", body: html, text: "2023年度报告", combined: true, wantText: "2023年度报告"},
		{name: "body without text", url: "http://x.gov.cn/a.pdf", body: pdf, textMissing: true},
		// The same payload met again with a text: the text goes apart.
		{name: "text added to a stored body", url: "http://x.gov.cn/b.pdf", body: pdf, text: "PDF text", separateText: true, wantText: "PDF text"},
		// A second capture of a combined payload adds nothing.
		{name: "revisit of a combined payload", url: "http://x.gov.cn/a2.html", body: html, text: "other", combined: true, wantText: "2023年度报告"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := put(tt.url, tt.body, tt.text)
			zb, zt := rawPayload(t, a, c.Digest)
			if isCombined(zb) != tt.combined || (zt != nil) != tt.separateText {
				t.Errorf("stored: combined %v, texts entry %v; want %v, %v", isCombined(zb), zt != nil, tt.combined, tt.separateText)
			}
			body, err := a.Body(c.ID)
			if err != nil || !bytes.Equal(body, tt.body) {
				t.Errorf("Body: %q, %v; want %q", body, err, tt.body)
			}
			text, err := a.Text(c.ID)
			switch {
			case tt.textMissing && !errors.Is(err, ErrNotFound):
				t.Errorf("Text: %q, %v; want ErrNotFound", text, err)
			case !tt.textMissing && (err != nil || text != tt.wantText):
				t.Errorf("Text: %q, %v; want %q", text, err, tt.wantText)
			}
		})
	}
}

// TestSplitPayloadMalformed checks that a damaged body-and-text value is
// an error, never a panic nor a wrong body.
func TestSplitPayloadMalformed(t *testing.T) {
	a, err := Open(filepath.Join(t.TempDir(), "a.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	good := encodeCombined(a.enc, []byte("body"), "text")
	hdr := append([]byte(nil), combinedMagic...)
	tests := []struct {
		name string
		v    []byte
	}{
		{"magic only", hdr},
		{"header size past the end", append(append([]byte(nil), hdr...), 0xff, 0xff, 0xff, 0x7f)},
		{"header without tag", append(append([]byte(nil), hdr...), 5, 0, 0, 0, 'x', 'x', 'x', 'x', 1)},
		{"tag without length", append(append([]byte(nil), hdr...), 4, 0, 0, 0, 'n', 'b', 'p', 't')},
		{"body longer than the value", append(append(append([]byte(nil), hdr...), 6, 0, 0, 0, 'n', 'b', 'p', 't', 0xff, 0x7f), good[14:]...)},
		{"frame cut short", good[:len(good)-3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, _, err := splitPayload(a.dec, tt.v); err == nil {
				t.Errorf("splitPayload(%x): no error", tt.v)
			}
		})
	}
	body, text, hasText, err := splitPayload(a.dec, good)
	if err != nil || string(body) != "body" || string(text) != "text" || !hasText {
		t.Errorf("good value: %q %q %v %v", body, text, hasText, err)
	}
}

// TestCombinedPayloadCheckSalvage checks that check -deep finds a
// body-and-text value whose body does not match its digest, and that
// salvage keeps intact ones (body and text) and not that one.
func TestCombinedPayloadCheckSalvage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	good := &Capture{URL: "http://x.gov.cn/good.html", FetchedAt: t0, Status: 200}
	bad := &Capture{URL: "http://x.gov.cn/bad.html", FetchedAt: t0, Status: 200}
	if err := a.Put(good, []byte("<p>good</p>"), "good"); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(bad, []byte("<p>bad</p>"), "bad"); err != nil {
		t.Fatal(err)
	}
	err = a.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBodies).Put([]byte(bad.Digest), encodeCombined(a.enc, []byte("<p>other</p>"), "bad"))
	})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CheckFile(path, CheckOptions{Deep: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) == 0 || rep.Problems[0].Bucket != "bodies" || !strings.Contains(rep.Problems[0].Key, bad.Digest) {
		t.Errorf("check -deep: %+v; want the bodies record of %s", rep.Problems, bad.Digest)
	}
	dst := filepath.Join(t.TempDir(), "salvaged.db")
	if _, err := Salvage(context.Background(), path, dst, SalvageOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dst, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if text, err := s.Text(good.ID); err != nil || text != "good" {
		t.Errorf("salvaged text of the intact payload: %q, %v", text, err)
	}
	// The overwritten value is dropped; the scan of freed pages may find
	// the original, which matches its digest.
	if body, err := s.BodyByDigest(bad.Digest); err == nil && Digest(body) != bad.Digest {
		t.Errorf("salvaged a payload that does not match its digest: %q", body)
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		t.Errorf("salvaged payload of %s: %v", bad.Digest, err)
	}
}
