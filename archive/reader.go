package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"

	bolt "go.etcd.io/bbolt"
)

// Reader reads the archive inside one read transaction: everything read
// through it is one consistent snapshot. A Reader is only valid inside the
// View call that made it, and only in that goroutine.
//
// Composite reads (an audit, a web page, a batch) use one View and never
// call the Archive's own read methods inside it: each of those opens a
// transaction of its own, and a read transaction opened inside another
// deadlocks with a writer that must grow the file (bbolt's remap waits for
// the outer one while the inner one waits for the remap).
type Reader struct {
	a       *Archive
	tx      *bolt.Tx
	skipped []Skipped
}

// Skipped is a record a Reader could not decode and passed over.
type Skipped struct {
	// Bucket is the bbolt bucket of the record ("captures", "reports", …).
	Bucket string `json:"bucket"`
	// Key is the record's key as printed (a capture ID for captures and
	// reports, the raw key otherwise).
	Key string `json:"key"`
	// Reason is why it could not be read.
	Reason string `json:"reason"`
}

// String describes the skipped record for a log line or a summary.
func (s Skipped) String() string { return fmt.Sprintf("%s %s: %s", s.Bucket, s.Key, s.Reason) }

// View calls fn with a Reader over one read transaction. A damaged page met
// while reading is returned as a DamageError (wrapping ErrDamaged), never a
// panic.
func (a *Archive) View(fn func(r *Reader) error) error {
	return a.view(func(tx *bolt.Tx) error {
		return fn(&Reader{a: a, tx: tx})
	})
}

// Skipped returns the records this Reader passed over because they could
// not be decoded, in the order it met them.
func (r *Reader) Skipped() []Skipped { return r.skipped }

func (r *Reader) skip(bucket []byte, key string, err error) {
	s := Skipped{Bucket: string(bucket), Key: key, Reason: err.Error()}
	r.skipped = append(r.skipped, s)
	slog.Warn("archive: skipping a record that does not decode", "file", r.a.path, "bucket", s.Bucket, "key", s.Key, "reason", s.Reason)
}

// Get returns the capture with the given ID. A record that does not decode
// is an error wrapping ErrDamaged.
func (r *Reader) Get(id string) (*Capture, error) {
	key, err := parseID(id)
	if err != nil {
		return nil, err
	}
	c, err := r.capture(key)
	if err != nil {
		return nil, fmt.Errorf("capture %s: %w", id, err)
	}
	return c, nil
}

func (r *Reader) capture(key []byte) (*Capture, error) {
	v := r.tx.Bucket(bucketCaptures).Get(key)
	if v == nil {
		return nil, ErrNotFound
	}
	var c Capture
	js, err := captureJSON(r.a.dec, v)
	if err == nil {
		err = json.Unmarshal(js, &c)
	}
	if err != nil {
		return nil, r.a.damaged(fmt.Sprintf("capture record %s does not decode: %v", idString(key), err))
	}
	return &c, nil
}

// Body returns the raw payload bytes of a capture exactly as received. A
// revisit returns the payload it revisited.
func (r *Reader) Body(id string) ([]byte, error) {
	c, err := r.Get(id)
	if err != nil {
		return nil, err
	}
	return r.BodyByDigest(c.Digest)
}

// BodyByDigest returns the payload stored under a "sha256:<hex>" digest.
func (r *Reader) BodyByDigest(digest string) ([]byte, error) {
	body, _, _, err := r.payload(digest)
	return body, err
}

// payload decodes the stored payload of digest (see payloads.go, payload.go).
func (r *Reader) payload(digest string) (body, text []byte, hasText bool, err error) {
	if digest == "" {
		return nil, nil, false, fmt.Errorf("no payload: %w", ErrNotFound)
	}
	v := payloadValue(r.tx, digest)
	if v == nil {
		return nil, nil, false, fmt.Errorf("payload %s: %w", digest, ErrNotFound)
	}
	body, text, hasText, err = splitPayload(r.payloadDecoder(), v)
	if err != nil {
		return nil, nil, false, r.a.damaged(fmt.Sprintf("payload %s does not decompress: %v", digest, err))
	}
	return body, text, hasText, nil
}

