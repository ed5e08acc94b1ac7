package warc

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// fileNamer names the WARC files of one export
// nianbao-<timestamp>-<serial>.warc (the writer adds .gz): the timestamp
// of the export's start (14 digits, UTC), the serial counting from 00001.
// It never looks at the network (gowarc's PatternNameGenerator looks up
// the host's IP address for its default pattern).
type fileNamer struct {
	dir    string
	stamp  string
	serial atomic.Int32
}

func newFileNamer(dir string, start time.Time) *fileNamer {
	return &fileNamer{dir: dir, stamp: start.UTC().Format("20060102150405")}
}

// NewWarcfileName implements gowarc.WarcFileNameGenerator.
func (n *fileNamer) NewWarcfileName() (string, string) {
	return n.dir, fmt.Sprintf("nianbao-%s-%05d.warc", n.stamp, n.serial.Add(1))
}

// written is where one record of a Write call landed.
type written struct {
	file   string // base name of the WARC file
	offset int64
	length int64 // bytes in the file (its gzip member)
}

// fileWriter writes records through gowarc's WarcFileWriter: one gzip
// member per record, a warcinfo record opening each file. It rotates
// itself, between two captures, once the current file has reached
// maxSize, so the records of one capture (request, response, conversion,
// metadata) always share a file.
type fileWriter struct {
	dir     string
	maxSize int64
	w       *gowarc.WarcFileWriter
	current string // name of the file being written, "" before the first
	size    int64  // its size on disk
	files   []string
}

func newFileWriter(dir string, maxSize int64, namer gowarc.WarcFileNameGenerator, info func(gowarc.WarcRecordBuilder) error) *fileWriter {
	w := gowarc.NewWarcFileWriter(
		gowarc.WithFileNameGenerator(namer),
		gowarc.WithCompression(true),
		gowarc.WithMaxFileSize(0), // rotation is ours: per capture
		gowarc.WithWarcInfoFunc(info),
		gowarc.WithRecordOptions(recordOptions()...),
	)
	return &fileWriter{dir: dir, maxSize: maxSize, w: w}
}

// write writes the records of one capture to the current file (a new one
// when it is full) and returns where each landed.
func (fw *fileWriter) write(recs []gowarc.WarcRecord) ([]written, error) {
	if fw.current != "" && fw.maxSize > 0 && fw.size >= fw.maxSize {
		if err := fw.w.Rotate(); err != nil {
			return nil, fmt.Errorf("rotate WARC file %s: %w", fw.current, err)
		}
		fw.current = ""
	}
	res := fw.w.Write(recs...)
	if len(res) != len(recs) {
		return nil, fmt.Errorf("write WARC records: the writer is closed")
	}
	for _, r := range res {
		if r.Err != nil {
			return nil, fmt.Errorf("write WARC record to %s: %w", r.FileName, r.Err)
		}
	}
	name := res[0].FileName
	if name != fw.current {
		fw.current = name
		fw.files = append(fw.files, name)
	}
	st, err := os.Stat(filepath.Join(fw.dir, name+".open"))
	if err != nil {
		return nil, fmt.Errorf("WARC file %s: %w", name, err)
	}
	fw.size = st.Size()
	out := make([]written, len(res))
	for i, r := range res {
		end := fw.size
		if i+1 < len(res) {
			end = res[i+1].FileOffset
		}
		out[i] = written{file: name, offset: r.FileOffset, length: end - r.FileOffset}
	}
	return out, nil
}

// Close closes the last file (dropping its .open suffix) and returns the
// names of every file written.
func (fw *fileWriter) Close() ([]string, error) {
	if err := fw.w.Close(); err != nil {
		return fw.files, fmt.Errorf("close WARC writer: %w", err)
	}
	return fw.files, nil
}

// recordOptions are the options of every record nianbao builds: WARC/1.1,
// SHA-256 digests in base 16 (the archive's own digests, so a payload
// digest is a capture's digest), missing block digests computed, and any
// validation finding an error.
func recordOptions() []gowarc.WarcRecordOption {
	return []gowarc.WarcRecordOption{
		gowarc.WithVersion(gowarc.V1_1),
		gowarc.WithDefaultDigestAlgorithm("sha256"),
		gowarc.WithDefaultDigestEncoding(gowarc.Base16),
		gowarc.WithAddMissingDigest(true),
		gowarc.WithSpecViolationPolicy(gowarc.ErrFail),
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrFail),
		gowarc.WithBufferMaxMemBytes(1 << 20),
	}
}
