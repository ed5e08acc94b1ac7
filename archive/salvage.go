package archive

// Salvage copies what can be read of a damaged archive into a new one, in
// three phases:
//
//  1. a logical walk of every bucket through bbolt (read-only), each bucket
//     under a guard of its own and resuming past damaged pages (see
//     source.eachRecord);
//  2. a scan of every page of the file without bbolt (pages.go): every leaf
//     page whose header names its own position, live or freed, gives
//     records. On a page of the live tree the bucket is known; elsewhere a
//     record is classified by its shape: a capture is an 8-byte key with a
//     JSON record naming that ID, a URL and a fetch time; a payload is a
//     "sha256:<hex>" key with zstd data that hashes to the key; a text is
//     one that does not, kept only when it is valid UTF-8 and a payload or
//     capture of that digest was kept. The scan only adds what the walk
//     missed, and only immutable records (captures, bodies, texts): a freed
//     page may hold an old version of a URL state, a report or a run;
//  3. what is derived is made again from the captures kept: the four
//     indexes, and the URL state of every URL whose state was lost or names
//     a capture or payload that was lost.
//
// Captures keep their IDs (and exact records); the crawl frontier is
// dropped, so the next crawl starts from the seeds.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// SalvageOptions configure Salvage.
type SalvageOptions struct {
	// Timeout is how long to wait for a process holding the damaged file
	// (zero: 2 seconds).
	Timeout time.Duration
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
}

// SalvageCount is what Salvage kept and lost of one kind of record.
type SalvageCount struct {
	// Name is the bucket.
	Name string `json:"name"`
	// Kept is how many records the new archive has.
	Kept int `json:"kept"`
	// FromPages is how many of them only the page scan found.
	FromPages int `json:"from_pages"`
	// Lost is how many are known to be lost.
	Lost int `json:"lost"`
	// Unknown is set when records were on damaged pages where no record
	// says how many: more than Lost may be lost.
	Unknown bool `json:"unknown,omitempty"`
	// Note says more (what was rebuilt, what to run).
	Note string `json:"note,omitempty"`
}

// LostCapture is a capture Salvage could not read.
type LostCapture struct {
	// ID is the capture's ID.
	ID string `json:"id"`
	// URL is the URL an index of the damaged file still lists it under,
	// when one does.
	URL string `json:"url,omitempty"`
}

// SalvageReport is what Salvage kept and lost.
type SalvageReport struct {
	// From is the damaged file, To the new archive.
	From string `json:"from"`
	To   string `json:"to"`
	// Counts are per kind of record, in the order of the buckets.
	Counts []SalvageCount `json:"counts"`
	// LostCaptures are the captures that could not be read, by ID: the
	// gaps in the ID sequence.
	LostCaptures []LostCapture `json:"lost_captures,omitempty"`
	// WithoutBody are the IDs of captures kept whose payload was lost.
	WithoutBody []string `json:"without_body,omitempty"`
	// LostReports are the IDs of captures kept whose stored report was
	// lost; ReportsMayBeLost is set when the walk of the reports was cut,
	// so others may be lost that no record names.
	LostReports      []string `json:"lost_reports,omitempty"`
	ReportsMayBeLost bool     `json:"reports_may_be_lost,omitempty"`
	// Dropped counts the frontier, queued and visited entries left out.
	Dropped int `json:"dropped"`
	// Damage is what the walks met: damaged pages and where a bucket's
	// walk was cut.
	Damage []string `json:"damage,omitempty"`
	// Check is CheckFile's report on the new archive.
	Check *CheckReport `json:"check"`
}

