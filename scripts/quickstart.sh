#!/usr/bin/env bash
# Quick start: installs dependencies, builds, and runs the server on the embedded default
# (SQLite store + local process executor) with the example ETL pipeline applied and run once, and
# the example's job definitions registered.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
data_dir="${NIGHTSHIFT_DATA_DIR:-$HOME/.local/share/nightshift}"
listen="${NIGHTSHIFT_LISTEN:-127.0.0.1:8080}"
# As root, jobs that name no user are refused unless allowed (README, "Security"); the demo allows them.
root_jobs=$([ "$(id -u)" = 0 ] && echo --allow-root-jobs)
build/nightshift server --listen "$listen" --data-dir "$data_dir" $root_jobs &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
url="http://$listen"
for _ in $(seq 1 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "server failed to start"; exit 1; }
  sleep 0.1
done
examples/register-etl.sh "$url" >/dev/null || true
# The example pipeline, Analyzer -> Aggregator -> Deployer, with its own nightly schedule (02:00
# Europe/Berlin); then one run of it now, followed to its end (progress, then a summary).
build/nightshift pipeline apply examples/etl/nightly-etl.yaml --server "$url"
build/nightshift run examples/etl/nightly-etl.yaml --server "$url" || true
cat <<MSG

nightshift is running at $url (data in $data_dir).
Open the web UI at $url/ (pipelines, runs, jobs, schedules, queues). Or try:
  build/nightshift pipeline runs nightly-etl --server $url       # run history, per-step states
  build/nightshift pipeline list --server $url                   # the nightly schedule, next run
  build/nightshift pipeline run nightly-etl --server $url        # start another run
  build/nightshift run examples/etl/nightly-etl.yaml             # run it once without a server
  ls /tmp/nightshift-etl/published                               # what the Deployer published
  export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1
  examples/run-etl.sh $url                                       # the same chain as jobs, with the aws CLI
  aws --endpoint-url $url batch list-jobs --job-queue default --job-status SUCCEEDED
  aws --endpoint-url $url scheduler list-schedules
Stop with Ctrl-C (running jobs keep running and are re-adopted on the next start).
MSG
wait $server
