#!/usr/bin/env bash
# Smoke test of the spwf04emu image: starts a container, talks AT to its TCP console (boot
# indications, AT, the default network, a TCP socket to an echo server on the host's loopback, one
# MQTT round trip through a mosquitto on the host when it has one),
# checks the health check, stops the container and expects a clean exit (0 on SIGTERM).
#
# The container shares the host's network so that the module's 127.0.0.1 is the host's loopback,
# where docker/smoke_client.py runs its echo server. The console port is a free ephemeral port.
# Every wait is bounded. Prints one line per check and "smoke: N passed, M failed"; exit 0 only
# when nothing failed.
#
# Usage: docker/smoke-test.sh [IMAGE]   (default: $SPWF_IMAGE or localhost/spwf04emu:latest)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
image="${1:-${SPWF_IMAGE:-localhost/spwf04emu:latest}}"
podman_run_flags=(--runtime runc)
container="spwf04emu-smoke-$$"
passed=0
failed=0

pass() { echo "ok   - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() {
  echo "smoke: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
podman_errors="$(mktemp)"
cleanup() {
  podman "${podman_run_flags[@]}" rm -f -v "$container" >/dev/null 2>&1 || true
  rm -f "$podman_errors"
}
trap cleanup EXIT

# Polls `$@` until it succeeds or `timeout` seconds pass.
wait_until() {
  local timeout="$1"
  shift
  local until=$((SECONDS + timeout))
  while ! "$@"; do
    [ "$SECONDS" -lt "$until" ] || return 1
    sleep 0.2
  done
}

echo "smoke: image $image"
if podman image exists "$image"; then pass "image $image exists"; else fail "image $image missing"; finish; fi

# The image's defaults: the documented command, port and health check.
cmd="$(podman image inspect --format '{{join .Config.Cmd " "}}' "$image")"
case "$cmd" in
  *"--listen 0.0.0.0:5000"*"--state-dir /var/lib/spwf04emu"*) pass "default command: $cmd" ;;
  *) fail "default command is '$cmd'" ;;
esac
user="$(podman image inspect --format '{{.Config.User}}' "$image")"
if [ -n "$user" ] && [ "$user" != "root" ] && [ "$user" != "0" ]; then
  pass "runs as non-root user '$user'"
else
  fail "runs as '${user:-root}'"
fi
health="$(podman image inspect --format '{{if .Config.Healthcheck}}{{join .Config.Healthcheck.Test " "}}{{end}}' "$image" 2>/dev/null)"
if [ -n "$health" ]; then pass "health check: $health"; else fail "no HEALTHCHECK in the image"; fi

# A free ephemeral port for the console (the kernel picks it; the window until the emulator binds
# it is tiny, and a collision shows up as a failed start, not as a wrong result).
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# Same as the image's CMD, except the console listens on the test's port on loopback only.
if podman "${podman_run_flags[@]}" run -d --name "$container" --network=host \
     --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
     -e SPWF_CONSOLE_PORT="$port" "$image" \
     spwf04emu --listen "127.0.0.1:$port" --state-dir /var/lib/spwf04emu \
     --config /etc/spwf04emu/config.json >/dev/null 2>"$podman_errors"; then
  pass "container started (console on 127.0.0.1:$port)"
else
  fail "container did not start: $(tail -3 "$podman_errors")"
  finish
fi

console_line() { podman logs "$container" 2>/dev/null | grep -q "spwf04emu: AT console on tcp:"; }
if wait_until 20 console_line; then
  pass "startup line: $(podman logs "$container" 2>/dev/null | grep -m1 'AT console on')"
else
  fail "no 'AT console on' line within 20 s; logs: $(podman logs "$container" 2>&1 | tail -5)"
  finish
fi

if podman healthcheck run "$container" >/dev/null 2>&1; then
  pass "health check reports healthy"
else
  fail "health check: $(podman healthcheck run "$container" 2>&1 | tail -1)"
fi

# The AT dialogue; each of its steps is one check line.
client_output="$(timeout 180 python3 "$here/smoke_client.py" --host 127.0.0.1 --port "$port" 2>&1)"
client_status=$?
echo "$client_output" | grep -v '^smoke-client:'
passed=$((passed + $(echo "$client_output" | grep -c '^ok   - ')))
failed=$((failed + $(echo "$client_output" | grep -c '^FAIL - ')))
if [ "$client_status" -ne 0 ] && ! echo "$client_output" | grep -q '^smoke-client:'; then
  fail "smoke client ended abnormally (status $client_status)"
fi

# One MQTT round trip through the module (spec §3.10) against a mosquitto the test starts on the
# host's loopback (the container shares the host's network): MQTTCONN, MQTTSUB, MQTTPUB to the
# same topic, the message back as +WIND:86, MQTTDISC. Skipped when the host has no mosquitto.
mqtt_round_trip() {
  if ! command -v mosquitto >/dev/null 2>&1; then
    echo "skip - MQTT round trip (no mosquitto on the host)"
    return
  fi
  local broker_port conf log pid
  broker_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  conf="$(mktemp)"
  log="$(mktemp)"
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nlog_dest stderr\n' "$broker_port" >"$conf"
  mosquitto -c "$conf" 2>"$log" &
  pid=$!
  if wait_until 10 grep -q ' running' "$log"; then
    if output="$(timeout 60 python3 "$here/smoke_mqtt.py" "$port" "$broker_port" 2>&1)"; then
      pass "MQTT round trip through mosquitto on 127.0.0.1:$broker_port"
    else
      fail "MQTT round trip: $output"
    fi
  else
    fail "mosquitto did not start: $(tail -2 "$log")"
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$conf" "$log"
}
mqtt_round_trip

# A clean stop: SIGTERM, exit code 0, well within podman's 10 s grace period.
# (Without systemd, podman logs that it cannot manage health-check timers; that is not a failure:
# `podman healthcheck run` above ran the check directly.)
if podman stop --time 10 "$container" >/dev/null 2>>"$podman_errors"; then
  code="$(podman inspect --format '{{.State.ExitCode}}' "$container")"
  if [ "$code" = "0" ]; then pass "stopped cleanly on SIGTERM (exit 0)"; else fail "exit code $code after SIGTERM"; fi
else
  fail "podman stop failed"
fi
if [ "$failed" -ne 0 ]; then
  echo "--- container log (last 20 lines)"
  podman logs "$container" 2>&1 | tail -20
fi
finish
