#!/usr/bin/env bash
# Quick start: installs dependencies, builds, and runs the server on the embedded default
# (SQLite store + local process executor) with the example ETL job definitions registered.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
data_dir="${NIGHTSHIFT_DATA_DIR:-$HOME/.local/share/nightshift}"
listen="${NIGHTSHIFT_LISTEN:-127.0.0.1:8080}"
build/nightshift server --listen "$listen" --data-dir "$data_dir" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
url="http://$listen"
for _ in $(seq 1 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "server failed to start"; exit 1; }
  sleep 0.1
done
examples/register-etl.sh "$url" >/dev/null || true
# The example's nightly run: the Analyzer at 02:00 Berlin time (already there on a second start).
build/nightshift schedule create nightly-analyze --expression "0 2 * * *" --timezone Europe/Berlin \
  --definition analyze --server "$url" >/dev/null 2>&1 || true
cat <<MSG

nightshift is running at $url (data in $data_dir). Try:
  export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1
  examples/run-etl.sh $url                                  # Analyzer -> Aggregator -> Deployer
  aws --endpoint-url $url batch list-jobs --job-queue default --job-status SUCCEEDED
  build/nightshift schedule list --server $url               # the nightly schedule, next fire
  build/nightshift schedule preview "0 2 * * *" --timezone Europe/Berlin --count 3
  aws --endpoint-url $url scheduler list-schedules
Stop with Ctrl-C (running jobs keep running and are re-adopted on the next start).
MSG
wait $server
