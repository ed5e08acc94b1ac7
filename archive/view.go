package archive

// The Archive's own read methods below each run one View of their own.
// Use them for a single lookup; a composite read uses one View and the
// Reader's methods instead (see Reader).

// viewOne runs one Reader method in a View of its own.
func viewOne[T any](a *Archive, fn func(r *Reader) (T, error)) (v T, err error) {
	err = a.View(func(r *Reader) error {
		v, err = fn(r)
		return err
	})
	return v, err
}

// URLState returns what the archive knows of url, and false if it was never
// captured.
func (a *Archive) URLState(url string) (st URLState, found bool, err error) {
	err = a.View(func(r *Reader) error {
		st, found, err = r.URLState(url)
		return err
	})
	return st, found, err
}

// HasURLsOf reports whether the archive knows any URL of authority
// (host[:port]) under either scheme (see Reader.HasURLsOf).
func (a *Archive) HasURLsOf(authority string) (has bool, err error) {
	err = a.View(func(r *Reader) error {
		has = r.HasURLsOf(authority)
		return nil
	})
	return has, err
}

// Get returns the capture with the given ID.
func (a *Archive) Get(id string) (*Capture, error) {
	return viewOne(a, func(r *Reader) (*Capture, error) { return r.Get(id) })
}

// Body returns the raw payload bytes of a capture exactly as received. A
// revisit returns the payload it revisited.
func (a *Archive) Body(id string) ([]byte, error) {
	return viewOne(a, func(r *Reader) ([]byte, error) { return r.Body(id) })
}

// BodyByDigest returns the payload stored under a "sha256:<hex>" digest.
func (a *Archive) BodyByDigest(digest string) ([]byte, error) {
	return viewOne(a, func(r *Reader) ([]byte, error) { return r.BodyByDigest(digest) })
}

// Text returns the UTF-8 text of a capture's payload (ErrNotFound when none
// was stored, e.g. for a binary attachment).
func (a *Archive) Text(id string) (string, error) {
	return viewOne(a, func(r *Reader) (string, error) { return r.Text(id) })
}

// ByURL returns every capture of url, oldest first.
func (a *Archive) ByURL(url string) ([]*Capture, error) {
	return viewOne(a, func(r *Reader) ([]*Capture, error) { return r.ByURL(url) })
}

// ByAgency returns every capture made for an agency, oldest first.
func (a *Archive) ByAgency(agency string) ([]*Capture, error) {
	return viewOne(a, func(r *Reader) ([]*Capture, error) { return r.ByAgency(agency) })
}

// ByRole returns every capture with a role, oldest first.
func (a *Archive) ByRole(role Role) ([]*Capture, error) {
	return viewOne(a, func(r *Reader) ([]*Capture, error) { return r.ByRole(role) })
}

// ByDigest returns every capture whose payload has the digest, oldest first.
func (a *Archive) ByDigest(digest string) ([]*Capture, error) {
	return viewOne(a, func(r *Reader) ([]*Capture, error) { return r.ByDigest(digest) })
}

// Agencies returns every agency that has captures, sorted.
func (a *Archive) Agencies() ([]string, error) { return viewOne(a, (*Reader).Agencies) }

// URLs returns every captured URL, sorted.
func (a *Archive) URLs() ([]string, error) { return viewOne(a, (*Reader).URLs) }

// Report returns the stored report JSON of a capture.
func (a *Archive) Report(captureID string) ([]byte, error) {
	return viewOne(a, func(r *Reader) ([]byte, error) { return r.Report(captureID) })
}

// Runs returns every run, newest first.
func (a *Archive) Runs() ([]*Run, error) { return viewOne(a, (*Reader).Runs) }
