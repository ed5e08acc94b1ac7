package extract

import (
	"bytes"
	"fmt"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao/decode"
)

// Limits that keep hostile HTML tables bounded.
const (
	maxColspan    = 256     // a larger colspan is clamped
	maxGridWidth  = 512     // columns beyond are dropped
	maxGridCells  = 1 << 18 // a table grid larger than this is cut
	maxHTMLDepth  = 512     // deeper nesting is not walked
	maxCellLength = 1 << 16 // runes kept of one cell's text
)

// multiBodySelectors is how many of the first bodySelectors are editor
// boxes whose every (non-nested) match is part of the article.
const multiBodySelectors = 5

// bodySelectors are the article containers of the CMSs government sites
// run (TRS, Hanweb, UCAP, Founder…), most specific first.
var bodySelectors = []string{
	"#zoom", ".TRS_Editor", ".TRS_UEDITOR", ".Custom_UnionStyle", "#UCAP-CONTENT", ".wzcon",
	".view.TRS_UEDITOR", "#Zoom", ".zoom", ".article-content", ".article_con", ".art_con", ".con_con",
	"#content", ".article", ".content", ".main-content", ".detail", ".xxgk_content", ".zw", "#zw",
	"article",
}

// ReadHTML reads an HTML page into a Document. contentType is the HTTP
// Content-Type header, whose charset wins; otherwise the charset comes
// from <meta charset>/http-equiv or is sniffed (UTF-8, else GB18030).
//
// The article body is found by the CMS containers government sites use
// (#zoom, .TRS_Editor, #UCAP-CONTENT…), else as the container holding most
// of the page's text. Its paragraphs, headings and list items become text
// blocks and its tables become grids with rowspan/colspan expanded; a
// table holding tables (a page laid out in a table) is read cell by cell.
// The page title and any 发布时间/发布日期 line above the body are emitted
// first, so the publication date is not lost. An MHTML web archive (.mht,
// or a ".doc" saved by Word as a single-file web page) is unwrapped to its
// HTML part first. Meta holds every
// <meta name|property content> with lower-cased keys, plus "charset",
// "reader" and "link_density" (the share of the body's text inside links:
// high on list and navigation pages).
func ReadHTML(data []byte, contentType string) (*Document, error) {
	return readHTML(data, contentType, true)
}

// readHTML is ReadHTML; strip removes presentational attributes before
// the page is parsed (tests compare with and without).
func readHTML(data []byte, contentType string, strip bool) (*Document, error) {
	if isMHTML(data) {
		part, ct, err := unwrapMHTML(data)
		if err != nil {
			return nil, fmt.Errorf("read html: %w", err)
		}
		data, contentType = part, ct
	}
	// the one charset policy the crawler shares; the GB family is
	// reported as "gb18030", the superset it is read with
	dec := decode.HTML(data, contentType)
	utf, encName := dec.Text, dec.Decoder
	switch {
	case strip && dec.Owned:
		utf = stripPresentationOwned(utf) // no second copy of the page
	case strip:
		utf = stripPresentation(utf)
	}
	root, err := html.Parse(bytes.NewReader(utf))
	if err != nil {
		// the parser refuses absurd nesting: read the text only
		doc := htmlTokensText(utf)
		doc.Meta["charset"] = encName
		doc.Meta["reader_note"] = "html: " + err.Error() + "; read as text without tables"
		return doc, nil
	}
	gq := goquery.NewDocumentFromNode(root)
	doc := &Document{Meta: map[string]string{"charset": encName, "reader": "html"}}
	gq.Find("meta").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || name == "" {
			name, ok = s.Attr("property")
		}
		content, ok2 := s.Attr("content")
		if !ok || !ok2 || name == "" {
			return
		}
		k := strings.ToLower(strings.TrimSpace(name))
		if _, dup := doc.Meta[k]; !dup && k != "charset" && k != "reader" {
			doc.Meta[k] = cleanSpace(content)
		}
	})
	pageTitle := cleanSpace(gq.Find("title").First().Text())
	doc.Title = doc.Meta["articletitle"]
	if doc.Title == "" {
		doc.Title = pageTitle
	}

	bodies := findBody(gq)
	w := &htmlWalker{doc: doc}
	if len(bodies) > 0 {
		// The article title and date line often sit above the body.
		if h := titleOutside(gq, bodies[0]); h != "" {
			doc.Blocks = append(doc.Blocks, Block{Text: h})
		}
		for _, ln := range dateLinesBefore(root, bodies[0]) {
			doc.Blocks = append(doc.Blocks, Block{Text: ln})
		}
		text, linked := 0, 0
		for _, body := range bodies {
			w.walk(body, 0)
			w.flush()
			text += textLen(body, 0)
			linked += linkTextLen(body, 0)
		}
		if text > 0 {
			doc.Meta["link_density"] = strconv.FormatFloat(float64(linked)/float64(text), 'f', 2, 64)
		}
	}
	if doc.Title == "" {
		doc.Title = cleanSpace(gq.Find("h1").First().Text())
	}
	return doc, nil
}

