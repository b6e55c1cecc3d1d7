#!/usr/bin/env bash
# Builds nightshift into ./build (Release by default; BUILD_TYPE=Debug to change), and the web UI
# (web/, npm ci from the lockfile + Vite) into ./build/ui, where the server finds it.
# SKIP_UI=1 builds the C++ only.
# The C++ is built as a unity build: each target's files are compiled eight to a translation unit,
# which parses the common headers and instantiates their templates once per eight files instead of
# once per file (a fresh build takes about half the time). UNITY=0 compiles each file on its own,
# for quicker rebuilds while editing one file, and so that a file missing an include fails.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DCMAKE_UNITY_BUILD="$([[ "${UNITY:-1}" == 0 ]] && echo OFF || echo ON)" "$@" >/dev/null
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
