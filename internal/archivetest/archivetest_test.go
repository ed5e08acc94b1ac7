package archivetest

import (
	"errors"
	"os"
	"testing"

	"github.com/nianbao/nianbao/archive"
)

// TestDamagedCopies checks that a crawled archive is healthy and that its
// damaged copies are refused or read with a DamageError, never a panic.
func TestDamagedCopies(t *testing.T) {
	src := Crawled(t)
	a, err := archive.Open(src, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := a.View(func(r *archive.Reader) error {
		return r.Each(func(*archive.Capture) error { n++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if n < 50 {
		t.Fatalf("crawled archive has %d captures, want a real crawl (≥ 50)", n)
	}
	st, _ := os.Stat(src)
	t.Logf("crawled archive: %d captures, %d bytes", n, st.Size())

	t.Run("truncated", func(t *testing.T) {
		_, err := archive.Open(Truncated(t, src, 0.5), archive.Options{ReadOnly: true})
		if !errors.Is(err, archive.ErrDamaged) {
			t.Fatalf("open truncated copy: err = %v, want ErrDamaged", err)
		}
		t.Log(err)
	})
	t.Run("zeroed", func(t *testing.T) {
		p := ZeroedMiddle(t, src)
		a, err := archive.Open(p, archive.Options{ReadOnly: true})
		if err != nil {
			if !errors.Is(err, archive.ErrDamaged) {
				t.Fatalf("open zeroed copy: err = %v, want nil or ErrDamaged", err)
			}
			return
		}
		defer a.Close()
		err = a.View(func(r *archive.Reader) error {
			if err := r.Each(func(c *archive.Capture) error {
				_, err := r.Body(c.ID)
				if err != nil && !errors.Is(err, archive.ErrNotFound) {
					return err
				}
				return nil
			}); err != nil {
				return err
			}
			return r.EachReport(func(string, []byte) error { return nil })
		})
		if !errors.Is(err, archive.ErrDamaged) {
			t.Fatalf("read every record of the zeroed copy: err = %v, want ErrDamaged", err)
		}
		t.Log(err)
	})
}
