#!/usr/bin/env bash
# Builds nightshift into ./build (Release by default; BUILD_TYPE=Debug to change), and the web UI
# (web/, npm ci from the lockfile + Vite) into ./build/ui, where the server finds it.
# SKIP_UI=1 builds the C++ only.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
# CMAKE_TARGETS: only these targets (space-separated), e.g. for a sanitizer build of a few tests.
cmake --build "$build_dir" ${CMAKE_TARGETS:+--target $CMAKE_TARGETS}
if [[ "${SKIP_UI:-}" != 1 ]]; then
  # npm ci only when the lockfile changed since the last install (it starts from scratch).
  if [[ ! -f web/node_modules/.package-lock.json || web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  (cd web && npm run --silent build -- --logLevel warn)
  rm -rf "$build_dir/ui.new" && cp -r web/dist "$build_dir/ui.new"
  rm -rf "$build_dir/ui" && mv "$build_dir/ui.new" "$build_dir/ui"
fi
