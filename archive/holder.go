package archive

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Holder describes the long-running process that holds an archive for
// writing. bbolt's file lock does not say who holds it, so serve writes a
// Holder beside the archive (HolderPath) while it runs, and Open names it in
// the ErrInUse error every other command then gets.
type Holder struct {
	// PID is the holder's process ID.
	PID int `json:"pid"`
	// Command is the holder's name, e.g. "nianbao serve".
	Command string `json:"command"`
	// Addr is the URL the holder serves its UI on, if any.
	Addr string `json:"addr,omitempty"`
	// Since is when the holder opened the archive.
	Since time.Time `json:"since"`
}

// String names the holder for an error message.
func (h Holder) String() string {
	s := fmt.Sprintf("%s (pid %d", h.Command, h.PID)
	if h.Addr != "" {
		s += ", serving " + h.Addr
	}
	if !h.Since.IsZero() {
		s += ", since " + h.Since.Format(time.RFC3339)
	}
	return s + ")"
}

// HolderPath is the file that names the process holding the archive at db.
func HolderPath(db string) string { return db + ".holder" }

// WriteHolder records h as the holder of the archive at db. The returned
// release removes the record, if it is still h's; call it before closing
// the archive.
func WriteHolder(db string, h Holder) (release func(), err error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("write holder of %s: %w", db, err)
	}
	path := HolderPath(db)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("write holder of %s: %w", db, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("write holder of %s: %w", db, err)
	}
	return func() {
		if cur, ok := readHolderFile(path); ok && cur.PID == h.PID {
			os.Remove(path)
		}
	}, nil
}

// ReadHolder returns the recorded holder of the archive at db when the
// record exists and its process is alive. A record left by a killed
// process is ignored.
func ReadHolder(db string) (Holder, bool) {
	h, ok := readHolderFile(HolderPath(db))
	if !ok || !alive(h.PID) {
		return Holder{}, false
	}
	return h, true
}

func readHolderFile(path string) (Holder, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Holder{}, false
	}
	var h Holder
	if err := json.Unmarshal(b, &h); err != nil || h.PID <= 0 {
		return Holder{}, false
	}
	return h, true
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// HeldBy returns a sentence naming who holds the archive at db, for a
// command that got ErrInUse: the recorded serve process when there
// is one, otherwise a generic sentence.
func HeldBy(db string) string {
	if h, ok := ReadHolder(db); ok {
		return fmt.Sprintf("the archive %s is held by %s; stop it (or run this while it is stopped), or use its web UI and /api", db, h)
	}
	return fmt.Sprintf("the archive %s is held by another nianbao process (crawl, extract or serve); retry when it ends", db)
}