// findBody returns the article container: the first CMS container with
// real text, else the element holding most of the page's text.
func findBody(gq *goquery.Document) []*html.Node {
	bodySel := gq.Find("body")
	var body *html.Node
	if bodySel.Length() > 0 {
		body = bodySel.Get(0)
	}
	if body == nil {
		return nil
	}
	sc := scanBody(body)
	if found := sc.container(); found != nil {
		return found
	}
	lens := sc.lens
	// descend while one child holds most of the text
	n := body
	for depth := 0; depth < maxHTMLDepth; depth++ {
		nl := lens[n]
		var next *html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || skipElement(c) {
				continue
			}
			switch c.DataAtom {
			case atom.Div, atom.Td, atom.Article, atom.Section, atom.Main, atom.Center, atom.Form, atom.Span, atom.Font:
			case atom.Table, atom.Tbody, atom.Tr:
				if !hasTable(c) {
					continue // a data table is read whole, never entered
				}
			default:
				continue
			}
			if l := lens[c]; l*10 >= nl*7 && nl > 0 {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	// the chosen node may be a row or row group: read its whole table
	for n.DataAtom == atom.Tr || n.DataAtom == atom.Tbody {
		if n.Parent == nil {
			break
		}
		n = n.Parent
	}
	return []*html.Node{n}
}

func compileSelectors(sels []string) []cascadia.Selector {
	out := make([]cascadia.Selector, len(sels))
	for i, s := range sels {
		out[i] = cascadia.MustCompile(s)
	}
	return out
}

// bodyScan is what one walk of a page's <body> learns for findBody: the
// visible text length of every element under it (textLen), and the
// elements each of bodySelectors matches, in document order.
type bodyScan struct {
	lens    map[*html.Node]int
	matches [][]*html.Node // by index in bodySelectors
	total   int            // the text length of <body>
}

// scanBody walks body once. Elements outside it, skipped ones (scripts,
// navigation, hidden boxes) and those nested deeper than maxHTMLDepth
// have no text for findBody, so they are neither measured nor matched.
func scanBody(body *html.Node) *bodyScan {
	sc := &bodyScan{lens: make(map[*html.Node]int, 1024), matches: make([][]*html.Node, len(bodySelectors))}
	sc.total = sc.visit(body, 0)
	return sc
}

// visit records the text length of n and every element under it, and
// the selectors n matches, and returns n's text length.
func (sc *bodyScan) visit(n *html.Node, depth int) int {
	if depth > maxHTMLDepth {
		return 0
	}
	switch n.Type {
	case html.TextNode:
		return textLen(n, depth)
	case html.ElementNode:
		if skipElement(n) {
			return 0
		}
		bodyIndex.match(n, sc.matches)
	case html.DocumentNode:
	default:
		return 0
	}
	l := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		l += sc.visit(c, depth+1)
	}
	sc.lens[n] = l
	return l
}

// A CMS selector ("#zoom", ".TRS_Editor", ".view.TRS_UEDITOR", "h1")
// matches only an element that carries its last simple selector's name:
// as its tag, or as its id or a word of its class. A selectorIndex keys
// its selectors by that name, so that each element is looked up once, by
// its tag and words, and cascadia's matching runs only on the few
// candidates (Word pages put class="MsoNormal" on every paragraph).
type selectorIndex struct {
	matchers      []cascadia.Selector
	byTag, byName map[string]uint64 // bit i for matchers[i]
}

// bodyIndex and titleIndex index bodySelectors and titleSelectors.
var (
	bodyIndex  = indexSelectors(bodySelectors)
	titleIndex = indexSelectors(titleSelectors)
)

// indexSelectors compiles sels (at most 64) and keys each by the tag or
// id/class name it names.
func indexSelectors(sels []string) *selectorIndex {
	x := &selectorIndex{matchers: compileSelectors(sels), byTag: map[string]uint64{}, byName: map[string]uint64{}}
	for i, sel := range sels {
		if j := strings.LastIndexAny(sel, "#."); j >= 0 {
			x.byName[sel[j+1:]] |= 1 << i
		} else {
			x.byTag[sel] |= 1 << i
		}
	}
	return x
}

// candidates is the set of selectors (bit i for matchers[i]) that may
// match n: a superset of those that do.
func (x *selectorIndex) candidates(n *html.Node) uint64 {
	set := x.byTag[n.Data]
	for _, a := range n.Attr {
		if a.Key != "id" && a.Key != "class" {
			continue
		}
		for v := a.Val; v != ""; {
			w := v
			if i := strings.IndexAny(v, " \t\r\n\f"); i >= 0 {
				w, v = v[:i], v[i+1:]
			} else {
				v = ""
			}
			if w != "" {
				set |= x.byName[w]
			}
		}
	}
	return set
}

// match appends n to matches[i] for every selector i that matches it.
func (x *selectorIndex) match(n *html.Node, matches [][]*html.Node) {
	for set := x.candidates(n); set != 0; set &= set - 1 {
		if i := bits.TrailingZeros64(set); x.matchers[i].Match(n) {
			matches[i] = append(matches[i], n)
		}
	}
}

// matchAll is, for each selector, the elements under root it matches in
// document order: goquery's FindMatcher for all of them in one walk.
func (x *selectorIndex) matchAll(root *html.Node) [][]*html.Node {
	matches := make([][]*html.Node, len(x.matchers))
	for n := range root.Descendants() {
		if n.Type == html.ElementNode {
			x.match(n, matches)
		}
	}
	return matches
}

// container is the first CMS container, by the order of bodySelectors,
// that holds real text: its best-filled match, or for the editor boxes
// all its outermost matches with text. It is nil when there is none.
func (sc *bodyScan) container() []*html.Node {
	for i, matched := range sc.matches {
		var best *html.Node
		bestLen := 0
		var all []*html.Node
		for _, n := range matched {
			if l := sc.lens[n]; l > bestLen {
				best, bestLen = n, l
			}
			if sc.lens[n] > 0 && (len(all) == 0 || !isAncestor(all[len(all)-1], n)) {
				all = append(all, n)
			}
		}
		// a container with little of the page's text is a sidebar box
		if best != nil && bestLen >= 20 && (bestLen*5 >= sc.total || hasTable(best)) {
			if i < multiBodySelectors && len(all) > 1 {
				// the editor's content saved in several boxes
				return all
			}
			return []*html.Node{best}
		}
	}
	return nil
}

func hasTable(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.Table || hasTable(c)) {
			return true
		}
	}
	return false
}

