package extract

import "errors"

// ReadHTML reads an HTML page into a Document. contentType is the HTTP
// Content-Type header (its charset wins); may be empty.
func ReadHTML(data []byte, contentType string) (*Document, error) {
	return nil, errors.New("read html: not implemented yet")
}
