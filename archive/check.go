package archive

// CheckFile inspects an archive file that may be damaged, read-only, and
// says what is wrong with it. It reads the file three ways, so that no one
// kind of damage hides the rest:
//
//   - its pages, without bbolt (pages.go): the meta page, a truncated end,
//     every page of every bucket's tree, with the bucket each damaged page
//     belongs to;
//   - bbolt's own consistency check (tx.Check), when that walk found nothing
//     that would make bbolt read outside the file (tx.Check runs in a
//     goroutine of its own, where a memory fault cannot be recovered);
//   - every record of every bucket through bbolt, each bucket under a guard
//     of its own and resuming past a damaged page at the next subtree, so
//     one bad page costs the records on it, not the bucket or the check.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

var (
	// keySalvaged is the meta key under which Salvage records what it lost.
	keySalvaged = []byte("salvaged")
	// zstdMagic starts every zstd frame.
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// SalvageRecord is stored (JSON) under the key "salvaged" of the meta
// bucket of an archive made by Salvage: where it came from and what could
// not be read. CheckFile reads it so that a payload recorded as lost is not
// reported again as damage.
type SalvageRecord struct {
	// From is the damaged file the archive was salvaged from.
	From string `json:"from"`
	// At is when.
	At time.Time `json:"at"`
	// LostCaptures are the IDs of the captures that could not be read.
	LostCaptures []string `json:"lost_captures,omitempty"`
	// LostBodies are the digests of payloads that could not be read while
	// captures of them were: those captures are kept without a body.
	LostBodies []string `json:"lost_bodies,omitempty"`
	// LostReports are the IDs of kept captures whose stored report could
	// not be read (`extract -db` makes it again).
	LostReports []string `json:"lost_reports,omitempty"`
}

// Problem is one thing CheckFile found wrong.
type Problem struct {
	// Bucket is the bucket ("captures", "idx_url", …), "file" for the file
	// itself, or "bbolt" for what bbolt's own check reported.
	Bucket string `json:"bucket"`
	// Key is the record's key as printed (a capture ID, a digest, a URL),
	// or "page N" for a damaged page.
	Key string `json:"key,omitempty"`
	// Reason says what is wrong.
	Reason string `json:"reason"`
}

// String prints the problem as check lists it: bucket, key, reason.
func (p Problem) String() string {
	if p.Key == "" {
		return p.Bucket + ": " + p.Reason
	}
	return p.Bucket + " " + p.Key + ": " + p.Reason
}

// BucketCount is how many records CheckFile read in a bucket and how many
// problems it found there.
type BucketCount struct {
	// Name is the bucket's name.
	Name string `json:"name"`
	// Records is how many records the walk through bbolt read in it.
	Records int `json:"records"`
	// Problems is how many of the report's problems are in it.
	Problems int `json:"problems"`
	// Missing is set when the file has no such bucket.
	Missing bool `json:"missing,omitempty"`
}

// CheckReport is what CheckFile found.
type CheckReport struct {
	// Path is the file checked; Size its size in bytes; PageSize bbolt's
	// page size as its meta page gives it.
	Path     string `json:"path"`
	Size     int64  `json:"size"`
	PageSize int64  `json:"page_size"`
	// Pages is the number of pages the last commit uses; TxID its ID.
	Pages uint64 `json:"pages"`
	TxID  uint64 `json:"txid"`
	// Deep is set when payloads were decompressed and their digests checked.
	Deep bool `json:"deep"`
	// BoltCheck is "ok", "N problems" or why bbolt's own check was skipped.
	BoltCheck string `json:"bolt_check"`
	// Buckets are the archive's buckets, in schema order.
	Buckets []BucketCount `json:"buckets"`
	// Problems are everything found wrong, in the order found.
	Problems []Problem `json:"problems"`
	// Notes are facts that are not problems (what an earlier salvage lost).
	Notes []string `json:"notes,omitempty"`
}

// Healthy reports whether no problem was found.
func (r *CheckReport) Healthy() bool { return len(r.Problems) == 0 }

// Summary is the report's last line: "healthy" or "damaged: N problems".
func (r *CheckReport) Summary() string {
	if r.Healthy() {
		return "healthy"
	}
	if len(r.Problems) == 1 {
		return "damaged: 1 problem"
	}
	return fmt.Sprintf("damaged: %d problems", len(r.Problems))
}

// WriteText prints the report for a person: the file, bbolt's check, the
// records and problems per bucket, at most maxProblems problems (and how
// many more), the notes, and the summary line last.
func (r *CheckReport) WriteText(w io.Writer, maxProblems int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "archive %s: %d bytes, %d pages of %d bytes in use (last commit tx %d)\n", r.Path, r.Size, r.Pages, r.PageSize, r.TxID)
	mode := "records decoded, keys and references checked"
	if r.Deep {
		mode += ", payload digests and texts verified (-deep)"
	}
	fmt.Fprintf(&b, "bbolt check: %s\n%s\n", r.BoltCheck, mode)
	fmt.Fprintf(&b, "%-12s %9s %9s\n", "bucket", "records", "problems")
	for _, c := range r.Buckets {
		if c.Missing {
			fmt.Fprintf(&b, "%-12s %9s %9d\n", c.Name, "missing", c.Problems)
			continue
		}
		fmt.Fprintf(&b, "%-12s %9d %9d\n", c.Name, c.Records, c.Problems)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(&b, "problems:\n")
		for i, p := range r.Problems {
			if maxProblems > 0 && i == maxProblems {
				fmt.Fprintf(&b, "  and %d more\n", len(r.Problems)-i)
				break
			}
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	fmt.Fprintf(&b, "%s\n", r.Summary())
	_, err := io.WriteString(w, b.String())
	return err
}

// CheckOptions configure CheckFile.
type CheckOptions struct {
	// Deep decompresses every payload and text, and checks each payload
	// against its digest.
	Deep bool
	// Timeout is how long to wait for a process holding the file (zero: 2
	// seconds), after which CheckFile fails with ErrInUse.
	Timeout time.Duration
}

// CheckFile checks the archive file at path, which it opens read-only and
// never writes. A damaged file is not an error: its damage is in the
// report (a truncated file is one whose meta page is still readable). The
// error is for a file that cannot be inspected at all: missing, held by
// another process (ErrInUse), not a bbolt file (or both of its meta pages
// destroyed), or a bbolt file that is not an archive.
func CheckFile(path string, opts CheckOptions) (*CheckReport, error) {
	src, err := openSource(path, opts.Timeout)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if src.pf.metaErr != nil {
		return nil, fmt.Errorf("check %s: not a bbolt file, or both of its meta pages are damaged (%v); `archive salvage` can still scan its pages", path, src.pf.metaErr)
	}
	if !src.isArchive() {
		return nil, fmt.Errorf("check %s: a bbolt file, but not a nianbao archive (no captures bucket)", path)
	}
	m := src.pf.meta
	c := &checker{src: src, deep: opts.Deep, counts: map[string]*BucketCount{},
		rep: &CheckReport{Path: path, Size: src.pf.size, PageSize: src.pf.pageSize, Pages: m.HWM, TxID: m.TxID, Deep: opts.Deep}}
	for _, b := range allBuckets {
		bc := &BucketCount{Name: string(b)}
		c.counts[bc.Name] = bc
		c.rep.Buckets = append(c.rep.Buckets, *bc)
	}
	for _, f := range src.tree.Faults {
		key := fmt.Sprintf("page %d", f.Page)
		if f.File {
			key = ""
		}
		c.problem(faultBucket(f), key, f.Reason)
	}
	c.boltCheck()
	if src.db == nil {
		c.problem("file", "", fmt.Sprintf("bbolt cannot open it (%v): its records were not read", src.dbErr))
	} else if err := c.records(); err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	for i := range c.rep.Buckets {
		c.rep.Buckets[i] = *c.counts[c.rep.Buckets[i].Name]
	}
	return c.rep, nil
}

func faultBucket(f pageFault) string {
	switch {
	case f.File:
		return "file"
	case f.Bucket != "":
		return f.Bucket
	}
	return "buckets"
}

// source is an archive file opened for reading whatever state it is in: its
// pages read without bbolt, and bbolt read-only when bbolt can open it.
type source struct {
	path  string
	file  *os.File
	pf    *pageFile
	tree  *treeWalk
	db    *bolt.DB // nil when bbolt cannot open the file
	dbErr error
	dec   *zstd.Decoder
}

// openSource opens path read-only. It fails only when the file cannot be
// read at all or another process holds it.
func openSource(path string, timeout time.Duration) (*source, error) {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open archive %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open archive %s: %w", path, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open archive %s: is a directory", path)
	}
	s := &source{path: path, file: f, pf: openPageFile(f, st.Size())}
	s.tree = walkTree(s.pf, nil)
	s.dec, err = newDecoder(zstd.WithDecoderConcurrency(1))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open archive %s: zstd: %w", path, err)
	}
	if s.pf.metaErr != nil {
		s.dbErr = s.pf.metaErr
		return s, nil
	}
	s.dbErr = readGuard(path, func() error {
		db, err := bolt.Open(path, 0o444, &bolt.Options{ReadOnly: true, Timeout: timeout})
		s.db = db
		return err
	})
	if errors.Is(s.dbErr, bolt.ErrTimeout) {
		s.Close()
		if h, ok := ReadHolder(path); ok {
			return nil, fmt.Errorf("open archive %s: %w (waited %s; held by %s)", path, ErrInUse, timeout, h)
		}
		return nil, fmt.Errorf("open archive %s: %w (waited %s)", path, ErrInUse, timeout)
	}
	return s, nil
}

