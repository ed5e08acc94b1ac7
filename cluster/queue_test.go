package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/nianbao/nianbao/archive"
)

func newTestQueue(t *testing.T, lease time.Duration) (*Queue, *miniredis.Miniredis) {
	t.Helper()
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return NewQueue(rdb, Keys{Prefix: "test"}, lease), m
}

func TestLeaseIsExclusive(t *testing.T) {
	ctx := context.Background()
	q, m := newTestQueue(t, 10*time.Second)
	steps := []struct {
		name string
		do   func() (bool, error)
		want bool
	}{
		{"a takes the lease", func() (bool, error) { return q.Acquire(ctx, "s", "a") }, true},
		{"b cannot take it", func() (bool, error) { return q.Acquire(ctx, "s", "b") }, false},
		{"b cannot renew it", func() (bool, error) { return q.Renew(ctx, "s", "b") }, false},
		{"b's release leaves it", func() (bool, error) { return false, q.Release(ctx, "s", "b") }, false},
		{"still a's", func() (bool, error) { return q.Acquire(ctx, "s", "b") }, false},
		{"a renews it", func() (bool, error) { return q.Renew(ctx, "s", "a") }, true},
		{"it expires unrenewed", func() (bool, error) { m.FastForward(11 * time.Second); return q.Acquire(ctx, "s", "b") }, true},
		{"a lost it", func() (bool, error) { return q.Renew(ctx, "s", "a") }, false},
		{"another site is free", func() (bool, error) { return q.Acquire(ctx, "t", "a") }, true},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Fatalf("%s: got %v, want %v", s.name, got, s.want)
		}
	}
}

func TestJobReclaimedOnlyAfterIdle(t *testing.T) {
	ctx := context.Background()
	q, m := newTestQueue(t, 10*time.Second)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.SetTime(now)
	job := &Job{ID: JobID("1", "h"), Run: "1", Site: "h"}
	if err := q.Enqueue(ctx, job); err != nil {
		t.Fatal(err)
	}
	d, err := q.Next(ctx, "a", 10*time.Millisecond)
	if err != nil || d == nil || d.Job.ID != job.ID || d.Attempts != 1 {
		t.Fatalf("first claim: %+v, %v", d, err)
	}
	steps := []struct {
		name     string
		after    time.Duration // since the start
		touch    bool
		want     bool
		attempts int
	}{
		{"not while fresh", 5 * time.Second, false, false, 0},
		{"not once touched", 14 * time.Second, true, false, 0},
		{"not idle long enough since the touch", 20 * time.Second, false, false, 0},
		{"reclaimed when idle past a lease and a half", 30 * time.Second, false, true, 2},
	}
	for _, s := range steps {
		m.SetTime(now.Add(s.after))
		if s.touch {
			if err := q.Touch(ctx, "a", d); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := q.Next(ctx, "b", 10*time.Millisecond)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if (got != nil) != s.want {
			t.Fatalf("%s: claimed %v, want %v", s.name, got != nil, s.want)
		}
		if got != nil && got.Attempts != s.attempts {
			t.Fatalf("%s: attempts %d, want %d", s.name, got.Attempts, s.attempts)
		}
	}
	if err := q.Ack(ctx, d.MsgID); err != nil {
		t.Fatal(err)
	}
	m.SetTime(now.Add(time.Hour))
	if got, err := q.Next(ctx, "c", 10*time.Millisecond); err != nil || got != nil {
		t.Fatalf("an acknowledged job came back: %+v, %v", got, err)
	}
}

func TestFinalStateWins(t *testing.T) {
	ctx := context.Background()
	q, _ := newTestQueue(t, time.Second)
	id := JobID("7", "h")
	for _, s := range []JobStatus{
		{RunJob: archive.RunJob{ID: id, State: StateQueued}},
		{RunJob: archive.RunJob{ID: id, State: StateRunning, Worker: "a"}},
		{RunJob: archive.RunJob{ID: id, State: StateDone, Worker: "a", Captures: 3}},
		{RunJob: archive.RunJob{ID: id, State: StateRunning, Worker: "b"}}, // a late redelivery
	} {
		if err := q.SetStatus(ctx, "7", s); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := q.Status(ctx, "7", id)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got.State != StateDone || got.Worker != "a" || got.Captures != 3 {
		t.Fatalf("state %+v, want done by a", got)
	}
}

func TestUndecodableEntryIsDropped(t *testing.T) {
	ctx := context.Background()
	q, _ := newTestQueue(t, time.Second)
	if err := q.ensureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.rdb.XAdd(ctx, &redis.XAddArgs{Stream: q.keys.Stream(), Values: map[string]any{"job": "{not json"}}).Err(); err != nil {
		t.Fatal(err)
	}
	if d, err := q.Next(ctx, "a", 10*time.Millisecond); err == nil || d != nil {
		t.Fatalf("got %+v, %v; want an error naming the entry", d, err)
	}
	if n := q.rdb.XLen(ctx, q.keys.Stream()).Val(); n != 0 {
		t.Fatalf("%d entries left, want the bad one dropped", n)
	}
}

func TestDropStale(t *testing.T) {
	ctx := context.Background()
	q, _ := newTestQueue(t, time.Second)
	for _, site := range []string{"a", "b"} {
		if err := q.Enqueue(ctx, &Job{ID: JobID("1", site), Run: "1", Site: site}); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := q.Next(ctx, "w", 10*time.Millisecond); err != nil || d == nil {
		t.Fatalf("claim: %v %v", d, err)
	}
	n, err := q.DropStale(ctx)
	if err != nil || n != 2 {
		t.Fatalf("dropped %d, %v; want 2", n, err)
	}
	if d, err := q.Next(ctx, "w", 10*time.Millisecond); err != nil || d != nil {
		t.Fatalf("a stale job came back: %+v, %v", d, err)
	}
}
