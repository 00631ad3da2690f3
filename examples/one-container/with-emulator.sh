#!/usr/bin/env bash
# Runs a command next to an emulated SPWF04SA that shares a pty with it, in one container (or on
# one machine): starts spwf04emu with a pty link, waits for the link, runs the command with
# SPWF_UART set to the link, then stops the emulator and returns the command's status.
#
#   with-emulator.sh my-firmware --uart /tmp/spwf
#   with-emulator.sh sh -c 'my-firmware --uart "$SPWF_UART"'
#
# Environment: SPWF_UART (default /tmp/spwf), SPWF_STATE_DIR (default /var/lib/spwf04emu),
# SPWF_CONFIG (default /etc/spwf04emu/config.json), SPWF_ARGS (extra spwf04emu options).
set -uo pipefail

uart="${SPWF_UART:-/tmp/spwf}"
export SPWF_UART="$uart"
# shellcheck disable=SC2086  # SPWF_ARGS is a list of options
spwf04emu --pty-link "$uart" --state-dir "${SPWF_STATE_DIR:-/var/lib/spwf04emu}" \
  --config "${SPWF_CONFIG:-/etc/spwf04emu/config.json}" ${SPWF_ARGS:-} &
emulator=$!

until=$((SECONDS + 10))
while [ ! -e "$uart" ]; do
  if ! kill -0 "$emulator" 2>/dev/null || [ "$SECONDS" -ge "$until" ]; then
    echo "with-emulator: spwf04emu did not create $uart" >&2
    kill -TERM "$emulator" 2>/dev/null
    exit 1
  fi
  sleep 0.1
done

"$@"
status=$?
kill -TERM "$emulator"
wait "$emulator"
exit "$status"
