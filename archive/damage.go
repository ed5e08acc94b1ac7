package archive

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is wrapped by every error that reports a damaged archive file:
// a page bbolt cannot read (it panics on those), a truncated file, or a
// record that does not decode where one must. errors.Is(err, ErrDamaged)
// tells a command to say so and exit 2.
var ErrDamaged = errors.New("archive file is damaged")

// DamageError says which file is damaged, what is known of the damage, and
// what to run about it.
type DamageError struct {
	// Path is the archive file.
	Path string
	// Detail is what was damaged, as far as it is known (bbolt's message,
	// the bucket and key of an undecodable record, a size mismatch).
	Detail string
}

// Error names the file, the damage and the commands that inspect and
// rescue it.
func (e *DamageError) Error() string {
	return fmt.Sprintf("archive %s is damaged: %s; run `archive check -db %s` to see what is affected and `archive salvage -db %s -out NEW.db` to copy every readable record into a new file (the damaged file is never written)",
		e.Path, e.Detail, e.Path, e.Path)
}

// Unwrap makes errors.Is(err, ErrDamaged) true.
func (e *DamageError) Unwrap() error { return ErrDamaged }

func (a *Archive) damaged(detail string) error {
	return &DamageError{Path: a.path, Detail: detail}
}

// guard runs fn, turning a panic raised inside bbolt (its assertions on
// corrupt pages, or a fault on a page past the end of a truncated file)
// into a DamageError. A panic from anywhere else is a bug and is re-raised.
func guard(path string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if !panickedInBolt() {
			panic(p)
		}
		err = &DamageError{Path: path, Detail: fmt.Sprintf("bbolt could not read a page (%v)", p)}
	}()
	return fn()
}

// panickedInBolt reports whether the panic being recovered was raised by
// bbolt's code (or by a memory fault inside it): the first frame below the
// runtime's panic machinery belongs to go.etcd.io/bbolt.
func panickedInBolt() bool {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	inPanic := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic" || f.Function == "runtime.sigpanic" || f.Function == "runtime.panicmem":
			inPanic = true
		case inPanic && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// view runs fn in a read transaction, damage turned into errors.
func (a *Archive) view(fn func(tx *bolt.Tx) error) error {
	return guard(a.path, func() error { return a.db.View(fn) })
}

// update runs fn in a write transaction, damage turned into errors.
func (a *Archive) update(fn func(tx *bolt.Tx) error) error {
	return guard(a.path, func() error { return a.db.Update(fn) })
}
