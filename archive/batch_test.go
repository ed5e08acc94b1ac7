package archive

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestBatchSharesCommitsAndIsolatesFailures runs concurrent batched writes,
// one of which fails: the others commit, the failing one gets its own error.
func TestBatchSharesCommitsAndIsolatesFailures(t *testing.T) {
	a, _ := openTemp(t)
	bad := errors.New("refused")
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.batch(func(tx *bolt.Tx) error {
				if i == 17 {
					return bad
				}
				return tx.Bucket(bucketMeta).Put([]byte(fmt.Sprintf("k%03d", i)), []byte("v"))
			})
		}()
	}
	wg.Wait()
	stored := 0
	if err := a.view(func(tx *bolt.Tx) error {
		for i := 0; i < n; i++ {
			if tx.Bucket(bucketMeta).Get([]byte(fmt.Sprintf("k%03d", i))) != nil {
				stored++
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		switch {
		case i == 17 && !errors.Is(err, bad):
			t.Errorf("member 17: err = %v, want its own error", err)
		case i != 17 && err != nil:
			t.Errorf("member %d: err = %v", i, err)
		}
	}
	if stored != n-1 {
		t.Errorf("stored %d keys, want %d", stored, n-1)
	}
}
