#!/usr/bin/env bash
# Builds the benchmarks in build-bench (-DSPWF_BUILD_BENCH=ON, RelWithDebInfo) and runs every
# bench program found there. Benchmarks print figures and targets; they never fail on timings,
# so a non-zero exit means a benchmark could not run at all (or, for bench_sockets, that the
# emulator broke the SOCKW/SOCKR protocol or stalled a step for 10 s).
#   bench_console   AT round-trip latency vs a bare pty, idle RSS
#   bench_sockets   SOCKW->TCP sink and chargen->SOCKR throughput vs a bare pty, RSS with 8 sockets
#   bench_mqtt      MQTTPUB throughput (64 B, 1 KiB) vs mosquitto_pub alone, RSS under a flood
#   bench_idle      wake-ups and CPU of idle emulators over 30 s, start-up to Console active
#   scripts/bench.sh              # all benchmarks, default sizes
#   JOBS=2 scripts/bench.sh       # limit the build's parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPWF_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$jobs" --target benchmarks

status=0
for program in build-bench/bench/bench_*; do
  [ -f "$program" ] && [ -x "$program" ] || continue
  echo "== $(basename "$program")"
  "$program" || status=1
done
exit "$status"
