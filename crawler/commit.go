package crawler

import (
	"fmt"
	"sync"

	"github.com/nianbao/nianbao/archive"
)

// committer writes a site's completions in the background, in the order
// its loop hands them over, so the loop fetches the next page while the
// last ones commit: the host's fetches, not the fsyncs, set the pace.
// Whatever is handed over while a commit runs goes into the next one as a
// single archive.PutPages, so a commit takes more pages the more the
// sites fetch during the one before (where a loop that waited on each
// commit gave every group at most one page per site, and waited on every
// fsync twice: the commit before its group's, then its own).
//
// Nothing counts before it is committed: a capture is accounted for, and
// its items leave the in-flight set, only once its transaction has
// committed. A crash loses what was handed over and not committed; those
// items are still queued in the archive, and the next run visits them
// again. After a failed commit nothing more is written and every call
// returns its error.
type committer struct {
	write    func([]commitJob) error // commits jobs together (Crawler.commitJobs)
	mu       sync.Mutex
	cond     *sync.Cond
	queue    []commitJob     // handed over, not yet being written
	busy     bool            // a commit is running
	inflight map[string]bool // frontier keys of the items handed over and not committed
	err      error
	stop     bool
	stopped  chan struct{}
}

// commitJob is one hand-over: the completions of a run of items, with the
// capture the last of them made (nil: none).
type commitJob struct {
	put  *pendingPut
	done []archive.Completion
}

// maxAhead is how many hand-overs may wait for a commit before the site's
// loop waits too: it bounds the pages a site holds in memory.
const maxAhead = 4

// maxAheadItems is the most completions a hand-over may hold for the
// loop to go on at once; a longer one (a run of skipped items) is waited
// for, so the in-flight set that every frontier read passes over stays
// small.
const maxAheadItems = 16

func (c *Crawler) newCommitter() *committer { return startCommitter(c.commitJobs) }

// startCommitter starts a committer whose commits are write's.
func startCommitter(write func([]commitJob) error) *committer {
	m := &committer{write: write, inflight: map[string]bool{}, stopped: make(chan struct{})}
	m.cond = sync.NewCond(&m.mu)
	go m.loop()
	return m
}

// submit hands job over, waiting while maxAhead others wait; it returns
// the error of an earlier commit, if one failed.
func (m *committer) submit(job commitJob) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.queue) >= maxAhead && m.err == nil {
		m.cond.Wait()
	}
	if m.err != nil {
		return m.err
	}
	for _, d := range job.done {
		if d.Item.Key != nil {
			m.inflight[string(d.Item.Key)] = true
		}
	}
	m.queue = append(m.queue, job)
	m.cond.Broadcast()
	if len(job.done) > maxAheadItems {
		return m.drainLocked()
	}
	return nil
}

// drain waits until everything handed over is committed.
func (m *committer) drain() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.drainLocked()
}

func (m *committer) drainLocked() error {
	for (len(m.queue) > 0 || m.busy) && m.err == nil {
		m.cond.Wait()
	}
	return m.err
}

// pending reports whether anything handed over is not committed yet.
func (m *committer) pending() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.queue) > 0 || m.busy
}

// skipping returns the frontier keys of the items being committed (nil
// when none), for the loop's next frontier read to pass over. It must be
// taken before that read begins: a key leaves the set only after its
// commit, so a read that still sees the item also finds its key here.
func (m *committer) skipping() map[string]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.inflight) == 0 {
		return nil
	}
	keys := make(map[string]bool, len(m.inflight))
	for k := range m.inflight {
		keys[k] = true
	}
	return keys
}

// close drains the committer and stops its goroutine.
func (m *committer) close() error {
	m.mu.Lock()
	err := m.drainLocked()
	m.stop = true
	m.cond.Broadcast()
	m.mu.Unlock()
	<-m.stopped
	return err
}

// loop writes what is handed over, everything waiting in one commit.
func (m *committer) loop() {
	defer close(m.stopped)
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		for len(m.queue) == 0 && !m.stop {
			m.cond.Wait()
		}
		if len(m.queue) == 0 {
			return
		}
		jobs := m.queue
		m.queue, m.busy = nil, true
		var err error
		if m.err == nil {
			m.mu.Unlock()
			err = m.write(jobs)
			m.mu.Lock()
		}
		m.busy = false
		for _, j := range jobs {
			for _, d := range j.done {
				delete(m.inflight, string(d.Item.Key))
			}
		}
		if err != nil && m.err == nil {
			m.err = err
		}
		m.cond.Broadcast()
	}
}

// commitJobs commits jobs in one transaction, then accounts for their
// captures and their new items.
func (c *Crawler) commitJobs(jobs []commitJob) error {
	pages := make([]archive.PageWrite, len(jobs))
	for i, j := range jobs {
		pages[i].Done = j.done
		if p := j.put; p != nil { // (its Worker stamped by keep)
			pages[i].Capture, pages[i].Body, pages[i].Text = p.capt, p.body, p.text
		}
	}
	added, err := c.a.PutPages(pages)
	if err != nil {
		return fmt.Errorf("crawl %s: %w", jobs[0].done[0].Item.Host, err)
	}
	for i, j := range jobs {
		if p := j.put; p != nil {
			c.account(p.capt, p.body, p.it)
		}
		c.addQueued(added[i] - queuedOf(j.done))
	}
	return nil
}

// queuedOf returns how many of the completions are of items that came
// from the frontier (not expanded in memory).
func queuedOf(done []archive.Completion) int {
	n := 0
	for _, d := range done {
		if !d.Expanded {
			n++
		}
	}
	return n
}
