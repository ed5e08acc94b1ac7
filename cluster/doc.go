// Package cluster owns harvests crawled by many machines: a coordinator
// (serve -redis) that owns the archive and workers (crawl -worker) that
// fetch, coordinated through Redis.
//
// Each harvest puts one Job per site (authority) on a Redis stream read
// by a consumer group. A job carries what a worker needs to crawl the
// site incrementally: its seeds and agencies, the URL states for
// conditional GET (the bodies of those pages it fetches from the
// coordinator, for the links of pages it does not fetch again), the
// archived report and attachment URLs to skip, and the crawl limits.
//
// A worker claims a job (XREADGROUP, or XAUTOCLAIM for a job whose
// worker stopped renewing it) and takes the site's lease, a key with a
// PX expiry that only one worker holds: a site is crawled by one worker
// at a time, also around a worker's death, because a job is reclaimed
// only after it has been idle longer than a lease lasts. While it crawls
// it renews the lease and the job's claim (XCLAIM JUSTID resets the idle
// time without counting a delivery) and beats in the workers hash. It
// crawls with the usual crawler into a spool archive of its own,
// exports what it fetched as WARC and uploads it (POST /api/ingest with
// the bearer token); the coordinator imports it with warc.Import, which
// adds nothing for a record it already has, and marks the job done; then
// the worker acknowledges it. A job delivered more than the allowed
// attempts is recorded failed. The harvest's crawl stage ends when every
// job is done or failed; extraction and the audit then run as on one
// machine.
package cluster
