package archive

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// sitePage is page i of a site: a shared chrome around a short article,
// as a government CMS serves it.
func sitePage(host string, i int) ([]byte, string) {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html><html><head><meta charset=utf-8><title>信息公开 %d</title>", i)
	for j := 0; j < 20; j++ {
		fmt.Fprintf(&b, `<link rel="stylesheet" href="https://%s/css/style%d.css"><script src="/js/lib%d.js"></script>`, host, j, j)
	}
	b.WriteString(`</head><body><div class="header"><ul class="nav">`)
	for j := 0; j < 30; j++ {
		fmt.Fprintf(&b, `<li><a href="/col/col%d/index.html">栏目%d 政府信息公开</a></li>`, j, j)
	}
	fmt.Fprintf(&b, `</ul></div><div class="article"><h1>第%d号公告</h1><p>本机关于%d月发布通知，编号%07d。</p></div>`, i, i%12+1, i*7919)
	b.WriteString(`<div class="footer">主办单位：示范县人民政府办公室 地址：示范县人民路1号 联系电话：0000-1234567 网站标识码 1234567890 备案号 京ICP备12345678号</div></body></html>`)
	return []byte(b.String()), fmt.Sprintf("信息公开 %d 第%d号公告 本机关于%d月发布通知，编号%07d。", i, i, i%12+1, i*7919)
}

func putSitePages(t *testing.T, a *Archive, host string, from, to int) []*Capture {
	t.Helper()
	var caps []*Capture
	for i := from; i < to; i++ {
		body, text := sitePage(host, i)
		c := &Capture{URL: fmt.Sprintf("http://%s/art/%d.html", host, i), Status: 200, ContentType: "text/html; charset=utf-8"}
		if err := a.Put(c, body, text); err != nil {
			t.Fatal(err)
		}
		caps = append(caps, c)
	}
	return caps
}

