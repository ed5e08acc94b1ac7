package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nianbao/nianbao/archive"
)

// DefaultLease is how long a site's lease lasts without renewal.
const DefaultLease = 30 * time.Second

// Queue is the cluster's state in Redis: the jobs stream and its
// consumer group, the site leases, the job states and the worker
// heartbeats. It is safe for concurrent use.
type Queue struct {
	rdb   *redis.Client
	keys  Keys
	lease time.Duration
}

// NewQueue returns the queue on rdb; lease <= 0 means DefaultLease.
func NewQueue(rdb *redis.Client, keys Keys, lease time.Duration) *Queue {
	if lease <= 0 {
		lease = DefaultLease
	}
	return &Queue{rdb: rdb, keys: keys, lease: lease}
}

// Dial connects to the Redis of a redis:// URL and checks it answers.
func Dial(ctx context.Context, rawURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis URL %q: %w", rawURL, err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis %s: %w", opt.Addr, err)
	}
	return rdb, nil
}

// Lease is how long a lease lasts without renewal.
func (q *Queue) Lease() time.Duration { return q.lease }

// reclaimIdle is how long a job must have gone unrenewed before another
// worker may claim it: longer than a lease, so that the dead worker's
// lease has expired by then.
func (q *Queue) reclaimIdle() time.Duration { return q.lease + q.lease/2 }

// ensureGroup creates the stream and its consumer group if missing.
func (q *Queue) ensureGroup(ctx context.Context) error {
	err := q.rdb.XGroupCreateMkStream(ctx, q.keys.Stream(), group, "0").Err()
	if err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group on %s: %w", q.keys.Stream(), err)
	}
	return nil
}

// Enqueue adds job to the stream and records it queued.
func (q *Queue) Enqueue(ctx context.Context, job *Job) error {
	if err := q.ensureGroup(ctx); err != nil {
		return err
	}
	b, err := json.Marshal(job)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", job.ID, err)
	}
	if err := q.SetStatus(ctx, job.Run, JobStatus{RunJob: archive.RunJob{ID: job.ID, Site: job.Site, State: StateQueued}}); err != nil {
		return err
	}
	if err := q.rdb.XAdd(ctx, &redis.XAddArgs{Stream: q.keys.Stream(), Values: map[string]any{"job": string(b)}}).Err(); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.ID, err)
	}
	return nil
}

// DropStale empties the stream: the jobs of an earlier harvest that did
// not complete (its coordinator stopped) are not crawled again for
// nothing. Only the coordinator calls it, before a harvest queues its
// jobs.
func (q *Queue) DropStale(ctx context.Context) (int64, error) {
	if err := q.ensureGroup(ctx); err != nil {
		return 0, err
	}
	n, err := q.rdb.XTrimMaxLen(ctx, q.keys.Stream(), 0).Result()
	if err != nil {
		return 0, fmt.Errorf("drop stale jobs: %w", err)
	}
	return n, nil
}

// Delivery is a job claimed by a worker.
type Delivery struct {
	// MsgID is the stream entry's ID.
	MsgID string
	Job   *Job
	// Attempts counts the deliveries of the entry, this one included.
	Attempts int
}

// Next claims a job for consumer: first one whose worker stopped renewing
// it (XAUTOCLAIM), else a new one (XREADGROUP, waiting up to block). It
// returns nil, nil when there is none. An entry that does not decode is
// acknowledged and dropped.
func (q *Queue) Next(ctx context.Context, consumer string, block time.Duration) (*Delivery, error) {
	if err := q.ensureGroup(ctx); err != nil {
		return nil, err
	}
	msgs, _, err := q.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: q.keys.Stream(), Group: group,
		Consumer: consumer, MinIdle: q.reclaimIdle(), Start: "0-0", Count: 1}).Result()
	if err != nil {
		return nil, fmt.Errorf("reclaim jobs: %w", err)
	}
	if len(msgs) == 0 {
		streams, err := q.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: consumer,
			Streams: []string{q.keys.Stream(), ">"}, Count: 1, Block: block}).Result()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read jobs: %w", err)
		}
		for _, s := range streams {
			msgs = append(msgs, s.Messages...)
		}
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	m := msgs[0]
	d := &Delivery{MsgID: m.ID, Job: &Job{}}
	raw, _ := m.Values["job"].(string)
	if err := json.Unmarshal([]byte(raw), d.Job); err != nil || d.Job.ID == "" || d.Job.Site == "" {
		return nil, errors.Join(fmt.Errorf("stream entry %s is not a job (dropped)", m.ID), err, q.Ack(ctx, m.ID))
	}
	pend, err := q.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: q.keys.Stream(), Group: group,
		Start: m.ID, End: m.ID, Count: 1}).Result()
	if err != nil {
		return nil, fmt.Errorf("attempts of %s: %w", d.Job.ID, err)
	}
	if len(pend) > 0 {
		d.Attempts = int(pend[0].RetryCount)
	}
	return d, nil
}

// Touch resets the idle time of a claimed entry delivered attempts
// times: the worker still works on it. It is XCLAIM … JUSTID with the
// delivery count given (RETRYCOUNT), so a renewal never counts as a
// delivery.
func (q *Queue) Touch(ctx context.Context, consumer string, d *Delivery) error {
	err := q.rdb.Do(ctx, "XCLAIM", q.keys.Stream(), group, consumer, 0, d.MsgID,
		"RETRYCOUNT", d.Attempts, "JUSTID").Err()
	if err != nil {
		return fmt.Errorf("renew claim of %s: %w", d.Job.ID, err)
	}
	return nil
}

// Ack acknowledges and deletes a stream entry: its job is over.
func (q *Queue) Ack(ctx context.Context, msgID string) error {
	if err := q.rdb.XAck(ctx, q.keys.Stream(), group, msgID).Err(); err != nil {
		return fmt.Errorf("ack %s: %w", msgID, err)
	}
	if err := q.rdb.XDel(ctx, q.keys.Stream(), msgID).Err(); err != nil {
		return fmt.Errorf("delete %s: %w", msgID, err)
	}
	return nil
}

// renewScript extends a lease held by ARGV[1]; releaseScript deletes it.
var (
	renewScript   = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`)
	releaseScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`)
)

// Acquire takes the lease of site for holder, unless another holds it.
func (q *Queue) Acquire(ctx context.Context, site, holder string) (bool, error) {
	ok, err := q.rdb.SetNX(ctx, q.keys.Lease(site), holder, q.lease).Result()
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", site, err)
	}
	return ok, nil
}

// Renew extends holder's lease of site; false when holder lost it.
func (q *Queue) Renew(ctx context.Context, site, holder string) (bool, error) {
	n, err := renewScript.Run(ctx, q.rdb, []string{q.keys.Lease(site)}, holder, q.lease.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", site, err)
	}
	return n == 1, nil
}

// Release gives holder's lease of site up (nothing when it lost it).
func (q *Queue) Release(ctx context.Context, site, holder string) error {
	if err := releaseScript.Run(ctx, q.rdb, []string{q.keys.Lease(site)}, holder).Err(); err != nil {
		return fmt.Errorf("release lease %s: %w", site, err)
	}
	return nil
}
