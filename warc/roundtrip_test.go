package warc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/extractrun"
	"github.com/nianbao/nianbao/seeds"
	"github.com/nianbao/nianbao/warc"
	gowarc "github.com/nlnwa/gowarc/v3"
)

// importInto imports files into the archive at path (created if
// missing).
func importInto(t *testing.T, path string, files []string, agencies []seeds.Agency) *warc.ImportSummary {
	t.Helper()
	a := openArchive(t, path)
	defer a.Close()
	sum, err := warc.Import(context.Background(), a, files, warc.ImportOptions{Seeds: agencies})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestRoundTrip exports a crawled archive, imports the export into a
// fresh archive (twice: the second adds nothing), extracts it and exports
// it again: the two exports hold the same records, record IDs and the
// capture IDs inside reports aside.
func TestRoundTrip(t *testing.T) {
	path, agencies := crawledTwice(t)
	sum1, dir1 := export(t, path, exportOpts())
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	files1 := warcFiles(t, dir1)
	in := importInto(t, fresh, files1, agencies)
	t.Logf("imported %d records: %d captures, %d ignored, %d skipped", in.Records, in.Captures, in.Ignored, len(in.Skipped))
	if len(in.Skipped) > 0 || in.Captures != sum1.Captures {
		t.Fatalf("imported %d captures of %d; skipped %v", in.Captures, sum1.Captures, in.Skipped)
	}
	again := importInto(t, fresh, files1, agencies)
	if again.Captures != 0 || again.Duplicates != in.Captures {
		t.Fatalf("second import: %d captures added, %d duplicates; want 0 and %d", again.Captures, again.Duplicates, in.Captures)
	}
	a := openArchive(t, fresh)
	if _, err := extractrun.Run(context.Background(), a, extractrun.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	sum2, dir2 := export(t, fresh, exportOpts())
	r1, r2 := normalized(t, files1), normalized(t, warcFiles(t, dir2))
	t.Logf("first export: %d records, second: %d", len(r1), len(r2))
	if len(r1) == 0 {
		t.Fatal("the first export holds no record")
	}
	if len(r1) != len(r2) {
		t.Errorf("first export: %d records (%+v); second: %d (%+v)", len(r1), sum1, len(r2), sum2)
	}
	for i := range min(len(r1), len(r2)) {
		if r1[i] != r2[i] {
			t.Fatalf("record %d differs:\nfirst:  %.600s\nsecond: %.600s", i, r1[i], r2[i])
		}
	}
}

// volatile are the WARC fields a round trip may change.
var volatile = []string{gowarc.WarcRecordID, gowarc.WarcConcurrentTo, gowarc.WarcRefersTo, gowarc.WarcWarcinfoID,
	gowarc.WarcFilename, gowarc.WarcBlockDigest, gowarc.ContentLength, "Nianbao-Request-Reconstructed"}

// normalized reads every record but the warcinfo records as a string:
// its stable WARC fields and its block (a report without its capture
// ID).
func normalized(t *testing.T, files []string) []string {
	t.Helper()
	var out []string
	for _, f := range files {
		r, err := gowarc.NewWarcFileReader(f, 0)
		if err != nil {
			t.Fatal(err)
		}
		for rec, err := range r.Records() {
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			w := rec.WarcRecord
			if w.Type() != gowarc.Warcinfo {
				out = append(out, recordString(t, w))
			}
			rec.Close()
		}
		r.Close()
	}
	return out
}

func recordString(t *testing.T, w gowarc.WarcRecord) string {
	var fields []string
	for _, nv := range *w.WarcHeader() {
		if !slices.Contains(volatile, nv.Name) {
			fields = append(fields, nv.Name+": "+nv.Value)
		}
	}
	slices.Sort(fields)
	raw, err := w.Block().RawBytes()
	if err != nil {
		t.Fatal(err)
	}
	block, err := io.ReadAll(raw)
	if err != nil {
		t.Fatal(err)
	}
	if w.Type() == gowarc.Metadata && strings.HasPrefix(w.WarcHeader().Get(gowarc.ContentType), "application/json") {
		block = withoutCaptureID(t, block)
	}
	return fmt.Sprintf("%s\n%s\n\n%s", w.Type(), strings.Join(fields, "\n"), block)
}

func withoutCaptureID(t *testing.T, report []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(report, &m); err != nil {
		t.Fatalf("report record: %v", err)
	}
	if src, ok := m["source"].(map[string]any); ok {
		delete(src, "capture_id")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(m)
	return b.Bytes()
}