// isArchive reports whether the file looks like an archive: its bucket
// list names a captures bucket, or cannot be read (a damaged archive).
func (s *source) isArchive() bool {
	if _, ok := s.tree.Buckets[string(bucketCaptures)]; ok {
		return true
	}
	for _, f := range s.tree.Faults {
		if f.Bucket == "" && !f.File {
			return true // the bucket list itself is damaged: it may have been
		}
	}
	return false
}

// Close closes the file.
func (s *source) Close() error {
	if s.dec != nil {
		s.dec.Close()
	}
	var err error
	if s.db != nil {
		err = s.db.Close()
	}
	if cerr := s.file.Close(); err == nil {
		err = cerr
	}
	return err
}

// view runs fn in a read transaction of the source, damage met outside a
// bucket walk turned into an error.
func (s *source) view(fn func(tx *bolt.Tx) error) error {
	return readGuard(s.path, func() error { return s.db.View(fn) })
}

// readGuard is guard for reading a damaged file: it also recovers a memory
// fault raised outside bbolt's code, as happens when a value bbolt returned
// runs onto a page past the end of a truncated (memory-mapped) file. Any
// other panic is a bug and is re-raised.
func readGuard(path string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if f, fault := p.(interface{ Addr() uintptr }); fault {
			err = &DamageError{Path: path, Detail: fmt.Sprintf("a page could not be read: a memory fault at %#x (a page past the end of the file, or a damaged page pointing outside it)", f.Addr())}
			return
		}
		if !panickedInBolt() {
			panic(p)
		}
		err = &DamageError{Path: path, Detail: fmt.Sprintf("bbolt could not read a page (%v)", p)}
	}()
	return fn()
}

