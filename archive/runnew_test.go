package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func urlsN(n int, tag string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("http://a.gov.cn/%s/%d.html", tag, i)
	}
	return out
}

// TestRunNewApart: a run's New list is stored apart; Runs and Run give it
// whole, LatestRuns and RunHead cut, RunNew pages it; storing a run again
// replaces its list; a run read cut cannot be stored; a record written
// before schema 2 (New inline) reads the same way; salvage keeps the lists.
func TestRunNewApart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	big := &Run{Kind: "crawl", Status: RunDone, New: urlsN(1000, "big")}
	small := &Run{Kind: "crawl", Status: RunDone, New: urlsN(3, "small")}
	none := &Run{Kind: "harvest", Status: RunRunning}
	for _, r := range []*Run{big, small, none} {
		if err := a.PutRun(r); err != nil {
			t.Fatal(err)
		}
	}
	// A run recorded before schema 2: New inline in its record.
	legacy := `{"id":"9","kind":"crawl","started":"2025-01-01T00:00:00Z","pages":2,"new_captures":2,"new_reports":0,"errors":0,"new":["http://l/1","http://l/2"],"status":"done"}`
	if err := a.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketRuns).Put(idKey(9), []byte(legacy)) }); err != nil {
		t.Fatal(err)
	}
	check := func(a *Archive) {
		t.Helper()
		err := a.View(func(r *Reader) error {
			runs, _ := r.Runs()
			if len(runs) != 4 || runs[0].ID != "9" || !reflect.DeepEqual(runs[0].New, []string{"http://l/1", "http://l/2"}) ||
				!reflect.DeepEqual(runs[3].New, big.New) || !reflect.DeepEqual(runs[2].New, small.New) || runs[1].New != nil {
				t.Errorf("Runs: %d runs, new lists %v", len(runs), runs)
			}
			latest := r.LatestRuns(3, 2)
			if len(latest) != 3 || latest[0].NewCount != 2 || latest[1].NewCount != 0 || latest[2].NewCount != 3 ||
				!reflect.DeepEqual(latest[2].New, small.New[:2]) || latest[1].New != nil {
				t.Errorf("LatestRuns(3, 2) = %+v", latest)
			}
			if h, ok := r.RunHead(big.ID, 5); !ok || h.NewCount != 1000 || !reflect.DeepEqual(h.New, big.New[:5]) {
				t.Errorf("RunHead(%s, 5) = %+v %v", big.ID, h, ok)
			}
			for _, p := range []struct {
				id       string
				off, lim int
				want     []string
			}{
				{big.ID, 990, 50, big.New[990:]}, {big.ID, 1000, 5, nil}, {big.ID, 0, 0, nil}, {"9", 1, 5, []string{"http://l/2"}},
				{"9", 7, 5, nil}, {"77", 0, 5, nil}, {"x", 0, 5, nil}, {big.ID, -1, 5, nil},
			} {
				if got := r.RunNew(p.id, p.off, p.lim); !reflect.DeepEqual(got, p.want) {
					t.Errorf("RunNew(%s, %d, %d) = %v, want %v", p.id, p.off, p.lim, got, p.want)
				}
			}
			if run, ok := r.Run(big.ID); !ok || !reflect.DeepEqual(run.New, big.New) || run.NewCount != 1000 {
				t.Errorf("Run(%s): %d URLs, %v", big.ID, len(run.New), ok)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check(a)

	var cut *Run
	_ = a.View(func(r *Reader) error { cut = r.LatestRuns(4, 2)[3]; return nil })
	if err := a.PutRun(cut); err == nil {
		t.Error("PutRun of a run read with its list cut: no error (it would lose URLs)")
	}
	// Storing a run again replaces its list (a shorter one leaves no tail).
	big.New = urlsN(10, "again")
	if err := a.PutRun(big); err != nil {
		t.Fatal(err)
	}
	_ = a.View(func(r *Reader) error {
		if run, _ := r.Run(big.ID); !reflect.DeepEqual(run.New, big.New) {
			t.Errorf("after PutRun again: %d URLs %v", len(run.New), run.New)
		}
		return nil
	})
	big.New = urlsN(1000, "big")
	if err := a.PutRun(big); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "salvaged.db")
	a.Close()
	rep, err := Salvage(context.Background(), path, out, SalvageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Check.Healthy() {
		t.Fatalf("salvaged archive unhealthy: %s", rep.Check.Summary())
	}
	s, err := Open(out, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check(s)
}

// TestRunNewForms: a New list stored in chunks and one stored one URL a
// key (as written before chunks) read alike through RunNew, RunHead and
// Run, across chunk boundaries; PutRun of the same list leaves either
// form as it is, of another list writes chunks; check accepts both forms
// and names a chunk that does not decode.
func TestRunNewForms(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	n := 2*runNewChunk + 88
	chunked := &Run{Kind: "crawl", Status: RunDone, New: urlsN(n, "c")}
	if err := a.PutRun(chunked); err != nil {
		t.Fatal(err)
	}
	// The form written before chunks: one URL a key.
	old := &Run{Kind: "crawl", Status: RunDone}
	if err := a.PutRun(old); err != nil {
		t.Fatal(err)
	}
	oldNew := urlsN(n, "o")
	err = a.update(func(tx *bolt.Tx) error {
		id, _ := ParseID(old.ID)
		v, err := json.Marshal(storedRun{Run: &Run{ID: old.ID, Kind: "crawl", Status: RunDone}, NewCount: n})
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketRuns).Put(id.key(), v); err != nil {
			return err
		}
		for i, u := range oldNew {
			if err := tx.Bucket(bucketRunNew).Put(runNewKey(id.key(), i), []byte(u)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	values := func(r *Run) (keys int, chunks bool) {
		_ = a.update(func(tx *bolt.Tx) error {
			id, _ := ParseID(r.ID)
			c := tx.Bucket(bucketRunNew).Cursor()
			for k, v := c.Seek(id.key()); k != nil && bytes.HasPrefix(k, id.key()); k, v = c.Next() {
				keys++
				chunks = bytes.HasPrefix(v, zstdMagic)
			}
			return nil
		})
		return keys, chunks
	}
	if keys, chunks := values(chunked); keys != 3 || !chunks {
		t.Fatalf("%d URLs stored as %d values (chunks %v), want 3 chunks", n, keys, chunks)
	}
	for _, tc := range []struct {
		name string
		id   string
		list []string
	}{{"chunks", chunked.ID, chunked.New}, {"one URL a key", old.ID, oldNew}} {
		_ = a.View(func(r *Reader) error {
			for _, p := range [][2]int{{0, 5}, {0, n}, {0, n + 9}, {runNewChunk - 1, 3}, {runNewChunk, 1}, {runNewChunk + 1, runNewChunk},
				{2*runNewChunk - 2, 100}, {n - 1, 5}, {n, 5}, {n + 300, 5}, {7, 0}} {
				want := tc.list[min(n, p[0]):min(n, p[0]+p[1])]
				if len(want) == 0 {
					want = nil
				}
				if got := r.RunNew(tc.id, p[0], p[1]); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: RunNew(%d, %d) = %d URLs %.80v, want %d %.80v", tc.name, p[0], p[1], len(got), got, len(want), want)
				}
			}
			if h, ok := r.RunHead(tc.id, 300); !ok || h.NewCount != n || !reflect.DeepEqual(h.New, tc.list[:300]) {
				t.Errorf("%s: RunHead(300): %v, %d of %d URLs", tc.name, ok, len(h.New), h.NewCount)
			}
			if run, ok := r.Run(tc.id); !ok || !reflect.DeepEqual(run.New, tc.list) {
				t.Errorf("%s: Run: %v, %d URLs", tc.name, ok, len(run.New))
			}
			if len(r.Skipped()) != 0 {
				t.Errorf("%s: skipped %v", tc.name, r.Skipped())
			}
			return nil
		})
	}
	// The same list again (a harvest's status update) leaves the stored
	// values as they are, of either form.
	var full *Run
	_ = a.View(func(r *Reader) error { full, _ = r.Run(old.ID); return nil })
	full.Status = RunFailed
	for _, r := range []*Run{full, chunked} {
		if err := a.PutRun(r); err != nil {
			t.Fatal(err)
		}
	}
	if keys, chunks := values(full); keys != n || chunks {
		t.Errorf("PutRun of the same list: %d values (chunks %v), want the %d one-URL values kept", keys, chunks, n)
	}
	if keys, _ := values(chunked); keys != 3 {
		t.Errorf("PutRun of the same chunked list: %d values, want 3", keys)
	}
	full.New = append(full.New, "http://a.gov.cn/one-more")
	if err := a.PutRun(full); err != nil {
		t.Fatal(err)
	}
	if keys, chunks := values(full); keys != 3 || !chunks {
		t.Errorf("PutRun of a longer list: %d values (chunks %v), want 3 chunks", keys, chunks)
	}
	_ = a.View(func(r *Reader) error {
		if got := r.RunNew(old.ID, n-1, 5); !reflect.DeepEqual(got, full.New[n-1:]) {
			t.Errorf("rewritten list: RunNew(%d, 5) = %v", n-1, got)
		}
		return nil
	})
	id, _ := ParseID(chunked.ID)
	bad := runNewKey(id.key(), runNewChunk)
	a.Close()
	if rep, err := CheckFile(path, CheckOptions{}); err != nil || !rep.Healthy() {
		t.Fatalf("check of both forms: %v %+v", err, rep)
	}
	a, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRunNew).Put(bad, append(slices.Clone(zstdMagic), "not a frame"...))
	}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	rep, err := CheckFile(path, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := Problem{Bucket: "run_new", Key: fmt.Sprintf("%x", bad)}
	if len(rep.Problems) != 1 || rep.Problems[0].Bucket != want.Bucket || rep.Problems[0].Key != want.Key {
		t.Errorf("check of a chunk that does not decode: %+v, want one problem at %+v", rep.Problems, want)
	}
}