// payloadDecoder decodes payloads of this view, reading the site
// dictionaries they name from it.
func (r *Reader) payloadDecoder() payloadDecoder {
	return payloadDecoder{dec: r.a.dec, sites: r.a.sites, member: func(id uint64) ([]byte, error) {
		return memberValue(r.tx, r.a.dec, id)
	}}
}

// Text returns the UTF-8 text of a capture's payload (ErrNotFound when none
// was stored, e.g. for a binary attachment).
func (r *Reader) Text(id string) (string, error) {
	c, err := r.Get(id)
	if err != nil {
		return "", err
	}
	if c.Digest != "" && isCombined(payloadValue(r.tx, c.Digest)) {
		_, text, _, err := r.payload(c.Digest)
		if err != nil {
			return "", fmt.Errorf("text of capture %s: %w", id, err)
		}
		return string(text), nil
	}
	b, err := r.blob(bucketTexts, c.Digest)
	if err != nil {
		return "", fmt.Errorf("text of capture %s: %w", id, err)
	}
	return string(b), nil
}

func (r *Reader) blob(bucket []byte, digest string) ([]byte, error) {
	if digest == "" {
		return nil, fmt.Errorf("no payload: %w", ErrNotFound)
	}
	z := r.tx.Bucket(bucket).Get([]byte(digest))
	if z == nil {
		return nil, fmt.Errorf("%s %s: %w", bucket, digest, ErrNotFound)
	}
	b, err := r.a.dec.DecodeAll(z, nil)
	if err != nil {
		return nil, r.a.damaged(fmt.Sprintf("%s %s does not decompress: %v", bucket, digest, err))
	}
	return b, nil
}

// URLState returns what the archive knows of url, and false if it was never
// captured.
func (r *Reader) URLState(url string) (URLState, bool, error) {
	v := r.tx.Bucket(bucketURLs).Get([]byte(url))
	if v == nil {
		return URLState{}, false, nil
	}
	st, err := decodeState(r.a.dec, v)
	if err != nil {
		return st, false, r.a.damaged(fmt.Sprintf("url state of %s does not decode: %v", url, err))
	}
	return st, true, nil
}

