package extract

import (
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const zh = "宁波市公安局2021年度政府信息公开工作年度报告"

func TestReadHTMLCharset(t *testing.T) {
	page := func(meta string) string {
		return "<html><head>" + meta + "<title>" + zh + "</title></head><body><div id=\"zoom\"><p>" + zh + "</p><p>一、总体情况。本年度我局认真贯彻落实条例要求，主动公开政府信息。</p></div></body></html>"
	}
	longHead := "<!--" + strings.Repeat(" padding ", 200) + "-->"
	for _, tc := range []struct {
		name, ct string
		data     []byte
		charset  string
	}{
		{"utf-8 meta", "", []byte(page(`<meta charset="utf-8">`)), "utf-8"},
		{"utf-8 undeclared", "", []byte(page("")), "utf-8"},
		{"gbk by header", "text/html; charset=GBK", gbkBytes(t, page("")), "gb18030"},
		{"gb2312 http-equiv", "text/html", gbkBytes(t, page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`)), "gb18030"},
		{"gbk meta after 1024 bytes", "", gbkBytes(t, page(longHead+`<meta charset="gbk">`)), "gb18030"},
		{"gbk undeclared", "", gbkBytes(t, page("")), "gb18030"},
		{"gbk served as utf-8", "text/html; charset=utf-8", gbkBytes(t, page("")), "gb18030"},
		{"utf-8 declared gb2312", "", []byte(page(`<meta charset="gb2312">`)), "utf-8"},
		{"gbk served as iso-8859-1", "text/html; charset=ISO-8859-1", gbkBytes(t, page(`<meta charset="gbk">`)), "gb18030"},
		{"utf-8 bom", "", append([]byte("\xef\xbb\xbf"), page("")...), "utf-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ReadHTML(tc.data, tc.ct)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != zh {
				t.Errorf("title = %q", doc.Title)
			}
			if len(doc.Blocks) == 0 || doc.Blocks[0].Text != zh {
				t.Errorf("blocks = %+v", doc.Blocks)
			}
			if doc.Meta["charset"] != tc.charset {
				t.Errorf("charset = %q, want %q", doc.Meta["charset"], tc.charset)
			}
		})
	}
}

// gridString renders a grid compactly: "~" marks a span copy.
func gridString(g [][]Cell) string {
	var b strings.Builder
	for _, row := range g {
		for i, c := range row {
			if i > 0 {
				b.WriteByte('|')
			}
			if c.Span {
				b.WriteByte('~')
			}
			b.WriteString(c.Text)
		}
		b.WriteByte('/')
	}
	return b.String()
}

func tables(doc *Document) []string {
	var out []string
	for _, b := range doc.Blocks {
		if b.Table != nil {
			out = append(out, gridString(b.Table))
		}
	}
	return out
}

func TestReadHTMLTables(t *testing.T) {
	for _, tc := range []struct {
		name, html string
		want       []string
	}{
		{"rowspan colspan",
			`<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr><tr><td>1</td><td>2</td></tr></table>`,
			[]string{"A|B|~B/~A|1|2/"}},
		{"p span nbsp br in cells",
			`<table><tr><td><p><span>行政</span><span>许可</span></p></td><td><p>&nbsp;</p></td><td>&nbsp;8&nbsp;</td><td>第一行<br>第二行</td><td>　全角　</td></tr></table>`,
			[]string{"行政许可||8|第一行 第二行|全角/"}},
		{"paragraphs in a cell",
			`<table><tr><td><p>（三）不予公开</p><p>1.属于国家秘密</p></td></tr></table>`,
			[]string{"（三）不予公开\n1.属于国家秘密/"}},
		{"thead tbody tfoot th",
			`<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>b</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>`,
			[]string{"h/b/f/"}},
		{"absurd spans clamped",
			`<table><tr><td colspan=100000 rowspan=99999>X</td></tr><tr><td>y</td></tr></table>`,
			[]string{strings.Repeat("X|", 0) + "X" + strings.Repeat("|~X", maxColspan-1) + "|/~X" + strings.Repeat("|~X", maxColspan-1) + "|y/"}},
		{"rowspan=0 and junk",
			`<table><tr><td rowspan=0 colspan="2abc">a</td><td colspan=-3>b</td></tr></table>`,
			[]string{"a|~a|b/"}},
		{"split table stays two",
			`<table><tr><td>一</td><td>1</td></tr></table><p>&nbsp;</p><table><tr><td>二</td><td>2</td></tr></table>`,
			[]string{"一|1/", "二|2/"}},
		{"short rows padded",
			`<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>`,
			[]string{"a|b|c/d||/"}},
		{"layout table recursed",
			`<table><tr><td><ul><li>导航</li></ul></td><td><p>正文</p><table><tr><td>规章</td><td>0</td></tr></table></td></tr></table>`,
			[]string{"规章|0/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ReadHTML([]byte("<html><body>"+tc.html+"</body></html>"), "text/html; charset=utf-8")
			if err != nil {
				t.Fatal(err)
			}
			if got := tables(doc); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("tables\ngot  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestReadHTMLPage(t *testing.T) {
	page := `<!DOCTYPE html><html><head><meta charset="utf-8">
<title>某局2021年政府信息公开工作年度报告_某市人民政府</title>
<meta name="PubDate" content="2022-01-20 10:00">
<meta name="ArticleTitle" content="某局2021年政府信息公开工作年度报告">
<meta name="ColumnName" content="年报">
<script>var x = "<p>脚本里的文字</p>";</script><style>p{color:red}</style></head>
<body><header><nav><a href="/">首页</a></nav></header>
<div class="crumb">当前位置：首页 &gt; 年报</div><div class="side"><h2>政府信息公开年报</h2></div>
<h1>某局2021年政府信息公开工作年度报告</h1>
<div class="info">发布时间：2022-01-21&nbsp;&nbsp;来源：某局</div>
<div class="sidebar"><p>热点新闻</p></div>
<div class="TRS_Editor"><p>一、总体情况</p><div>本年度&nbsp;我局<b>认真</b>落实条例。</div><ul><li>第一项</li><li>第二项</li></ul>
<script>document.write("不要")</script><div style="display:none">隐藏文字</div>
<p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>0</td></tr></table></div>
<footer>版权所有</footer><div class="related"><p>发布时间：2019-01-01</p></div></body></html>`
	doc, err := ReadHTML([]byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, b := range doc.Blocks {
		if b.Table == nil {
			texts = append(texts, b.Text)
		}
	}
	want := []string{"某局2021年政府信息公开工作年度报告", "发布时间：2022-01-21 来源：某局", "一、总体情况", "本年度 我局认真落实条例。", "第一项", "第二项", "二、主动公开政府信息情况"}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("texts\ngot  %q\nwant %q", texts, want)
	}
	if doc.Title != "某局2021年政府信息公开工作年度报告" {
		t.Errorf("title = %q", doc.Title)
	}
	for k, v := range map[string]string{"pubdate": "2022-01-20 10:00", "columnname": "年报", "articletitle": "某局2021年政府信息公开工作年度报告", "reader": "html"} {
		if doc.Meta[k] != v {
			t.Errorf("meta[%s] = %q, want %q", k, doc.Meta[k], v)
		}
	}
}

// TestReadHTMLLargestContainer: without a known CMS container the body is
// the element holding most of the text; a layout-table page is entered.
func TestReadHTMLLargestContainer(t *testing.T) {
	body := strings.Repeat("<p>本年度我局认真贯彻落实政府信息公开条例，主动公开政府信息。</p>", 5)
	page := `<html><body><div class="top"><a href="/">首页</a><a href="/a">机构</a></div>
<table width="1000"><tr><td class="left"><table><tr><td><a href="/x">栏目一</a></td></tr></table></td>
<td class="right"><div class="bt"><p>某局2021年政府信息公开工作年度报告</p>` + body + `<table><tr><td>行政许可</td><td>3</td></tr></table></div></td></tr></table>
<div class="foot">地址：某路1号</div></body></html>`
	doc, err := ReadHTML([]byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Blocks) == 0 || doc.Blocks[0].Text != "某局2021年政府信息公开工作年度报告" {
		t.Errorf("first block = %+v", doc.Blocks)
	}
	if got := tables(doc); fmt.Sprint(got) != fmt.Sprint([]string{"行政许可|3/"}) {
		t.Errorf("tables = %q", got)
	}
	for _, b := range doc.Blocks {
		if strings.Contains(b.Text, "栏目一") || strings.Contains(b.Text, "地址") {
			t.Errorf("page chrome in the body: %q", b.Text)
		}
	}
}

func TestReadHTMLDegenerate(t *testing.T) {
	for _, in := range []string{"", "<", "<html>", "<table><tr><td rowspan=5>", "\x00\x01\x02", strings.Repeat("<div>", 5000) + "深" + strings.Repeat("</div>", 5000), strings.Repeat("<table><tr><td>", 2000)} {
		if _, err := ReadHTML([]byte(in), ""); err != nil {
			t.Errorf("ReadHTML(%.20q): %v", in, err)
		}
	}
}

// TestReadHTMLEditorBoxes: an article saved in two editor boxes is read
// whole, and a date in an index table (信息索引 td pairs) above the body
// is kept.
func TestReadHTMLEditorBoxes(t *testing.T) {
	page := `<html><body><table class="xxgk"><tr><td>索引号：</td><td>001/2022-001</td></tr>
<tr><td>生成日期：</td><td>2022-01-25</td><td>发布机构：</td><td>某局</td></tr></table>
<div class="TRS_Editor"><p>某局2021年政府信息公开工作年度报告</p><p>一、总体情况：本年度我局认真落实条例。</p></div>
<div class="share">分享到：微信 微博</div>
<div class="TRS_Editor"><p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>0</td></tr></table></div></body></html>`
	doc, err := ReadHTML([]byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, b := range doc.Blocks {
		if b.Table == nil {
			texts = append(texts, b.Text)
		}
	}
	want := []string{"生成日期： 2022-01-25 发布机构： 某局", "某局2021年政府信息公开工作年度报告", "一、总体情况：本年度我局认真落实条例。", "二、主动公开政府信息情况"}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("texts\ngot  %q\nwant %q", texts, want)
	}
	if got := tables(doc); fmt.Sprint(got) != fmt.Sprint([]string{"规章|0/"}) {
		t.Errorf("tables = %q", got)
	}
}

// TestParseListPage: a real list column page is not a report.
func TestParseListPage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir, "L01_ordos_egb_xxgknb_index.html"))
	if err != nil {
		t.Skip("corpus list page missing")
	}
	r, err := Parse("L01.html", data, Options{})
	if !errors.Is(err, ErrNotReport) {
		t.Fatalf("err = %v, report %+v", err, r)
	}
}

// TestParserListTextIsNotReport: the text of a list column page, whose
// lines are report titles of several years ("鄂尔多斯市2019年政府信息公开工作
// 年度报告 2020-09-03"), is not a report (ErrNotReport), also when it
// reaches the parser without the HTML reader's link-density guard.
func TestParserListTextIsNotReport(t *testing.T) {
	doc := &Document{Blocks: []Block{
		{Text: "您现在的位置是： 首页 >> 信息公开 >> 信息公开年报"},
		{Table: [][]Cell{
			{{Text: "鄂尔多斯市2019年政府信息公开工作年度报告"}, {Text: "2020-09-03"}},
			{{Text: "恩格贝生态示范区召开2020年度工作会暨党风廉政建设会议"}, {Text: "2020-05-06"}},
			{{Text: "鄂尔多斯市2018年政府信息公开年度报告"}, {Text: "2019-05-30"}},
		}},
		{Text: "共计 2 页 首页 | 上一页 1 | 2 | 下一页 尾页"},
	}}
	if r, err := ParseDocument(doc, Options{}); !errors.Is(err, ErrNotReport) {
		t.Errorf("list page parsed as a report (template %q, title %q)", r.Template, r.Title)
	}
}

// TestReadHTMLPre: a report pasted into a page as preformatted pdftotext
// output keeps its column layout and parses to the expected cells.
func TestReadHTMLPre(t *testing.T) {
	txt, err := os.ReadFile("testdata/corpus/003_hongze_2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	page := "<html><head><title>洪泽区人民政府2023年政府信息公开工作年度报告</title></head><body><div id=\"zoom\"><pre>" +
		html.EscapeString(string(txt)) + "</pre></div></body></html>"
	r, err := Parse("pre.html", []byte(page), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkExpected(t, r, loadExpected(t, "testdata/corpus/003_hongze_2023.expected.json"))
}

// TestParserTrailingBlankGridRow: a grid whose last row is all blank after
// 四、结转下年度继续办理 leaves that row's values where they are (the
// readers drop all-empty rows; the parser must not need them to).
func TestParserTrailingBlankGridRow(t *testing.T) {
	data, err := os.ReadFile("testdata/html/003_5b5855e3c5339d3b.html")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ReadHTML(data, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := printRow(r.Applications.Rows["carried_forward"])
	for i := len(doc.Blocks) - 1; i >= 0; i-- {
		if tb := doc.Blocks[i].Table; tb != nil && len(tb[0]) == 10 { // Table 3
			doc.Blocks[i].Table = append(tb, make([]Cell, 10))
			break
		}
	}
	r2, err := ParseDocument(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := printRow(r2.Applications.Rows["carried_forward"]); got != want {
		t.Errorf("carried_forward with a trailing blank row = %s, want %s", got, want)
	}
}

func printRow(v []*float64) string {
	var s []string
	for _, p := range v {
		s = append(s, fmtp(p))
	}
	return strings.Join(s, ",")
}

// TestReadHTMLTitleOutside: the title above the body is the heading that
// names a year, not a column name over a sidebar.
func TestReadHTMLTitleOutside(t *testing.T) {
	page := `<html><body><div class="side"><h2>政府信息公开年报</h2><ul><li><a href="/a">2020年报</a></li></ul></div>
<h2>某局2021年政府信息公开工作年度报告</h2><div id="zoom"><p>一、总体情况：本年度我局认真落实条例，公开信息。</p></div></body></html>`
	doc, err := ReadHTML([]byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Blocks) < 2 || doc.Blocks[0].Text != "某局2021年政府信息公开工作年度报告" {
		t.Errorf("blocks = %+v", doc.Blocks)
	}
}

// TestReadHTMLChrome: when the body is the whole page, page furniture
// named header/footer/share is left out.
func TestReadHTMLChrome(t *testing.T) {
	page := `<html><body><div class="header">网站首页 机构概况 信息公开</div>
<div class="a"><p>某局2021年政府信息公开工作年度报告</p><p>一、总体情况</p></div>
<div class="b"><p>本年度我局认真贯彻落实政府信息公开条例。</p></div>
<div class="bdsharebuttonbox">分享到</div><div id="footer">主办单位：某局</div></body></html>`
	doc, err := ReadHTML([]byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, b := range doc.Blocks {
		texts = append(texts, b.Text)
	}
	want := []string{"某局2021年政府信息公开工作年度报告", "一、总体情况", "本年度我局认真贯彻落实政府信息公开条例。"}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("texts\ngot  %q\nwant %q", texts, want)
	}
}