// eachRecord calls fn for every record of the top-level bucket name, in key
// order, inside tx. When a damaged page stops the walk it records where,
// and resumes at the first subtree after the last key read (the walk of the
// pages knows the first key of every subtree). k and v are only valid
// during the call. missing is set when the bucket does not exist; damage
// lists each stretch that was skipped; err is fn's error.
func (s *source) eachRecord(tx *bolt.Tx, name []byte, fn func(k, v []byte) error) (missing bool, damage []string, err error) {
	var seps [][]byte
	if tb := s.tree.Buckets[string(name)]; tb != nil {
		seps = append(seps, tb.Separators...)
		sort.Slice(seps, func(i, j int) bool { return bytes.Compare(seps[i], seps[j]) < 0 })
	}
	var start, last []byte
	stopped := "" // the stop not yet followed by a successful resume
	for {
		r := s.walkFrom(tx, name, start, last, fn)
		last = r.last
		if stopped != "" && (r.progressed || r.damage == nil) {
			damage = append(damage, stopped+"; resumed at key "+printKey(name, start))
			stopped = ""
		}
		switch {
		case r.missing:
			return true, damage, nil
		case r.fnErr != nil || r.damage == nil:
			return false, damage, r.fnErr
		case !r.opened:
			return false, append(damage, "the bucket cannot be opened: "+r.damage.Detail), nil
		}
		if stopped == "" {
			where := "at its start"
			if last != nil {
				where = "after key " + printKey(name, last)
			}
			stopped = fmt.Sprintf("walk stopped %s: %s", where, r.damage.Detail)
		}
		pos := last
		if bytes.Compare(start, pos) > 0 {
			pos = start
		}
		next := nextSeparator(seps, pos)
		if next == nil {
			return false, append(damage, stopped+"; the records after it could not be reached"), nil
		}
		start = next
	}
}