// storedValue returns the payloads value of capture c.
func storedValue(t *testing.T, a *Archive, c *Capture) []byte {
	t.Helper()
	var v []byte
	if err := a.db.View(func(tx *bolt.Tx) error {
		v = append([]byte(nil), payloadValue(tx, c.Digest)...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// checkSitePages asserts every capture's body and text read back as put.
func checkSitePages(t *testing.T, a *Archive, host string, caps []*Capture, from int) {
	t.Helper()
	err := a.View(func(r *Reader) error {
		for i, c := range caps {
			body, text := sitePage(host, from+i)
			got, err := r.Body(c.ID)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("capture %s: body read back %d bytes (%v), want %d", c.ID, len(got), err, len(body))
			}
			if gt, err := r.Text(c.ID); err != nil || gt != text {
				t.Fatalf("capture %s: text %q (%v), want %q", c.ID, gt, err, text)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSiteDictionary: a site's first 32 KB of HTML payload become its
// dictionary; later HTML payloads of the site are compressed against it
// (and are much smaller), read back byte for byte, also after reopening
// (which keeps using the same dictionary); another site gets its own; a
// PDF never uses one; check finds nothing wrong, also with -deep.
func TestSiteDictionary(t *testing.T) {
	a, path := openTemp(t)
	caps := putSitePages(t, a, "www.a.gov.cn", 0, 40)
	other := putSitePages(t, a, "b.gov.cn", 0, 20)
	pdf := &Capture{URL: "http://www.a.gov.cn/files/1.pdf", Status: 200, ContentType: "application/pdf"}
	if err := a.Put(pdf, bytes.Repeat([]byte("%PDF-1.4 stream"), 3000), "PDF text"); err != nil {
		t.Fatal(err)
	}
	var alone, against int
	var desc []byte
	for i, c := range caps {
		v := storedValue(t, a, c)
		switch {
		case !isSiteForm(v):
			alone++
			if against > 0 {
				t.Errorf("payload %d is compressed alone after %d against the dictionary", i, against)
			}
		case desc == nil:
			desc = siteDesc(v)
			against++
		case !bytes.Equal(siteDesc(v), desc):
			t.Errorf("payload %d names dictionary %x, the site's first named %x", i, siteDesc(v), desc)
		default:
			against++
		}
	}
	if alone == 0 || against < 20 {
		t.Fatalf("%d payloads alone, %d against a dictionary; want the first alone until 32 KB, the rest against it", alone, against)
	}
	n, members, _, err := decodeDictDesc(desc)
	if err != nil || n != siteSampleSize || len(members) != alone || members[0] != binary64(idKey(1)) {
		t.Errorf("dictionary: %d bytes of members %v (%v); want %d bytes of the %d payloads stored alone, from capture 1", n, members, err, siteSampleSize, alone)
	}
	body39, text39 := sitePage("www.a.gov.cn", 39)
	plainSize := len(encodeCombined(a.enc, body39, text39))
	if n := len(storedValue(t, a, caps[39])); n*2 > plainSize {
		t.Errorf("payload against the dictionary is %d bytes, alone %d; want under half", n, plainSize)
	}
	if d := siteDesc(storedValue(t, a, other[19])); d == nil || bytes.Equal(d, desc) {
		t.Errorf("the other site's payload names dictionary %x; want its own (the first site's is %x)", d, desc)
	}
	if isSiteForm(storedValue(t, a, pdf)) {
		t.Error("a PDF is compressed against a site dictionary")
	}
	checkSitePages(t, a, "www.a.gov.cn", caps, 0)
	a.Close()

	a, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	more := putSitePages(t, a, "www.a.gov.cn", 40, 45)
	if d := siteDesc(storedValue(t, a, more[4])); !bytes.Equal(d, desc) {
		t.Errorf("after reopening, the site's payload names dictionary %x, want %x", d, desc)
	}
	checkSitePages(t, a, "www.a.gov.cn", append(caps, more...), 0)
	var hosts int
	a.db.View(func(tx *bolt.Tx) error {
		hosts = tx.Bucket(bucketDictHosts).Stats().KeyN
		return nil
	})
	if hosts != 2 {
		t.Errorf("%d dict_hosts entries, want 2", hosts)
	}
	a.Close()
	for _, deep := range []bool{false, true} {
		rep, err := CheckFile(path, CheckOptions{Deep: deep})
		if err != nil || len(rep.Problems) != 0 {
			t.Errorf("check (deep %v): %v, problems %+v", deep, err, rep.Problems)
		}
	}
}

// zeroPayload zeroes the values of every record of the payload keyed id
// the file's pages hold, live or freed, as bad sectors would.
func zeroPayload(t *testing.T, path string, id uint64, value []byte) {
	t.Helper()
	locs, _, err := Locate(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for _, l := range locs {
		if bytes.Equal(l.Key, idKey(id)) && bytes.Equal(l.Value, value) {
			s := l.Spans[1] // key and value
			if _, err := f.WriteAt(make([]byte, len(l.Value)), s[1]-int64(len(l.Value))); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatalf("payload %d not found on the pages", id)
	}
}

// TestSiteDictionaryDamage: with a member payload of a dictionary lost,
// check names every payload made with it as unreadable, reading one is a
// damage error naming the dictionary, and salvage keeps the captures,
// reports their payloads lost (and the member's), and leaves a file check
// finds clean; payloads of the site stored alone are all kept.
func TestSiteDictionaryDamage(t *testing.T) {
	a, path := openTemp(t)
	caps := putSitePages(t, a, "www.a.gov.cn", 0, 30)
	last := caps[len(caps)-1]
	_, members, _, err := decodeDictDesc(siteDesc(storedValue(t, a, last)))
	if err != nil {
		t.Fatal(err)
	}
	member := storedValue(t, a, caps[members[2]-1])
	var dependents int
	for _, c := range caps {
		if isSiteForm(storedValue(t, a, c)) {
			dependents++
		}
	}
	a.Close()
	zeroPayload(t, path, members[2], member)

	rep, err := CheckFile(path, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var unreadable int
	for _, p := range rep.Problems {
		if p.Bucket == "payloads" && strings.Contains(p.Reason, "cannot be read") {
			unreadable++
		}
	}
	if unreadable != dependents || dependents == 0 {
		t.Errorf("check names %d payloads unreadable, %d were made with the dictionary; problems %+v", unreadable, dependents, rep.Problems)
	}
	a, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	err = a.View(func(r *Reader) error { _, err := r.Body(last.ID); return err })
	a.Close()
	if err == nil || !strings.Contains(err.Error(), "dictionary") {
		t.Errorf("reading a payload whose dictionary is lost: %v; want a damage error naming the dictionary", err)
	}

	out := filepath.Join(t.TempDir(), "salvaged.db")
	srep, err := Salvage(context.Background(), path, out, SalvageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(srep.WithoutBody) != dependents+1 || len(srep.LostCaptures) != 0 {
		t.Errorf("salvage: %d captures without payload, %d lost; want %d (the dependents and the member) and 0", len(srep.WithoutBody), len(srep.LostCaptures), dependents+1)
	}
	if rep, err := CheckFile(out, CheckOptions{Deep: true}); err != nil || len(rep.Problems) != 0 {
		t.Errorf("check of the salvaged file: %v, problems %+v", err, rep.Problems)
	}
}

// TestSalvageKeepsSiteDictionaries: salvage of a sound file keeps every
// payload made with a dictionary, readable in the new file, which goes on
// using the same dictionary for the site.
func TestSalvageKeepsSiteDictionaries(t *testing.T) {
	a, path := openTemp(t)
	caps := putSitePages(t, a, "www.a.gov.cn", 0, 30)
	a.Close()
	out := filepath.Join(t.TempDir(), "salvaged.db")
	srep, err := Salvage(context.Background(), path, out, SalvageOptions{})
	if err != nil || !srep.Complete() {
		t.Fatalf("salvage: %v, complete %v", err, srep != nil && srep.Complete())
	}
	b, err := Open(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	checkSitePages(t, b, "www.a.gov.cn", caps, 0)
	want := siteDesc(storedValue(t, b, caps[29]))
	more := putSitePages(t, b, "www.a.gov.cn", 30, 32)
	if got := siteDesc(storedValue(t, b, more[1])); want == nil || !bytes.Equal(got, want) {
		t.Errorf("after salvage the site's new payload names dictionary %x, want %x", got, want)
	}
}

// FuzzSplitPayload: any stored value, of any form or none, decodes or is
// an error, never a panic; a site-form value's dictionary is built from
// whatever the member lookup returns (here the fuzzer's own bytes).
func FuzzSplitPayload(f *testing.F) {
	dec, err := newDecoder()
	if err != nil {
		f.Fatal(err)
	}
	enc, err := newSiteEncoder(bytes.Repeat([]byte("<li>栏目</li>"), 100))
	if err != nil {
		f.Fatal(err)
	}
	body, text := sitePage("h.gov.cn", 1)
	plain := joinPlain(body, text)
	d := &siteDict{host: "h.gov.cn", desc: encodeDictDesc(len(plain), []uint64{1}), enc: enc}
	f.Add(encodeSite(d, plain, len(body)), plain)
	f.Add(encodePlain(enc, plain, len(body)), []byte{})
	f.Add([]byte{0x5e, 0x2a, 0x4d, 0x18, 6, 0, 0, 0, 'n', 'b', 'p', 'd', 1, 1}, []byte("x"))
	f.Fuzz(func(t *testing.T, v, member []byte) {
		pd := payloadDecoder{dec: dec, sites: newSiteDicts(), member: func(uint64) ([]byte, error) { return member, nil }}
		_, _, _, _ = splitPayload(pd, v)
		_, _, _, _ = decodeDictDesc(v)
		_ = isSiteForm(v)
		_ = siteDesc(v)
		_ = frameDictID(v)
	})
}
