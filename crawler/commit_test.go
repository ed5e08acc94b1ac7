package crawler

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
)

// gatedWrites is a committer's write that blocks each commit until the
// test releases it, recording what each commit took.
type gatedWrites struct {
	mu      sync.Mutex
	commits [][]string // the URLs of each commit, in order
	started chan int   // the number of the commit that began
	release chan error // lets the commit that began finish, with this error
}

func newGatedWrites() *gatedWrites {
	return &gatedWrites{started: make(chan int, 16), release: make(chan error)}
}

func (g *gatedWrites) write(jobs []commitJob) error {
	var urls []string
	for _, j := range jobs {
		for _, d := range j.done {
			urls = append(urls, d.Item.URL)
		}
	}
	g.mu.Lock()
	g.commits = append(g.commits, urls)
	n := len(g.commits)
	g.mu.Unlock()
	g.started <- n
	return <-g.release
}

func jobOf(urls ...string) commitJob {
	var j commitJob
	for _, u := range urls {
		j.done = append(j.done, archive.Completion{Item: &archive.FrontierItem{URL: u, Host: "h", Key: []byte("k " + u)}})
	}
	return j
}

// TestCommitterGroupsWhatWaits: the loop goes on while a commit runs;
// everything handed over meanwhile goes into the next commit, in order;
// the items stay in the in-flight set until their commit returns.
func TestCommitterGroupsWhatWaits(t *testing.T) {
	g := newGatedWrites()
	m := startCommitter(g.write)
	if err := m.submit(jobOf("http://h/1")); err != nil {
		t.Fatal(err)
	}
	<-g.started // the first commit runs, blocked
	for _, u := range []string{"http://h/2", "http://h/3", "http://h/4"} {
		if err := m.submit(jobOf(u)); err != nil { // does not wait on the commit
			t.Fatal(err)
		}
	}
	if skip := m.skipping(); len(skip) != 4 || !skip["k http://h/1"] || !skip["k http://h/4"] {
		t.Errorf("in flight during the first commit: %v, want the 4 items", skip)
	}
	if !m.pending() {
		t.Error("pending is false while a commit runs")
	}
	g.release <- nil
	<-g.started
	if skip := m.skipping(); len(skip) != 3 || skip["k http://h/1"] {
		t.Errorf("in flight during the second commit: %v, want 2, 3 and 4 only", skip)
	}
	g.release <- nil
	if err := m.close(); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([][]string{{"http://h/1"}, {"http://h/2", "http://h/3", "http://h/4"}})
	if got := fmt.Sprint(g.commits); got != want {
		t.Errorf("commits = %s, want %s", got, want)
	}
	if m.pending() || m.skipping() != nil {
		t.Error("items left in flight after close")
	}
}

// TestCommitterBoundsAndFailures: a hand-over waits while maxAhead others
// wait, a long one waits for its commit, and after a failed commit
// nothing more is written and every call returns its error.
func TestCommitterBoundsAndFailures(t *testing.T) {
	g := newGatedWrites()
	m := startCommitter(g.write)
	if err := m.submit(jobOf("http://h/0")); err != nil {
		t.Fatal(err)
	}
	<-g.started
	for i := 1; i <= maxAhead; i++ {
		if err := m.submit(jobOf(fmt.Sprintf("http://h/%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	blocked := make(chan error, 1)
	go func() { blocked <- m.submit(jobOf("http://h/late")) }()
	select {
	case err := <-blocked:
		t.Fatalf("a hand-over beyond maxAhead did not wait (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	g.release <- nil // the first commit ends: room again
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	<-g.started // the second commit took what waited
	failed := errors.New("disk full")
	g.release <- failed
	if err := m.drain(); !errors.Is(err, failed) {
		t.Errorf("drain after a failed commit = %v, want %v", err, failed)
	}
	if err := m.submit(jobOf("http://h/after")); !errors.Is(err, failed) {
		t.Errorf("submit after a failed commit = %v, want %v", err, failed)
	}
	if err := m.close(); !errors.Is(err, failed) {
		t.Errorf("close after a failed commit = %v, want %v", err, failed)
	}
	if n := len(g.commits); n != 2 {
		t.Errorf("%d commits, want 2 (nothing after the failure)", n)
	}

	long := startCommitter(g.write)
	urls := make([]string, maxAheadItems+1)
	for i := range urls {
		urls[i] = fmt.Sprintf("http://h/run/%d", i)
	}
	done := make(chan error, 1)
	go func() { done <- long.submit(jobOf(urls...)) }()
	<-g.started
	select {
	case err := <-done:
		t.Fatalf("a hand-over of %d completions did not wait for its commit (err %v)", len(urls), err)
	case <-time.After(50 * time.Millisecond):
	}
	g.release <- nil
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := long.close(); err != nil {
		t.Fatal(err)
	}
}
