package warc_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// dumped is one record as warcio (JavaScript) parsed it
// (testdata/warcio-dump.mjs).
type dumped struct {
	File          string `json:"file"`
	Offset        int64  `json:"offset"`
	Type          string `json:"type"`
	URI           string `json:"uri"`
	ID            string `json:"id"`
	Date          string `json:"date"`
	Profile       string `json:"profile"`
	RefersToURI   string `json:"refers_to_uri"`
	RefersToDate  string `json:"refers_to_date"`
	ConcurrentTo  string `json:"concurrent_to"`
	PayloadDigest string `json:"payload_digest"`
	BlockDigest   string `json:"block_digest"`
	Status        int    `json:"status"`
	Payload       string `json:"payload"`
	PayloadSHA256 string `json:"payload_sha256"`
}

// warcioDump parses WARC files with warcio's JavaScript library.
func warcioDump(t *testing.T, files []string) []dumped {
	t.Helper()
	node := tool(t, "node")
	tool(t, "warcio")
	root, err := exec.Command("npm", "root", "-g").Output()
	if err != nil {
		t.Fatalf("npm root -g: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(root)), "warcio")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("warcio is not installed globally (npm install -g warcio): %v", err)
	}
	out, err := exec.Command(node, append([]string{"testdata/warcio-dump.mjs", dir}, files...)...).Output()
	if err != nil {
		t.Fatalf("warcio-dump: %v\n%s", err, stderrOf(err))
	}
	var recs []dumped
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<30)
	for sc.Scan() {
		var d dumped
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("warcio-dump line: %v", err)
		}
		recs = append(recs, d)
	}
	return recs
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// warcioCDX runs `warcio cdx-index` over files (from their directory, so
// filenames are base names) and returns its lines.
func warcioCDX(t *testing.T, dir string, files []string) []string {
	t.Helper()
	bin := tool(t, "warcio")
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	cmd := exec.Command(bin, append([]string{"cdx-index"}, names...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("warcio cdx-index: %v\n%s", err, stderr.String())
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// capturesOf returns every capture of the archive with its payload, keyed
// by URL and WARC-Date.
func capturesOf(t *testing.T, path string) (map[string]*archive.Capture, map[string][]byte) {
	t.Helper()
	a := openArchive(t, path)
	defer a.Close()
	caps, bodies := map[string]*archive.Capture{}, map[string][]byte{}
	err := a.View(func(r *archive.Reader) error {
		return r.Each(func(c *archive.Capture) error {
			caps[key(c.URL, c.FetchedAt)] = c
			if c.Digest != "" && bodies[c.Digest] == nil {
				if b, err := r.BodyByDigest(c.Digest); err == nil {
					bodies[c.Digest] = b
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return caps, bodies
}

func key(url string, at time.Time) string { return url + " " + at.UTC().Format(time.RFC3339Nano) }

// TestExportReadByWarcio exports an archive crawled twice (so with
// revisits) and checks it with webrecorder's warcio: cdx-index reads every
// file without error and indexes exactly one response or revisit per
// archived capture, the index written beside the files is the same;
// warcio's own parse gives every payload byte for byte, with its digest
// right.
func TestExportReadByWarcio(t *testing.T) {
	path, _ := crawledTwice(t)
	sum, dir := export(t, path, exportOpts())
	files := warcFiles(t, dir)
	caps, bodies := capturesOf(t, path)
	t.Logf("exported %d captures: %d records (%d responses, %d revisits, %d requests, %d conversions, %d rendered, %d reports, %d failures) in %d files",
		sum.Captures, sum.Records(), sum.Responses, sum.Revisits, sum.Requests, sum.Conversions, sum.Rendered, sum.Reports, sum.Failures, len(files))
	if sum.Captures != len(caps) || len(sum.Skipped) > 0 {
		t.Fatalf("exported %d of %d captures; skipped %v", sum.Captures, len(caps), sum.Skipped)
	}
	if sum.Revisits == 0 {
		t.Fatal("the second crawl made no revisit")
	}

	recs := warcioDump(t, files)
	byType := map[string]int{}
	primary := map[string]bool{} // file:offset of response and revisit records
	for _, d := range recs {
		byType[d.Type]++
		if d.Type == "response" || d.Type == "revisit" {
			primary[d.File+":"+itoa(d.Offset)] = true
			checkPrimary(t, d, caps, bodies)
		}
	}
	archived := 0
	for _, c := range caps {
		if !c.Rendered && c.Status >= 200 && c.Status < 400 && !c.Truncated && (c.Digest != "" || c.Error == "") {
			archived++
		}
	}
	if got := byType["response"] + byType["revisit"]; got != archived {
		t.Errorf("warcio parsed %d responses and revisits; the archive has %d archived captures", got, archived)
	}
	if byType["warcinfo"] != len(files) || byType["request"] != archived || byType["conversion"] != sum.Conversions+sum.Rendered {
		t.Errorf("record types %v; want %d warcinfo, %d request, %d conversion", byType, len(files), archived, sum.Conversions+sum.Rendered)
	}

	var indexed []string
	for _, l := range warcioCDX(t, dir, files) {
		var f struct{ Offset, Filename string }
		if err := json.Unmarshal([]byte(l[strings.Index(l, "{"):]), &f); err != nil {
			t.Fatalf("cdx line %q: %v", l, err)
		}
		if primary[f.Filename+":"+f.Offset] {
			indexed = append(indexed, l)
		}
	}
	if len(indexed) != archived {
		t.Errorf("warcio cdx-index indexed %d responses and revisits; want %d", len(indexed), archived)
	}
	ours, err := os.ReadFile(filepath.Join(dir, "index.cdxj"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(indexed)
	if want := strings.Join(indexed, "\n") + "\n"; string(ours) != want {
		t.Errorf("index.cdxj differs from warcio cdx-index:\n%s", firstDiff(string(ours), want))
	}
}

// checkPrimary checks a response or revisit record against its capture.
func checkPrimary(t *testing.T, d dumped, caps map[string]*archive.Capture, bodies map[string][]byte) {
	t.Helper()
	c := caps[d.URI+" "+d.Date]
	if c == nil {
		t.Errorf("%s record of %s at %s matches no capture", d.Type, d.URI, d.Date)
		return
	}
	if d.Status != c.Status {
		t.Errorf("%s: status %d, capture %d", d.URI, d.Status, c.Status)
	}
	payload, _ := base64.StdEncoding.DecodeString(d.Payload)
	if d.Type == "revisit" {
		if d.PayloadDigest != c.Digest || len(payload) != 0 || d.RefersToURI == "" {
			t.Errorf("revisit of %s: digest %s (capture %s), %d payload bytes, refers to %q", d.URI, d.PayloadDigest, c.Digest, len(payload), d.RefersToURI)
		}
		return
	}
	if "sha256:"+d.PayloadSHA256 != d.PayloadDigest {
		t.Errorf("%s: WARC-Payload-Digest %s, payload hashes to %s", d.URI, d.PayloadDigest, d.PayloadSHA256)
	}
	if c.Digest == "" {
		if len(payload) != 0 {
			t.Errorf("%s: %d payload bytes for a capture without a body", d.URI, len(payload))
		}
		return
	}
	if !bytes.Equal(payload, bodies[c.Digest]) {
		t.Errorf("%s: payload (%d bytes) differs from the archived body (%d bytes)", d.URI, len(payload), len(bodies[c.Digest]))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(int64(i+1)) + ":\n ours:   " + al[i] + "\n warcio: " + bl[i]
		}
	}
	return "lengths " + itoa(int64(len(al))) + " and " + itoa(int64(len(bl)))
}
