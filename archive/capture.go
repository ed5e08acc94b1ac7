package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// Role is what a capture (or a URL) is to the crawl: its JSON "role".
type Role string

// Roles a capture can have.
const (
	RoleList       Role = "list"       // a column / list page linking to reports
	RoleReport     Role = "report"     // an annual-report page
	RoleAttachment Role = "attachment" // a file linked from a report page
	RoleOther      Role = "other"      // anything else the crawl fetched
)

// Capture is one fetch of one URL. Its JSON field names are the contract of
// cmd/lookup.
type Capture struct {
	ID             string      `json:"id"`
	URL            string      `json:"url"`
	FinalURL       string      `json:"final_url"`
	FetchedAt      time.Time   `json:"fetched_at"`
	Status         int         `json:"status"`
	Header         http.Header `json:"header,omitempty"`
	ContentType    string      `json:"content_type"`
	Charset        string      `json:"charset"`
	Digest         string      `json:"digest"` // "sha256:<hex>" of the raw payload; empty when no body
	Size           int64       `json:"size"`
	Agency         string      `json:"agency"`
	Role           Role        `json:"role"`
	DiscoveredFrom string      `json:"discovered_from,omitempty"`
	Revisit        bool        `json:"revisit"`
	Error          string      `json:"error"`
	// Title is the page title or link text that made the crawler take the
	// page for what Role says.
	Title string `json:"title,omitempty"`
	// Truncated is set when the body was cut at the size cap.
	Truncated bool `json:"truncated,omitempty"`
	// RunID is the harvest run that made the capture, if any.
	RunID string `json:"run_id,omitempty"`
	// Rendered is set on the capture of the document a headless browser
	// built from the page (its scripts run); the raw response of the URL
	// is a capture of its own.
	Rendered bool `json:"rendered,omitempty"`
	// TLSVerified is set for an https capture: whether the server's
	// certificate chain verified (after completing it through AIA);
	// TLSError says why it did not.
	TLSVerified *bool  `json:"tls_verified,omitempty"`
	TLSError    string `json:"tls_error,omitempty"`
	// SeedMovedTo is set on the capture of a seed that redirected to its
	// www./bare twin or the other scheme: the URL the crawl moved to.
	SeedMovedTo string `json:"seed_moved_to,omitempty"`
	// RequestHeader is the request as sent (User-Agent, Accept,
	// conditional headers; Host is the URL's), nil for captures made
	// before it was recorded. IP is the server's address ("" when
	// unknown) and Proto the response's protocol ("HTTP/1.1"; "" when
	// unknown). A WARC export writes them into the request and response
	// records.
	RequestHeader http.Header `json:"request_header,omitempty"`
	IP            string      `json:"ip,omitempty"`
	Proto         string      `json:"proto,omitempty"`
	// WARCRecordID is the WARC-Record-ID of the response or revisit
	// record an imported capture came from: a second import of the same
	// record adds nothing.
	WARCRecordID string `json:"warc_record_id,omitempty"`
	// Worker is the cluster worker that fetched the capture (crawl
	// -worker -name); "" for a capture made on the archive's own machine.
	Worker string `json:"worker,omitempty"`
}

// Digest returns the "sha256:<hex>" digest of b.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// URLState is what the archive remembers about a URL for incremental crawls.
type URLState struct {
	LastCaptureID string    `json:"last_capture_id"`
	LastFetched   time.Time `json:"last_fetched"`
	Status        int       `json:"status"`
	ETag          string    `json:"etag,omitempty"`
	LastModified  string    `json:"last_modified,omitempty"`
	Digest        string    `json:"digest,omitempty"`
	Role          Role      `json:"role,omitempty"`
	Agency        string    `json:"agency,omitempty"`
	// Archived is true once a successful (2xx or 304) capture exists.
	Archived bool `json:"archived"`
}

// Put records a capture. body is the raw payload exactly as received (nil
// for a failed fetch or a 304 revisit, in which case c.Digest may name the
// earlier payload); text is its UTF-8 text ("" if none). Put assigns c.ID,
// fills Digest and Size from body, stores the body and text once per digest,
// and updates the indexes and the URL state in one transaction.
func (a *Archive) Put(c *Capture, body []byte, text string) error {
	p, err := a.preparePut(c, body, text)
	if err != nil {
		return err
	}
	err = a.batch(func(tx *bolt.Tx) error { return a.putTx(tx, c, p) })
	if err != nil {
		return fmt.Errorf("put capture of %s in %s: %w", c.URL, a.path, err)
	}
	return nil
}

