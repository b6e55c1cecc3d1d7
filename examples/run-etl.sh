#!/usr/bin/env bash
# Submits Analyzer -> Aggregator -> Deployer with the aws CLI and waits for the chain to finish.
# Usage: examples/run-etl.sh [URL] [DAY]
set -euo pipefail
url="${1:-http://127.0.0.1:8080}"
day="${2:-$(date +%F)}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-x}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-x}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" AWS_PAGER=""
aws() { command aws --endpoint-url "$url" --output text "$@"; }
a=$(aws batch submit-job --job-name analyzer --job-queue default --job-definition analyze --parameters day="$day" --query jobId)
b=$(aws batch submit-job --job-name aggregator --job-queue default --job-definition aggregate --parameters day="$day" --depends-on jobId="$a" --query jobId)
c=$(aws batch submit-job --job-name deployer --job-queue default --job-definition deploy --parameters day="$day" --depends-on jobId="$b" --query jobId)
echo "submitted analyzer=$a aggregator=$b deployer=$c"
for _ in $(seq 1 300); do
  status=$(aws batch describe-jobs --jobs "$c" --query 'jobs[0].status')
  case "$status" in SUCCEEDED|FAILED) break ;; esac
  sleep 0.2
done
aws batch describe-jobs --jobs "$a" "$b" "$c" --query 'jobs[].[jobName,status,statusReason]'
stream=$(aws batch describe-jobs --jobs "$c" --query 'jobs[0].container.logStreamName')
aws logs get-log-events --log-group-name /aws/batch/job --log-stream-name "$stream" --start-from-head --query 'events[].message'
