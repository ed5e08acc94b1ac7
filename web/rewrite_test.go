package web

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// rewriteDoc is the URL and capture time of the documents rewritten in
// these tests.
const rewriteDoc = "http://gaj.example.gov.cn/zfxxgk/ndbg/2022/t1001.html"

var rewriteTime = time.Date(2022, 1, 20, 8, 0, 0, 0, time.UTC)

// rewriteTS is rewriteTime as a /replay/at/ timestamp.
const rewriteTS = "/replay/at/20220120080000/"

func testRewriter(t *testing.T, gbk bool) *rewriter {
	t.Helper()
	var rw *rewriter
	var ok bool
	if gbk {
		rw, ok = newRewriter(rewriteDoc, rewriteTime, simplifiedchinese.GBK.NewDecoder())
	} else {
		rw, ok = newRewriter(rewriteDoc, rewriteTime, nil)
	}
	if !ok {
		t.Fatal("newRewriter refused the document URL")
	}
	return rw
}

// TestRewriteGolden rewrites the documents of testdata/rewrite and compares
// them with their .golden files (go test -run TestRewriteGolden -update
// writes them).
func TestRewriteGolden(t *testing.T) {
	for _, tt := range []struct {
		file string
		gbk  bool
	}{{"links.html", false}, {"base.html", false}, {"css.html", false}, {"srcset.html", false}, {"gbk.html", true}} {
		t.Run(tt.file, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "rewrite", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := testRewriter(t, tt.gbk).html(in)
			path := filepath.Join("testdata", "rewrite", strings.TrimSuffix(tt.file, ".html")+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRewriteGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rewritten %s differs from %s (rerun with -update if intended):\n%s", tt.file, path, got)
			}
			assertOnlyArchiveURLs(t, got)
		})
	}
}

// assertOnlyArchiveURLs fails when a rewritten document still has a URL
// attribute pointing out of the archive.
func assertOnlyArchiveURLs(t *testing.T, doc []byte) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, more := z.TagName()
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			if !urlAttrs[string(k)] && !(string(k) == "data" && string(name) == "object") {
				continue
			}
			s := strings.ToLower(string(v))
			if strings.Contains(s, "://") && !strings.HasPrefix(s, rewriteTS) {
				t.Errorf("<%s %s=%q> leaves the archive", name, k, v)
			}
		}
	}
}

