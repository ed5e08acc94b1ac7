package archive

// The Archive's own read methods below each run one View of their own.
// Use them for a single lookup; a composite read uses one View and the
// Reader's methods instead (see Reader).

// URLState returns what the archive knows of url, and false if it was never
// captured.
func (a *Archive) URLState(url string) (st URLState, found bool, err error) {
	err = a.View(func(r *Reader) error {
		st, found, err = r.URLState(url)
		return err
	})
	return st, found, err
}

// Get returns the capture with the given ID.
func (a *Archive) Get(id string) (c *Capture, err error) {
	err = a.View(func(r *Reader) error {
		c, err = r.Get(id)
		return err
	})
	return c, err
}

// Body returns the raw payload bytes of a capture exactly as received. A
// revisit returns the payload it revisited.
func (a *Archive) Body(id string) (b []byte, err error) {
	err = a.View(func(r *Reader) error {
		b, err = r.Body(id)
		return err
	})
	return b, err
}

// BodyByDigest returns the payload stored under a "sha256:<hex>" digest.
func (a *Archive) BodyByDigest(digest string) (b []byte, err error) {
	err = a.View(func(r *Reader) error {
		b, err = r.BodyByDigest(digest)
		return err
	})
	return b, err
}

// Text returns the UTF-8 text of a capture's payload (ErrNotFound when none
// was stored, e.g. for a binary attachment).
func (a *Archive) Text(id string) (s string, err error) {
	err = a.View(func(r *Reader) error {
		s, err = r.Text(id)
		return err
	})
	return s, err
}

// ByURL returns every capture of url, oldest first.
func (a *Archive) ByURL(url string) ([]*Capture, error) {
	return a.list(func(r *Reader) ([]*Capture, error) { return r.ByURL(url) })
}

// ByAgency returns every capture made for an agency, oldest first.
func (a *Archive) ByAgency(agency string) ([]*Capture, error) {
	return a.list(func(r *Reader) ([]*Capture, error) { return r.ByAgency(agency) })
}

// ByRole returns every capture with a role, oldest first.
func (a *Archive) ByRole(role string) ([]*Capture, error) {
	return a.list(func(r *Reader) ([]*Capture, error) { return r.ByRole(role) })
}

// ByDigest returns every capture whose payload has the digest, oldest first.
func (a *Archive) ByDigest(digest string) ([]*Capture, error) {
	return a.list(func(r *Reader) ([]*Capture, error) { return r.ByDigest(digest) })
}

func (a *Archive) list(fn func(r *Reader) ([]*Capture, error)) (out []*Capture, err error) {
	err = a.View(func(r *Reader) error {
		out, err = fn(r)
		return err
	})
	return out, err
}

// Agencies returns every agency that has captures, sorted.
func (a *Archive) Agencies() (out []string, err error) {
	err = a.View(func(r *Reader) error {
		out, err = r.Agencies()
		return err
	})
	return out, err
}

// Report returns the stored report JSON of a capture.
func (a *Archive) Report(captureID string) (b []byte, err error) {
	err = a.View(func(r *Reader) error {
		b, err = r.Report(captureID)
		return err
	})
	return b, err
}

// Runs returns every run, newest first.
func (a *Archive) Runs() (out []*Run, err error) {
	err = a.View(func(r *Reader) error {
		out, err = r.Runs()
		return err
	})
	return out, err
}

// URLs returns every captured URL, sorted.
func (a *Archive) URLs() (out []string, err error) {
	err = a.View(func(r *Reader) error {
		out, err = r.URLs()
		return err
	})
	return out, err
}
