package fixtureworld

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
	"unicode/utf8"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestHostile(t *testing.T) {
	w := Hostile()
	srv, resolve := Serve(w)
	defer srv.Close()
	addr := resolve[HostileHost]
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()

	t.Run("index links everything", func(t *testing.T) {
		body := readAll(t, get(t, client, addr, "http://"+HostileHost+"/"))
		for _, p := range []string{"/flaky", "/throttle", "/slow", "/huge", "/bomb", "/binary", "/offsite", HostileReport} {
			if !bytes.Contains(body, []byte(`href="`+p+`"`)) {
				t.Errorf("index lacks a link to %s", p)
			}
		}
	})
	for _, tt := range []struct {
		path   string
		first  int
		header string
	}{{"/flaky", 500, ""}, {"/throttle", 429, "Retry-After"}} {
		t.Run(tt.path, func(t *testing.T) {
			resp := get(t, client, addr, "http://"+HostileHost+tt.path)
			readAll(t, resp)
			if resp.StatusCode != tt.first {
				t.Fatalf("first status %d, want %d", resp.StatusCode, tt.first)
			}
			if tt.header != "" && resp.Header.Get(tt.header) != "1" {
				t.Errorf("%s = %q, want 1", tt.header, resp.Header.Get(tt.header))
			}
			resp = get(t, client, addr, "http://"+HostileHost+tt.path)
			readAll(t, resp)
			if resp.StatusCode != 200 {
				t.Errorf("second status %d, want 200", resp.StatusCode)
			}
		})
	}
	t.Run("slow", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/slow", nil)
		req.Host = HostileHost
		start := time.Now()
		_, err := client.Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want a deadline", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("slow took %v", d)
		}
	})
	t.Run("huge", func(t *testing.T) {
		resp := get(t, client, addr, "http://"+HostileHost+"/huge")
		defer resp.Body.Close()
		if resp.ContentLength != -1 {
			t.Errorf("Content-Length %d, want none", resp.ContentLength)
		}
		prefix := make([]byte, 4<<20)
		if _, err := io.ReadFull(resp.Body, prefix); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(prefix, bytes.Repeat([]byte{'0'}, len(prefix))) || resp.Header.Get("Content-Type") != "text/html" {
			t.Error("huge is not '0's as text/html")
		}
	})
	t.Run("bomb", func(t *testing.T) {
		resp := get(t, client, addr, "http://"+HostileHost+"/bomb")
		defer resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
		}
		cr := &countingReader{r: resp.Body}
		zr, err := gzip.NewReader(cr)
		if err != nil {
			t.Fatal(err)
		}
		const want = 16 << 20
		n, err := io.Copy(io.Discard, io.LimitReader(zr, want))
		if err != nil || n != want {
			t.Fatalf("inflated %d (%v), want %d", n, err, want)
		}
		if ratio := float64(n) / float64(cr.n); ratio < 500 {
			t.Errorf("compression ratio %.0f, want >= 500", ratio)
		}
		if total := int64(BombMembers) * cr.n * BombMember / n; total > 8<<20 {
			t.Errorf("bomb is about %d compressed bytes, want < 8 MiB", total)
		}
	})
	t.Run("binary", func(t *testing.T) {
		resp := get(t, client, addr, "http://"+HostileHost+"/binary")
		body := readAll(t, resp)
		if len(body) != BinarySize || utf8.Valid(body) || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("binary: %d bytes, valid UTF-8 %v, type %q", len(body), utf8.Valid(body), resp.Header.Get("Content-Type"))
		}
	})
	t.Run("offsite", func(t *testing.T) {
		resp := get(t, client, addr, "http://"+HostileHost+"/offsite")
		readAll(t, resp)
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "http://"+HostileOffsite+"/" {
			t.Errorf("offsite: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		found := false
		for _, f := range w.Forbidden() {
			found = found || f == "http://"+HostileOffsite+"/"
		}
		if !found {
			t.Error("offsite target not in Forbidden")
		}
	})
	t.Run("report", func(t *testing.T) {
		exp := w.Expected()
		if len(exp) != 1 || exp[0].URL != "http://"+HostileHost+HostileReport {
			t.Fatalf("Expected() = %+v", exp)
		}
		resp := get(t, client, addr, exp[0].URL)
		body := readAll(t, resp)
		want, _ := w.Body(exp[0].URL)
		if resp.StatusCode != 200 || !bytes.Equal(body, want) || !bytes.Contains(body, []byte("示例市公安局2023年政府信息公开工作年度报告")) {
			t.Error("report page not served as Body()")
		}
	})
}
