package cluster

import "time"

// DefaultPrefix begins every Redis key of a cluster.
const DefaultPrefix = "nianbao"

// group is the consumer group of the workers on the jobs stream.
const group = "workers"

// statusTTL is how long a harvest's job states stay in Redis after their
// last change: long enough for the UI and a late upload, short enough
// not to accumulate.
const statusTTL = 7 * 24 * time.Hour

// Keys names the Redis keys of one cluster (see ARCHITECTURE.md).
type Keys struct {
	// Prefix begins every key; "" means DefaultPrefix.
	Prefix string
}

func (k Keys) prefix() string {
	if k.Prefix == "" {
		return DefaultPrefix
	}
	return k.Prefix
}

// Stream is the jobs stream.
func (k Keys) Stream() string { return k.prefix() + ":jobs" }

// Lease is the lease key of a site: held by one worker at a time.
func (k Keys) Lease(site string) string { return k.prefix() + ":lease:" + site }

// Jobs is the hash of a harvest run's job states (job ID → JSON JobStatus).
func (k Keys) Jobs(run string) string { return k.prefix() + ":run:" + run + ":jobs" }

// Workers is the hash of worker heartbeats (name → JSON WorkerStatus).
func (k Keys) Workers() string { return k.prefix() + ":workers" }