// TestRewriteCases checks single constructs.
func TestRewriteCases(t *testing.T) {
	const p = rewriteTS + "http://gaj.example.gov.cn/"
	tests := []struct{ name, in, want string }{
		{"relative", `<a href="a.html">`, `<a href="` + p + `zfxxgk/ndbg/2022/a.html">`},
		{"root", `<img src="/i.png">`, `<img src="` + p + `i.png">`},
		{"single quotes become double", `<a href='x.html'>`, `<a href="` + p + `zfxxgk/ndbg/2022/x.html">`},
		{"unquoted", `<a href=x.html>`, `<a href="` + p + `zfxxgk/ndbg/2022/x.html">`},
		{"fragment kept outside the path", `<a href="x.html#s2">`, `<a href="` + p + `zfxxgk/ndbg/2022/x.html#s2">`},
		{"query entity", `<a href="l.jsp?a=1&amp;b=2">`, `<a href="` + p + `zfxxgk/ndbg/2022/l.jsp?a=1&amp;b=2">`},
		{"backslash", `<a href="\d\x.html">`, `<a href="` + p + `d/x.html">`},
		{"other host", `<script src="http://127.0.0.1:8/x.js"></script>`, `<script src="` + rewriteTS + `http://127.0.0.1:8/x.js"></script>`},
		{"fragment only", `<a href="#a">`, `<a href="#a">`},
		{"javascript", `<a href="javascript:go()">`, `<a href="javascript:go()">`},
		{"data image", `<img src="data:image/png;base64,AA==">`, `<img src="data:image/png;base64,AA==">`},
		{"upper-case tag and key", `<IMG SRC="a.png" ALT=x>`, `<IMG SRC="` + p + `zfxxgk/ndbg/2022/a.png" ALT=x>`},
		{"self-closing", `<img src="a.png"/>`, `<img src="` + p + `zfxxgk/ndbg/2022/a.png"/>`},
		{"no url attribute untouched", `<p class="x"  id=y>t</p>`, `<p class="x"  id=y>t</p>`},
		{"space before equals", `<a href = "a.html" >`, `<a href = "` + p + `zfxxgk/ndbg/2022/a.html" >`},
		{"quote in unquoted style", `<p style=a"b:url(x.png)>`, `<p style="a&#34;b:url(` + p + `zfxxgk/ndbg/2022/x.png)">`},
		{"style element", `<style>a{background:url(a.png)}</style>`, `<style>a{background:url(` + p + `zfxxgk/ndbg/2022/a.png)}</style>`},
		{"script text untouched", `<script>x='<img src="a.png">'</script>`, `<script>x='<img src="a.png">'</script>`},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=/n.html">`, `<meta http-equiv="refresh" content="0;url=` + p + `n.html">`},
		{"base resolves later links", `<base href="/b/"><a href="c.html">`, `<base href="` + p + `b/"><a href="` + p + `b/c.html">`},
		{"target leaving the frame", `<a href="#x" target="_blank">`, `<a href="#x" target="_self">`},
		{"named target kept", `<a href="#x" target="main">`, `<a href="#x" target="main">`},
		{"srcdoc", `<iframe srcdoc="&lt;img src=&quot;a.png&quot;&gt;">`, `<iframe srcdoc="&lt;img src=&#34;` + p + `zfxxgk/ndbg/2022/a.png&#34;&gt;">`},
		{"unterminated tag", `<p>x</p><a href="a.html`, `<p>x</p><a href="a.html`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(testRewriter(t, false).html([]byte(tt.in))); got != tt.want {
				t.Errorf("rewrite\n  %s\ngot\n  %s\nwant\n  %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestRewriteKeepsBytes: a document without URLs comes out byte for byte,
// whatever its bytes.
func TestRewriteKeepsBytes(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("<p title=\"年报\">政府信息公开工作年度报告</p>")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		evilHTML, gbk, "", "plain text", "<", "<a", "<a href", "<!-- <a href=x> -->", "<!doctype html><p>\x00\xff\xfe</p>",
		"<p a='1' b=\"2\" c=3 d>", "<p/x/y>", "<a =x>", "<table><td nowrap>a</td></table>",
	} {
		if got := string(testRewriter(t, true).html([]byte(in))); got != in {
			t.Errorf("rewrite(%q) = %q, want it unchanged", in, got)
		}
	}
}

// TestRewriteGBKBytesIntact: in a GBK page every byte outside the rewritten
// attribute values is kept; its Chinese text reads back the same, and
// Chinese URLs are resolved as the crawler files them (UTF-8 escapes).
func TestRewriteGBKBytesIntact(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "rewrite", "gbk.html"))
	if err != nil {
		t.Fatal(err)
	}
	out := testRewriter(t, true).html(in)
	dec := simplifiedchinese.GBK.NewDecoder()
	text, err := dec.Bytes(out)
	if err != nil {
		t.Fatalf("the rewritten page is no longer GBK: %v", err)
	}
	for _, want := range []string{
		"<title>宁波市公安局2021年政府信息公开工作年度报告</title>", `font-family: "宋体"`, "发布日期：2022-02-15　　来源：宁波市公安局",
		`title="返回首页"`, ">附件1：年报.pdf</a>", `alt="宁波市公安局公章"`, "<td>本年新收政府信息公开申请数量</td><td>43</td>",
		`href="` + rewriteTS + `http://gaj.example.gov.cn/zfxxgk/ndbg/2022/%E9%99%84%E4%BB%B61%EF%BC%9A%E5%B9%B4%E6%8A%A5.pdf"`,
		`src="` + rewriteTS + `http://gaj.example.gov.cn/zfxxgk/ndbg/2022/images/%E5%85%AC%E7%AB%A0.jpg"`,
		`url(` + rewriteTS + `http://gaj.example.gov.cn/img/%E5%BA%95%E7%BA%B9.gif)`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("rewritten GBK page lacks %q", want)
		}
	}
	// Every text token of the input (but <style>'s, whose url() changes)
	// and every value of an attribute that holds no URL is in the output,
	// byte for byte.
	for _, b := range keptPieces(in) {
		if !bytes.Contains(out, b) {
			t.Errorf("GBK bytes %q (%s) lost", b, mustDecode(t, b))
		}
	}
}

// keptPieces returns the raw text tokens and non-URL attribute values of a
// document that hold non-ASCII bytes.
func keptPieces(doc []byte) [][]byte {
	var out [][]byte
	z := html.NewTokenizer(bytes.NewReader(doc))
	inStyle := false
	for {
		tt := z.Next()
		raw := append([]byte(nil), z.Raw()...)
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken:
			if !inStyle && !isASCII(raw) {
				out = append(out, raw)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			inStyle = string(name) == "style"
			for _, sp := range scanAttrs(raw) {
				k := lowerASCII(raw[sp.k0:sp.k1])
				if v := raw[sp.v0:sp.v1]; sp.hasVal && !urlAttrs[k] && k != "style" && !isASCII(v) {
					out = append(out, v)
				}
			}
			continue
		}
		inStyle = false
	}
}

func mustDecode(t *testing.T, b []byte) string {
	s, err := simplifiedchinese.GBK.NewDecoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(s)
}

// TestScanAttrsAgreesWithTokenizer: the attribute scanner reads every tag as
// the tokenizer does.
func TestScanAttrsAgreesWithTokenizer(t *testing.T) {
	for _, in := range []string{
		`<a href="x" b='y' c=z d>`, `<a href = x  >`, `<a/href=x>`, `<a href=x/>`, `<a =x y>`, `<a href="x"href=y>`,
		`<a HREF=x href=y>`, `<a href='x>`, "<a\thref=\"x\"\nsrc=y\f>", `<a ==x>`, `<img src=a.png/>`, `<a href=>`, `<a b c="" d=''>`,
	} {
		z := html.NewTokenizer(strings.NewReader(in))
		tt := z.Next()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		raw := append([]byte(nil), z.Raw()...)
		_, more := z.TagName()
		var attrs []html.Attribute
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			attrs = append(attrs, html.Attribute{Key: string(k), Val: string(v)})
		}
		spans := scanAttrs(raw)
		if !sameKeys(raw, spans, attrs) {
			t.Errorf("%s: scanAttrs %v, tokenizer %v", in, spans, attrs)
			continue
		}
		seen := map[string]bool{}
		i := 0
		for _, sp := range spans {
			k := lowerASCII(raw[sp.k0:sp.k1])
			if seen[k] {
				continue
			}
			seen[k] = true
			if got := html.UnescapeString(string(raw[sp.v0:sp.v1])); sp.hasVal && got != attrs[i].Val {
				t.Errorf("%s: %s = %q, tokenizer %q", in, k, got, attrs[i].Val)
			}
			i++
		}
	}
}