// Salvage copies every record it can read from the archive file src into a
// new archive at dst (see the comment at the top of salvage.go for how).
// src is opened read-only and never written; dst must not exist. The new
// archive is built beside dst and moved there only when it is complete and
// passes CheckFile, so a failed salvage leaves no dst. Losing records is
// not an error: the report says what was lost. The error is for a salvage
// that could not run (src unreadable or in use, dst exists, a write
// failed, ctx cancelled).
func Salvage(ctx context.Context, src, dst string, opts SalvageOptions) (*SalvageReport, error) {
	if _, err := os.Lstat(dst); err == nil {
		return nil, fmt.Errorf("salvage %s: %s exists; give the name of a new file", src, dst)
	}
	in, err := openSource(src, opts.Timeout)
	if err != nil {
		return nil, fmt.Errorf("salvage %s: %w", src, err)
	}
	defer in.Close()
	if in.pf.metaErr == nil && !in.isArchive() {
		return nil, fmt.Errorf("salvage %s: a bbolt file, but not a nianbao archive (no captures bucket)", src)
	}
	tmp, err := tempPath(dst)
	if err != nil {
		return nil, fmt.Errorf("salvage %s: %w", src, err)
	}
	defer os.Remove(tmp)
	out, err := Open(tmp, Options{NoSync: true})
	if err != nil {
		return nil, fmt.Errorf("salvage %s: create %s: %w", src, tmp, err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := newSalvager(ctx, in, out, log)
	s.rep.To = dst
	err = s.run()
	if err == nil {
		err = out.db.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("salvage %s: %w", src, err)
	}
	chk, err := CheckFile(tmp, CheckOptions{Deep: true})
	if err != nil {
		return nil, fmt.Errorf("salvage %s: check the new archive: %w", src, err)
	}
	chk.Path = dst
	s.rep.Check = chk
	if !chk.Healthy() {
		return s.rep, fmt.Errorf("salvage %s: the new archive fails its check (%s): this is a bug; the partial copy was removed", src, chk.Summary())
	}
	if err := placeNew(tmp, dst); err != nil {
		return nil, fmt.Errorf("salvage %s: %w", src, err)
	}
	return s.rep, nil
}

// Complete reports whether nothing was lost (the crawl frontier, which
// is always dropped, aside).
func (r *SalvageReport) Complete() bool {
	for _, c := range r.Counts {
		if c.Lost > 0 || c.Unknown {
			return false
		}
	}
	return len(r.LostCaptures) == 0 && len(r.WithoutBody) == 0 && len(r.LostReports) == 0 && !r.ReportsMayBeLost
}

// tempPath is a new, unused name beside dst.
func tempPath(dst string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".salvage-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	return name, os.Remove(name)
}

// placeNew moves the finished archive to dst, refusing to replace a file
// created there meanwhile.
func placeNew(tmp, dst string) error {
	if err := os.Link(tmp, dst); err != nil {
		if _, serr := os.Lstat(dst); serr == nil {
			return fmt.Errorf("%s appeared while salvaging; the salvaged copy was not moved there: %w", dst, err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return fmt.Errorf("move the salvaged copy to %s: %w", dst, err)
		}
	}
	return nil
}

// keptCapture is what salvage keeps in memory of a capture it wrote: what
// rebuilding its URL state and naming losses need.
type keptCapture struct {
	ID                 uint64
	URL, Digest, Role  string
	Agency, Error      string
	ETag, LastModified string
	FetchedAt          time.Time
	Status             int
}

func (k *keptCapture) capture() *Capture {
	c := &Capture{ID: strconv.FormatUint(k.ID, 10), URL: k.URL, Digest: k.Digest, Role: Role(k.Role), Agency: k.Agency,
		Error: k.Error, FetchedAt: k.FetchedAt, Status: k.Status, Header: http.Header{}}
	if k.ETag != "" {
		c.Header.Set("ETag", k.ETag)
	}
	if k.LastModified != "" {
		c.Header.Set("Last-Modified", k.LastModified)
	}
	return c
}

// salvager is Salvage's state.
type salvager struct {
	ctx context.Context
	in  *source
	out *Archive
	w   *salvageWriter
	log *slog.Logger
	rep *SalvageReport

	caps   map[uint64]*keptCapture
	bodies map[string]bool
	texts  map[string]bool
	// From the walk, decided once the captures are known.
	states    map[string][]byte // url → URL state record
	reports   map[uint64][]byte
	marks     map[uint64][]byte
	indexURL  map[uint64]string // capture ID → URL, from idx_url
	walkSeq   map[string]uint64 // bucket → sequence, as bbolt read it
	counts    map[string]*SalvageCount
	runIDs    []uint64
	damaged   map[string]bool // buckets whose walk met damage
	fromPages map[string]int
	// From the page scan, decided at the end.
	capCands  map[uint64][][]byte
	textCands map[string][]byte
	// payCands are payloads records (key, value) that no kept capture
	// named when they were read; byDigest is the first kept capture of
	// each digest.
	payCands  [][2][]byte
	byDigest  map[string]uint64
	conflicts int
	// srcTx is the damaged file's transaction while the walk reads it;
	// sites decodes site-form payloads; dictHosts are the dict_hosts
	// entries read; orphans counts members kept without their capture
	// (salvagedicts.go).
	srcTx     *bolt.Tx
	sites     *siteDicts
	orphans   int
	dictHosts map[string][]byte
}

func newSalvager(ctx context.Context, in *source, out *Archive, log *slog.Logger) *salvager {
	return &salvager{ctx: ctx, in: in, out: out, w: &salvageWriter{a: out}, log: log,
		rep:  &SalvageReport{From: in.path},
		caps: map[uint64]*keptCapture{}, bodies: map[string]bool{}, texts: map[string]bool{},
		states: map[string][]byte{}, reports: map[uint64][]byte{}, marks: map[uint64][]byte{},
		indexURL: map[uint64]string{}, walkSeq: map[string]uint64{}, damaged: map[string]bool{},
		fromPages: map[string]int{}, counts: map[string]*SalvageCount{}, capCands: map[uint64][][]byte{}, textCands: map[string][]byte{},
		byDigest: map[string]uint64{},
		sites:    newSiteDicts(), dictHosts: map[string][]byte{}}
}

func (s *salvager) run() error {
	for _, f := range s.in.tree.Faults {
		s.rep.Damage = append(s.rep.Damage, f.String())
		if !f.File || s.in.pf.metaErr != nil {
			s.damaged[f.Bucket] = true
		}
	}
	if s.in.db != nil {
		s.log.Info("salvage: reading every record through bbolt", "file", s.in.path)
		if err := s.walk(); err != nil {
			return err
		}
	} else {
		s.rep.Damage = append(s.rep.Damage, fmt.Sprintf("bbolt cannot open the file (%v): only the page scan was made", s.in.dbErr))
		s.damaged[""] = true
	}
	s.log.Info("salvage: scanning every page", "file", s.in.path, "pages", s.in.pf.filePages(), "captures_so_far", len(s.caps))
	if err := s.scan(); err != nil {
		return err
	}
	if s.in.pf.metaErr != nil && len(s.caps) == 0 && len(s.bodies) == 0 && len(s.capCands) == 0 {
		return fmt.Errorf("no valid meta page and no page holding an archive record: not an archive file (%v)", s.in.pf.metaErr)
	}
	s.log.Info("salvage: rebuilding indexes and URL states", "file", s.out.path, "captures", len(s.caps))
	return s.finish()
}

// walk is phase 1: every bucket through bbolt.
func (s *salvager) walk() error {
	return s.in.view(func(tx *bolt.Tx) error {
		s.srcTx = tx
		defer func() { s.srcTx = nil }()
		steps := []struct {
			bucket []byte
			fn     func(k, v []byte) error
		}{
			{bucketMeta, s.walkMeta}, {bucketCaptures, s.walkCapture}, {bucketDictHosts, s.walkDictHost}, {bucketPayloads, s.walkPayload}, {bucketBodies, s.walkBody}, {bucketTexts, s.walkText},
			{bucketByURL, s.walkIndexURL}, {bucketURLs, s.walkURLState}, {bucketReports, s.walkReport},
			{bucketRuns, s.walkRun}, {bucketRunNew, s.walkRunNew}, {bucketAudits, s.walkAudit}, {bucketExtracted, s.walkMark},
			{bucketFrontier, s.drop}, {bucketQueued, s.drop}, {bucketVisited, s.drop},
		}
		for _, st := range steps {
			if err := s.ctx.Err(); err != nil {
				return err
			}
			name := string(st.bucket)
			_, damage, err := s.in.eachRecord(tx, st.bucket, st.fn)
			if err != nil {
				return fmt.Errorf("copy %s: %w", name, err)
			}
			for _, d := range damage {
				s.rep.Damage = append(s.rep.Damage, name+": "+d)
				s.damaged[name] = true
			}
			_ = readGuard(s.in.path, func() error {
				if b := tx.Bucket(st.bucket); b != nil {
					s.walkSeq[name] = b.Sequence()
				}
				return nil
			})
		}
		return s.w.flush()
	})
}

func (s *salvager) walkMeta(k, v []byte) error {
	if bytes.Equal(k, keySchema) {
		if n, err := strconv.Atoi(string(v)); err == nil && n > SchemaVersion {
			return fmt.Errorf("the file has schema version %d, newer than this program's %d: salvage it with a newer nianbao", n, SchemaVersion)
		}
	}
	return nil
}

func (s *salvager) walkCapture(k, v []byte) error {
	cp, err := decodeCapture(s.in.dec, k, v)
	if err != nil {
		s.rep.Damage = append(s.rep.Damage, fmt.Sprintf("captures %s: %v", printKey(bucketCaptures, k), err))
		s.damaged[string(bucketCaptures)] = true
		return nil
	}
	return s.keepCapture(k, v, cp, false)
}

func (s *salvager) walkPayload(k, v []byte) error { return s.takePayload(k, v, false) }

func (s *salvager) walkBody(k, v []byte) error {
	_, err := s.keepBody(k, v, false)
	return err
}

func (s *salvager) walkText(k, v []byte) error {
	if !isDigest(k) || s.texts[string(k)] {
		return nil
	}
	if data, err := s.in.dec.DecodeAll(v, nil); err != nil || !utf8.Valid(data) {
		s.damaged[string(bucketTexts)] = true
		return nil
	}
	return s.keepText(k, v, false)
}

func (s *salvager) walkIndexURL(k, _ []byte) error {
	if len(k) >= 9 && k[len(k)-9] == 0 {
		s.indexURL[binary64(k[len(k)-8:])] = string(k[:len(k)-9])
	}
	return nil
}

func (s *salvager) walkURLState(k, v []byte) error {
	if _, err := decodeState(s.in.dec, v); err == nil {
		s.states[string(k)] = append([]byte(nil), v...)
	}
	return nil
}

func (s *salvager) walkReport(k, v []byte) error {
	var obj map[string]json.RawMessage
	if len(k) == 8 && json.Unmarshal(v, &obj) == nil {
		s.reports[binary64(k)] = append([]byte(nil), v...)
	}
	return nil
}

func (s *salvager) walkRun(k, v []byte) error {
	if _, err := decodeRun(k, v); err != nil {
		return nil
	}
	s.runIDs = append(s.runIDs, binary64(k))
	return s.w.put(bucketRuns, k, v)
}

// walkRunNew keeps the URLs of runs' New lists (run_new, see runnew.go):
// the chunks that decode and the one-URL values written before chunks.
func (s *salvager) walkRunNew(k, v []byte) error {
	if len(k) != 12 {
		return nil
	}
	if _, err := decodeRunNew(s.in.dec, v); err != nil {
		return nil
	}
	return s.w.put(bucketRunNew, k, v)
}

func (s *salvager) walkAudit(k, v []byte) error {
	if len(k) != 8 || !json.Valid(v) {
		return nil
	}
	s.count(bucketAudits).Kept++
	return s.w.put(bucketAudits, k, v)
}

func (s *salvager) walkMark(k, v []byte) error {
	if _, err := decodeExtraction(k, v); err == nil {
		s.marks[binary64(k)] = append([]byte(nil), v...)
	}
	return nil
}

func (s *salvager) drop(_, _ []byte) error {
	s.rep.Dropped++
	return nil
}

// keepCapture writes the capture record rec (exactly as read) under its
// key, with its index entries, unless that ID is already kept.
func (s *salvager) keepCapture(k, rec []byte, cp *Capture, fromPages bool) error {
	id := binary64(k)
	if s.caps[id] != nil {
		return nil
	}
	s.caps[id] = &keptCapture{ID: id, URL: cp.URL, Digest: cp.Digest, Role: string(cp.Role), Agency: cp.Agency, Error: cp.Error,
		ETag: cp.Header.Get("ETag"), LastModified: cp.Header.Get("Last-Modified"), FetchedAt: cp.FetchedAt, Status: cp.Status}
	if fromPages {
		s.fromPages[string(bucketCaptures)]++
	}
	if first, ok := s.byDigest[cp.Digest]; cp.Digest != "" && (!ok || id < first) {
		s.byDigest[cp.Digest] = id
	}
	return s.w.putCapture(append([]byte(nil), k...), append([]byte(nil), rec...), cp)
}

// keepBody writes the payload record v under the digest k when it is one:
// zstd data that decompresses to bytes with that digest. ok is false when
// it is not.
func (s *salvager) keepBody(k, v []byte, fromPages bool) (ok bool, err error) {
	if !isDigest(k) || !isPayloadValue(v) {
		return false, nil
	}
	if s.bodies[string(k)] {
		return true, nil
	}
	data, text, hasText, err := splitPayload(s.payloadDecoder(), v)
	if err != nil || !utf8.Valid(text) {
		return false, nil
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != string(k[7:]) {
		return false, nil
	}
	s.bodies[string(k)] = true
	if hasText {
		// The text came with it: a texts record of the digest, if any,
		// is not needed.
		s.texts[string(k)] = true
		delete(s.textCands, string(k))
	}
	if fromPages {
		s.fromPages[string(bucketBodies)]++
	}
	return true, s.w.put(bucketBodies, k, v)
}

// takePayload keeps a payloads record (see keepPayload), or holds it as a
// candidate until every capture is known when no capture kept so far names
// its digest.
func (s *salvager) takePayload(k, v []byte, fromPages bool) error {
	if len(k) != 8 || !isPayloadValue(v) {
		return nil
	}
	ok, err := s.keepPayload(k, v, fromPages)
	if err == nil && !ok {
		s.payCands = append(s.payCands, [2][]byte{append([]byte(nil), k...), append([]byte(nil), v...)})
	}
	return err
}

// keepPayload writes a payloads record when a kept capture names the
// digest of its body: under its own key when that capture is the one, else
// under the first kept capture of the digest (its own was lost). A payload
// of a digest already kept is not written again. ok is false when the
// value does not decode or no kept capture names its digest.
func (s *salvager) keepPayload(k, v []byte, fromPages bool) (ok bool, err error) {
	if c := s.caps[binary64(k)]; c != nil && c.Digest != "" && s.bodies[c.Digest] {
		return true, nil
	}
	data, text, hasText, err := splitPayload(s.payloadDecoder(), v)
	if err != nil || !utf8.Valid(text) {
		return false, nil
	}
	d := Digest(data)
	if s.bodies[d] {
		return true, nil
	}
	key := k
	if c := s.caps[binary64(k)]; c == nil || c.Digest != d {
		first, named := s.byDigest[d]
		if !named {
			return false, nil
		}
		key = idKey(first)
	}
	s.bodies[d] = true
	if hasText {
		s.texts[d] = true
		delete(s.textCands, d)
	}
	if fromPages {
		s.fromPages[string(bucketBodies)]++
	}
	return true, s.w.put(bucketPayloads, key, v)
}

func (s *salvager) keepText(k, v []byte, fromPages bool) error {
	if s.texts[string(k)] {
		return nil
	}
	s.texts[string(k)] = true
	if fromPages {
		s.fromPages[string(bucketTexts)]++
	}
	return s.w.put(bucketTexts, k, v)
}

func (s *salvager) count(bucket []byte) *SalvageCount {
	c := s.counts[string(bucket)]
	if c == nil {
		c = &SalvageCount{Name: string(bucket)}
		s.counts[c.Name] = c
	}
	return c
}

// scan is phase 2: every leaf page of the file.
func (s *salvager) scan() error {
	err := scanLeaves(s.in.pf, func(id uint64, _ pageHeader, data []byte) error {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		owner, live := s.in.tree.Owner[id]
		elems, _ := parseLeaf(data)
		for _, e := range elems {
			if e.bucket() {
				if err := s.scanInline(e); err != nil {
					return err
				}
				continue
			}
			bucket := "?"
			if live && owner != "" {
				bucket = owner
			}
			if err := s.scanRecord(bucket, e.Key, e.Value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan pages: %w", err)
	}
	return s.w.flush()
}

// scanInline reads the records of an inline bucket, whose name is known.
func (s *salvager) scanInline(e leafElem) error {
	ref, err := parseBucketRef(e.Value)
	if err != nil || ref.Root != 0 || int64(len(ref.Inline)) > s.in.pf.pageSize {
		return nil // bbolt inlines only buckets smaller than a page
	}
	in, _ := parseLeaf(ref.Inline)
	for _, r := range in {
		if r.bucket() {
			continue
		}
		if err := s.scanRecord(string(e.Key), r.Key, r.Value); err != nil {
			return err
		}
	}
	return nil
}

// scanRecord takes one record of the page scan: of a known bucket, or of
// an unknown one ("?"), classified by its shape.
func (s *salvager) scanRecord(bucket string, k, v []byte) error {
	switch bucket {
	case string(bucketCaptures):
		if cp, err := decodeCapture(s.in.dec, k, v); err == nil {
			return s.keepCapture(k, v, cp, true)
		}
	case string(bucketBodies):
		_, err := s.keepBody(k, v, true)
		return err
	case string(bucketPayloads):
		return s.takePayload(k, v, true)
	case string(bucketTexts):
		if isDigest(k) && !s.texts[string(k)] {
			if data, err := s.in.dec.DecodeAll(v, nil); err == nil && utf8.Valid(data) {
				return s.keepText(k, v, true)
			}
		}
	case "?":
		return s.classify(k, v)
	}
	return nil
}

// classify takes a record from a page outside the live tree by its shape.
func (s *salvager) classify(k, v []byte) error {
	if len(k) == 8 && isPayloadValue(v) && !isRecordFrame(v) {
		// A payload under a capture ID: a payload header or a zstd frame
		// without the record dictionary (see record.go).
		return s.takePayload(k, v, true)
	}
	if len(k) == 8 && looksLikeCapture(s.in.dec, k, v) {
		id := binary64(k)
		if s.caps[id] != nil {
			return nil
		}
		for _, c := range s.capCands[id] {
			if bytes.Equal(c, v) {
				return nil
			}
		}
		s.capCands[id] = append(s.capCands[id], append([]byte(nil), v...))
		return nil
	}
	if !isDigest(k) || !isPayloadValue(v) || (s.bodies[string(k)] && s.texts[string(k)]) {
		return nil
	}
	if !s.bodies[string(k)] {
		if ok, err := s.keepBody(k, v, true); ok || err != nil {
			return err
		}
	}
	if isCombined(v) {
		return nil // a body-and-text value is never a text
	}
	if _, seen := s.textCands[string(k)]; seen || s.texts[string(k)] {
		return nil
	}
	data, err := s.in.dec.DecodeAll(v, nil)
	if err == nil && utf8.Valid(data) && !bytes.Equal([]byte(Digest(data)), k) {
		s.textCands[string(k)] = append([]byte(nil), v...)
	}
	return nil
}

// looksLikeCapture reports whether v is a capture record (JSON, or
// compressed JSON: see record.go) with a url, a fetched_at and the id of
// key k.
func looksLikeCapture(dec *zstd.Decoder, k, v []byte) bool {
	if bytes.HasPrefix(v, zstdMagic) {
		js, err := captureJSON(dec, v)
		if err != nil {
			return false
		}
		v = js
	}
	if len(v) == 0 || v[0] != '{' {
		return false
	}
	var probe struct {
		ID        string           `json:"id"`
		URL       *string          `json:"url"`
		FetchedAt *json.RawMessage `json:"fetched_at"`
	}
	return json.Unmarshal(v, &probe) == nil && probe.URL != nil && probe.FetchedAt != nil && probe.ID == idString(k)
}

// salvageWriter writes the new archive in transactions of a bounded size.
type salvageWriter struct {
	a    *Archive
	ops  []func(tx *bolt.Tx) error
	size int
}

const (
	salvageBatchOps   = 5000
	salvageBatchBytes = 64 << 20
)

func (w *salvageWriter) add(n int, op func(tx *bolt.Tx) error) error {
	w.ops = append(w.ops, op)
	w.size += n
	if len(w.ops) >= salvageBatchOps || w.size >= salvageBatchBytes {
		return w.flush()
	}
	return nil
}

// put writes a copy of k and v to bucket.
func (w *salvageWriter) put(bucket, k, v []byte) error {
	k, v = append([]byte(nil), k...), append([]byte(nil), v...)
	return w.add(len(k)+len(v), func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(k, v) })
}

// putCapture writes a capture record under its own ID (see putCaptureTx).
func (w *salvageWriter) putCapture(key, rec []byte, c *Capture) error {
	return w.add(len(key)+len(rec), func(tx *bolt.Tx) error { return putCaptureTx(tx, key, rec, c) })
}

func (w *salvageWriter) flush() error {
	if len(w.ops) == 0 {
		return nil
	}
	ops := w.ops
	w.ops, w.size = nil, 0
	err := w.a.update(func(tx *bolt.Tx) error {
		for _, op := range ops {
			if err := op(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", w.a.path, err)
	}
	return nil
}

// putCaptureTx writes the capture record rec (c decoded) under key, its ID,
// with the index entries Put makes, and moves the captures bucket's
// sequence past the ID so that the next Put gives a new one. The payload,
// text and URL state are written apart.
func putCaptureTx(tx *bolt.Tx, key, rec []byte, c *Capture) error {
	caps := tx.Bucket(bucketCaptures)
	if err := caps.Put(key, rec); err != nil {
		return err
	}
	if id := binary64(key); caps.Sequence() < id {
		if err := caps.SetSequence(id); err != nil {
			return err
		}
	}
	for _, ix := range []struct {
		bucket []byte
		value  string
	}{{bucketByURL, c.URL}, {bucketByAgency, c.Agency}, {bucketByRole, string(c.Role)}, {bucketByDigest, c.Digest}} {
		if ix.value == "" {
			continue
		}
		if err := tx.Bucket(ix.bucket).Put(indexKey(ix.value, key), nil); err != nil {
			return err
		}
	}
	return nil
}

// finish is phase 3: decide what the page scan found, rebuild the URL
// states, copy the records that depend on captures, and record the losses.
func (s *salvager) finish() error {
	if err := s.resolveCandidates(); err != nil {
		return err
	}
	if err := s.urlStates(); err != nil {
		return err
	}
	if err := s.dependents(); err != nil {
		return err
	}
	if err := s.sequences(); err != nil {
		return err
	}
	if err := s.keepDictHosts(); err != nil {
		return err
	}
	s.tally()
	return s.w.flush()
}

// resolveCandidates keeps the captures and texts the scan found outside the
// live tree: a capture when one version of it was found, with an ID the
// file had given; a text when its payload or a capture of it was kept.
func (s *salvager) resolveCandidates() error {
	seq := s.captureSeq()
	ids := make([]uint64, 0, len(s.capCands))
	for id := range s.capCands {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		cands := s.capCands[id]
		switch {
		case s.caps[id] != nil:
			continue
		case seq > 0 && id > seq:
			s.rep.Damage = append(s.rep.Damage, fmt.Sprintf("captures %d: found on a freed page, from a transaction that never committed; left out", id))
			continue
		case len(cands) > 1:
			s.conflicts++
			s.rep.Damage = append(s.rep.Damage, fmt.Sprintf("captures %d: %d different versions on freed pages and none in the live tree; left out", id, len(cands)))
			continue
		}
		cp, err := decodeCapture(s.in.dec, idKey(id), cands[0])
		if err != nil {
			continue
		}
		if err := s.keepCapture(idKey(id), cands[0], cp, true); err != nil {
			return err
		}
	}
	for _, pc := range s.payCands {
		if _, err := s.keepPayload(pc[0], pc[1], true); err != nil {
			return err
		}
	}
	s.payCands = nil
	referenced := map[string]bool{}
	for _, c := range s.caps {
		referenced[c.Digest] = true
	}
	for _, d := range sortedKeys(s.textCands) {
		if s.texts[d] || !(s.bodies[d] || referenced[d]) {
			continue
		}
		if err := s.keepText([]byte(d), s.textCands[d], true); err != nil {
			return err
		}
	}
	return nil
}

// captureSeq is the last capture ID the damaged file gave, as far as it
// can be known: its captures bucket's sequence, or the highest ID seen.
func (s *salvager) captureSeq() uint64 {
	seq := s.walkSeq[string(bucketCaptures)]
	if tb := s.in.tree.Buckets[string(bucketCaptures)]; tb != nil && tb.Seq > seq {
		seq = tb.Seq
	}
	return seq
}

// urlStates writes each URL state read whose last capture and payload were
// kept, and rebuilds the others from the captures kept, oldest first, as
// Put made them, leaving out captures whose payload was lost (so that the
// next crawl fetches the URL again rather than revalidating a payload the
// archive no longer has). A state is kept only while some capture of its
// URL is kept with its payload (or needs none): a state naming no capture
// (its fetches all failed) whose captures were all lost is dropped too.
func (s *salvager) urlStates() error {
	usable := map[string]bool{}
	for _, c := range s.caps {
		if c.Digest == "" || s.bodies[c.Digest] {
			usable[c.URL] = true
		}
	}
	valid := map[string]bool{}
	for _, u := range sortedKeys(s.states) {
		st, _ := decodeState(s.in.dec, s.states[u]) // decoded once already
		ok := usable[u] && (st.Digest == "" || s.bodies[st.Digest])
		if st.LastCaptureID != "" {
			id, err := ParseID(st.LastCaptureID)
			ok = ok && err == nil && s.caps[uint64(id)] != nil
		}
		if !ok {
			continue
		}
		valid[u] = true
		if err := s.w.put(bucketURLs, []byte(u), s.states[u]); err != nil {
			return err
		}
	}
	if err := s.w.flush(); err != nil {
		return err
	}
	rebuilt := map[string]bool{}
	for _, c := range s.sortedCaptures() {
		if valid[c.URL] || (c.Digest != "" && !s.bodies[c.Digest]) {
			continue
		}
		rebuilt[c.URL] = true
		cp := c.capture()
		if err := s.w.add(64, func(tx *bolt.Tx) error { return s.out.updateURLState(tx, cp) }); err != nil {
			return err
		}
	}
	uc := s.count(bucketURLs)
	uc.Kept = len(valid) + len(rebuilt)
	var notes []string
	if len(rebuilt) > 0 {
		notes = append(notes, fmt.Sprintf("%d rebuilt from the captures (their state was lost, or named a capture or payload that was lost)", len(rebuilt)))
	}
	dropped := 0
	for u := range s.states {
		if !valid[u] && !rebuilt[u] {
			dropped++
		}
	}
	if dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d dropped (no capture of them with its payload is left: the next crawl fetches them again)", dropped))
	}
	uc.Note = strings.Join(notes, "; ")
	return nil
}

func (s *salvager) sortedCaptures() []*keptCapture {
	out := make([]*keptCapture, 0, len(s.caps))
	for _, c := range s.caps {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// dependents copies the reports and extraction marks of kept captures,
// and names the reports lost.
func (s *salvager) dependents() error {
	rc := s.count(bucketReports)
	for _, id := range sortedIDs(s.reports) {
		if s.caps[id] == nil {
			rc.Lost++ // its capture was lost
			continue
		}
		rc.Kept++
		if err := s.w.put(bucketReports, idKey(id), s.reports[id]); err != nil {
			return err
		}
	}
	mc := s.count(bucketExtracted)
	for _, id := range sortedIDs(s.marks) {
		if s.caps[id] == nil {
			mc.Lost++
			continue
		}
		mc.Kept++
		if err := s.w.put(bucketExtracted, idKey(id), s.marks[id]); err != nil {
			return err
		}
		var m Extraction
		if json.Unmarshal(s.marks[id], &m) == nil && m.Outcome == ExtractedReport && s.reports[id] == nil {
			s.rep.LostReports = append(s.rep.LostReports, idString(idKey(id)))
		}
	}
	rc.Lost += len(s.rep.LostReports)
	s.rep.ReportsMayBeLost = s.damaged[string(bucketReports)] || s.in.db == nil
	if rc.Lost > 0 || s.rep.ReportsMayBeLost {
		rc.Note = "run `extract -db " + s.rep.To + "` to make the lost reports again"
	}
	return nil
}

// sequences sets the captures and runs sequences of the new archive to
// where the damaged file had them (at least past every ID kept), and lists
// the capture IDs lost.
func (s *salvager) sequences() error {
	seq := s.captureSeq()
	for id := range s.caps {
		if id > seq {
			seq = id
		}
	}
	runSeq := s.walkSeq[string(bucketRuns)]
	if tb := s.in.tree.Buckets[string(bucketRuns)]; tb != nil && tb.Seq > runSeq {
		runSeq = tb.Seq
	}
	for _, id := range s.runIDs {
		if id > runSeq {
			runSeq = id
		}
	}
	for id := uint64(1); id <= seq; id++ {
		if s.caps[id] == nil {
			s.rep.LostCaptures = append(s.rep.LostCaptures, LostCapture{ID: strconv.FormatUint(id, 10), URL: s.indexURL[id]})
		}
	}
	return s.w.add(16, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketCaptures).SetSequence(seq); err != nil {
			return err
		}
		return tx.Bucket(bucketRuns).SetSequence(runSeq)
	})
}

// tally fills the counts and records the losses in the new archive's meta
// bucket (SalvageRecord).
func (s *salvager) tally() {
	cc := s.count(bucketCaptures)
	cc.Kept, cc.FromPages, cc.Lost = len(s.caps), s.fromPages[string(bucketCaptures)], len(s.rep.LostCaptures)
	lostBodies := map[string]bool{}
	for _, c := range s.sortedCaptures() {
		if c.Digest != "" && !s.bodies[c.Digest] {
			lostBodies[c.Digest] = true
			s.rep.WithoutBody = append(s.rep.WithoutBody, strconv.FormatUint(c.ID, 10))
		}
	}
	bc := s.count(bucketBodies)
	bc.Kept, bc.FromPages, bc.Lost = len(s.bodies), s.fromPages[string(bucketBodies)], len(lostBodies)
	var notes []string
	if len(lostBodies) > 0 {
		notes = append(notes, fmt.Sprintf("%s kept without payload (recorded in meta/salvaged)", plural(len(s.rep.WithoutBody), "capture")))
	}
	if s.orphans > 0 {
		notes = append(notes, fmt.Sprintf("%s kept without their capture: site dictionaries of payloads kept are made of them", plural(s.orphans, "payload")))
	}
	bc.Note = strings.Join(notes, "; ")
	tc := s.count(bucketTexts)
	tc.Kept, tc.FromPages = len(s.texts), s.fromPages[string(bucketTexts)]
	runs := s.count(bucketRuns)
	runs.Kept = len(s.runIDs)
	s.count(bucketAudits)
	cc.Unknown = s.captureSeq() == 0 && len(s.caps) > 0
	for _, b := range allBuckets {
		c := s.counts[string(b)]
		if c == nil {
			continue
		}
		if c.Name != string(bucketCaptures) && (s.damaged[c.Name] || s.damaged[""]) {
			c.Unknown = true
		}
		s.rep.Counts = append(s.rep.Counts, *c)
	}
	rec := SalvageRecord{From: s.in.path, At: time.Now().UTC(), LostBodies: sortedKeys(lostBodies), LostReports: s.rep.LostReports}
	for _, l := range s.rep.LostCaptures {
		rec.LostCaptures = append(rec.LostCaptures, l.ID)
	}
	v, _ := json.Marshal(rec)
	_ = s.w.put(bucketMeta, keySalvaged, v)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedIDs[V any](m map[uint64]V) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// WriteText prints the report for a person: per kind of record what was
// kept and lost, at most limit items of each list, and the new archive's check.
func (r *SalvageReport) WriteText(w io.Writer, limit int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "salvaged %s into %s\n", r.From, r.To)
	fmt.Fprintf(&b, "%-10s %8s %11s %8s\n", "records", "kept", "from pages", "lost")
	for _, c := range r.Counts {
		lost := strconv.Itoa(c.Lost)
		switch {
		case c.Unknown && c.Lost == 0:
			lost = "some"
		case c.Unknown:
			lost += "+"
		}
		fmt.Fprintf(&b, "%-10s %8d %11d %8s", c.Name, c.Kept, c.FromPages, lost)
		if c.Note != "" {
			fmt.Fprintf(&b, "  %s", c.Note)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "frontier, queued, visited: dropped (%s); the next crawl starts from the seeds\n", plural(r.Dropped, "entry read"))
	fmt.Fprintf(&b, "idx_url, idx_agency, idx_role, idx_digest: rebuilt from the captures kept\n")
	if len(r.LostCaptures) > 0 {
		var ids []string
		for _, l := range r.LostCaptures {
			s := l.ID
			if l.URL != "" {
				s += " (" + l.URL + ")"
			}
			ids = append(ids, s)
		}
		fmt.Fprintf(&b, "captures lost: %s\n", capList(ids, limit))
	}
	if len(r.WithoutBody) > 0 {
		fmt.Fprintf(&b, "captures kept without their payload (body lost): %s\n", capList(r.WithoutBody, limit))
	}
	if len(r.LostReports) > 0 {
		fmt.Fprintf(&b, "reports lost of captures kept: %s\n", capList(r.LostReports, limit))
	}
	if r.ReportsMayBeLost {
		fmt.Fprintf(&b, "reports: the walk of the reports met damage, more may be lost than listed; run `extract -db %s`\n", r.To)
	}
	if len(r.Damage) > 0 {
		fmt.Fprintf(&b, "damage met:\n")
		for i, d := range r.Damage {
			if limit > 0 && i == limit {
				fmt.Fprintf(&b, "  and %d more\n", len(r.Damage)-i)
				break
			}
			fmt.Fprintf(&b, "  %s\n", d)
		}
	}
	if r.Check != nil {
		fmt.Fprintf(&b, "check of %s: %s\n", r.To, r.Check.Summary())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// plural is "1 capture", "2 captures", "3 entries read".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	word, rest, _ := strings.Cut(noun, " ")
	switch {
	case strings.HasSuffix(word, "y"):
		word = strings.TrimSuffix(word, "y") + "ies"
	default:
		word += "s"
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s %s", n, word, rest))
}

func capList(items []string, limit int) string {
	if limit > 0 && len(items) > limit {
		return strings.Join(items[:limit], ", ") + fmt.Sprintf(" and %d more", len(items)-limit)
	}
	return strings.Join(items, ", ")
}
