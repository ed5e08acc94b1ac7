// Package archive owns the bbolt file that holds every capture nianbao has
// ever made: the capture records, the raw response bodies (stored once per
// SHA-256 digest, zstd-compressed), their UTF-8 text, the lookup indexes,
// the crawl frontier, the extracted reports and the harvest runs.
//
// bbolt allows one writer process at a time. Open returns an error wrapping
// ErrInUse when another process holds the file, after Options.Timeout,
// instead of hanging. Readers open with Options.ReadOnly.
package archive

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the version of the bucket layout described in
// ARCHITECTURE.md. Open refuses a file written with a newer version.
// Version 2 compresses capture records and URL states, appends payloads
// in capture order (payloads.go), adds the report index (reportindex.go)
// and stores a run's New list apart from its record (runnew.go). A
// version-1 file is read as it is; opened for writing, it gets the report
// index and is marked version 2 (a version-1 program could neither read
// its new records nor keep the index), and its old records stay as they
// are. Version 3 compresses a site's HTML payloads against a dictionary of
// its own (sitedict.go); a version-2 file opened for writing is marked
// version 3 (a version-2 program could not read such payloads) and keeps
// its records as they are.
const SchemaVersion = 3

// ErrInUse is returned (wrapped) by Open when another process holds the
// archive, typically a running crawl or the serve daemon.
var ErrInUse = errors.New("archive in use by another process (a crawl, extract or serve holds it)")

// ErrNotFound is returned (wrapped) when a capture, body or report is absent.
var ErrNotFound = errors.New("not found")

// Bucket names. See ARCHITECTURE.md for the layout of keys and values.
var (
	bucketMeta      = []byte("meta")
	bucketCaptures  = []byte("captures")
	bucketBodies    = []byte("bodies")
	bucketTexts     = []byte("texts")
	bucketPayloads  = []byte("payloads")
	bucketByURL     = []byte("idx_url")
	bucketByAgency  = []byte("idx_agency")
	bucketByRole    = []byte("idx_role")
	bucketByDigest  = []byte("idx_digest")
	bucketURLs      = []byte("urls")
	bucketReports   = []byte("reports")
	bucketRuns      = []byte("runs")
	bucketFrontier  = []byte("frontier")
	bucketQueued    = []byte("queued")
	bucketVisited   = []byte("visited")
	bucketAudits    = []byte("audits")
	bucketExtracted = []byte("extracted")
	bucketRunNew    = []byte("run_new")
	allBuckets      = [][]byte{bucketMeta, bucketCaptures, bucketBodies, bucketTexts, bucketPayloads, bucketByURL, bucketByAgency, bucketByRole, bucketByDigest, bucketURLs, bucketReports, bucketRuns, bucketFrontier, bucketQueued, bucketVisited, bucketAudits, bucketExtracted, bucketRunNew, bucketLinks, bucketDictHosts}
	// sinceSchema2 are the buckets of allBuckets a schema-1 file lacks
	// until a schema-2 program opens it for writing (check does not call
	// them missing).
	sinceSchema2    = [][]byte{bucketRunNew, bucketPayloads, bucketLinks, bucketDictHosts}
	keySchema       = []byte("schema")
	maxDecompressed = uint64(2 << 30)
)

// allocSize is how much the file grows by once it is past it: bbolt's
// default (16 MB) left up to 16 MB unused at the end of every file, 3 KB a
// page on a 5,000-page archive. Each growth is one ftruncate and fsync.
const allocSize = 1 << 20

// Options configure Open.
type Options struct {
	// ReadOnly opens the file with a shared lock; writes fail.
	ReadOnly bool
	// Timeout is how long Open waits for another process to release the
	// file before failing with ErrInUse. Zero means 2 seconds.
	Timeout time.Duration
	// NoSync skips fsync after each commit (benchmarks only: a crash may
	// then lose recent captures).
	NoSync bool
}

// Archive is an open archive file. It is safe for concurrent use by
// multiple goroutines.
type Archive struct {
	db   *bolt.DB
	path string
	enc  *zstd.Encoder // payloads and texts
	rec  *zstd.Encoder // capture records, against recordDict
	st   *zstd.Encoder // URL states, against stateDict
	dec  *zstd.Decoder // all of them
	// sites are the site dictionaries of HTML payloads (sitedict.go).
	sites *siteDicts

	batcher batcher // groups concurrent writes into shared commits
}