// walkRound is one stretch of eachRecord's walk.
type walkRound struct {
	missing, opened, progressed bool
	// last is the last key read (a copy); damage what stopped the walk.
	last   []byte
	damage *DamageError
	fnErr  error
}

// walkFrom walks bucket name from start (nil: its first key) until its
// end, fn's error or a damaged page.
func (s *source) walkFrom(tx *bolt.Tx, name, start, last []byte, fn func(k, v []byte) error) walkRound {
	r := walkRound{last: last}
	err := readGuard(s.path, func() error {
		b := tx.Bucket(name)
		if b == nil {
			r.missing = true
			return nil
		}
		r.opened = true
		c := b.Cursor()
		var k, v []byte
		if start == nil {
			k, v = c.First()
		} else {
			k, v = c.Seek(start)
		}
		for ; k != nil; k, v = c.Next() {
			r.last, r.progressed = append(r.last[:0], k...), true
			if r.fnErr = fn(k, v); r.fnErr != nil {
				return nil
			}
		}
		return nil
	})
	if err != nil && !errors.As(err, &r.damage) {
		r.fnErr = err // not damage: cannot happen (readGuard only returns DamageError)
	}
	return r
}

// nextSeparator is the first of the sorted keys seps after pos (nil: any).
func nextSeparator(seps [][]byte, pos []byte) []byte {
	i := sort.Search(len(seps), func(i int) bool { return bytes.Compare(seps[i], pos) > 0 })
	if i == len(seps) {
		return nil
	}
	return seps[i]
}

// printKey prints a key of bucket for a person: a capture or run ID in
// decimal, text keys quoted (index keys with their 0x00 id8 as "/id").
func printKey(bucket, k []byte) string {
	switch string(bucket) {
	case string(bucketCaptures), string(bucketPayloads), string(bucketReports), string(bucketExtracted), string(bucketRuns), string(bucketAudits), string(bucketLinks):
		if len(k) == 8 {
			return idString(k)
		}
	case string(bucketByURL), string(bucketByAgency), string(bucketByRole), string(bucketByDigest):
		if len(k) >= 9 && k[len(k)-9] == 0 {
			return strconv.Quote(clip(string(k[:len(k)-9]))) + "/" + idString(k[len(k)-8:])
		}
	}
	return strconv.Quote(clip(string(k)))
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// checker is CheckFile's state.
type checker struct {
	src    *source
	deep   bool
	rep    *CheckReport
	counts map[string]*BucketCount
	// caps are the captures that decode, by ID.
	caps map[uint64]*Capture
	// bodies are the payload digests present; indexed[bucket][id] the
	// captures listed by each index.
	bodies  map[string]bool
	indexed map[string]map[uint64]bool
	// salvaged is the record of an earlier salvage, if any.
	salvaged *SalvageRecord
	// unverified counts payloads whose capture record does not decode.
	unverified int
	// tx is the transaction records reads in; sites the decoders of the
	// site dictionaries rebuilt (checkdicts.go).
	tx    *bolt.Tx
	sites *siteDicts
}

func (c *checker) problem(bucket, key, reason string) {
	c.rep.Problems = append(c.rep.Problems, Problem{Bucket: bucket, Key: key, Reason: reason})
	if bc := c.counts[bucket]; bc != nil {
		bc.Problems++
	}
}

// boltCheck runs bbolt's consistency check, unless the walk of the pages
// found damage bbolt's check could not survive.
func (c *checker) boltCheck() {
	switch {
	case c.src.db == nil:
		c.rep.BoltCheck = "skipped: bbolt cannot open the file"
		return
	case c.src.tree.Unsafe:
		c.rep.BoltCheck = "skipped: some pages it would read lie outside the file or are malformed (see the page problems below)"
		return
	}
	n := 0
	err := c.src.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() { // drained to the end: the check holds tx
			n++
			if n <= 100 {
				c.problem("bbolt", "", err.Error())
			}
		}
		return nil
	})
	if err != nil {
		n++
		c.problem("bbolt", "", err.Error())
	}
	switch {
	case n == 0:
		c.rep.BoltCheck = "ok"
	case n > 100:
		c.problem("bbolt", "", fmt.Sprintf("and %d more problems", n-100))
		c.rep.BoltCheck = fmt.Sprintf("%d problems", n)
	default:
		c.rep.BoltCheck = fmt.Sprintf("%d problems", n)
	}
}

