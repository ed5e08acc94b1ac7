package extract

import "errors"

// ReadPDF reads a PDF's text into a Document.
func ReadPDF(data []byte) (*Document, error) {
	return nil, errors.New("read pdf: not implemented yet")
}
