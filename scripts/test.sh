#!/usr/bin/env bash
# Runs the whole test suite: unit tests of the pure core, real-OS tests (processes, SQLite) and
# black-box integration tests against the real server with the real aws CLI and boto3.
#   scripts/test.sh                 Release build in ./build, every test
#   scripts/test.sh --sanitize      the same under AddressSanitizer + UBSan, in ./build-sanitize
#   scripts/test.sh -L unit         extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [[ "${1:-}" == "--sanitize" ]]; then
  shift
  export BUILD_DIR=build-sanitize BUILD_TYPE=Debug
  scripts/build.sh -DNIGHTSHIFT_SANITIZE=ON
else
  scripts/build.sh
fi
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" "$@"
