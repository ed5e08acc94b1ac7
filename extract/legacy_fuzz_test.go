package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// legacyStreams returns the named streams of every fixture with ext.
func legacyStreams(f *testing.F, ext string, names ...string) []map[string][]byte {
	files, _ := filepath.Glob(filepath.Join(legacyDir, "*"+ext))
	var out []map[string][]byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		st, err := oleStreams(b, names...)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

// FuzzReadDOC: ReadDOC never panics on any file and returns rectangular
// grids.
func FuzzReadDOC(f *testing.F) {
	addFileSeeds(f, filepath.Join(legacyDir, "*.doc"))
	f.Add(append([]byte(nil), magicOLE...))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := ReadDOC(b)
		if err != nil {
			return
		}
		checkDoc(t, doc)
	})
}

// FuzzDOCStreams fuzzes the Word reader below the compound file: the
// WordDocument and table streams directly (the fuzzer reaches the FIB,
// piece table and PAPX pages far sooner than through the container).
func FuzzDOCStreams(f *testing.F) {
	for _, st := range legacyStreams(f, ".doc", "WordDocument", "0Table", "1Table") {
		tbl := st["1Table"]
		if tbl == nil {
			tbl = st["0Table"]
		}
		f.Add(st["WordDocument"], tbl)
	}
	f.Fuzz(func(t *testing.T, wd, tbl []byte) {
		doc, err := readDOCStreams(map[string][]byte{"WordDocument": wd, "0Table": tbl, "1Table": tbl, "Data": tbl})
		if err != nil {
			return
		}
		checkDoc(t, doc)
	})
}

// FuzzReadXLS: ReadXLS never panics on any file and returns rectangular
// grids.
func FuzzReadXLS(f *testing.F) {
	addFileSeeds(f, filepath.Join(legacyDir, "*.xls"))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := ReadXLS(b)
		if err != nil {
			return
		}
		checkDoc(t, doc)
	})
}

// FuzzWorkbook fuzzes the BIFF8 record reader on the Workbook stream.
func FuzzWorkbook(f *testing.F) {
	for _, st := range legacyStreams(f, ".xls", "Workbook") {
		f.Add(st["Workbook"])
	}
	f.Add([]byte{0x09, 0x08, 0x04, 0x00, 0x00, 0x06, 0x05, 0x00, 0x0A, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, wb []byte) {
		doc, err := readWorkbook(wb, "")
		if err != nil {
			return
		}
		checkDoc(t, doc)
	})
}