// records reads every bucket through bbolt, then checks what refers to
// what.
func (c *checker) records() error {
	c.caps = map[uint64]*Capture{}
	c.bodies = map[string]bool{}
	c.indexed = map[string]map[uint64]bool{}
	return c.src.view(func(tx *bolt.Tx) error {
		c.tx = tx
		steps := []struct {
			bucket []byte
			fn     func(k, v []byte) error
		}{
			{bucketMeta, c.meta}, {bucketCaptures, c.capture}, {bucketBodies, c.body}, {bucketTexts, c.text},
			{bucketDictHosts, c.dictHost}, {bucketPayloads, c.payload},
			{bucketByURL, c.index(bucketByURL, func(cp *Capture) string { return cp.URL })},
			{bucketByAgency, c.index(bucketByAgency, func(cp *Capture) string { return cp.Agency })},
			{bucketByRole, c.index(bucketByRole, func(cp *Capture) string { return string(cp.Role) })},
			{bucketByDigest, c.index(bucketByDigest, func(cp *Capture) string { return cp.Digest })},
			{bucketURLs, c.urlState}, {bucketReports, c.report}, {bucketRuns, c.run}, {bucketRunNew, c.runNew}, {bucketAudits, c.audit},
			{bucketExtracted, c.extracted}, {bucketFrontier, c.frontier}, {bucketQueued, c.queued}, {bucketVisited, c.visited},
			{bucketLinks, c.links},
		}
		for _, st := range steps {
			name := string(st.bucket)
			missing, damage, err := c.src.eachRecord(tx, st.bucket, func(k, v []byte) error {
				c.counts[name].Records++
				return st.fn(k, v)
			})
			if err != nil {
				return err
			}
			if missing && !slices.ContainsFunc(sinceSchema2, func(b []byte) bool { return bytes.Equal(b, st.bucket) }) {
				c.counts[name].Missing = true
				c.problem(name, "", "the bucket is missing")
			}
			for _, d := range damage {
				c.problem(name, "", d)
			}
		}
		c.references()
		return nil
	})
}

func (c *checker) meta(k, v []byte) error {
	switch {
	case bytes.Equal(k, keySchema):
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 1 || n > SchemaVersion {
			c.problem("meta", "schema", fmt.Sprintf("schema version %q is not one this program reads (1 to %d)", v, SchemaVersion))
		}
	case bytes.Equal(k, keySalvaged):
		var r SalvageRecord
		if err := json.Unmarshal(v, &r); err != nil {
			c.problem("meta", "salvaged", "does not decode: "+err.Error())
			return nil
		}
		c.salvaged = &r
	}
	return nil
}

func (c *checker) capture(k, v []byte) error {
	key := printKey(bucketCaptures, k)
	cp, err := decodeCapture(c.src.dec, k, v)
	if err != nil {
		c.problem("captures", key, err.Error())
		return nil
	}
	c.caps[binary64(k)] = cp
	return nil
}