// PutPage records a capture as Put does and, in the same transaction, the
// completions of frontier items (done, in order; the last is usually the
// item that fetched c, with its links record and the children it led to),
// so a fetched page costs one commit. A links record of c's URL without a
// digest gets c's. It returns how many children were new.
func (a *Archive) PutPage(c *Capture, body []byte, text string, done []Completion) (int, error) {
	added, err := a.PutPages([]PageWrite{{Capture: c, Body: body, Text: text, Done: done}})
	if err != nil {
		return 0, err
	}
	return added[0], nil
}

// PageWrite is one capture with the frontier completions written with it,
// as PutPage takes them; a nil Capture writes the completions alone.
type PageWrite struct {
	Capture *Capture
	Body    []byte
	Text    string
	Done    []Completion
}

// PutPages writes the pages in order in one transaction, each as PutPage
// would (a nil Capture as Complete would), and returns how many children
// each queued: a crawler that goes on fetching while its last pages
// commit hands over everything it has at once. On an error nothing is
// written.
func (a *Archive) PutPages(pages []PageWrite) ([]int, error) {
	staged := make([]*staged, len(pages))
	for i, p := range pages {
		if p.Capture == nil {
			continue
		}
		s, err := a.preparePut(p.Capture, p.Body, p.Text)
		if err != nil {
			return nil, err
		}
		staged[i] = s
	}
	added := make([]int, len(pages))
	err := a.batch(func(tx *bolt.Tx) error {
		for i := range pages {
			n, err := a.pageTx(tx, &pages[i], staged[i])
			if err != nil {
				return err
			}
			added[i] = n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("put %s in %s: %w", pagesName(pages), a.path, err)
	}
	return added, nil
}

// pageTx writes one page of PutPages (p its staged payload, nil when it
// has no capture) and returns how many children its completions queued.
func (a *Archive) pageTx(tx *bolt.Tx, w *PageWrite, p *staged) (int, error) {
	c := w.Capture
	if c != nil {
		if err := a.putTx(tx, c, p); err != nil {
			return 0, err
		}
	}
	added := 0
	for i := range w.Done {
		d := &w.Done[i]
		if c != nil && d.Links != nil && d.Links.Digest == "" && d.LinksURL == c.URL {
			d.Links.Digest = c.Digest // read from this payload
		}
		n, err := a.completeTx(tx, d)
		if err != nil {
			return 0, err
		}
		added += n
	}
	return added, nil
}

// pagesName names what PutPages writes in its errors: the capture of the
// first page, and how many more pages there are.
func pagesName(pages []PageWrite) string {
	name := "no capture"
	for _, p := range pages {
		if p.Capture != nil {
			name = "capture of " + p.Capture.URL
			break
		}
		if len(p.Done) > 0 {
			name = "completion of " + p.Done[0].Item.URL
			break
		}
	}
	if len(pages) > 1 {
		name += fmt.Sprintf(" (and %d more pages)", len(pages)-1)
	}
	return name
}

// staged is a capture's payload as preparePut compressed it for putTx.
type staged struct {
	zbody []byte // the payload value, nil when stored already or none
	ztext []byte // the texts value, for a text whose body is stored without one
	text  string
	// site is the host whose dictionary zbody is compressed against
	// (dict), or whose sample it joins once committed (plain, as stored);
	// "" for a payload no dictionary helps.
	site  string
	dict  *siteDict
	plain []byte
}

// preparePut fills c's defaults, digest and size, and compresses what is
// not stored yet (the digest is checked first: a re-crawl mostly meets
// payloads it already has).
func (a *Archive) preparePut(c *Capture, body []byte, text string) (*staged, error) {
	if c.URL == "" {
		return nil, errors.New("put capture: empty URL")
	}
	if c.FetchedAt.IsZero() {
		c.FetchedAt = time.Now().UTC()
	}
	if c.Role == "" {
		c.Role = RoleOther
	}
	if body != nil {
		c.Digest = Digest(body)
		c.Size = int64(len(body))
	}
	haveBody, haveText := a.stored(c.Digest)
	p := &staged{text: text}
	a.compressPayload(p, siteOf(c), body, haveBody, haveText)
	return p, nil
}

// putTx stores c (with its staged payload and text when not stored yet;
// p.text for the rare case of a concurrent Put having stored the body
// without text first), its index entries and the URL state, inside tx.
func (a *Archive) putTx(tx *bolt.Tx, c *Capture, p *staged) error {
	caps := tx.Bucket(bucketCaptures)
	seq, err := caps.NextSequence()
	if err != nil {
		return err
	}
	key := idKey(seq)
	c.ID = idString(key)
	if err := a.putPayload(tx, key, c.Digest, p); err != nil {
		return err
	}
	if err := putRecord(caps, key, c, a.rec); err != nil {
		return err
	}
	if err := putIndexes(tx, key, c); err != nil {
		return err
	}
	return a.updateURLState(tx, c)
}

// appendFill is the FillPercent of buckets whose keys only grow (captures
// by ID, and idx_role, whose prefix is one of four roles, so new keys land
// at the end of their role's range): bbolt then fills each page instead of
// splitting it in half, where the default 0.5 leaves every page of an
// appended bucket half empty. idx_agency keeps the default: its many
// prefixes interleave, and a full split there leaves a tiny page per
// insert into the middle (measured: 126 pages at 1.0 against 101).
const appendFill = 1.0

// compressPayload stages the payload value (nil when the body is stored
// already or there is none): body and text in one value when both are
// new (see payload.go), compressed against site's dictionary when it has
// one (sitedict.go), else the body alone; and the texts value, for a text
// whose body is stored already without one.
func (a *Archive) compressPayload(p *staged, site string, body []byte, haveBody, haveText bool) {
	switch {
	case body != nil && !haveBody && p.text != "":
		plain := joinPlain(body, p.text)
		if site != "" {
			p.site = site
			if p.dict = a.sites.encoder(site, a.lookupSite); p.dict != nil {
				p.zbody = encodeSite(p.dict, plain, len(body))
				return
			}
			p.plain = plain
		}
		p.zbody = encodePlain(a.enc, plain, len(body))
	case body != nil && !haveBody:
		p.zbody = a.enc.EncodeAll(body, nil)
	case p.text != "" && !haveText:
		p.ztext = a.enc.EncodeAll([]byte(p.text), nil)
	}
}

// lookupSite reads host's site dictionary from the file (nil when none).
func (a *Archive) lookupSite(host string) (d *siteDict, err error) {
	err = a.view(func(tx *bolt.Tx) error {
		d = lookupSite(tx, a.dec, host)
		return nil
	})
	return d, err
}

// putPayload stores p's payload as that of the capture keyed key (see
// payloads.go), with the site dictionary it needs, unless digest's
// payload is stored already; and the text unless one is stored (in the
// payload value or in texts): p.ztext when given, else p.text compressed
// here, for the rare case of a concurrent Put having stored the body
// without text first.
func (a *Archive) putPayload(tx *bolt.Tx, key []byte, digest string, p *staged) error {
	if digest == "" {
		return nil
	}
	stored := payloadValue(tx, digest)
	if p.zbody != nil && stored == nil {
		if err := a.putSitePayload(tx, key, p); err != nil {
			return err
		}
		stored = p.zbody
	}
	if p.text == "" || isCombined(stored) {
		return nil
	}
	texts := tx.Bucket(bucketTexts)
	if texts.Get([]byte(digest)) != nil {
		return nil
	}
	ztext := p.ztext
	if ztext == nil {
		ztext = a.enc.EncodeAll([]byte(p.text), nil)
	}
	return texts.Put([]byte(digest), ztext)
}

// putSitePayload stores p's payload value under key, recording the site
// dictionary it was compressed against as its host's, or, once the
// transaction commits, adding it to its host's sample.
func (a *Archive) putSitePayload(tx *bolt.Tx, key []byte, p *staged) error {
	if p.dict != nil {
		if err := storeSiteHost(tx, p.dict); err != nil {
			return err
		}
	}
	if err := putPayloadValue(tx, key, p.zbody); err != nil {
		return err
	}
	if p.plain != nil {
		id := binary64(key)
		tx.OnCommit(func() { a.sites.gather(p.site, id, p.plain) })
	}
	return nil
}

// putRecord stores the capture record of c under its ID key: its JSON,
// compressed with enc (see record.go).
func putRecord(caps *bolt.Bucket, key []byte, c *Capture, enc *zstd.Encoder) error {
	js, err := json.Marshal(c)
	if err != nil {
		return err
	}
	caps.FillPercent = appendFill
	return caps.Put(key, enc.EncodeAll(js, nil))
}

// putIndexes adds the capture to the URL, agency, role and digest indexes.
func putIndexes(tx *bolt.Tx, key []byte, c *Capture) error {
	if err := tx.Bucket(bucketByURL).Put(indexKey(c.URL, key), nil); err != nil {
		return err
	}
	if c.Agency != "" {
		if err := tx.Bucket(bucketByAgency).Put(indexKey(c.Agency, key), nil); err != nil {
			return err
		}
	}
	b := tx.Bucket(bucketByRole)
	b.FillPercent = appendFill
	if err := b.Put(indexKey(string(c.Role), key), nil); err != nil {
		return err
	}
	if c.Digest != "" {
		if err := tx.Bucket(bucketByDigest).Put(indexKey(c.Digest, key), nil); err != nil {
			return err
		}
	}
	return nil
}

// stored reports whether a body and a text are stored under digest. A
// failed look-up says no: Put then compresses, and its transaction decides.
func (a *Archive) stored(digest string) (body, text bool) {
	if digest == "" {
		return false, false
	}
	_ = a.view(func(tx *bolt.Tx) error {
		v := payloadValue(tx, digest)
		body = v != nil
		text = isCombined(v) || tx.Bucket(bucketTexts).Get([]byte(digest)) != nil
		return nil
	})
	return body, text
}

func (a *Archive) updateURLState(tx *bolt.Tx, c *Capture) error {
	b := tx.Bucket(bucketURLs)
	var st URLState
	if v := b.Get([]byte(c.URL)); v != nil {
		st, _ = decodeState(a.dec, v) // a state that does not decode is made again
	}
	if c.Rendered {
		// A rendered DOM is a second capture of a fetch already recorded:
		// the URL's validators and digest stay those of the response, so
		// the next crawl revalidates the page as the server sent it.
		return a.putURLRole(b, &st, c)
	}
	st.LastFetched = c.FetchedAt
	st.Status = c.Status
	ok := c.Error == "" && ((c.Status >= 200 && c.Status < 300) || c.Status == http.StatusNotModified)
	if ok {
		st.LastCaptureID = c.ID
		st.Archived = true
		if c.Digest != "" {
			st.Digest = c.Digest
		}
		if c.Status != http.StatusNotModified || c.Header.Get("ETag") != "" {
			st.ETag = c.Header.Get("ETag")
		}
		if c.Status != http.StatusNotModified || c.Header.Get("Last-Modified") != "" {
			st.LastModified = c.Header.Get("Last-Modified")
		}
	}
	return a.putURLRole(b, &st, c)
}

// putURLRole records c's role (a URL once seen as a report stays one) and
// agency in st, and stores it.
func (a *Archive) putURLRole(b *bolt.Bucket, st *URLState, c *Capture) error {
	st.Role = StrongerRole(st.Role, c.Role)
	if c.Agency != "" {
		st.Agency = c.Agency
	}
	v, err := encodeState(a.st, st)
	if err != nil {
		return err
	}
	return b.Put([]byte(c.URL), v)
}

// StrongerRole returns the role a URL keeps when it was seen as a and is
// now seen as b: a URL once seen as a report stays one (report, then
// attachment, then list, then other); an empty role never wins.
func StrongerRole(a, b Role) Role {
	if b != "" && (a == "" || rank(b) > rank(a)) {
		return b
	}
	return a
}

// rank orders roles so that a URL once seen as a report stays one.
func rank(role Role) int {
	switch role {
	case RoleReport:
		return 3
	case RoleAttachment:
		return 2
	case RoleList:
		return 1
	}
	return 0
}