// HasURLsOf reports whether the archive knows any URL of authority
// (host[:port]) under either scheme.
func (r *Reader) HasURLsOf(authority string) bool {
	c := r.tx.Bucket(bucketURLs).Cursor()
	for _, scheme := range []string{"http://", "https://"} {
		prefix := []byte(scheme + authority + "/")
		if k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// Each calls fn for every capture in the order they were made; a non-nil
// error from fn stops the walk and is returned. Records that do not decode
// are skipped (see Skipped).
func (r *Reader) Each(fn func(*Capture) error) error {
	return r.tx.Bucket(bucketCaptures).ForEach(func(k, v []byte) error {
		var c Capture
		js, err := captureJSON(r.a.dec, v)
		if err == nil {
			err = json.Unmarshal(js, &c)
		}
		if err != nil {
			r.skip(bucketCaptures, idString(k), err)
			return nil
		}
		return fn(&c)
	})
}

// ByURL returns every capture of url, oldest first.
func (r *Reader) ByURL(url string) ([]*Capture, error) { return r.byIndex(bucketByURL, url) }

// ByAgency returns every capture made for an agency, oldest first.
func (r *Reader) ByAgency(agency string) ([]*Capture, error) {
	return r.byIndex(bucketByAgency, agency)
}

// ByRole returns every capture with a role, oldest first.
func (r *Reader) ByRole(role Role) ([]*Capture, error) { return r.byIndex(bucketByRole, string(role)) }

// ByDigest returns every capture whose payload has the digest, oldest first.
func (r *Reader) ByDigest(digest string) ([]*Capture, error) {
	return r.byIndex(bucketByDigest, digest)
}

// byIndex returns the captures an index lists under value; entries whose
// capture is missing or does not decode are skipped (see Skipped).
func (r *Reader) byIndex(bucket []byte, value string) ([]*Capture, error) {
	var out []*Capture
	for _, id := range r.indexIDs(bucket, value) {
		cp, err := r.capture(id)
		if err != nil {
			r.skip(bucket, fmt.Sprintf("%q → capture %s", value, idString(id)), err)
			continue
		}
		out = append(out, cp)
	}
	return out, nil
}

// indexIDs returns the capture keys an index (`value 0x00 id8` keys, every
// idx_* bucket) lists under value, in key order; nil for an absent bucket.
func (r *Reader) indexIDs(bucket []byte, value string) [][]byte {
	b := r.tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	var out [][]byte
	prefix := append([]byte(value), 0)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if id := k[len(prefix):]; len(id) == 8 {
			out = append(out, id)
		}
	}
	return out
}

// HasAgency reports whether any capture was made for agency, reading one
// index key (Agencies lists them all).
func (r *Reader) HasAgency(agency string) bool {
	prefix := append([]byte(agency), 0)
	k, _ := r.tx.Bucket(bucketByAgency).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8
}

// Agencies returns every agency that has captures, sorted.
func (r *Reader) Agencies() ([]string, error) { return r.distinct(bucketByAgency), nil }

// URLs returns every captured URL, sorted.
func (r *Reader) URLs() ([]string, error) { return r.distinct(bucketByURL), nil }

func (r *Reader) distinct(bucket []byte) []string {
	var out []string
	var last string
	_ = r.tx.Bucket(bucket).ForEach(func(k, _ []byte) error {
		// key = value 0x00 id8: the id may itself hold zero bytes.
		if len(k) < 9 || k[len(k)-9] != 0 {
			return nil
		}
		s := string(k[:len(k)-9])
		if s != last {
			out = append(out, s)
			last = s
		}
		return nil
	})
	return out
}

// Report returns the stored report JSON of a capture.
func (r *Reader) Report(captureID string) ([]byte, error) {
	key, err := parseID(captureID)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	v := r.tx.Bucket(bucketReports).Get(key)
	if v == nil {
		return nil, fmt.Errorf("report of capture %s: %w", captureID, ErrNotFound)
	}
	return append([]byte(nil), v...), nil
}

// HasReport reports whether a report is stored for the capture.
func (r *Reader) HasReport(captureID string) bool {
	key, err := parseID(captureID)
	return err == nil && r.tx.Bucket(bucketReports).Get(key) != nil
}

// EachReport calls fn for every stored report in capture order. data is only
// valid during the call.
func (r *Reader) EachReport(fn func(captureID string, data []byte) error) error {
	return r.tx.Bucket(bucketReports).ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			r.skip(bucketReports, fmt.Sprintf("%x", k), fmt.Errorf("key is %d bytes, not a capture ID", len(k)))
			return nil
		}
		return fn(idString(k), v)
	})
}

// Run returns the run with the given ID, and false when there is none: id
// not a run ID's text form, or a record that does not decode (skipped, as
// Runs skips it).
func (r *Reader) Run(id string) (*Run, bool) {
	k, v, ok := r.runRecord(id)
	if !ok {
		return nil, false
	}
	run, err := r.fullRun(k, v)
	if err != nil || run.ID != id {
		return nil, false
	}
	return run, true
}

// Runs returns every run, newest first, each with its whole New list. Runs
// that do not decode are skipped.
func (r *Reader) Runs() ([]*Run, error) {
	var out []*Run
	c := r.tx.Bucket(bucketRuns).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if run, err := r.fullRun(k, v); err == nil {
			out = append(out, run)
		}
	}
	return out, nil
}

// LatestRuns returns the n newest runs, newest first, each with at most
// news of its New URLs (NewCount says how many it listed), decoding no other
// run record and no other URL (Runs decodes them all). Runs that do not
// decode are skipped and do not count. Do not PutRun them: PutRun refuses
// a run whose list is cut.
func (r *Reader) LatestRuns(n, news int) []*Run {
	var out []*Run
	c := r.tx.Bucket(bucketRuns).Cursor()
	for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
		run, err := r.decodeRunHead(k, v)
		if err != nil {
			continue
		}
		r.cutNew(k, run, news)
		out = append(out, run)
	}
	return out
}
