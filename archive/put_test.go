package archive

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// incompressible returns n bytes zstd cannot shrink, so compressing them
// allocates at least n bytes.
func incompressible(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// allocated returns the bytes the heap allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// rawBlobs returns copies of the raw (compressed) records under digest.
func rawBlobs(t *testing.T, a *Archive, digest string) (body, text []byte) {
	t.Helper()
	err := a.db.View(func(tx *bolt.Tx) error {
		body = bytes.Clone(payloadValue(tx, digest))
		text = bytes.Clone(tx.Bucket(bucketTexts).Get([]byte(digest)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return body, text
}

// TestPutDoesNotCompressStoredPayload: Put looks the digest up before
// compressing, so a payload (and text) already stored is not compressed
// again — measured as the bytes a Put allocates, which compressing a
// 1 MiB incompressible body or text would raise past 1 MiB — and the
// stored records stay byte for byte what the first Put wrote.
func TestPutDoesNotCompressStoredPayload(t *testing.T) {
	const size = 1 << 20
	a, err := Open(filepath.Join(t.TempDir(), "a.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	body, text := incompressible(size, 1), string(incompressible(size, 2))
	first := &Capture{URL: "http://a.example.gov.cn/x.pdf", Status: 200}
	if got := allocated(func() {
		if err := a.Put(first, body, text); err != nil {
			t.Fatal(err)
		}
	}); got < 2*size {
		t.Fatalf("first Put allocated %d bytes, want >= %d (it compresses body and text): the measure cannot tell", got, 2*size)
	}
	wantBody, wantText := rawBlobs(t, a, first.Digest)
	tests := []struct {
		name string
		url  string
		text string
		max  uint64 // most bytes the Put may allocate
	}{
		{"same URL, same payload and text", first.URL, text, size / 4},
		{"other URL, same payload and text", "http://b.example.gov.cn/y.pdf", text, size / 4},
		{"same payload, no text given", "http://c.example.gov.cn/z.pdf", "", size / 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Capture{URL: tc.url, Status: 200, FetchedAt: time.Now().UTC()}
			got := allocated(func() {
				if err := a.Put(c, body, tc.text); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("Put allocated %d bytes", got)
			if got > tc.max {
				t.Errorf("Put allocated %d bytes, want <= %d (no compression of a stored payload)", got, tc.max)
			}
			if c.Digest != first.Digest {
				t.Fatalf("digest %s, want %s", c.Digest, first.Digest)
			}
			gotBody, gotText := rawBlobs(t, a, c.Digest)
			if !bytes.Equal(gotBody, wantBody) || !bytes.Equal(gotText, wantText) {
				t.Errorf("stored records changed: body %d→%d bytes, text %d→%d bytes", len(wantBody), len(gotBody), len(wantText), len(gotText))
			}
			b, err := a.Body(c.ID)
			if err != nil || !bytes.Equal(b, body) {
				t.Errorf("Body(%s): %d bytes, %v; want the 1 MiB payload", c.ID, len(b), err)
			}
			if txt, err := a.Text(c.ID); err != nil || txt != text {
				t.Errorf("Text(%s): %d bytes, %v; want the first Put's text", c.ID, len(txt), err)
			}
		})
	}
}

// BenchmarkPut measures a Put of a new 64 KiB payload against a Put of one
// already stored (B/op shows the compression the digest check saves).
func BenchmarkPut(b *testing.B) {
	a, err := Open(filepath.Join(b.TempDir(), "a.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	const size = 64 << 10
	dup := incompressible(size, 9)
	if err := a.Put(&Capture{URL: "http://a.example.gov.cn/dup", Status: 200}, dup, ""); err != nil {
		b.Fatal(err)
	}
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		bodies := make([][]byte, b.N)
		for i := range bodies {
			bodies[i] = incompressible(size, uint64(100+i))
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := a.Put(&Capture{URL: "http://a.example.gov.cn/new", Status: 200}, bodies[i], ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("duplicate", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := a.Put(&Capture{URL: "http://a.example.gov.cn/dup", Status: 200}, dup, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
