#!/bin/sh
# Deployer: publishes WORKDIR/stop-counts.csv as OUTPUT/stop-counts-DAY.csv atomically (a temp
# file in OUTPUT, then rename), so readers see the old file or the new one, never half of one.
# Usage: deploy.sh DAY [WORKDIR] [OUTPUT]   DAY: YYYY-MM-DD or "today"
set -eu
day="${1:-today}"
[ "$day" = today ] && day="$(date +%F)"
workdir="${2:-/tmp/nightshift-etl/$day}"
output="${3:-/tmp/nightshift-etl/published}"
if [ ! -f "$workdir/stop-counts.csv" ]; then
  echo "deployer: nothing to publish for $day: $workdir/stop-counts.csv is missing" >&2
  exit 1
fi
mkdir -p "$output"
tmp="$output/.stop-counts-$day.csv.$$"
cp "$workdir/stop-counts.csv" "$tmp"
mv -f "$tmp" "$output/stop-counts-$day.csv"
echo "deployer: job ${AWS_BATCH_JOB_ID:-local}: published $output/stop-counts-$day.csv"
