package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Roles a capture can have.
const (
	RoleList       = "list"       // a column / list page linking to reports
	RoleReport     = "report"     // an annual-report page
	RoleAttachment = "attachment" // a file linked from a report page
	RoleOther      = "other"      // anything else the crawl fetched
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
	Role           string      `json:"role"`
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
	Role          string    `json:"role,omitempty"`
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
	if c.URL == "" {
		return errors.New("put capture: empty URL")
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
	var zbody, ztext []byte
	if body != nil {
		zbody = a.enc.EncodeAll(body, nil)
	}
	if text != "" {
		ztext = a.enc.EncodeAll([]byte(text), nil)
	}
	err := a.db.Batch(func(tx *bolt.Tx) error {
		caps := tx.Bucket(bucketCaptures)
		seq, err := caps.NextSequence()
		if err != nil {
			return err
		}
		key := idKey(seq)
		c.ID = idString(key)
		if c.Digest != "" {
			bodies := tx.Bucket(bucketBodies)
			if zbody != nil && bodies.Get([]byte(c.Digest)) == nil {
				if err := bodies.Put([]byte(c.Digest), zbody); err != nil {
					return err
				}
			}
			texts := tx.Bucket(bucketTexts)
			if ztext != nil && texts.Get([]byte(c.Digest)) == nil {
				if err := texts.Put([]byte(c.Digest), ztext); err != nil {
					return err
				}
			}
		}
		rec, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if err := caps.Put(key, rec); err != nil {
			return err
		}
		if err := tx.Bucket(bucketByURL).Put(indexKey(c.URL, key), nil); err != nil {
			return err
		}
		if c.Agency != "" {
			if err := tx.Bucket(bucketByAgency).Put(indexKey(c.Agency, key), nil); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketByRole).Put(indexKey(c.Role, key), nil); err != nil {
			return err
		}
		if c.Digest != "" {
			if err := tx.Bucket(bucketByDigest).Put(indexKey(c.Digest, key), nil); err != nil {
				return err
			}
		}
		return a.updateURLState(tx, c)
	})
	if err != nil {
		return fmt.Errorf("put capture of %s in %s: %w", c.URL, a.path, err)
	}
	return nil
}

func (a *Archive) updateURLState(tx *bolt.Tx, c *Capture) error {
	b := tx.Bucket(bucketURLs)
	var st URLState
	if v := b.Get([]byte(c.URL)); v != nil {
		_ = json.Unmarshal(v, &st)
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
	if c.Role != "" && (st.Role == "" || rank(c.Role) > rank(st.Role)) {
		st.Role = c.Role
	}
	if c.Agency != "" {
		st.Agency = c.Agency
	}
	v, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return b.Put([]byte(c.URL), v)
}

// rank orders roles so that a URL once seen as a report stays one.
func rank(role string) int {
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

// URLState returns what the archive knows of url, and false if it was never
// captured.
func (a *Archive) URLState(url string) (URLState, bool, error) {
	var st URLState
	var found bool
	err := a.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketURLs).Get([]byte(url))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &st)
	})
	if err != nil {
		return st, false, fmt.Errorf("url state of %s: %w", url, err)
	}
	return st, found, nil
}

// Get returns the capture with the given ID.
func (a *Archive) Get(id string) (*Capture, error) {
	key, err := parseID(id)
	if err != nil {
		return nil, err
	}
	var c *Capture
	err = a.db.View(func(tx *bolt.Tx) error {
		c, err = getCapture(tx, key)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("capture %s: %w", id, err)
	}
	return c, nil
}

func getCapture(tx *bolt.Tx, key []byte) (*Capture, error) {
	v := tx.Bucket(bucketCaptures).Get(key)
	if v == nil {
		return nil, ErrNotFound
	}
	var c Capture
	if err := json.Unmarshal(v, &c); err != nil {
		return nil, fmt.Errorf("decode capture record: %w", err)
	}
	return &c, nil
}

// Body returns the raw payload bytes of a capture exactly as received. A
// revisit returns the payload it revisited.
func (a *Archive) Body(id string) ([]byte, error) {
	c, err := a.Get(id)
	if err != nil {
		return nil, err
	}
	return a.BodyByDigest(c.Digest)
}

// BodyByDigest returns the payload stored under a "sha256:<hex>" digest.
func (a *Archive) BodyByDigest(digest string) ([]byte, error) {
	return a.blob(bucketBodies, digest)
}

// Text returns the UTF-8 text of a capture's payload ("" with ErrNotFound
// when none was stored, e.g. for a binary attachment).
func (a *Archive) Text(id string) (string, error) {
	c, err := a.Get(id)
	if err != nil {
		return "", err
	}
	b, err := a.blob(bucketTexts, c.Digest)
	if err != nil {
		return "", fmt.Errorf("text of capture %s: %w", id, err)
	}
	return string(b), nil
}

func (a *Archive) blob(bucket []byte, digest string) ([]byte, error) {
	if digest == "" {
		return nil, fmt.Errorf("no payload: %w", ErrNotFound)
	}
	var z []byte
	err := a.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get([]byte(digest))
		if v == nil {
			return ErrNotFound
		}
		z = append([]byte(nil), v...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", bucket, digest, err)
	}
	b, err := a.dec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("decompress %s %s: %w", bucket, digest, err)
	}
	return b, nil
}

// Each calls fn for every capture in the order they were made; a non-nil
// error from fn stops the walk and is returned.
func (a *Archive) Each(fn func(*Capture) error) error {
	return a.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCaptures).ForEach(func(k, v []byte) error {
			var c Capture
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode capture %s: %w", idString(k), err)
			}
			return fn(&c)
		})
	})
}

// ByURL returns every capture of url, oldest first.
func (a *Archive) ByURL(url string) ([]*Capture, error) { return a.byIndex(bucketByURL, url) }

// ByAgency returns every capture made for an agency, oldest first.
func (a *Archive) ByAgency(agency string) ([]*Capture, error) {
	return a.byIndex(bucketByAgency, agency)
}

// ByRole returns every capture with a role, oldest first.
func (a *Archive) ByRole(role string) ([]*Capture, error) { return a.byIndex(bucketByRole, role) }

// ByDigest returns every capture whose payload has the digest, oldest first.
func (a *Archive) ByDigest(digest string) ([]*Capture, error) {
	return a.byIndex(bucketByDigest, digest)
}

func (a *Archive) byIndex(bucket []byte, value string) ([]*Capture, error) {
	var out []*Capture
	prefix := append([]byte(value), 0)
	err := a.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := k[len(prefix):]
			if len(id) != 8 {
				continue
			}
			cp, err := getCapture(tx, id)
			if err != nil {
				return fmt.Errorf("capture %s: %w", idString(id), err)
			}
			out = append(out, cp)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("look up %s %q: %w", bucket, value, err)
	}
	return out, nil
}

// Agencies returns every agency that has captures, sorted.
func (a *Archive) Agencies() ([]string, error) { return a.distinct(bucketByAgency) }

// URLs returns every captured URL, sorted.
func (a *Archive) URLs() ([]string, error) { return a.distinct(bucketByURL) }

func (a *Archive) distinct(bucket []byte) ([]string, error) {
	var out []string
	err := a.db.View(func(tx *bolt.Tx) error {
		var last string
		return tx.Bucket(bucket).ForEach(func(k, _ []byte) error {
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
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", bucket, err)
	}
	return out, nil
}
