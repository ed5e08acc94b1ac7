package extract

import "errors"

// ReadXLSX reads an Excel 2007+ (.xlsx) workbook into a Document.
func ReadXLSX(data []byte) (*Document, error) {
	return nil, errors.New("read xlsx: not implemented yet")
}
