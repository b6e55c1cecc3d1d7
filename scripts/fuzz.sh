#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/README.md) from a build configured with -DNIGHTSHIFT_FUZZ=ON
# (scripts/test.sh --sanitize makes one in ./build-sanitize).
#   scripts/fuzz.sh                       every target for 25 s on its checked-in corpus (what CI runs),
#                                         as many at once as there are cores
#   scripts/fuzz.sh --seconds 600 http_fuzz   one target, longer
#   scripts/fuzz.sh --merge --seconds 300 api_fuzz   then fold what it found into fuzz/corpus/<target>,
#                                         minimised (libFuzzer -merge=1): commit the result
# New inputs go to a scratch directory, never into the checked-in corpus (except with --merge).
# A crash stops with the input saved as fuzz-artifacts/<target>/crash-<hash>, shown in hex: replay
# it with build-sanitize/fuzz/<target> fuzz-artifacts/<target>/crash-<hash>.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-sanitize
seconds=25
merge=0
targets=()
while (($#)); do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --merge) merge=1; shift ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=(expression_fuzz pipeline_fuzz sigv4_fuzz api_fuzz http_fuzz)

# The largest input worth trying, per target: past it the parsers only see more of the same.
max_len() {
  case "$1" in
    expression_fuzz) echo 96 ;;
    sigv4_fuzz) echo 1024 ;;
    pipeline_fuzz) echo 2048 ;;
    *) echo 4096 ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# One target: its report goes to $scratch/<target>.report, and $scratch/<target>.failed marks a failure.
fuzz_one() {
  local target="$1" binary="$build/fuzz/$1" corpus="fuzz/corpus/${1%_fuzz}"
  local report="$scratch/$target.report"
  mkdir -p "$scratch/$target" "fuzz-artifacts/$target"
  echo "== $target: ${seconds} s on $corpus" >"$report"
  if ! "$binary" -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=20 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="fuzz-artifacts/$target/" "$scratch/$target" "$corpus" \
      >"$scratch/$target.log" 2>&1; then
    tail -n 60 "$scratch/$target.log" >>"$report"
    for artifact in "fuzz-artifacts/$target"/*; do
      [[ -f "$artifact" ]] && { echo "-- $artifact:"; od -A d -c "$artifact" | head -n 40; } >>"$report"
    done
    touch "$scratch/$target.failed"
    return
  fi
  { grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$scratch/$target.log" | tr '\n' ' '; echo; } >>"$report"
  if ((merge)); then
    mkdir -p "$scratch/$target.merged"
    "$binary" -merge=1 -max_len="$(max_len "$target")" "$scratch/$target.merged" "$corpus" "$scratch/$target" \
      >>"$scratch/$target.log" 2>&1
    rm -rf "$corpus" && cp -r "$scratch/$target.merged" "$corpus"
    echo "   $corpus now holds $(ls "$corpus" | wc -l) inputs" >>"$report"
  fi
  rmdir "fuzz-artifacts/$target" 2>/dev/null || true
}

for target in "${targets[@]}"; do
  [[ -x "$build/fuzz/$target" ]] || { echo "$build/fuzz/$target is not built (scripts/test.sh --sanitize builds it)" >&2; exit 1; }
done
# As many targets at once as there are cores: each fuzzes on one, for its full time.
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n; done
  fuzz_one "$target" &
done
wait
failed=()
for target in "${targets[@]}"; do
  cat "$scratch/$target.report"
  [[ -e "$scratch/$target.failed" ]] && failed+=("$target")
done
rmdir fuzz-artifacts 2>/dev/null || true
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if ((${#failed[@]})); then
  echo "fuzzing found a failure in: ${failed[*]}" >&2
  exit 1
fi
