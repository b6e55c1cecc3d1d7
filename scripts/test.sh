#!/usr/bin/env bash
# Runs the whole test suite: unit tests of the pure core, real-OS tests (processes, SQLite) and
# black-box integration tests against the real server with the real aws CLI and boto3.
#   scripts/test.sh                 Release build in ./build, every test
#   scripts/test.sh --sanitize      the unit, OS and integration tests built with clang under
#                                   AddressSanitizer + UBSan (-O1) in ./build-sanitize, then each
#                                   libFuzzer target for 25 s on its corpus (scripts/fuzz.sh)
#   scripts/test.sh --tsan          the tests of the code that runs a second thread (the webhook
#                                   dispatcher, the engine's store writer and syncer, the store
#                                   they share, the Slurm command runner) under ThreadSanitizer,
#                                   in ./build-tsan
#   scripts/test.sh --ci            all three, one after the other: what CI runs
#   scripts/test.sh -L unit         extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

# The sanitizer pass leaves out the browser tests and the Slurm and podman suites: they exercise
# the same server code as the integration tests (already run here) through slow external daemons.
sanitized() {
  BUILD_DIR=build-sanitize BUILD_TYPE=Debug SKIP_UI=1 \
    scripts/build.sh -DCMAKE_CXX_COMPILER=clang++ -DNIGHTSHIFT_SANITIZE=ON -DNIGHTSHIFT_FUZZ=ON
  (
    cd build-sanitize
    export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ctest --output-on-failure -j "$(nproc)" -L 'unit|os|integration' -E 'integration\.test_(slurm|containers)$' "$@"
  )
  scripts/fuzz.sh --build build-sanitize --seconds "${FUZZ_SECONDS:-25}"
}

tsan() {
  BUILD_DIR=build-tsan BUILD_TYPE=Debug SKIP_UI=1 \
    CMAKE_TARGETS="webhooks_os_test engine_test store_test slurm_os_test" \
    scripts/build.sh -DCMAKE_CXX_COMPILER=clang++ -DNIGHTSHIFT_TSAN=ON
  export TSAN_OPTIONS="halt_on_error=1"
  build-tsan/src/webhooks/webhooks_os_test "$@"
  build-tsan/src/engine/engine_test "$@"
  build-tsan/src/store/store_test "$@"
  build-tsan/src/slurm/slurm_os_test "$@"
}

case "${1:-}" in
  --tsan)
    shift
    tsan "$@"
    ;;
  --sanitize)
    shift
    sanitized "$@"
    ;;
  --ci)
    shift
    scripts/build.sh
    (cd build && ctest --output-on-failure -j "$(nproc)" "$@")
    echo "test.sh: Release pass done after ${SECONDS} s"
    sanitized "$@"
    echo "test.sh: sanitizer pass done after ${SECONDS} s"
    tsan
    echo "test.sh: ThreadSanitizer pass done after ${SECONDS} s"
    ;;
  *)
    scripts/build.sh
    cd build
    ctest --output-on-failure -j "$(nproc)" "$@"
    ;;
esac