// decodeCapture decodes a capture record of either form (see record.go)
// and checks it against its key.
func decodeCapture(dec *zstd.Decoder, k, v []byte) (*Capture, error) {
	if len(k) != 8 {
		return nil, fmt.Errorf("key is %d bytes, not a capture ID", len(k))
	}
	js, err := captureJSON(dec, v)
	if err != nil {
		return nil, err
	}
	var cp Capture
	if err := json.Unmarshal(js, &cp); err != nil {
		return nil, fmt.Errorf("record does not decode: %v", err)
	}
	switch {
	case cp.ID != idString(k):
		return nil, fmt.Errorf("record says it is capture %q", cp.ID)
	case cp.URL == "":
		return nil, errors.New("record has no URL")
	case cp.Digest != "" && !isDigest([]byte(cp.Digest)):
		return nil, fmt.Errorf("digest %q is not sha256:<hex>", clip(cp.Digest))
	}
	return &cp, nil
}

func binary64(k []byte) uint64 {
	var n uint64
	for _, b := range k {
		n = n<<8 | uint64(b)
	}
	return n
}

// isDigest reports whether k is "sha256:" and 64 lowercase hex digits.
func isDigest(k []byte) bool {
	if len(k) != 7+64 || !bytes.HasPrefix(k, []byte("sha256:")) {
		return false
	}
	for _, b := range k[7:] {
		if (b < '0' || b > '9') && (b < 'a' || b > 'f') {
			return false
		}
	}
	return true
}

func (c *checker) body(k, v []byte) error {
	key := printKey(bucketBodies, k)
	if !isDigest(k) {
		c.problem("bodies", key, "key is not sha256:<hex>")
		return nil
	}
	c.bodies[string(k)] = true
	if !c.deep {
		if !isPayloadValue(v) {
			c.problem("bodies", key, "value is not zstd data")
		}
		c.siteDict("bodies", key, v)
		return nil
	}
	if !c.siteDict("bodies", key, v) {
		return nil
	}
	data, text, _, err := splitPayload(c.payloadDecoder(), v)
	if err != nil {
		c.problem("bodies", key, "does not decompress: "+err.Error())
		return nil
	}
	if sum := sha256.Sum256(data); string(k[7:]) != hex.EncodeToString(sum[:]) {
		c.problem("bodies", key, fmt.Sprintf("payload (%d bytes) does not match its digest", len(data)))
	}
	if !utf8.Valid(text) {
		c.problem("bodies", key, "its text is not valid UTF-8")
	}
	return nil
}

// payload checks a payloads record: keyed by the ID of a capture that
// records a digest, and with -deep, a body matching that digest.
func (c *checker) payload(k, v []byte) error {
	key := printKey(bucketPayloads, k)
	if len(k) != 8 {
		c.problem("payloads", key, "key is not a capture ID")
		return nil
	}
	cp := c.caps[binary64(k)]
	switch {
	case cp == nil:
		// Its capture's record is missing or damaged: that is reported
		// under captures; the payload has nothing to be verified against.
		c.unverified++
		return nil
	case cp.Digest == "":
		c.problem("payloads", key, "its capture records no digest")
		return nil
	}
	c.bodies[cp.Digest] = true
	if !c.deep {
		if !isPayloadValue(v) {
			c.problem("payloads", key, "value is not zstd data")
		}
		c.siteDict("payloads", key, v)
		return nil
	}
	if !c.siteDict("payloads", key, v) {
		return nil
	}
	data, text, _, err := splitPayload(c.payloadDecoder(), v)
	if err != nil {
		c.problem("payloads", key, "does not decompress: "+err.Error())
		return nil
	}
	if Digest(data) != cp.Digest {
		c.problem("payloads", key, fmt.Sprintf("payload (%d bytes) does not match its capture's digest %s", len(data), cp.Digest))
	}
	if !utf8.Valid(text) {
		c.problem("payloads", key, "its text is not valid UTF-8")
	}
	return nil
}