// textLen counts the visible text runes under n (skipping scripts, styles
// and navigation).
func textLen(n *html.Node, depth int) int {
	if depth > maxHTMLDepth {
		return 0
	}
	switch n.Type {
	case html.TextNode:
		l := 0
		for _, r := range n.Data {
			if !isSpaceFast(r) {
				l++
			}
		}
		return l
	case html.ElementNode:
		if skipElement(n) {
			return 0
		}
	case html.DocumentNode:
	default:
		return 0
	}
	l := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		l += textLen(c, depth+1)
	}
	return l
}

// skipElement reports elements whose text is not the article's.
func skipElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Nav, atom.Header, atom.Footer, atom.Iframe,
		atom.Select, atom.Option, atom.Button, atom.Template, atom.Object, atom.Embed, atom.Svg, atom.Head, atom.Title, atom.Textarea:
		return true
	}
	if n.Data == "xml" { // Hanweb lists in <script type="text/xml"> or <xml>
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "style":
			if !strings.Contains(a.Val, "none") && !strings.Contains(a.Val, "hidden") &&
				!strings.Contains(a.Val, "NONE") && !strings.Contains(a.Val, "HIDDEN") {
				continue // the common case: no need to normalise
			}
			v := strings.ToLower(strings.ReplaceAll(a.Val, " ", ""))
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		case "hidden":
			return true
		}
	}
	return false
}

// titleSelectors are where CMSs print the article title above the body.
var titleSelectors = []string{"h1", ".title", "#title", ".article-title", ".art_title", ".con_title", ".detail-title", "h2"}

