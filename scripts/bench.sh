#!/bin/sh
# Scale benchmarks of issue 11, in one go, printed as one table:
#   - one serial `wget -r --warc-file` (gzip WARC) against the crawl command
#     (-parallel 20 and 4) on the same generated 20-host world
#     served on loopback at delay 0 (internal/fixtureworld.Generate); pages
#     are the requests the world served to each, so both are counted alike;
#   - the no-change re-crawl of that world into the first archive (wall-time
#     ratio to the first crawl, bytes the file grew);
#   - the same world crawled into a pre-filled 100,000-capture archive
#     (benchworld.Prefill) against a fresh one (pages/s ratio);
#   - GET / and /api/dashboard of web.Server on the pre-filled archive;
#   - the politeness-bound makespan: 20 hosts at -delay 50ms, all at once,
#     against the ideal (the busiest host's requests x the delay); the
#     benchmark fails if two requests to a host came closer than the delay
#     or overlapped;
#   - the memory one more host in flight costs (128 small hosts at
#     -parallel 8 and 128, peak RSS of each);
#   - crawler.BenchmarkCrawlGenerated (in-process crawl, peak RSS).
# The benchmarks are Go benchmarks (internal/benchworld, crawler); `go test
# ./...` runs none of them. Offline: everything is served on loopback.
#
# usage: scripts/bench.sh [bench-regexp]   (default: all of them)
set -eu
cd "$(dirname "$0")/.."
filter="${1:-.}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/benchworld.test" ./internal/benchworld
go test -c -o "$tmp/crawler.test" ./crawler
# TMPDIR: the archives, WARCs and the pre-filled file go under $tmp.
TMPDIR="$tmp" "$tmp/benchworld.test" -test.run '^$' -test.bench "$filter" -test.benchtime 1x -test.v 2>&1 | tee "$tmp/out"
if [ "$filter" = "." ]; then
	TMPDIR="$tmp" "$tmp/crawler.test" -test.run '^$' -test.bench BenchmarkCrawlGenerated -test.benchtime 1x 2>&1 | tee -a "$tmp/out"
fi
echo
awk '
/^Benchmark/ && $2 ~ /^[0-9]+$/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	delete m
	m["ns/op"] = $3
	for (i = 5; i < NF; i += 2) m[$(i + 1)] = $i
	n++; row[n] = name
	for (k in m) v[name, k] = m[k]
}
function g(name, k) { return ((name, k) in v) ? v[name, k] : "-" }
END {
	printf "%-22s %8s %9s %10s %10s %8s %8s\n", "run", "pages", "pages/s", "CPU-s/1k", "disk B/pg", "wall s", "RSS MB"
	for (i = 1; i <= n; i++) {
		r = row[i]
		if (g(r, "pages") == "-" || g(r, "pages/s") == "-") continue
		printf "%-22s %8s %9s %10s %10s %8s %8s\n", r, g(r, "pages"), g(r, "pages/s"), g(r, "CPU-s/1000pages"), g(r, "disk-B/page"), g(r, "wall-s"), g(r, "peak-RSS-MB")
	}
	w = "Wget"; p = "Crawl/parallel=20"
	if (g(w, "pages/s") != "-" && g(p, "pages/s") != "-")
		printf "\nnianbao -parallel 20 / wget: %.2fx pages/s, %.2fx disk per page (goal >= 2x, <= 1.5x)\n", g(p, "pages/s") / g(w, "pages/s"), g(p, "disk-B/page") / g(w, "disk-B/page")
	if (g(p, "recrawl-wall-ratio") != "-")
		printf "no-change re-crawl: %s requests, %.3fx the first crawl wall time (goal <= 0.15), file grew %s B\n", g(p, "recrawl-pages"), g(p, "recrawl-wall-ratio"), g(p, "recrawl-growth-B")
	if (g(p, "recrawl2-wall-ratio") != "-")
		printf "second no-change re-crawl: %.3fx the first crawl wall time, file grew %s B\n", g(p, "recrawl2-wall-ratio"), g(p, "recrawl2-growth-B")
	if (g("Prefilled", "prefilled/fresh") != "-")
		printf "pre-filled (100k) / fresh archive: %.2fx pages/s (goal >= 0.9), %.2fx CPU per page; the crawl added %s B/page to the file and wrote %s B/page (fresh: %s); peak RSS %s MB (fresh: %s; medians of 3 pairs)\n", g("Prefilled", "prefilled/fresh"), g("Prefilled", "prefilled/fresh-CPU"), g("Prefilled", "disk-B/page"), g("Prefilled", "written-B/page"), g("Prefilled", "fresh-written-B/page"), g("Prefilled", "peak-RSS-MB"), g("Prefilled", "fresh-peak-RSS-MB")
	for (i = 1; i <= n; i++) if (row[i] ~ /^Dashboard\//)
		printf "dashboard %-4s on 100k captures: %.1f ms, %s B (goal <= 50 ms)\n", substr(row[i], 11), g(row[i], "ns/op") / 1e6, g(row[i], "B/resp")
	if (g("Politeness", "makespan/ideal") != "-")
		printf "politeness (20 hosts, -delay 50ms): makespan %s s, %.2fx the ideal %s s (goal <= 1.1x); no two requests to a host closer than the delay or at once (checked)\n", g("Politeness", "makespan-s"), g("Politeness", "makespan/ideal"), g("Politeness", "ideal-s")
	if (g("HostMemory", "KB/host") != "-")
		printf "memory per host in flight: %.0f KB (peak RSS %s MB at -parallel 8, %s MB at -parallel 128)\n", g("HostMemory", "KB/host"), g("HostMemory", "RSS-MB@8"), g("HostMemory", "RSS-MB@128")
	if (g("CrawlGenerated", "pages/s") != "-")
		printf "in-process crawl (crawler.BenchmarkCrawlGenerated): %s pages/s, peak RSS %s MB\n", g("CrawlGenerated", "pages/s"), g("CrawlGenerated", "peakRSS_MB")
}' "$tmp/out"
