package archive

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Concurrent writers share commits (group commit): a writer joins the open
// group; the group's first writer waits until the transaction before it has
// committed, closes the group, and runs every member's function in one
// write transaction and one fsync. An idle archive commits at once; a busy
// one commits everything that arrived during the previous commit together.
// Unlike bbolt's Batch, nothing waits on a timer, and the transaction runs
// in the first writer's goroutine under guard, so a bbolt panic on a
// corrupt page becomes every member's error instead of killing the process
// from a timer goroutine.
const batchSize = 1000 // most members a transaction takes

// batcher forms the groups; the zero value is ready.
type batcher struct {
	mu     sync.Mutex
	cur    *batchGroup
	commit sync.Mutex // held while a group's transaction runs
}

// batchGroup is the writers that share one transaction.
type batchGroup struct {
	fns  []func(*bolt.Tx) error
	errs []error
	done chan struct{} // closed when errs is final
}

// batch runs fn in a write transaction shared with concurrent callers, and
// returns fn's error or the transaction's. fn may run more than once: when
// another member fails, the group is run again without it.
func (a *Archive) batch(fn func(tx *bolt.Tx) error) error {
	b := &a.batcher
	b.mu.Lock()
	g, leader := b.cur, false
	if g == nil {
		g = &batchGroup{done: make(chan struct{})}
		b.cur, leader = g, true
	}
	idx := len(g.fns)
	g.fns = append(g.fns, fn)
	g.errs = append(g.errs, nil)
	if len(g.fns) >= batchSize {
		b.cur = nil // full: later writers start the next group
	}
	b.mu.Unlock()

	if leader {
		b.commit.Lock()
		b.mu.Lock()
		if b.cur == g {
			b.cur = nil
		}
		b.mu.Unlock()
		a.runGroup(g)
		b.commit.Unlock()
	}
	<-g.done
	return g.errs[idx]
}

// runGroup commits the group's functions together. A member whose function
// fails is run again alone (its own error is then final) and the others
// are retried without it.
func (a *Archive) runGroup(g *batchGroup) {
	defer close(g.done)
	pending := make([]int, len(g.fns))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		failed := -1
		err := a.update(func(tx *bolt.Tx) error {
			for j, i := range pending {
				if err := g.fns[i](tx); err != nil {
					failed = j
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, i := range pending {
				g.errs[i] = err
			}
			return
		}
		i := pending[failed]
		g.errs[i] = a.update(g.fns[i])
		pending = append(pending[:failed:failed], pending[failed+1:]...)
	}
}
