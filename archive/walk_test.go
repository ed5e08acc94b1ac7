package archive

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestWalks checks EachNewest, EachOfRoles and EachExtracted against a full
// walk of the same archive.
func TestWalks(t *testing.T) {
	a, err := Open(filepath.Join(t.TempDir(), "w.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	roles := []Role{RoleList, RoleReport, RoleOther, RoleAttachment, RoleReport}
	var ids []string
	byRole := map[Role][]string{}
	for i := 0; i < 25; i++ {
		c := &Capture{URL: fmt.Sprintf("http://h/%d", i), Status: 200, Role: roles[i%len(roles)]}
		if err := a.Put(c, []byte(fmt.Sprint("body ", i)), ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		byRole[c.Role] = append(byRole[c.Role], c.ID)
	}
	marks := map[string]Extraction{ids[1]: {Outcome: ExtractedFailed, Digest: "x"}, ids[4]: {Outcome: ExtractedReport}}
	if err := a.MarkExtracted(marks); err != nil {
		t.Fatal(err)
	}
	err = a.View(func(r *Reader) error {
		var newest []string
		if err := r.EachNewest(func(c *Capture) (bool, error) {
			newest = append(newest, c.ID)
			return len(newest) < 7, nil
		}); err != nil {
			return err
		}
		want := slices.Clone(ids[len(ids)-7:])
		slices.Reverse(want)
		if !slices.Equal(newest, want) {
			t.Errorf("EachNewest = %v, want %v", newest, want)
		}
		var got []string
		if err := r.EachOfRoles([]Role{RoleAttachment, RoleReport}, func(c *Capture) error {
			got = append(got, c.ID)
			return nil
		}); err != nil {
			return err
		}
		want = append(slices.Clone(byRole[RoleReport]), byRole[RoleAttachment]...)
		slices.SortFunc(want, func(x, y string) int { return int(IDNum(x)) - int(IDNum(y)) })
		if !slices.Equal(got, want) {
			t.Errorf("EachOfRoles = %v, want %v", got, want)
		}
		seen := map[string]Outcome{}
		if err := r.EachExtracted(func(id string, m Extraction) error {
			seen[id] = m.Outcome
			return nil
		}); err != nil {
			return err
		}
		if len(seen) != 2 || seen[ids[1]] != ExtractedFailed || seen[ids[4]] != ExtractedReport {
			t.Errorf("EachExtracted = %v", seen)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
