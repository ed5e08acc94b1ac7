package benchworld

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/nianbao/nianbao/archive"
)

// TestPrefill writes a small pre-filled archive and checks what it holds:
// every capture, one report per report year of each host (labelled with
// its agency, year and capture), and the run listing the last hosts' URLs.
func TestPrefill(t *testing.T) {
	const n = 2*PerHost + 7 // three hosts, the last one partial
	a, err := archive.Open(filepath.Join(t.TempDir(), "p.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := Prefill(context.Background(), a, n, 4); err != nil {
		t.Fatal(err)
	}
	if got := len(PrefillAgencies(n)); got != 3 {
		t.Errorf("PrefillAgencies(%d): %d agencies, want 3", n, got)
	}
	err = a.View(func(r *archive.Reader) error {
		caps, reports := 0, 0
		if err := r.Each(func(*archive.Capture) error { caps++; return nil }); err != nil {
			return err
		}
		if caps != n {
			t.Errorf("%d captures, want %d", caps, n)
		}
		err := r.EachReport(func(id string, data []byte) error {
			reports++
			var rep struct {
				Agency string `json:"agency"`
				Year   int    `json:"year"`
				Source struct {
					CaptureID string `json:"capture_id"`
				} `json:"source"`
			}
			if err := json.Unmarshal(data, &rep); err != nil {
				return err
			}
			c, err := r.Get(id)
			if err != nil {
				return err
			}
			if rep.Agency != c.Agency || rep.Source.CaptureID != id || c.Role != archive.RoleReport || rep.Year < 2021 || rep.Year > 2024 {
				t.Errorf("report %s: agency %q year %d source %q; capture agency %q role %s", id, rep.Agency, rep.Year, rep.Source.CaptureID, c.Agency, c.Role)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if reports != 3*len(reportYears) {
			t.Errorf("%d reports, want %d", reports, 3*len(reportYears))
		}
		runs, err := r.Runs()
		if err != nil {
			return err
		}
		if len(runs) != 1 || len(runs[0].New) != n || runs[0].NewReports != 3*len(reportYears) {
			t.Errorf("runs %+v: want one run listing %d URLs, %d reports", runs, n, 3*len(reportYears))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