func (c *checker) text(k, v []byte) error {
	key := printKey(bucketTexts, k)
	if !isDigest(k) {
		c.problem("texts", key, "key is not sha256:<hex>")
		return nil
	}
	if !c.deep {
		if !bytes.HasPrefix(v, zstdMagic) {
			c.problem("texts", key, "value is not zstd data")
		}
		return nil
	}
	data, err := c.src.dec.DecodeAll(v, nil)
	switch {
	case err != nil:
		c.problem("texts", key, "does not decompress: "+err.Error())
	case !utf8.Valid(data):
		c.problem("texts", key, "is not valid UTF-8")
	}
	return nil
}

// index checks one entry of an index bucket: value 0x00 id8, empty value,
// naming a capture whose field (got from field) is value.
func (c *checker) index(bucket []byte, field func(*Capture) string) func(k, v []byte) error {
	name := string(bucket)
	seen := map[uint64]bool{}
	c.indexed[name] = seen
	return func(k, v []byte) error {
		key := printKey(bucket, k)
		if len(k) < 9 || k[len(k)-9] != 0 {
			c.problem(name, key, "key is not value 0x00 id8")
			return nil
		}
		if len(v) != 0 {
			c.problem(name, key, fmt.Sprintf("value is %d bytes, want none", len(v)))
		}
		id := binary64(k[len(k)-8:])
		cp := c.caps[id]
		switch {
		case cp == nil:
			c.problem(name, key, fmt.Sprintf("points at capture %d, which is missing or unreadable", id))
		case field(cp) != string(k[:len(k)-9]):
			c.problem(name, key, fmt.Sprintf("capture %d has %q there", id, clip(field(cp))))
		default:
			seen[id] = true
		}
		return nil
	}
}

func (c *checker) urlState(k, v []byte) error {
	if _, err := decodeState(c.src.dec, v); err != nil {
		c.problem("urls", printKey(bucketURLs, k), "does not decode: "+err.Error())
	}
	return nil
}

func (c *checker) report(k, v []byte) error {
	key := printKey(bucketReports, k)
	if len(k) != 8 {
		c.problem("reports", key, fmt.Sprintf("key is %d bytes, not a capture ID", len(k)))
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(v, &obj); err != nil {
		c.problem("reports", key, "is not a JSON object: "+err.Error())
		return nil
	}
	if c.caps[binary64(k)] == nil {
		c.problem("reports", key, "its capture is missing or unreadable")
	}
	return nil
}

func (c *checker) run(k, v []byte) error {
	key := printKey(bucketRuns, k)
	if _, err := decodeRun(k, v); err != nil {
		c.problem("runs", key, err.Error())
	}
	return nil
}

// runNew checks a key of a run's New list (run_new, see runnew.go).
// links checks a links record decodes (derived data: a bad one only
// means the page is parsed again, but it is damage all the same): under a
// capture ID, a record of the form links.go writes, of a capture that is
// there; under a URL, one of the form written before.
func (c *checker) links(k, v []byte) error {
	key := printKey(bucketLinks, k)
	if len(k) != 8 {
		if _, err := decodeOldLinks(c.src.dec, v); err != nil {
			c.problem("links", key, "does not decode: "+err.Error())
		}
		return nil
	}
	cp := c.caps[binary64(k)]
	var err error
	if len(v) == 0 || v[0] != linksTag {
		err = errors.New("not a links record")
	} else if cp != nil {
		_, err = decodeLinks(c.src.dec, cp.URL, v)
	} else {
		_, err = decodeLinks(c.src.dec, "", v)
	}
	switch {
	case err != nil:
		c.problem("links", key, "does not decode: "+err.Error())
	case cp == nil:
		c.problem("links", key, "its capture is missing or unreadable")
	}
	return nil
}

// A value is a chunk of URLs or, as written before chunks, one URL.
func (c *checker) runNew(k, v []byte) error {
	if len(k) != 12 {
		c.problem("run_new", fmt.Sprintf("%x", k), fmt.Sprintf("key is %d bytes, not a run ID and an index", len(k)))
	} else if _, err := decodeRunNew(c.src.dec, v); err != nil {
		c.problem("run_new", fmt.Sprintf("%x", k), "does not decode: "+err.Error())
	}
	return nil
}

// decodeRun decodes a run record and checks it against its key.
func decodeRun(k, v []byte) (*Run, error) {
	if len(k) != 8 {
		return nil, fmt.Errorf("key is %d bytes, not a run ID", len(k))
	}
	var r Run
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("does not decode: %v", err)
	}
	if r.ID != idString(k) {
		return nil, fmt.Errorf("record says it is run %q", r.ID)
	}
	return &r, nil
}