// titleOutside returns the article title printed outside the body
// container, when there is one that names a report.
func titleOutside(gq *goquery.Document, body *html.Node) string {
	for _, matched := range titleIndex.matchAll(gq.Get(0)) {
		for _, n := range matched {
			if isAncestor(body, n) || isAncestor(n, body) || hasSkippedAncestor(n) {
				continue
			}
			t := cleanSpace(nodeText(n))
			// a report title names its year; a column name ("政府信息公开
			// 年报" over a sidebar) does not
			if utf8.RuneCountInString(t) <= 80 && (strings.Contains(t, "报告") || strings.Contains(t, "年报")) &&
				reHTMLTitleYear.MatchString(normalizeDigits(t)) {
				return t
			}
		}
	}
	return ""
}

func isAncestor(a, n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

func hasSkippedAncestor(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && skipElement(p) {
			return true
		}
	}
	return false
}

var reHTMLTitleYear = regexp.MustCompile(`(?:19|20)[0-9]{2}\s*年|[〇零一二三四五六七八九○Ｏ]{4}年`)

var reDateLine = regexp.MustCompile(`(?:发布时间|发布日期|发文日期|成文日期|公开日期|日期|时间)\s*[:：]\s*[12０-９][0-9０-９]{3}`)

// reLeadingDate is an info bar that starts with an unlabelled date
// ("2023-01-16 10:20 来源：…"); the parser decides whether it is one.
var reLeadingDate = regexp.MustCompile(`^[\s\x{3000}]*[12][0-9]{3}[-/.年][01]?[0-9][-/.月][0-3]?[0-9]`)

