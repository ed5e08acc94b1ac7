package report

import "strconv"

// FormatNumber writes v as a JSON number: integers without a fraction.
func FormatNumber(v float64) []byte {
	if v == float64(int64(v)) && v < 1e15 && v > -1e15 {
		return strconv.AppendInt(nil, int64(v), 10)
	}
	return strconv.AppendFloat(nil, v, 'f', -1, 64)
}

func parseJSONNumber(b []byte) (float64, error) {
	return strconv.ParseFloat(string(b), 64)
}
