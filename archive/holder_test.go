package archive

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "archive.db")
	if _, ok := ReadHolder(db); ok {
		t.Fatal("holder read before any was written")
	}
	if got := HeldBy(db); !strings.Contains(got, "another nianbao process") {
		t.Errorf("HeldBy without holder = %q", got)
	}
	since := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	h := Holder{PID: os.Getpid(), Command: "nianbao serve", Addr: "http://127.0.0.1:8080", Since: since}
	release, err := WriteHolder(db, h)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := ReadHolder(db)
	if !ok || got != h {
		t.Fatalf("ReadHolder = %+v %v, want %+v", got, ok, h)
	}
	want := "the archive " + db + " is held by nianbao serve (pid " + strconv.Itoa(os.Getpid()) + ", serving http://127.0.0.1:8080, since 2026-11-25T10:00:00Z)"
	if msg := HeldBy(db); !strings.HasPrefix(msg, want) {
		t.Errorf("HeldBy = %q, want prefix %q", msg, want)
	}
	release()
	if _, err := os.Stat(HolderPath(db)); !os.IsNotExist(err) {
		t.Errorf("holder file after release: %v", err)
	}

	// A record left by a dead process is ignored.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("no true command: %v", err)
	}
	if _, err := WriteHolder(db, Holder{PID: cmd.Process.Pid, Command: "nianbao serve"}); err != nil {
		t.Fatal(err)
	}
	if got, ok := ReadHolder(db); ok {
		t.Errorf("stale holder read as alive: %+v", got)
	}
	// Garbage is ignored.
	if err := os.WriteFile(HolderPath(db), []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := ReadHolder(db); ok {
		t.Error("garbage holder read")
	}
}