// FuzzRewrite: the rewriter never panics, keeps a document without URL
// attributes as it is, and reads every tag's attributes as the tokenizer.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{evilHTML, `<a href="x.html">`, `<p style="background:url(a.png)">`, `<img srcset="a 1x, b 2x">`,
		`<base href=/b/><a href=c>`, "<a href='\xb8\xbd.pdf'>", `<meta http-equiv=refresh content="0;url='x'">`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		rw, _ := newRewriter(rewriteDoc, rewriteTime, simplifiedchinese.GBK.NewDecoder())
		out := rw.html(in)
		if !bytes.Contains(in, []byte("=")) && !bytes.Equal(out, in) {
			t.Errorf("a document without attribute values changed:\n%q\n%q", in, out)
		}
		z := html.NewTokenizer(bytes.NewReader(in))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			raw := append([]byte(nil), z.Raw()...)
			var attrs []html.Attribute
			for _, more := z.TagName(); more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				attrs = append(attrs, html.Attribute{Key: string(k), Val: string(v)})
			}
			if !sameKeys(raw, scanAttrs(raw), attrs) {
				t.Errorf("scanAttrs disagrees with the tokenizer on %q", raw)
			}
		}
	})
}

func TestParseSrcset(t *testing.T) {
	got := parseSrcset(" a.png 1x,b.png  2x , data:image/gif;base64,R0,lG 3x, c.png,, d.png (x, y) 4x")
	want := []srcsetCandidate{{"a.png", "1x"}, {"b.png", "2x"}, {"data:image/gif;base64,R0,lG", "3x"}, {"c.png", ""}, {"d.png", "(x, y) 4x"}}
	if len(got) != len(want) {
		t.Fatalf("parseSrcset = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("candidate %d = %q, want %q", i, got[i], want[i])
		}
	}
}
