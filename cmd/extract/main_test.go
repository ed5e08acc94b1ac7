package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
)

const seedDir = "../../extract/testdata"

var seedFiles = []struct {
	file, url, agency string
}{
	{"000_058c891ac62dd96d", "http://gaj.changsha.gov.cn/zfxxgk/ndbg/2022/t1", "长沙市公安局"},
	{"001_33cbb0de23e7a3a9", "http://gaj.jiyuan.gov.cn/zwgk/ndbg/2022/r", "济源示范区公安局"},
	{"002_c513a80de85e28c5", "http://www.xtx.gov.cn/zwgk/gaj/2025/r", "湘潭县公安局"},
	{"003_5b5855e3c5339d3b", "http://www.shengsi.gov.cn/art/2021/1/26/art_1", "嵊泗县公安局"},
	{"004_dda7dad8d758c7d1", "http://gaj.ningbo.gov.cn/art/2022/1/25/art_2", "宁波市公安局"},
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seedArchive builds an archive holding the five seeds twice: as text
// (content type text/plain) and as their HTML renderings, plus a notice
// wrongly taken for a report and a damaged legacy Word attachment. It returns the
// archive path.
func seedArchive(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "a.db")
	a, err := archive.Open(db, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	t0 := time.Date(2022, 2, 1, 8, 0, 0, 0, time.UTC)
	put := func(c *archive.Capture, body []byte) {
		c.FetchedAt = t0
		c.Status = 200
		if err := a.Put(c, body, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range seedFiles {
		put(&archive.Capture{URL: s.url + ".txt", Agency: s.agency, Role: archive.RoleAttachment, ContentType: "text/plain; charset=utf-8"},
			readFile(t, filepath.Join(seedDir, "text", s.file+".txt")))
		put(&archive.Capture{URL: s.url + ".html", Agency: s.agency, Role: archive.RoleReport, ContentType: "text/html"},
			readFile(t, filepath.Join(seedDir, "html", s.file+".html")))
	}
	put(&archive.Capture{URL: "http://gaj.ningbo.gov.cn/art/2022/1/3/notice.html", Role: archive.RoleReport, Agency: "宁波市公安局", ContentType: "text/html; charset=utf-8"},
		[]byte(`<html><head><title>关于调整户籍窗口办公时间的通知</title></head><body><p>各位市民：自1月10日起，户籍窗口办公时间调整为8:30-17:00。</p></body></html>`))
	put(&archive.Capture{URL: "http://gaj.ningbo.gov.cn/files/r.doc", Role: archive.RoleAttachment, Agency: "宁波市公安局", ContentType: "application/msword"},
		append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 600)...))
	return db
}

func TestExtractIn(t *testing.T) {
	dir := t.TempDir()
	notReport := filepath.Join(dir, "notice.txt")
	os.WriteFile(notReport, []byte("关于调整办公时间的通知\n各位市民：自下周起窗口办公时间调整为8:30-17:00。\n"), 0o644)
	empty := filepath.Join(dir, "index.html")
	os.WriteFile(empty, []byte("<html><head><title>政府信息公开年报</title></head><body><h1>政府信息公开年报</h1><p>本栏目暂无内容，敬请关注。</p></body></html>"), 0o644)
	list := filepath.Join(dir, "list.html")
	os.WriteFile(list, []byte(`<html><head><title>政府信息公开年报</title></head><body><ul><li><a href="a.html">宁波市公安局2021年政府信息公开工作年度报告</a></li><li><a href="b.html">宁波市公安局2020年政府信息公开工作年度报告</a></li></ul></body></html>`), 0o644)
	binary := filepath.Join(dir, "scan.doc")
	os.WriteFile(binary, append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 600)...), 0o644)
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		stderr  string // substring
		agency  string
		year    int
		newRecv float64 // applications.new_received.total
	}{
		{"ningbo text", []string{"-in", filepath.Join(seedDir, "text", "004_dda7dad8d758c7d1.txt")}, 0, "", "宁波市公安局", 2021, 42},
		{"ningbo html", []string{"-in", filepath.Join(seedDir, "html", "004_dda7dad8d758c7d1.html")}, 0, "", "宁波市公安局", 2021, 42},
		{"agency override only where the document is silent", []string{"-in", filepath.Join(seedDir, "text", "004_dda7dad8d758c7d1.txt"), "-agency", "别的局", "-year", "2019"}, 0, "", "宁波市公安局", 2021, 42},
		{"incomplete name completed", []string{"-compact", "-in", filepath.Join(seedDir, "text", "001_33cbb0de23e7a3a9.txt"), "-agency", "济源示范区公安局"}, 0, "", "济源示范区公安局", 2021, 10},
		{"not a report", []string{"-in", notReport}, 2, "notice.txt is not an annual report", "", 0, 0},
		{"empty column page", []string{"-in", empty}, 2, "index.html is not an annual report", "", 0, 0},
		{"list page", []string{"-in", list}, 2, "list.html is not an annual report", "", 0, 0},
		{"damaged legacy word", []string{"-in", binary}, 2, "scan.doc cannot be parsed: read scan.doc as doc: read doc: corrupt compound file", "", 0, 0},
		{"legacy word", []string{"-in", filepath.Join(seedDir, "legacy", "004_dda7dad8d758c7d1.doc")}, 0, "", "宁波市公安局", 2021, 42},
		{"legacy excel", []string{"-in", filepath.Join(seedDir, "legacy", "004_dda7dad8d758c7d1.xls")}, 0, "", "宁波市公安局", 2021, 42},
		{"missing file", []string{"-in", filepath.Join(dir, "nope.pdf")}, 2, "cannot read", "", 0, 0},
		{"no mode", nil, 1, "give -in FILE", "", 0, 0},
		{"both modes", []string{"-in", notReport, "-db", "x.db"}, 1, "not both", "", 0, 0},
		{"db flag with -in", []string{"-in", notReport, "-csv", "x.csv"}, 1, "-csv goes with -db", "", 0, 0},
		{"in flag with -db", []string{"-db", "x.db", "-year", "2021"}, 1, "-year goes with -in", "", 0, 0},
		{"bad year", []string{"-in", notReport, "-year", "21"}, 1, "not a report year", "", 0, 0},
		{"stray argument", []string{"-in", notReport, "extra"}, 1, "unexpected argument", "", 0, 0},
		{"unknown flag", []string{"-nope"}, 1, "flag provided but not defined", "", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errb.String())
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.stderr)
			}
			if tc.code != 0 {
				if out.Len() != 0 {
					t.Errorf("stdout not empty on failure: %q", out.String())
				}
				return
			}
			if strings.Count(strings.TrimSpace(out.String()), "\n") > 0 && tc.args[0] == "-compact" {
				t.Error("-compact printed more than one line")
			}
			var r report.Report
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				t.Fatalf("stdout is not one JSON report: %v", err)
			}
			if r.Agency != tc.agency || r.Year != tc.year {
				t.Errorf("agency, year = %q, %d; want %q, %d", r.Agency, r.Year, tc.agency, tc.year)
			}
			if v := r.Applications.Rows["new_received"][6]; v == nil || *v != tc.newRecv {
				t.Errorf("new_received.total = %v, want %v", v, tc.newRecv)
			}
			if r.Source.File != filepath.Base(tc.args[len(tc.args)-1]) && r.Source.File == "" {
				t.Errorf("source.file = %q", r.Source.File)
			}
		})
	}
}

