package archive

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nianbao/nianbao/report"
	bolt "go.etcd.io/bbolt"
)

// putTestReports stores one capture and report per spec (agency, year),
// and returns the capture IDs.
func putTestReports(t *testing.T, a *Archive, specs []report.Report) []string {
	t.Helper()
	var ids []string
	for i, r := range specs {
		c := &Capture{URL: fmt.Sprintf("http://a.gov.cn/%d.html", i), Status: 200, Agency: "甲局",
			FetchedAt: time.Date(2022, 3, 1, 0, 0, i, 0, time.UTC)}
		if err := a.Put(c, []byte(c.URL), ""); err != nil {
			t.Fatal(err)
		}
		r.Source = report.Source{URL: c.URL, CaptureID: c.ID, FetchedAt: c.FetchedAt.Format(time.RFC3339)}
		data, err := report.MarshalReportCompact(&r)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.PutReport(c.ID, data); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

// scanSummaries is what the index must hold: the summary of every stored
// report that decodes, by capture ID.
func scanSummaries(t *testing.T, a *Archive) map[string]*ReportSummary {
	t.Helper()
	out := map[string]*ReportSummary{}
	err := a.View(func(r *Reader) error {
		return r.EachReport(func(id string, data []byte) error {
			if s, err := summarizeStored(id, data); err == nil {
				out[id] = s
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// indexSummaries reads every summary through the year index, checking
// that they come in year then capture order, and the agency index of each.
func indexSummaries(t *testing.T, a *Archive) (map[string]*ReportSummary, bool) {
	t.Helper()
	out := map[string]*ReportSummary{}
	var indexed bool
	err := a.View(func(r *Reader) error {
		lastYear, lastID := -1, uint64(0)
		var err error
		indexed, err = r.ReportsOfYears(0, 9999, func(s *ReportSummary) error {
			n := IDNum(s.CaptureID)
			if s.Year < lastYear || (s.Year == lastYear && n <= lastID) {
				t.Errorf("report %s (%d) out of year/capture order after %d/%d", s.CaptureID, s.Year, lastYear, lastID)
			}
			lastYear, lastID = s.Year, n
			out[s.CaptureID] = s
			byAgency, _ := r.ReportsOfAgency(s.Agency)
			found := false
			for _, o := range byAgency {
				found = found || o.CaptureID == s.CaptureID
			}
			if !found {
				t.Errorf("report %s is not under its agency %q", s.CaptureID, s.Agency)
			}
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, indexed
}

func TestReportIndexAgreesWithScan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	pub := "2022-01-20"
	ids := putTestReports(t, a, []report.Report{
		{Agency: "甲局", Year: 2021, Published: &pub, Title: "甲局2021年报", Template: report.Template2021,
			Checks: []report.Check{{OK: false}, {OK: false, Severity: report.SeverityWarning}, {OK: true}}, Warnings: []string{"w"},
			Applications: &report.Applications{}},
		{Agency: "甲 局", Year: 2022, DatedBy: report.DatedByLandingPage},
		{Agency: "乙局", Year: 2021},
		{Agency: "", Year: 2020},
	})
	// A report replaced by another extraction moves to its new year and agency.
	c2 := ids[2]
	if err := a.PutReport(c2, []byte(`{"agency":"丙局","year":2019,"source":{"url":"http://a.gov.cn/2.html"}}`)); err != nil {
		t.Fatal(err)
	}
	// A report that does not decode is stored but not indexed.
	c := &Capture{URL: "http://a.gov.cn/bad.html", Status: 200, FetchedAt: time.Date(2022, 3, 2, 0, 0, 0, 0, time.UTC)}
	if err := a.Put(c, []byte("bad"), ""); err != nil {
		t.Fatal(err)
	}
	if err := a.PutReport(c.ID, []byte(`{"year":"2021"}`)); err != nil {
		t.Fatal(err)
	}
	want := scanSummaries(t, a)
	if len(want) != 4 {
		t.Fatalf("scan found %d decodable reports, want 4", len(want))
	}
	got, indexed := indexSummaries(t, a)
	if !indexed || !reflect.DeepEqual(got, want) {
		t.Fatalf("index (indexed %v) = %s\nscan = %s", indexed, dump(got), dump(want))
	}
	if got[ids[0]].FailedChecks != 1 || got[ids[0]].FailedWarnings != 1 || got[ids[0]].Warnings != 1 || !got[ids[0]].Tables {
		t.Errorf("summary of %s = %+v", ids[0], got[ids[0]])
	}
	err = a.View(func(r *Reader) error {
		if s, _ := r.ReportsOfAgency("乙局"); len(s) != 0 {
			t.Errorf("乙局 still indexed after its report was replaced: %+v", s)
		}
		if s, _ := r.ReportsOfAgency("甲局"); len(s) != 2 {
			t.Errorf("甲局 (and 甲 局) has %d reports, want 2", len(s))
		}
		n := 0
		if _, err := r.ReportsOfYears(2021, 2021, func(*ReportSummary) error { n++; return nil }); err != nil || n != 1 {
			t.Errorf("2021 has %d reports (%v), want 1", n, err)
		}
		for _, tc := range []struct {
			agencies, hosts []string
			from, to, want  int
		}{
			{[]string{"丙局"}, nil, 0, 9999, 1},          // names it
			{[]string{"甲局"}, nil, 0, 9999, 4},          // captured for it (every capture here)
			{[]string{"丁局"}, nil, 0, 9999, 0},          // unknown
			{nil, []string{"a.gov.cn"}, 2021, 2021, 1}, // on its host, in 2021
			{nil, []string{"b.gov.cn"}, 0, 9999, 0},
		} {
			n, last := 0, uint64(0)
			indexed, err := r.ReportsFor(tc.agencies, tc.hosts, tc.from, tc.to, func(s *ReportSummary) error {
				if IDNum(s.CaptureID) <= last {
					t.Errorf("ReportsFor %v %v: %s out of capture order", tc.agencies, tc.hosts, s.CaptureID)
				}
				n, last = n+1, IDNum(s.CaptureID)
				return nil
			})
			if !indexed || err != nil || n != tc.want {
				t.Errorf("ReportsFor(%v, %v, %d, %d) gave %d (%v %v), want %d", tc.agencies, tc.hosts, tc.from, tc.to, n, indexed, err, tc.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A file written before the index: no index buckets, schema 1.
	err = a.update(func(tx *bolt.Tx) error {
		for _, b := range reportIndexBuckets {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, indexed := indexSummaries(t, ro); indexed {
		t.Error("read-only open of a file without the index: ReportsOfYears says indexed")
	}
	ro.Close()
	a, err = Open(path, Options{NoSync: true}) // builds the index
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	got, indexed = indexSummaries(t, a)
	if !indexed || !reflect.DeepEqual(got, want) {
		t.Fatalf("rebuilt index (indexed %v) = %s\nscan = %s", indexed, dump(got), dump(want))
	}
	_ = a.View(func(r *Reader) error {
		if v := string(r.tx.Bucket(bucketMeta).Get(keySchema)); v != fmt.Sprint(SchemaVersion) {
			t.Errorf("schema after the rebuild = %q", v)
		}
		return nil
	})
}

// TestReportIndexEmptyFile: a file without reports gets its index with the
// first report (and a salvage-like copy of reports past PutReport gets it
// on the next open for writing).
func TestReportIndexEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = a.View(func(r *Reader) error {
		if r.ReportIndexed() {
			t.Error("an empty file has the report index: a copy of reports into it would bypass it")
		}
		return nil
	})
	ids := putTestReports(t, a, []report.Report{{Agency: "甲局", Year: 2021}})
	err = a.View(func(r *Reader) error {
		if s, ok := r.ReportSummary(ids[0]); !ok || s.Year != 2021 || s.Agency != "甲局" {
			t.Errorf("summary of the first report = %+v, %v", s, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
}

func dump(m map[string]*ReportSummary) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// TestSummarizeStoredAgreesWithReport: the summary decoded from a stored
// report's JSON (the index) equals SummarizeReport of the report decoded
// whole (the scan), on a real report and on odd ones.
func TestSummarizeStoredAgreesWithReport(t *testing.T) {
	real, err := os.ReadFile("../internal/benchworld/report.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{
		string(real),
		`null`, `{}`, `{"active":null,"applications":{}}`, `{"active":{"x":1}}`,
		`{"agency":"甲局","year":2021,"published":"2022/01/05","checks":[{"ok":false},{"ok":false,"severity":"warning"},{"ok":true,"severity":"warning"}],"warnings":["a","b"]}`,
		`{"published":null,"dated_by":"landing_page","template":"2019","title":"t","source":{"url":"u","fetched_at":"f"}}`,
		// undecodable either way
		`[]`, `{"year":"2021"}`, `{"active":[]}`, `{"checks":[{"ok":"yes"}]}`, `{not json`,
	} {
		got, gerr := summarizeStored("7", []byte(data))
		var r report.Report
		rerr := json.Unmarshal([]byte(data), &r)
		if (gerr == nil) != (rerr == nil) {
			t.Errorf("%.80s: summary error %v, report error %v", data, gerr, rerr)
			continue
		}
		if rerr != nil {
			continue
		}
		if want := SummarizeReport("7", &r); !reflect.DeepEqual(got, want) {
			t.Errorf("%.80s:\nsummary %+v\nreport  %+v", data, got, want)
		}
	}
}
