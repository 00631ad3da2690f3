#!/usr/bin/env bash
# Prints the line coverage of the emulator's own code (support, config, tls, netstack, atcmd,
# emulator; not tests, benchmarks or fuzz targets) from a build made with -DSPWF_COVERAGE=ON
# after its tests have run. Per-file figures go to BUILD/coverage.txt; the summary is printed.
#   scripts/coverage.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
summary=$(gcovr --root . --object-directory "$build" \
  --filter 'support/' --filter 'config/' --filter 'tls/' --filter 'netstack/' \
  --filter 'atcmd/' --filter 'emulator/' \
  --exclude-unreachable-branches --gcov-ignore-parse-errors \
  --txt "$build/coverage.txt" --print-summary -j "$(nproc)" 2>"$build/coverage.log") || {
  cat "$build/coverage.log" >&2
  exit 1
}
# The least covered files first, then the totals.
# (awk, not head: head leaving early would end sort with SIGPIPE, which pipefail makes a failure)
{ grep -E '^[a-z]+/' "$build/coverage.txt" || true; } | sort -k4 -n | awk 'NR <= 15'
echo "$summary"