// TestExtractInYearFallback: -year fills a year the document does not state.
func TestExtractInYearFallback(t *testing.T) {
	src := readFile(t, filepath.Join(seedDir, "text", "004_dda7dad8d758c7d1.txt"))
	// drop every year: title, period, text
	noYear := bytes.ReplaceAll(src, []byte("2021年度"), []byte("年度"))
	noYear = bytes.ReplaceAll(noYear, []byte("2021"), nil)
	p := filepath.Join(t.TempDir(), "r.txt")
	os.WriteFile(p, noYear, 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"-in", p, "-year", "2021"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r report.Report
	json.Unmarshal(out.Bytes(), &r)
	if r.Year != 2021 {
		t.Errorf("year = %d, want 2021 from -year", r.Year)
	}
}

func TestExtractDB(t *testing.T) {
	db := seedArchive(t)
	csvPath := filepath.Join(t.TempDir(), "reports.csv")
	var out, errb bytes.Buffer
	if code := run([]string{"-db", db, "-json", "-csv", csvPath}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d JSON lines, want 10 (5 seeds as text and as HTML):\n%s", len(lines), errb.String())
	}
	byURL := map[string]report.Report{}
	for _, l := range lines {
		var r report.Report
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("bad JSON line: %v", err)
		}
		byURL[r.Source.URL] = r
	}
	for _, s := range seedFiles {
		txt, html := byURL[s.url+".txt"], byURL[s.url+".html"]
		if txt.Agency != s.agency || html.Agency != s.agency {
			t.Errorf("%s agency text %q html %q, want %q", s.file, txt.Agency, html.Agency, s.agency)
		}
		a, _ := json.Marshal(txt.Applications)
		b, _ := json.Marshal(html.Applications)
		if !bytes.Equal(a, b) || txt.Applications == nil {
			t.Errorf("%s: Table 3 differs between text and HTML:\n%s\n%s", s.file, a, b)
		}
	}
	if v := byURL[seedFiles[4].url+".txt"].Applications.Rows["new_received"][6]; v == nil || *v != 42 {
		t.Errorf("宁波 new_received.total = %v", v)
	}
	se := errb.String()
	for _, want := range []string{"12 captures considered, 10 reports parsed (10 new)", "by template: 2019: 2, 2021: 8",
		"reports with failed rules: 0", "parse warnings: ", "not reports (skipped): 1\n    http://gaj.ningbo.gov.cn/art/2022/1/3/notice.html (capture 11)\n", "unparseable: 1\n    http://gaj.ningbo.gov.cn/files/r.doc (capture 12): read r.doc as doc: read doc: corrupt compound file", "wrote 10 reports to " + csvPath} {
		if !strings.Contains(se, want) {
			t.Errorf("summary lacks %q:\n%s", want, se)
		}
	}
	b := readFile(t, csvPath)
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Error("CSV has no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 11 {
		t.Errorf("CSV has %d records, want header + 10", len(recs))
	}
	for i, r := range recs {
		if len(r) != len(report.CSVColumns()) {
			t.Errorf("CSV row %d has %d fields", i, len(r))
		}
	}

	// second run: nothing new, no JSON lines; the CSV still has every report
	out.Reset()
	errb.Reset()
	os.Remove(csvPath)
	if code := run([]string{"-db", db, "-json", "-csv", csvPath}, &out, &errb); code != 0 {
		t.Fatalf("second run exit %d: %s", code, errb.String())
	}
	if out.Len() != 0 || !strings.Contains(errb.String(), "0 reports parsed (0 new), 10 unchanged skipped") {
		t.Errorf("second run printed %d bytes; stderr:\n%s", out.Len(), errb.String())
	}
	if recs2, _ := csv.NewReader(bytes.NewReader(readFile(t, csvPath)[3:])).ReadAll(); len(recs2) != 11 {
		t.Errorf("second CSV has %d records", len(recs2))
	}
	// -csv - writes the CSV to stdout
	out.Reset()
	errb.Reset()
	if code := run([]string{"-db", db, "-csv", "-"}, &out, &errb); code != 0 {
		t.Fatalf("-csv - exit %d: %s", code, errb.String())
	}
	if !bytes.Equal(out.Bytes(), readFile(t, csvPath)) {
		t.Errorf("-csv - printed %d bytes, the file has %d", out.Len(), len(readFile(t, csvPath)))
	}
	if code := run([]string{"-db", db, "-csv", "-", "-json"}, &out, &errb); code != 1 {
		t.Errorf("-csv - with -json: exit %d", code)
	}
	// -all re-parses every capture
	out.Reset()
	errb.Reset()
	if code := run([]string{"-db", db, "-all", "-json"}, &out, &errb); code != 0 {
		t.Fatalf("-all exit %d: %s", code, errb.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 10 || !strings.Contains(errb.String(), "10 reports parsed (0 new)") {
		t.Errorf("-all printed %d lines; stderr:\n%s", n, errb.String())
	}
}

func TestExtractDBErrors(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"-db", filepath.Join(dir, "missing.db")}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "missing.db") {
		t.Errorf("missing archive: exit %d, %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("extract created a missing archive")
	}
	errb.Reset()
	if code := run([]string{"-db", "x.db", "-wait", "-1s"}, &out, &errb); code != 1 {
		t.Errorf("negative -wait: exit %d", code)
	}
}

// TestExtractDBLocked holds the archive open as a crawl would: extract
// fails at once with a clear message, and with -wait succeeds once the
// holder lets go.
func TestExtractDBLocked(t *testing.T) {
	db := seedArchive(t)
	holder, err := archive.Open(db, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	start := time.Now()
	code := run([]string{"-db", db}, &out, &errb)
	took := time.Since(start)
	if code != 2 {
		t.Fatalf("locked archive: exit %d, want 2; stderr %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "is in use by another process (a crawl or `serve`); rerun with -wait 5m or stop it") {
		t.Errorf("message: %s", errb.String())
	}
	if took > 2*time.Second {
		t.Errorf("fail-fast took %s", took)
	}

	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(400 * time.Millisecond)
		released <- time.Now()
		holder.Close()
	}()
	errb.Reset()
	code = run([]string{"-db", db, "-wait", "20s"}, &out, &errb)
	end := time.Now()
	rel := <-released
	if code != 0 {
		t.Fatalf("-wait: exit %d: %s", code, errb.String())
	}
	if end.Before(rel) {
		t.Error("-wait run finished before the holder released the archive")
	}
	if !strings.Contains(errb.String(), "10 reports parsed") {
		t.Errorf("-wait run summary: %s", errb.String())
	}

	// -wait that runs out says how long it waited
	holder2, err := archive.Open(db, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder2.Close()
	errb.Reset()
	if code := run([]string{"-db", db, "-wait", "300ms"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "after waiting 300ms") {
		t.Errorf("expired -wait: exit %d, %s", code, errb.String())
	}
}

// TestExtractDBInterrupted: an interrupt (cancelled context) stops the run
// between captures with exit 2 and the summary; a rerun finishes the job.
func TestExtractDBInterrupted(t *testing.T) {
	db := seedArchive(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	if code := runContext(ctx, []string{"-db", db}, &out, &errb); code != 2 {
		t.Fatalf("interrupted run: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "stopped after 0 of 12 captures: context canceled") || !strings.Contains(errb.String(), "0 reports parsed") {
		t.Errorf("interrupted run stderr:\n%s", errb.String())
	}
	errb.Reset()
	if code := run([]string{"-db", db}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "10 reports parsed (10 new)") {
		t.Errorf("rerun: exit %d:\n%s", code, errb.String())
	}
}

// TestHelperHoldArchive is not a test: run as a subprocess by
// TestExtractDBLockedByProcess, it holds the archive named by
// EXTRACT_HOLD_DB open and records itself as its holder (as serve does)
// until its stdin closes.
func TestHelperHoldArchive(t *testing.T) {
	db := os.Getenv("EXTRACT_HOLD_DB")
	if db == "" {
		t.Skip("helper process only")
	}
	a, err := archive.Open(db, archive.Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	release, err := archive.WriteHolder(db, archive.Holder{PID: os.Getpid(), Command: "nianbao serve", Addr: "http://127.0.0.1:8080/", Since: time.Now()})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	release()
	a.Close()
	os.Exit(0)
}

// TestExtractDBLockedByProcess: another process holds the archive; extract
// fails at once with the in-use message, and with -wait finishes once that
// process exits.
func TestExtractDBLockedByProcess(t *testing.T) {
	db := seedArchive(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestHelperHoldArchive$")
	cmd.Env = append(os.Environ(), "EXTRACT_HOLD_DB="+db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper: %q %v", line, err)
	}

	var out, errb bytes.Buffer
	start := time.Now()
	if code := run([]string{"-db", db}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "is in use by another process (a crawl or `serve`)") {
		t.Fatalf("locked by a process: exit %d: %s", code, errb.String())
	}
	if want := fmt.Sprintf("held by nianbao serve (pid %d, serving http://127.0.0.1:8080/", cmd.Process.Pid); !strings.Contains(errb.String(), want) {
		t.Errorf("the message does not name the holder (%s):\n%s", want, errb.String())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("fail-fast took %s", d)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		stdin.Close()
	}()
	errb.Reset()
	if code := run([]string{"-db", db, "-wait", "30s"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "10 reports parsed") {
		t.Errorf("-wait after the process exits: exit %d: %s", code, errb.String())
	}
}
