package archive

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
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
