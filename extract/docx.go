package extract

import "errors"

// ReadDOCX reads a Word 2007+ (.docx) document into a Document.
func ReadDOCX(data []byte) (*Document, error) {
	return nil, errors.New("read docx: not implemented yet")
}
