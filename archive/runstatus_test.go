package archive

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRunStatus(t *testing.T) {
	tests := []struct {
		status     RunStatus
		state      RunStatus
		failed     bool
		stage, why string
	}{
		{RunRunning, RunRunning, false, "", ""},
		{RunDone, RunDone, false, "", ""},
		{RunInterrupted, RunInterrupted, false, "", ""},
		{"failed: crawl: disk on fire", RunFailed, true, "crawl", "disk on fire"},
		{"failed: start: harvest: read runs: archive x.db is damaged", RunFailed, true, "start", "harvest: read runs: archive x.db is damaged"},
		// a one-shot crawl's failure has no stage
		{"failed: archive x.db is damaged: bad page", RunFailed, true, "", "archive x.db is damaged: bad page"},
		{"failed: timeout", RunFailed, true, "", "timeout"},
		{"failed", RunFailed, true, "", ""},
		{"failedness", "failedness", false, "", ""},
	}
	for _, tc := range tests {
		t.Run(string(tc.status), func(t *testing.T) {
			if got := tc.status.State(); got != tc.state {
				t.Errorf("State() = %q, want %q", got, tc.state)
			}
			if got := tc.status.Failed(); got != tc.failed {
				t.Errorf("Failed() = %v, want %v", got, tc.failed)
			}
			// a run recorded before FailedStage and Failure existed
			r := &Run{Status: tc.status}
			if stage, why := r.FailureOf(); stage != tc.stage || why != tc.why {
				t.Errorf("FailureOf() = %q, %q; want %q, %q", stage, why, tc.stage, tc.why)
			}
		})
	}
}

func TestRunFail(t *testing.T) {
	tests := []struct {
		stage, why string
		want       RunStatus
	}{
		{"crawl", "disk on fire", "failed: crawl: disk on fire"},
		{"extract", "a: b: c", "failed: extract: a: b: c"},
		{"", "crawl: seed \"x\" of y", `failed: crawl: seed "x" of y`},
	}
	for _, tc := range tests {
		r := &Run{Status: RunRunning}
		r.Fail(tc.stage, tc.why)
		if r.Status != tc.want || !r.Status.Failed() || r.Status.State() != RunFailed {
			t.Errorf("Fail(%q, %q): status %q, want %q", tc.stage, tc.why, r.Status, tc.want)
		}
		if stage, why := r.FailureOf(); stage != tc.stage || why != tc.why {
			t.Errorf("Fail(%q, %q): FailureOf() = %q, %q", tc.stage, tc.why, stage, why)
		}
	}
}

// TestRunJSONCompatible: a run stored before RunStatus decodes to the same
// status and encodes back byte for byte; a failed run adds its stage and
// reason beside the status it always had.
func TestRunJSONCompatible(t *testing.T) {
	for _, stored := range []string{
		`{"id":"3","kind":"harvest","started":"2026-01-02T03:04:05Z","ended":"2026-01-02T03:05:05Z","pages":4,"new_captures":1,"new_reports":0,"errors":0,"status":"done"}`,
		`{"id":"4","kind":"harvest","started":"2026-01-02T03:04:05Z","ended":"2026-01-02T03:05:05Z","pages":0,"new_captures":0,"new_reports":0,"errors":0,"status":"failed: crawl: disk on fire"}`,
		`{"id":"5","kind":"crawl","started":"2026-01-02T03:04:05Z","ended":"0001-01-01T00:00:00Z","pages":0,"new_captures":0,"new_reports":0,"errors":0,"status":"running"}`,
	} {
		var r Run
		if err := json.Unmarshal([]byte(stored), &r); err != nil {
			t.Fatalf("decode %s: %v", stored, err)
		}
		b, err := json.Marshal(&r)
		if err != nil || string(b) != stored {
			t.Errorf("re-encoded\n%s\nwant\n%s (%v)", b, stored, err)
		}
	}
	r := Run{ID: "6", Kind: "harvest"}
	r.Fail("audit", "disk on fire")
	b, err := json.Marshal(&r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"status":"failed: audit: disk on fire"`, `"failed_stage":"audit"`, `"failure":"disk on fire"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}

func TestOutcomeJSON(t *testing.T) {
	for _, o := range []Outcome{ExtractedReport, ExtractedNotReport, ExtractedFailed} {
		b, err := json.Marshal(Extraction{Outcome: o})
		if err != nil || !strings.HasPrefix(string(b), `{"outcome":"`+string(o)+`"`) {
			t.Errorf("%q encodes as %s (%v)", o, b, err)
		}
	}
}
