package extract

import (
	"context"
	"fmt"
	"mime"
	"strings"
)

// A Reader turns the bytes of one file format into a Document. It is the
// one interface behind which every format lives (HTML, text, DOCX, PDF,
// XLSX; MHTML is read by the HTML reader): the entry point (ReadFile)
// sniffs the format and asks the registered Reader, so a new format is a
// new Reader and one line in readers, never a change to the parser.
type Reader interface {
	// Read reads data; contentType is the HTTP Content-Type the bytes
	// were served with, or "" (only the HTML reader uses its charset).
	Read(ctx context.Context, data []byte, contentType string) (*Document, error)
}

// ReaderFunc adapts a function to a Reader, as http.HandlerFunc does.
type ReaderFunc func(ctx context.Context, data []byte, contentType string) (*Document, error)

// Read calls f.
func (f ReaderFunc) Read(ctx context.Context, data []byte, contentType string) (*Document, error) {
	return f(ctx, data, contentType)
}

// bytesReader adapts a reader of the bytes alone (ReadText, ReadDOCX…).
func bytesReader(read func([]byte) (*Document, error)) ReaderFunc {
	return func(_ context.Context, data []byte, _ string) (*Document, error) { return read(data) }
}

// readers is the registry: the Reader of each sniffed format. It is
// never modified; registering a reader (a legacy .doc reader, say) is one
// line here, e.g. FormatDOC: bytesReader(ReadDOC).
var readers = map[string]Reader{
	FormatHTML: ReaderFunc(func(_ context.Context, data []byte, ct string) (*Document, error) { return ReadHTML(data, ct) }),
	FormatText: bytesReader(ReadText),
	FormatDOCX: bytesReader(ReadDOCX),
	FormatPDF:  ReaderFunc(func(ctx context.Context, data []byte, _ string) (*Document, error) { return ReadPDFContext(ctx, data) }),
	FormatXLSX: bytesReader(ReadXLSX),
	FormatDOC:  legacyReader(FormatDOC),
	FormatWPS:  legacyReader(FormatWPS),
	FormatOLE:  legacyReader(FormatOLE),
	FormatXLS:  legacyReader(FormatXLS),
	FormatET:   legacyReader(FormatET),
}

// legacyReader reads an OLE compound file of one legacy format
// (ReadLegacy: the Go reader, then a converter as the fallback).
func legacyReader(format string) ReaderFunc {
	return func(ctx context.Context, data []byte, _ string) (*Document, error) {
		return ReadLegacy(ctx, format, data)
	}
}

// ReadFile reads one report file of any format into a Document and names
// the format it was read as. The format is sniffed from the bytes
// (Sniff); the file name's extension breaks ties the bytes leave open,
// and so does contentType, for an OLE compound file whose name does not
// say which program wrote it (application/msword, application/vnd.ms-excel).
// A format without a Reader is refused with ErrUnsupportedFormat wrapped.
func ReadFile(ctx context.Context, name string, data []byte, contentType string) (*Document, string, error) {
	if len(data) == 0 {
		return nil, FormatUnknown, fmt.Errorf("read %s: empty file", name)
	}
	format := Sniff(name, data)
	if format == FormatOLE {
		format = oleByContentType(contentType)
	}
	r, ok := readers[format]
	if !ok {
		return nil, format, fmt.Errorf("read %s: %w: not HTML, text, DOCX, PDF or XLSX, nor a legacy DOC, WPS, XLS or ET file (%d bytes)", name, ErrUnsupportedFormat, len(data))
	}
	doc, err := r.Read(ctx, data, contentType)
	if err != nil {
		return nil, format, fmt.Errorf("read %s as %s: %w", name, format, err)
	}
	return doc, format, nil
}

// oleByContentType names the program of an OLE compound file by the
// media type it was served with, else leaves it FormatOLE.
func oleByContentType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return FormatOLE
	}
	switch strings.ToLower(mt) {
	case "application/msword":
		return FormatDOC
	case "application/vnd.ms-excel":
		return FormatXLS
	case "application/kswps", "application/vnd.ms-works", "application/wps-office.wps":
		return FormatWPS
	case "application/kset", "application/wps-office.et":
		return FormatET
	}
	return FormatOLE
}
