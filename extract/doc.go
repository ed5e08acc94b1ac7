// Package extract turns an archived annual report (HTML, text, DOCX, PDF,
// XLSX) into the structured report model of ../shared/report-model.md
// (package report), reading the template's rows and columns by the labels
// report describes; report's rules then check the template's arithmetic.
// It knows nothing of the archive (package extractrun runs it over one).
//
// Every input shape is first reduced to a Document: a sequence of Blocks,
// each a line of text or a table grid with rowspan/colspan already expanded.
// The template parser reads only Documents, so a new input format needs only
// a new reader, never a new parser.
package extract

// Document is the input-neutral form of a report: its blocks in reading order
// plus whatever metadata the container stated (page title, meta tags).
type Document struct {
	Blocks []Block
	// Title is the title the container gives (HTML <title>, DOCX core title);
	// may be empty.
	Title string
	// Meta holds container metadata such as HTML <meta name="PubDate">,
	// lower-cased keys.
	Meta map[string]string
}

// Block is one paragraph/line of text, or one table.
type Block struct {
	// Text is set for a text block (one line or paragraph, trimmed).
	Text string
	// Table is set for a table block: rows of cells after rowspan/colspan
	// expansion (a spanned cell's text is repeated in every grid position it
	// covers, see Span).
	Table [][]Cell
}

// Cell is one grid position of a table.
type Cell struct {
	Text string
	// Span is true when this grid position is covered by a rowspan/colspan of
	// a cell that starts elsewhere (its Text repeats that cell's text).
	Span bool
}
