#!/usr/bin/env bash
# Installs what nightshift needs to build, run and test, from Debian 12's packages.
# Idempotent: a second run installs nothing new.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.74-dev nlohmann-json3-dev libsqlite3-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libhowardhinnant-date-dev libdate-tz3 tzdata libyaml-cpp-dev libtomlplusplus-dev
  libssl-dev openssl
  python3 python3-pytest python3-boto3 awscli python3-prometheus-client
  sqlite3 procps make curl
  python3-croniter systemd
  python3-jsonschema openapi-specification
  chromium
  podman runc busybox-static  # container jobs; tests build their image with scripts/podman-test-image.sh
  clang libclang-rt-14-dev llvm lld  # the sanitizer test pass and the fuzzers (scripts/test.sh --sanitize)
  wrk  # bench/run-all and bench/soak.py (load generator)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The web UI builds with Node.js (18 or later: Debian 12's) and npm. A machine that has them from
# elsewhere (NodeSource, nvm) keeps its own; only a missing one is installed from Debian.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "installing: nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)'; then
  echo "the web UI needs Node.js 18 or later; this machine has $(node --version)" >&2
  exit 1
fi
