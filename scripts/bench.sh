#!/bin/sh
# Crawl benchmark: a generated 20-host, ~5,000-page world served on loopback
# (internal/fixtureworld.Generate), crawled with delay 0 into a fresh archive.
# Prints pages/s and peak RSS (the benchmark's own Getrusage metric, and the
# whole test process's maximum resident set from /usr/bin/time -v when
# available). The fixture server runs in the same process, so RSS covers both.
#
# usage: scripts/bench.sh [count]
set -eu
cd "$(dirname "$0")/.."
count="${1:-1}"
bin="$(mktemp -d)/crawler.test"
go test -c -o "$bin" ./crawler
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v "$bin" -test.run '^$' -test.bench BenchmarkCrawlGenerated -test.benchtime 1x -test.count "$count" 2>"$bin.time"
	grep -E 'Maximum resident set size|Elapsed \(wall|Percent of CPU' "$bin.time" || true
else
	"$bin" -test.run '^$' -test.bench BenchmarkCrawlGenerated -test.benchtime 1x -test.count "$count"
fi
rm -f "$bin" "$bin.time"
