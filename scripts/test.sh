#!/usr/bin/env bash
# Runs the whole test suite: unit tests of the pure core, real-OS tests (processes, SQLite) and
# black-box integration tests against the real server with the real aws CLI and boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" "$@"
