package archive

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTemp(t *testing.T) (*Archive, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, path
}

func TestPutAndLookup(t *testing.T) {
	a, _ := openTemp(t)
	t0 := time.Date(2022, 1, 26, 8, 0, 0, 0, time.UTC)
	body := []byte("<html>\xc4\xea\xb1\xa8</html>") // GBK bytes, stored untouched
	h := http.Header{"Etag": {`"v1"`}, "Content-Type": {"text/html; charset=gbk"}}
	c1 := &Capture{URL: "http://gaj.example.gov.cn/nb/", FetchedAt: t0, Status: 200, Header: h, Agency: "某局", Role: RoleList, Charset: "gbk"}
	if err := a.Put(c1, body, "年报"); err != nil {
		t.Fatal(err)
	}
	c2 := &Capture{URL: "http://gaj.example.gov.cn/nb/", FetchedAt: t0.Add(time.Hour), Status: 200, Header: h, Agency: "某局", Role: RoleList, Revisit: true}
	if err := a.Put(c2, body, "年报"); err != nil {
		t.Fatal(err)
	}
	c3 := &Capture{URL: "http://gaj.example.gov.cn/nb/t1.html", FetchedAt: t0.Add(2 * time.Hour), Status: 0, Agency: "某局", Role: RoleReport, Error: "timeout"}
	if err := a.Put(c3, nil, ""); err != nil {
		t.Fatal(err)
	}
	if c1.ID != "1" || c2.ID != "2" || c3.ID != "3" {
		t.Fatalf("ids = %s %s %s, want 1 2 3", c1.ID, c2.ID, c3.ID)
	}
	if c1.Digest != Digest(body) || c1.Size != int64(len(body)) || !strings.HasPrefix(c1.Digest, "sha256:") {
		t.Errorf("digest/size = %s %d", c1.Digest, c1.Size)
	}
	got, err := a.Body("2")
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("Body(2) = %q, %v; want the raw bytes", got, err)
	}
	txt, err := a.Text("1")
	if err != nil || txt != "年报" {
		t.Fatalf("Text(1) = %q, %v", txt, err)
	}
	if _, err := a.Body("3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Body of a failed capture: err = %v, want ErrNotFound", err)
	}
	caps, err := a.ByURL("http://gaj.example.gov.cn/nb/")
	if err != nil || len(caps) != 2 || caps[0].ID != "1" || caps[1].ID != "2" || !caps[1].Revisit {
		t.Fatalf("ByURL = %+v, %v", caps, err)
	}
	if caps, _ := a.ByURL("http://gaj.example.gov.cn/nb"); len(caps) != 0 {
		t.Errorf("ByURL without slash matched %d captures, want 0 (exact URL)", len(caps))
	}
	if caps, _ := a.ByDigest(c1.Digest); len(caps) != 2 {
		t.Errorf("ByDigest = %d captures, want 2", len(caps))
	}
	if caps, _ := a.ByRole(RoleReport); len(caps) != 1 || caps[0].Error != "timeout" {
		t.Errorf("ByRole(report) = %+v", caps)
	}
	if caps, _ := a.ByAgency("某局"); len(caps) != 3 {
		t.Errorf("ByAgency = %d, want 3", len(caps))
	}
	st, ok, err := a.URLState("http://gaj.example.gov.cn/nb/")
	if err != nil || !ok || st.ETag != `"v1"` || st.LastCaptureID != "2" || !st.Archived {
		t.Errorf("URLState = %+v %v %v", st, ok, err)
	}
	st, ok, _ = a.URLState("http://gaj.example.gov.cn/nb/t1.html")
	if !ok || st.Archived || st.Role != RoleReport {
		t.Errorf("URLState of failed fetch = %+v", st)
	}
	// Bodies are stored once per digest.
	if err := a.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketBodies).Stats().KeyN + tx.Bucket(bucketPayloads).Stats().KeyN; n != 1 {
			t.Errorf("bodies stored = %d, want 1", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	urls, _ := a.URLs()
	if len(urls) != 2 {
		t.Errorf("URLs = %v", urls)
	}
	ags, _ := a.Agencies()
	if len(ags) != 1 || ags[0] != "某局" {
		t.Errorf("Agencies = %v", ags)
	}
	_ = a.View(func(r *Reader) error {
		for name, want := range map[string]bool{"某局": true, "某": false, "某局局": false, "": false} {
			if got := r.HasAgency(name); got != want {
				t.Errorf("HasAgency(%q) = %v, want %v", name, got, want)
			}
		}
		return nil
	})
}

func TestIndexIDsWithZeroBytes(t *testing.T) {
	// Capture 256 has a zero low byte in its key; distinct() and byIndex must
	// still separate value and id.
	a, _ := openTemp(t)
	for i := 0; i < 257; i++ {
		if err := a.Put(&Capture{URL: "http://x.gov.cn/", Status: 500, Error: "500", Agency: "局"}, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	caps, err := a.ByURL("http://x.gov.cn/")
	if err != nil || len(caps) != 257 {
		t.Fatalf("ByURL = %d, %v", len(caps), err)
	}
	if urls, _ := a.URLs(); len(urls) != 1 {
		t.Fatalf("URLs = %q", urls)
	}
}

func TestReportsAndRuns(t *testing.T) {
	a, _ := openTemp(t)
	c := &Capture{URL: "http://x.gov.cn/r.html", Status: 200, Role: RoleReport}
	if err := a.Put(c, []byte("r"), "r"); err != nil {
		t.Fatal(err)
	}
	if err := a.PutReport(c.ID, []byte(`{"year":2021}`)); err != nil {
		t.Fatal(err)
	}
	if err := a.PutReport("99", []byte(`{}`)); !errors.Is(err, ErrNotFound) {
		t.Errorf("PutReport of unknown capture: %v", err)
	}
	got, err := a.Report(c.ID)
	if err != nil || string(got) != `{"year":2021}` {
		t.Fatalf("Report = %s, %v", got, err)
	}
	n := 0
	_ = a.View(func(rd *Reader) error { return rd.EachReport(func(id string, data []byte) error { n++; return nil }) })
	if n != 1 {
		t.Errorf("EachReport saw %d", n)
	}
	r1 := &Run{Kind: "harvest", Started: time.Now(), Status: "running"}
	if err := a.PutRun(r1); err != nil {
		t.Fatal(err)
	}
	r1.Status = "done"
	if err := a.PutRun(r1); err != nil {
		t.Fatal(err)
	}
	if err := a.PutRun(&Run{Kind: "harvest", Status: "running"}); err != nil {
		t.Fatal(err)
	}
	runs, err := a.Runs()
	if err != nil || len(runs) != 2 || runs[0].ID != "2" || runs[1].Status != "done" {
		t.Fatalf("Runs = %+v, %v", runs, err)
	}
	_ = a.View(func(rd *Reader) error {
		if run, ok := rd.Run("1"); !ok || run.ID != "1" || run.Status != "done" {
			t.Errorf("Run(1) = %+v, %v", run, ok)
		}
		for _, id := range []string{"3", "01", "", "x"} {
			if run, ok := rd.Run(id); ok {
				t.Errorf("Run(%q) = %+v, want none", id, run)
			}
		}
		return nil
	})
}

func TestSecondWriterGetsErrInUse(t *testing.T) {
	_, path := openTemp(t)
	start := time.Now()
	_, err := Open(path, Options{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: err = %v, want ErrInUse", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("second Open took %s", time.Since(start))
	}
	if _, err := Open(path, Options{ReadOnly: true, Timeout: 200 * time.Millisecond}); !errors.Is(err, ErrInUse) {
		t.Fatalf("read-only Open while a writer holds it: %v, want ErrInUse", err)
	}
	// With a holder record (written by serve), the error names the holder.
	release, err := WriteHolder(path, Holder{PID: os.Getpid(), Command: "nianbao serve", Addr: "http://127.0.0.1:8080/"})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	_, err = Open(path, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "held by nianbao serve (pid "+strconv.Itoa(os.Getpid())+", serving http://127.0.0.1:8080/") {
		t.Fatalf("Open with a holder record: %v", err)
	}
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.db"), Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "missing.db") {
		t.Fatalf("read-only open of a missing file: %v", err)
	}
	path := filepath.Join(dir, "a.db")
	a, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Put(&Capture{URL: "http://x.gov.cn/", Status: 200}, []byte("x"), ""); err != nil {
		t.Fatal(err)
	}
	a.Close()
	r1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("two readers at once: %v", err)
	}
	defer r2.Close()
	if err := r1.Put(&Capture{URL: "http://y.gov.cn/"}, nil, ""); err == nil {
		t.Error("Put on a read-only archive succeeded")
	}
	if b, err := r2.Body("1"); err != nil || string(b) != "x" {
		t.Errorf("Body via reader = %q, %v", b, err)
	}
}

func TestNotAnArchive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("junk"), 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "junk.db") {
		t.Fatalf("Open(junk) = %v, want an error naming the file", err)
	}
}

// TestRenderedCaptureKeepsURLState checks that a rendered DOM, stored as a
// second capture of a URL, leaves the URL's validators and digest those of
// the response the server sent.
func TestRenderedCaptureKeepsURLState(t *testing.T) {
	a, _ := openTemp(t)
	u := "http://gaj.example.gov.cn/ndbg/"
	raw := &Capture{URL: u, Status: 200, Role: RoleList, Header: http.Header{"Etag": {`"v1"`}}}
	if err := a.Put(raw, []byte("<html><div id=list></div></html>"), ""); err != nil {
		t.Fatal(err)
	}
	dom := &Capture{URL: u, Status: 200, Role: RoleList, Rendered: true}
	if err := a.Put(dom, []byte("<html><div id=list><a href=1.html>2023年报</a></div></html>"), ""); err != nil {
		t.Fatal(err)
	}
	st, ok, err := a.URLState(u)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if st.Digest != raw.Digest || st.ETag != `"v1"` || st.LastCaptureID != raw.ID {
		t.Errorf("url state after a rendered capture = %+v; want digest %s, etag \"v1\", last capture %s", st, raw.Digest, raw.ID)
	}
}
