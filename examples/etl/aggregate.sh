#!/bin/sh
# Aggregator: counts departures and arrivals per stop from WORKDIR/trips.csv into
# WORKDIR/stop-counts.csv (stop,departures,arrivals; sorted by stop).
# Usage: aggregate.sh DAY [WORKDIR]   DAY: YYYY-MM-DD or "today"
set -eu
day="${1:-today}"
[ "$day" = today ] && day="$(date +%F)"
workdir="${2:-/tmp/nightshift-etl/$day}"
if [ ! -f "$workdir/trips.csv" ]; then
  echo "aggregator: no trips for $day: $workdir/trips.csv is missing (did the analyzer run?)" >&2
  exit 1
fi
tmp="$workdir/.stop-counts.csv.$$"
{
  echo "stop,departures,arrivals"
  awk -F, 'NR > 1 { departures[$5]++; arrivals[$6]++; seen[$5]; seen[$6] }
           END { for (s in seen) printf "%s,%d,%d\n", s, departures[s], arrivals[s] }' "$workdir/trips.csv" |
    LC_ALL=C sort
} > "$tmp"
mv "$tmp" "$workdir/stop-counts.csv"
echo "aggregator: job ${AWS_BATCH_JOB_ID:-local}: $(($(wc -l < "$workdir/stop-counts.csv") - 1)) stops for $day"
