#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: installs the dependencies, builds spwf04emu in
# Release and starts it with the default configuration. Extra arguments go to spwf04emu.
#   scripts/run.sh                       # prints "spwf04emu: AT console on /dev/pts/N"
#   scripts/run.sh --pty-link /tmp/spwf  # plus a stable name for the pty
# In the background of a terminal, keep the build's output and the log out of its screen:
#   scripts/run.sh --pty-link /tmp/spwf --log-file /tmp/spwf.log >/tmp/spwf.out 2>&1 &
#   until grep -q "AT console on" /tmp/spwf.out; do sleep 0.5; done; picocom /tmp/spwf
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DSPWF_BUILD_TESTS=OFF >/dev/null
cmake --build build-release --target spwf04emu -j"$(nproc)"
exec build-release/emulator/spwf04emu "$@"
