#!/usr/bin/env bash
# Runs docker/compose.yaml as a CI job would, with podman-compose and local images only: the
# emulator image docker/build-image.sh made, and the firmware stand-in built here once
# (docker/firmware.Dockerfile, from the same local base image). Checks the firmware container's
# exit status and its lines, then attaches to the console published on the host's loopback as a
# developer would, and takes everything down (volumes too).
#
# Prints one line per check and "compose: N passed, M failed"; exit 0 only when nothing failed.
# Usage: docker/compose-test.sh
# Environment: SPWF_IMAGE (default localhost/spwf04emu:latest), SPWF_FIRMWARE_IMAGE (default
#              localhost/spwf04emu-firmware:latest).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
export SPWF_IMAGE="${SPWF_IMAGE:-localhost/spwf04emu:latest}"
export SPWF_FIRMWARE_IMAGE="${SPWF_FIRMWARE_IMAGE:-localhost/spwf04emu-firmware:latest}"
project="spwf04emu-compose-$$"
log="$(mktemp)"
passed=0
failed=0

pass() { echo "ok   - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() {
  echo "compose: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

"$here/build-firmware-image.sh" || { fail "the firmware image could not be built"; finish; }

# A free host port for the published console (a collision shows as a failed start).
SPWF_CONSOLE_HOST_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export SPWF_CONSOLE_HOST_PORT
compose=(podman-compose --podman-args='--runtime runc' -p "$project" -f "$here/compose.yaml")
cleanup() {
  timeout 60 "${compose[@]}" down -v >/dev/null 2>&1
  podman network rm -f "${project}_default" >/dev/null 2>&1  # podman-compose 1.0 leaves it
  rm -f "$log"
}
trap cleanup EXIT

echo "compose: ${compose[*]} up --no-build --abort-on-container-exit --exit-code-from firmware"
timeout 180 "${compose[@]}" up --no-build --abort-on-container-exit --exit-code-from firmware \
  >"$log" 2>&1
status=$?
if [ "$status" -eq 0 ]; then
  pass "the firmware container exited 0"
else
  fail "the firmware container's status is $status"
fi
for line in "firmware: console active" "firmware: Wi-Fi up" "firmware: echoed b'hello from the firmware'" \
            "firmware: all good"; do
  if grep -q -F "$line" "$log"; then pass "$line"; else fail "no '$line'"; fi
done
if grep -q ' pull \| pulling\|Trying to pull' "$log"; then
  fail "an image was pulled: $(grep -m1 -i 'pull' "$log")"
else
  pass "no image pulled (local images only)"
fi

# The developer's view: the console published on loopback; the next host finds the module just
# powered on (the image's --power-cycle-on-attach).
probe="$(timeout 60 python3 "$here/at_probe.py" "127.0.0.1:$SPWF_CONSOLE_HOST_PORT" AT 2>&1)"
if [ "$probe" = "AT -> AT-S.OK" ]; then
  pass "the published console 127.0.0.1:$SPWF_CONSOLE_HOST_PORT boots again for the next host: $probe"
else
  fail "published console: $probe"
fi

if [ "$failed" -ne 0 ]; then
  echo "--- podman-compose output (last 30 lines)"
  tail -30 "$log"
fi
finish
