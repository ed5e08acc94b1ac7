package archive

// This file is the capture ID: one type for every place that reads, orders
// or keys captures by ID.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// ID is a capture ID: a positive integer, handed out in the order captures
// are made. Its text form (Capture.ID, URLs, the reports bucket's
// callers) is the decimal number without sign or leading zeros; its key
// form in bbolt is 8 bytes big-endian, so keys sort in capture order.
type ID uint64

// errBadID is what ParseID wraps.
var errBadID = errors.New("not a capture id (a positive decimal integer)")

// maxIDDigits bounds the text form: IDs stay below 10^19 (and so within
// an int64 for whoever reads them as numbers).
const maxIDDigits = 19

// ParseID reads the text form of a capture ID. Anything else (empty, 0,
// a sign, leading zeros, other characters, more than 19 digits) is an
// error.
func ParseID(s string) (ID, error) {
	if s == "" || s[0] == '0' || len(s) > maxIDDigits {
		return 0, fmt.Errorf("capture id %q: %w", s, errBadID)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("capture id %q: %w", s, errBadID)
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("capture id %q: %w", s, errBadID)
	}
	return ID(n), nil
}

// ValidID reports whether s is the text form of a capture ID.
func ValidID(s string) bool {
	_, err := ParseID(s)
	return err == nil
}

// IDNum is the number of a capture ID's text form, 0 when s is not one:
// for ordering IDs numerically.
func IDNum(s string) uint64 {
	id, err := ParseID(s)
	if err != nil {
		return 0
	}
	return uint64(id)
}

// String returns the text form of id.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 10) }

// key returns the 8-byte big-endian key of id.
func (id ID) key() []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(id))
	return k[:]
}

// idOfKey reads an 8-byte big-endian key.
func idOfKey(k []byte) ID { return ID(binary.BigEndian.Uint64(k)) }