func (c *checker) audit(k, v []byte) error {
	key := printKey(bucketAudits, k)
	switch {
	case len(k) != 8:
		c.problem("audits", key, fmt.Sprintf("key is %d bytes, not a run ID", len(k)))
	case !json.Valid(v):
		c.problem("audits", key, "is not valid JSON")
	}
	return nil
}

func (c *checker) extracted(k, v []byte) error {
	key := printKey(bucketExtracted, k)
	if _, err := decodeExtraction(k, v); err != nil {
		c.problem("extracted", key, err.Error())
	}
	return nil
}

// decodeExtraction decodes an extraction mark.
func decodeExtraction(k, v []byte) (*Extraction, error) {
	if len(k) != 8 {
		return nil, fmt.Errorf("key is %d bytes, not a capture ID", len(k))
	}
	var m Extraction
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, fmt.Errorf("does not decode: %v", err)
	}
	switch m.Outcome {
	case ExtractedReport, ExtractedNotReport, ExtractedFailed:
		return &m, nil
	}
	return nil, fmt.Errorf("outcome %q is none of report, not_report, failed", clip(string(m.Outcome)))
}

func (c *checker) frontier(k, v []byte) error {
	var it FrontierItem
	if err := json.Unmarshal(v, &it); err != nil {
		c.problem("frontier", printKey(bucketFrontier, k), "does not decode: "+err.Error())
	}
	return nil
}

func (c *checker) queued(k, v []byte) error {
	if bytes.IndexByte(k, 0) < 0 {
		c.problem("queued", printKey(bucketQueued, k), "key is not host 0x00 url")
	}
	return nil
}

func (c *checker) visited(k, v []byte) error {
	if _, err := time.Parse(time.RFC3339, string(v)); err != nil {
		c.problem("visited", printKey(bucketVisited, k), "value is not an RFC 3339 time")
	}
	return nil
}

// references checks, once every bucket is read, that every capture's
// payload is stored (or recorded lost by a salvage) and that every index
// lists every capture.
func (c *checker) references() {
	lost := map[string]bool{}
	if c.salvaged != nil {
		for _, d := range c.salvaged.LostBodies {
			lost[d] = true
		}
		c.rep.Notes = append(c.rep.Notes, fmt.Sprintf("salvaged from %s on %s: %d captures, %d payloads and %d reports were lost then (meta/salvaged)",
			c.salvaged.From, c.salvaged.At.Format(time.RFC3339), len(c.salvaged.LostCaptures), len(c.salvaged.LostBodies), len(c.salvaged.LostReports)))
	}
	ids := make([]uint64, 0, len(c.caps))
	for id := range c.caps {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	withoutBody := 0
	for _, id := range ids {
		cp := c.caps[id]
		if cp.Digest != "" && !c.bodies[cp.Digest] {
			if lost[cp.Digest] {
				withoutBody++
			} else {
				c.problem("captures", cp.ID, fmt.Sprintf("its payload %s is not in payloads or bodies", cp.Digest))
			}
		}
		for _, ix := range []struct {
			bucket []byte
			value  string
		}{{bucketByURL, cp.URL}, {bucketByAgency, cp.Agency}, {bucketByRole, string(cp.Role)}, {bucketByDigest, cp.Digest}} {
			if ix.value != "" && !c.indexed[string(ix.bucket)][id] {
				c.problem(string(ix.bucket), cp.ID, fmt.Sprintf("capture %d is not listed under %q", id, clip(ix.value)))
			}
		}
	}
	if c.unverified > 0 {
		c.rep.Notes = append(c.rep.Notes, fmt.Sprintf("%d payloads are kept under captures whose records are missing or damaged: they could not be verified", c.unverified))
	}
	if withoutBody > 0 {
		c.rep.Notes = append(c.rep.Notes, fmt.Sprintf("%d captures have no payload: it was lost before a salvage", withoutBody))
	}
}