// dateLinesBefore returns up to three lines above the body container that
// state a publication date (the CMS info bar), labelled or not.
func dateLinesBefore(root, body *html.Node) []string {
	var out []string
	seen := map[*html.Node]bool{}
	stop := false
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if stop || depth > maxHTMLDepth {
			return
		}
		if n == body {
			stop = true
			return
		}
		if n.Type == html.ElementNode && skipElement(n) && n.DataAtom != atom.Header {
			return
		}
		if n.Type == html.TextNode && (strings.ContainsAny(n.Data, "期间") || reLeadingDate.MatchString(n.Data)) {
			blk := n.Parent
			for blk != nil && blk.Type == html.ElementNode && !isBlockElement(blk) {
				blk = blk.Parent
			}
			if blk != nil && (blk.DataAtom == atom.Td || blk.DataAtom == atom.Th) && blk.Parent != nil {
				blk = blk.Parent // an index table: "生成日期：" | "2022-01-25"
			}
			if blk != nil && !seen[blk] && len(out) < 3 {
				seen[blk] = true
				t := cleanSpace(nodeText(blk))
				if utf8.RuneCountInString(t) <= 200 && (reDateLine.MatchString(t) || reLeadingDate.MatchString(t)) {
					out = append(out, t)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(root, 0)
	return out
}

func isBlockElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Li, atom.Dt, atom.Dd,
		atom.Blockquote, atom.Pre, atom.Section, atom.Article, atom.Center, atom.Address, atom.Td, atom.Th,
		atom.Tr, atom.Table, atom.Ul, atom.Ol, atom.Dl, atom.Body, atom.Main, atom.Form, atom.Header, atom.Footer, atom.Caption:
		return true
	}
	return false
}

// nodeText is the visible text under n, <br> and block boundaries as
// spaces.
func nodeText(n *html.Node) string {
	t := textWalk{limit: 4 * maxCellLength, br: ' ', blocks: blockSpace}
	t.visit(n, 0)
	return t.b.String()
}

// How a textWalk marks block elements.
const (
	blockIgnore = iota // not at all
	blockSpace         // a space where one starts
	blockPara          // a paragraph ends where one starts and ends
)

// textWalk collects the visible text under a node (the one walker of
// nodeText, htmlCellText and pre): text nodes as they are, skipped
// elements left out, a <br> as br, block elements marked as blocks says.
// The walk stops below maxHTMLDepth and once b holds more than limit
// bytes.
type textWalk struct {
	b      strings.Builder
	limit  int
	br     byte
	blocks int
	paras  []string // with blockPara: the paragraphs ended so far, white space cleaned
}

func (t *textWalk) visit(n *html.Node, depth int) {
	if depth > maxHTMLDepth || t.b.Len() > t.limit {
		return
	}
	switch n.Type {
	case html.TextNode:
		t.b.WriteString(n.Data)
		return
	case html.ElementNode:
		if skipElement(n) {
			return
		}
		if n.DataAtom == atom.Br {
			t.b.WriteByte(t.br)
			return
		}
		if t.blocks != blockIgnore && isBlockElement(n) {
			if t.blocks == blockSpace {
				t.b.WriteByte(' ')
			} else {
				t.endPara()
				defer t.endPara()
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.visit(c, depth+1)
	}
}

// endPara ends the current paragraph (dropped when blank).
func (t *textWalk) endPara() {
	if s := cleanSpace(t.b.String()); s != "" {
		t.paras = append(t.paras, s)
	}
	t.b.Reset()
}

// cleanSpace collapses white space (including &nbsp; and the ideographic
// space) to single spaces and trims the ends.
func cleanSpace(s string) string {
	if spaceIsClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if isSpaceFast(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// spaceIsClean reports text cleanSpace leaves as it is: single ASCII
// spaces between words, none at the ends.
func spaceIsClean(s string) bool {
	prevSpace := true
	for _, r := range s {
		if isSpaceFast(r) {
			if r != ' ' || prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		prevSpace = false
	}
	return !prevSpace || s == ""
}

// htmlWalker turns the body's nodes into blocks in reading order.
type htmlWalker struct {
	doc   *Document
	line  strings.Builder
	cells int // grid cells emitted so far (bounded over the document)
}

// flush ends the current text line.
func (w *htmlWalker) flush() {
	if w.line.Len() == 0 {
		return
	}
	t := cleanSpace(w.line.String())
	w.line.Reset()
	if t != "" {
		w.doc.Blocks = append(w.doc.Blocks, Block{Text: t})
	}
}

func (w *htmlWalker) walk(n *html.Node, depth int) {
	if depth > maxHTMLDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.line.WriteString(n.Data)
		return
	case html.ElementNode:
		if skipElement(n) {
			return
		}
		if isChrome(n) {
			return
		}
		switch n.DataAtom {
		case atom.Br, atom.Hr:
			w.flush()
			return
		case atom.Table:
			w.flush()
			w.table(n, depth)
			return
		case atom.Pre, atom.Plaintext, atom.Listing:
			// preformatted text (a report pasted as pdftotext output):
			// keep its lines and column spacing for the text parser
			w.flush()
			w.pre(n)
			return
		}
		if isBlockElement(n) {
			w.flush()
			defer w.flush()
		}
	case html.DocumentNode:
	default:
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
}

// tableRows returns the <tr> rows of a table in order (through thead,
// tbody, tfoot), not those of nested tables.
func tableRows(t *html.Node) []*html.Node {
	var rows []*html.Node
	for c := t.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Tr:
			rows = append(rows, c)
		case atom.Thead, atom.Tbody, atom.Tfoot:
			for r := c.FirstChild; r != nil; r = r.NextSibling {
				if r.Type == html.ElementNode && r.DataAtom == atom.Tr {
					rows = append(rows, r)
				}
			}
		}
	}
	return rows
}

func rowCells(tr *html.Node) []*html.Node {
	var cells []*html.Node
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
			cells = append(cells, c)
		}
	}
	return cells
}

// table emits a table: a grid block, or — for a layout table holding
// tables — its cells' content in reading order.
func (w *htmlWalker) table(t *html.Node, depth int) {
	rows := tableRows(t)
	nested := false
	for _, tr := range rows {
		for _, td := range rowCells(tr) {
			if hasTable(td) {
				nested = true
			}
		}
	}
	if nested {
		for _, tr := range rows {
			for _, td := range rowCells(tr) {
				w.flush()
				w.walk(td, depth+1)
				w.flush()
			}
		}
		return
	}
	for c := t.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Caption {
			if s := cleanSpace(nodeText(c)); s != "" {
				w.doc.Blocks = append(w.doc.Blocks, Block{Text: s})
			}
		}
	}
	if g := w.grid(rows); len(g) > 0 {
		w.doc.Blocks = append(w.doc.Blocks, Block{Table: g})
	}
}

// grid builds the expanded grid of a table's rows: rowspan/colspan cells
// repeat their text in every position they cover, with Span set.
func (w *htmlWalker) grid(rows []*html.Node) [][]Cell {
	type slot struct {
		cell Cell
		set  bool
	}
	grid := make([][]slot, 0, len(rows))
	ensure := func(r, c int) {
		for len(grid) <= r {
			grid = append(grid, nil)
		}
		for len(grid[r]) <= c {
			grid[r] = append(grid[r], slot{})
		}
	}
	width := 0
	for r, tr := range rows {
		ensure(r, 0)
		c := 0
		for _, td := range rowCells(tr) {
			for c < len(grid[r]) && grid[r][c].set {
				c++
			}
			if c >= maxGridWidth || w.cells >= maxGridCells {
				break
			}
			rs := spanAttr(td, "rowspan", len(rows)-r)
			cs := spanAttr(td, "colspan", maxColspan)
			if c+cs > maxGridWidth {
				cs = maxGridWidth - c
			}
			text := htmlCellText(td)
			for i := r; i < r+rs; i++ {
				for j := c; j < c+cs; j++ {
					if w.cells >= maxGridCells {
						break
					}
					ensure(i, j)
					if grid[i][j].set {
						continue // overlapping spans: the first cell keeps the slot
					}
					grid[i][j] = slot{cell: Cell{Text: text, Span: i != r || j != c}, set: true}
					w.cells++
				}
			}
			if c+cs > width {
				width = c + cs
			}
			c += cs
		}
	}
	out := make([][]Cell, 0, len(grid))
	for _, row := range grid {
		if len(row) == 0 {
			continue
		}
		cells := make([]Cell, width)
		filled := false
		for j, s := range row {
			if j < width {
				cells[j] = s.cell
				if s.cell.Text != "" {
					filled = true
				}
			}
		}
		// a row of empty cells (Word's column-width row, spacer rows)
		// carries nothing and would end the row above early
		if filled {
			out = append(out, cells)
		}
	}
	return out
}

// spanAttr reads a rowspan/colspan attribute, clamped to [1, max].
func spanAttr(n *html.Node, key string, max int) int {
	for _, a := range n.Attr {
		if a.Key != key {
			continue
		}
		v := strings.TrimSpace(a.Val)
		i := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		k, err := strconv.Atoi(v[:i])
		if err != nil || k < 1 {
			return 1
		}
		if k > max {
			k = max
		}
		if k < 1 {
			k = 1
		}
		return k
	}
	return 1
}

// htmlCellText is a cell's text: paragraphs on separate lines, <br> and runs
// of white space as one space, &nbsp; and full-width spaces trimmed.
func htmlCellText(td *html.Node) string {
	t := textWalk{limit: maxCellLength, br: ' ', blocks: blockPara}
	for c := td.FirstChild; c != nil; c = c.NextSibling {
		t.visit(c, 1)
	}
	t.endPara()
	return strings.Join(t.paras, "\n")
}

// htmlTokensText reads a page the tree parser refused as text: one block
// per block-level element, script and style skipped.
func htmlTokensText(s []byte) *Document {
	doc := &Document{Meta: map[string]string{"reader": "html-tokens"}}
	w := &htmlWalker{doc: doc}
	z := html.NewTokenizer(bytes.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			w.flush()
			return doc
		case html.TextToken:
			if skip == 0 {
				w.line.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Textarea:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if a == atom.Br || a == atom.Td || a == atom.Th || a == atom.Tr || isBlockElement(&html.Node{DataAtom: a}) {
				w.flush()
			}
		}
	}
}

// linkTextLen counts the visible text runes inside links under n.
func linkTextLen(n *html.Node, depth int) int {
	if depth > maxHTMLDepth || n.Type != html.ElementNode && n.Type != html.DocumentNode {
		return 0
	}
	if n.Type == html.ElementNode {
		if skipElement(n) {
			return 0
		}
		if n.DataAtom == atom.A {
			return textLen(n, depth)
		}
	}
	l := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		l += linkTextLen(c, depth+1)
	}
	return l
}

