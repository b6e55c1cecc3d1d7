#!/usr/bin/env bash
# Registers the example ETL job definitions (analyzer, aggregator, deployer) on a running server.
# Usage: examples/register-etl.sh [URL]
set -euo pipefail
url="${1:-http://127.0.0.1:8080}"
dir="$(cd "$(dirname "$0")/etl" && pwd)"
for step in analyze aggregate deploy; do
  curl -fsS -X POST "$url/v1/registerjobdefinition" -H 'Content-Type: application/json' -d @- <<JSON
{"jobDefinitionName": "${step}", "type": "container",
 "parameters": {"day": "today"},
 "retryStrategy": {"attempts": 2},
 "containerProperties": {"command": ["$dir/${step}.sh", "Ref::day"],
                         "resourceRequirements": [{"type": "VCPU", "value": "1"}]}}
JSON
  echo
done
