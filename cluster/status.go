package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nianbao/nianbao/archive"
)

// Job states.
const (
	StateQueued  = "queued"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// JobStatus is the state of one job, in the run's jobs hash: what the
// run record keeps of it (archive.RunJob), and when it last changed.
type JobStatus struct {
	archive.RunJob
	Updated time.Time `json:"updated"`
}

// final reports whether the job is over.
func (s JobStatus) final() bool { return s.State == StateDone || s.State == StateFailed }

// unlessFinal sets a job state unless the job is already done or failed.
var unlessFinal = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local ok, st = pcall(cjson.decode, cur)
  if ok and (st['state'] == 'done' or st['state'] == 'failed') then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`)

// SetStatus records a job's state; a final one (done, failed) replaces
// anything, another never replaces a final one.
func (q *Queue) SetStatus(ctx context.Context, run string, s JobStatus) error {
	s.Updated = time.Now().UTC()
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("job state %s: %w", s.ID, err)
	}
	key := q.keys.Jobs(run)
	if s.final() {
		_, err = q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, s.ID, b)
			p.Expire(ctx, key, statusTTL)
			return nil
		})
	} else {
		err = unlessFinal.Run(ctx, q.rdb, []string{key}, s.ID, string(b), statusTTL.Milliseconds()).Err()
	}
	if err != nil {
		return fmt.Errorf("job state %s: %w", s.ID, err)
	}
	return nil
}

// Status returns a job's state; false when none is recorded.
func (q *Queue) Status(ctx context.Context, run, id string) (JobStatus, bool, error) {
	v, err := q.rdb.HGet(ctx, q.keys.Jobs(run), id).Result()
	if err == redis.Nil {
		return JobStatus{}, false, nil
	}
	if err != nil {
		return JobStatus{}, false, fmt.Errorf("job state %s: %w", id, err)
	}
	var s JobStatus
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return JobStatus{}, false, fmt.Errorf("job state %s: %w", id, err)
	}
	return s, true, nil
}

// Statuses returns the states of a run's jobs by job ID.
func (q *Queue) Statuses(ctx context.Context, run string) (map[string]JobStatus, error) {
	all, err := q.rdb.HGetAll(ctx, q.keys.Jobs(run)).Result()
	if err != nil {
		return nil, fmt.Errorf("job states of run %s: %w", run, err)
	}
	out := map[string]JobStatus{}
	for id, v := range all {
		var s JobStatus
		if json.Unmarshal([]byte(v), &s) == nil {
			out[id] = s
		}
	}
	return out, nil
}

// WorkerStatus is one worker's heartbeat.
type WorkerStatus struct {
	Name string    `json:"name"`
	Host string    `json:"host,omitempty"`
	PID  int       `json:"pid,omitempty"`
	Beat time.Time `json:"last_beat"`
	// State is "idle", "crawling" or "stopped"; the coordinator shows a
	// worker whose beat is older than three leases as "lost".
	State string `json:"state"`
	// Jobs are the jobs it crawls now.
	Jobs []ActiveJob `json:"jobs"`
	// Pages counts the requests it made since it started; Done the jobs
	// it completed.
	Pages int `json:"pages"`
	Done  int `json:"done"`
}

// ActiveJob is a job a worker crawls now.
type ActiveJob struct {
	ID    string    `json:"id"`
	Site  string    `json:"site"`
	Since time.Time `json:"since"`
	Pages int       `json:"pages"`
}

// Beat records a worker's heartbeat.
func (q *Queue) Beat(ctx context.Context, s WorkerStatus) error {
	s.Beat = time.Now().UTC()
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("heartbeat of %s: %w", s.Name, err)
	}
	if err := q.rdb.HSet(ctx, q.keys.Workers(), s.Name, b).Err(); err != nil {
		return fmt.Errorf("heartbeat of %s: %w", s.Name, err)
	}
	return nil
}

// Workers returns the workers' last heartbeats, by name; a worker silent
// for more than three leases is "lost".
func (q *Queue) Workers(ctx context.Context) ([]WorkerStatus, error) {
	all, err := q.rdb.HGetAll(ctx, q.keys.Workers()).Result()
	if err != nil {
		return nil, fmt.Errorf("worker heartbeats: %w", err)
	}
	var out []WorkerStatus
	for _, v := range all {
		var s WorkerStatus
		if json.Unmarshal([]byte(v), &s) != nil {
			continue
		}
		if s.State != "stopped" && time.Since(s.Beat) > 3*q.lease {
			s.State = "lost"
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