// pre emits a preformatted element's lines as they are (tabs and runs of
// spaces kept, as ReadText keeps them).
func (w *htmlWalker) pre(n *html.Node) {
	t := textWalk{limit: 1 << 22, br: '\n'}
	t.visit(n, 0)
	text := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u00a0", " ").Replace(t.b.String())
	w.doc.Blocks = appendLines(w.doc.Blocks, text)
}

// chromeNames are class/id names of page furniture inside a container
// the body finder may return (when no CMS container is found).
var chromeNames = map[string]bool{
	"header": true, "footer": true, "nav": true, "navbar": true, "menu": true, "breadcrumb": true,
	"crumb": true, "crumbs": true, "position": true, "share": true, "bdsharebuttonbox": true,
	"related": true, "copyright": true, "sidebar": true, "toolbar": true, "print": true,
}

// isChrome reports a short, table-free element named as page furniture
// (div.footer, ul#nav…). An element named so that holds a table or much
// text is kept: some sites name their content box oddly.
func isChrome(n *html.Node) bool {
	named := false
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" {
			continue
		}
		for _, f := range strings.Fields(strings.ToLower(a.Val)) {
			if chromeNames[f] {
				named = true
			}
		}
	}
	return named && !hasTable(n) && textLen(n, 0) < 300
}