// Open opens (creating it unless ReadOnly) the archive at path. A damaged
// file (truncated, or with pages bbolt cannot read) is an error wrapping
// ErrDamaged, never a panic.
func Open(path string, opts Options) (*Archive, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open archive %s: %w", path, err)
		}
	}
	if err := checkFileSize(path); err != nil {
		return nil, err
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o644, boltOptions(opts, timeout))
		return err
	})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			if h, ok := ReadHolder(path); ok {
				return nil, fmt.Errorf("open archive %s: %w (waited %s; held by %s)", path, ErrInUse, timeout, h)
			}
			return nil, fmt.Errorf("open archive %s: %w (waited %s)", path, ErrInUse, timeout)
		}
		if errors.Is(err, ErrDamaged) {
			return nil, err
		}
		if errors.Is(err, bolt.ErrInvalid) || errors.Is(err, bolt.ErrChecksum) || errors.Is(err, bolt.ErrVersionMismatch) {
			return nil, &DamageError{Path: path, Detail: fmt.Sprintf("bbolt refuses the file (%v)", err)}
		}
		return nil, fmt.Errorf("open archive %s: %w", path, err)
	}
	// Grow the file by allocSize at a time past the first megabyte, not by
	// bbolt's 16 MB, so the file stays close to the data it holds.
	db.AllocSize = allocSize
	a := &Archive{db: db, path: path}
	// The codecs first: preparing a file for writing may read records
	// (building the report index of an older file reads captures).
	if err := a.openCodecs(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open archive %s: zstd: %w", path, err)
	}
	if err := a.prepare(opts.ReadOnly); err != nil {
		db.Close()
		if errors.Is(err, ErrDamaged) {
			return nil, err
		}
		return nil, fmt.Errorf("open archive %s: %w", path, err)
	}
	return a, nil
}

// openCodecs sets up the archive's zstd encoders (payloads, capture
// records, URL states) and its decoder.
func (a *Archive) openCodecs() (err error) {
	if a.enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault)); err != nil {
		return err
	}
	if a.rec, err = newRecordEncoder(); err != nil {
		return err
	}
	if a.st, err = newStateEncoder(); err != nil {
		return err
	}
	a.sites = newSiteDicts()
	a.dec, err = newDecoder()
	return err
}

// boltOptions are the bbolt options of Open: bbolt's defaults, measured
// against the alternatives on a 100k-capture (500 MB) archive. Its
// freelist holds ~140 pages, so the hash-map freelist saves nothing per
// commit (and, allocating in map order, makes the file's layout vary from
// run to run); not syncing the freelist (NoFreelistSync) saves one page a
// commit but makes every writer's Open read every page of the file to
// rebuild it (3.4 s, and the whole file resident). A new file gets pages
// of newPageSize bytes; an existing file keeps the page size it has.
func boltOptions(opts Options, timeout time.Duration) *bolt.Options {
	return &bolt.Options{Timeout: timeout, ReadOnly: opts.ReadOnly, NoSync: opts.NoSync, PageSize: newPageSize}
}

// newPageSize is the page size of a new archive file. A payload value is
// 0.5-2 KB: 4 KB pages hold two or three and are left 25-30% empty (the
// payloads bucket took 2,093 B per page for 1,505 B of values on the
// benchmark world), 8 KB pages 12% (1,743 B), and the first crawl's file
// was 10% smaller, no slower. 16 KB pages packed values no better than 8 KB
// but each commit rewrote more, leaving the file 6% larger.
const newPageSize = 8192

// prepare creates the buckets and the schema version of a file opened for
// writing, or checks that a file opened read-only is an archive.
func (a *Archive) prepare(readOnly bool) error {
	if readOnly {
		return a.view(func(tx *bolt.Tx) error {
			if tx.Bucket(bucketCaptures) == nil {
				return errors.New("not a nianbao archive (no captures bucket)")
			}
			return nil
		})
	}
	return a.update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keySchema); v != nil {
			n, _ := strconv.Atoi(string(v))
			if n > SchemaVersion {
				return fmt.Errorf("schema version %d is newer than this program's %d", n, SchemaVersion)
			}
			if n == SchemaVersion && tx.Bucket(bucketReportHost) != nil {
				return nil
			}
			if n >= 2 && tx.Bucket(bucketReportHost) != nil {
				// Indexed by a version-2 program: only the mark changes.
				return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
			}
		}
		if err := a.buildReportIndex(tx); err != nil {
			return err
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	})
}

// Path returns the file the archive was opened from.
func (a *Archive) Path() string { return a.path }

// Close releases the file lock.
func (a *Archive) Close() error {
	a.dec.Close()
	if err := a.db.Close(); err != nil {
		return fmt.Errorf("close archive %s: %w", a.path, err)
	}
	return nil
}

// idKey encodes a capture (or run) ID as its 8-byte big-endian key.
func idKey(id uint64) []byte { return ID(id).key() }

// parseID returns the key of a capture ID's text form; a malformed ID is
// not found.
func parseID(id string) ([]byte, error) {
	n, err := ParseID(id)
	if err != nil {
		return nil, fmt.Errorf("capture id %q: %w", id, ErrNotFound)
	}
	return n.key(), nil
}

// idString returns the text form of an 8-byte key.
func idString(k []byte) string { return idOfKey(k).String() }

// indexKey is prefix 0x00 id8; the 0x00 separator keeps "a" from matching
// "ab" in a prefix scan.
func indexKey(prefix string, id []byte) []byte {
	k := make([]byte, 0, len(prefix)+1+len(id))
	k = append(k, prefix...)
	k = append(k, 0)
	return append(k, id...)
}
