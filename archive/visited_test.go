package archive

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

func TestEachVisited(t *testing.T) {
	a, err := Open(filepath.Join(t.TempDir(), "v.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	items := []*FrontierItem{
		{URL: "http://h/a", Host: "h"}, {URL: "http://h/b", Host: "h"},
		{URL: "http://h/c", Host: "h"}, {URL: "http://hh/a", Host: "hh"},
	}
	if _, err := a.Enqueue(items); err != nil {
		t.Fatal(err)
	}
	for _, it := range []*FrontierItem{items[0], items[2], items[3]} {
		if _, err := a.CompleteFrontier(it, nil); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	for _, tc := range []struct {
		host string
		max  int // fn fails after max URLs (0: never)
		want []string
		err  error
	}{
		{host: "h", want: []string{"http://h/a", "http://h/c"}},
		{host: "hh", want: []string{"http://hh/a"}},
		{host: "x", want: nil},
		{host: "h", max: 1, want: []string{"http://h/a"}, err: stop},
	} {
		var got []string
		err := a.View(func(r *Reader) error {
			return r.EachVisited(tc.host, func(u string) error {
				got = append(got, u)
				if tc.max > 0 && len(got) >= tc.max {
					return stop
				}
				return nil
			})
		})
		if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) {
			t.Errorf("EachVisited(%q) = %v, %v; want %v, %v", tc.host, got, err, tc.want, tc.err)
		}
	}
}
