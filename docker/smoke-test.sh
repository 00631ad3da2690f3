#!/usr/bin/env bash
# Smoke test of the spwf04emu image, run as the README says: it takes the README's own `podman
# run` line (section "In CI") and runs it with three words changed: the container's name, the
# published host port (a free one instead of 5000) and the flash volume (a bind-mounted host
# directory instead of the named volume, which also tests bind mounts). It checks the README's
# `docker run` line is the same command for Docker, then talks AT over the published port (boot
# indications, AT, the default network, a TCP socket to an echo server on the host, reached
# from the container as host.containers.internal), checks health as a CI runner does (the image's
# HEALTHCHECK command, then the status `podman inspect` reports), the uid, the flash saved on the
# host, the message for an unwritable bind mount, and a clean stop (exit 0 on SIGTERM).
#
# Every wait is bounded. Prints one line per check and "smoke: N passed, M failed"; exit 0 only
# when nothing failed.
#
# Usage: docker/smoke-test.sh [IMAGE]   (default: $SPWF_IMAGE or localhost/spwf04emu:latest)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readme="$here/../README.md"
image="${1:-${SPWF_IMAGE:-localhost/spwf04emu:latest}}"
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
flash="$(mktemp -d)"
unwritable="$(mktemp -d)"
cleanup() {
  podman rm -f -v "$container" >/dev/null 2>&1 || true
  rm -rf "$podman_errors" "$flash" "$unwritable"
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

# The README's command that starts with `$1`, its continuation lines joined, as one line.
readme_command() {
  awk -v prefix="$1" '
    found { line = line " " $0 }
    !found && index($0, prefix) == 1 { found = 1; line = $0 }
    found && !/\\$/ { print line; exit }' "$readme" | sed 's/ *\\ */ /g; s/  */ /g; s/ *$//'
}

# A free port on the host's loopback (the kernel picks it; podman reserves it when the container
# starts, so a port taken in between makes the start fail, and the start is then retried).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "smoke: image $image"
if podman image exists "$image"; then pass "image $image exists"; else fail "image $image missing"; finish; fi
if [ -z "${SPWF_KEEP_BUILD_CACHE:-}" ]; then
  left="$(podman images -a -q --filter label=org.spwf04emu.stage=build | wc -l)"
  if [ "$left" -eq 0 ]; then pass "no build-stage images left behind"; else fail "$left build-stage images left"; fi
fi

# The image's defaults: the documented command, the user and the health check.
cmd="$(podman image inspect --format '{{join .Config.Cmd " "}}' "$image")"
case "$cmd" in
  *"--listen 0.0.0.0:5000"*"--state-dir /var/lib/spwf04emu"*) pass "default command: $cmd" ;;
  *) fail "default command is '$cmd'" ;;
esac
user="$(podman image inspect --format '{{.Config.User}}' "$image")"
if [ "$user" = "spwf" ]; then pass "runs as user '$user'"; else fail "runs as '${user:-root}'"; fi
health="$(podman image inspect --format '{{if .Config.Healthcheck}}{{join .Config.Healthcheck.Test " "}}{{end}}' "$image" 2>/dev/null)"
if [ -n "$health" ]; then pass "health check: $health"; else fail "no HEALTHCHECK in the image"; fi

# The README's run lines: podman here, Docker elsewhere, the same command but for the flags
# podman needs on this machine and the local image name.
podman_line="$(readme_command 'podman --runtime runc run -d --name spwf ')"
docker_line="$(readme_command 'docker run -d --name spwf ')"
if [ -z "$podman_line" ] || [ -z "$docker_line" ]; then
  fail "README has no 'podman --runtime runc run -d --name spwf' or 'docker run -d --name spwf' line"
  finish
fi
as_docker="${podman_line/podman --runtime runc run/docker run}"
as_docker="${as_docker/ --ulimit nofile=1024:1024 --ulimit nproc=4096:4096/}"
as_docker="${as_docker% localhost/spwf04emu} spwf04emu"
if [ "$as_docker" = "$docker_line" ]; then
  pass "README's docker and podman run lines agree: $docker_line"
else
  fail "README's lines differ: docker '$docker_line' vs podman (as docker) '$as_docker'"
fi

# The podman line with the name, the host port and the flash volume replaced.
run_readme_line() {
  local port="$1" word changed=0
  local -a words command=()
  read -ra words <<<"$podman_line"
  for word in "${words[@]}"; do
    case "$word" in
      spwf) word="$container" changed=$((changed + 1)) ;;
      127.0.0.1:5000:5000) word="127.0.0.1:$port:5000" changed=$((changed + 1)) ;;
      spwf-flash:/var/lib/spwf04emu) word="$flash:/var/lib/spwf04emu" changed=$((changed + 1)) ;;
      localhost/spwf04emu) word="$image" changed=$((changed + 1)) ;;
    esac
    command+=("$word")
  done
  if [ "$changed" -ne 4 ]; then
    echo "the README's line no longer has the name, port, volume and image words: $podman_line" >"$podman_errors"
    return 1
  fi
  echo "+ ${command[*]}"
  "${command[@]}" >/dev/null 2>"$podman_errors"
}

# The image runs as uid 10001: the bind-mounted flash directory is given to it.
if [ "$(id -u)" -eq 0 ]; then chown 10001:10001 "$flash"; else podman unshare chown 10001:10001 "$flash"; fi
started=0
for attempt in 1 2 3; do
  port="$(free_port)"
  if run_readme_line "$port"; then started=1; break; fi
  grep -q 'address already in use' "$podman_errors" || break
  podman rm -f "$container" >/dev/null 2>&1
done
if [ "$started" -eq 1 ]; then
  pass "container started with the README's line (console published on 127.0.0.1:$port)"
else
  fail "container did not start: $(grep -v 'systemd' "$podman_errors" | tail -3)"
  finish
fi

console_line() { grep -q "spwf04emu: AT console on tcp:" <<<"$(podman logs "$container" 2>&1)"; }
if wait_until 20 console_line; then
  pass "startup line: $(grep -m1 'AT console on' <<<"$(podman logs "$container" 2>&1)")"
else
  fail "no 'AT console on' line within 20 s; logs: $(podman logs "$container" 2>&1 | tail -5)"
  finish
fi

uid="$(podman exec "$container" id -u 2>&1)"
if [ "$uid" = "10001" ]; then pass "the emulator runs as uid 10001"; else fail "uid is '$uid'"; fi

# Health as a CI runner sees it: the image's HEALTHCHECK command inside the container, then the
# status `podman inspect` reports (what runners poll) once the check has run. Without systemd
# podman cannot run the check on its timer, so `podman healthcheck run` plays the timer.
health_command="${health#CMD }"
health_command="${health_command#CMD-SHELL }"
read -ra health_words <<<"$health_command"
if podman exec "$container" "${health_words[@]}" >/dev/null 2>&1; then
  pass "the image's health command ($health_command) succeeds in the container"
else
  fail "health command: $(podman exec "$container" "${health_words[@]}" 2>&1 | tail -1)"
fi
healthy() {
  podman healthcheck run "$container" >/dev/null 2>&1
  [ "$(podman inspect --format '{{.State.Health.Status}}' "$container" 2>/dev/null)" = "healthy" ]
}
if wait_until 20 healthy; then
  pass "podman inspect reports health 'healthy'"
else
  fail "health status '$(podman inspect --format '{{.State.Health.Status}}' "$container" 2>&1)'"
fi

# The AT dialogue over the published port; each of its steps is one check line. The module
# reaches the host's echo server as host.containers.internal (the bridge's gateway address).
gateway="$(podman network inspect podman --format '{{range .Subnets}}{{.Gateway}}{{end}}' 2>/dev/null)"
client_output="$(timeout 180 python3 "$here/smoke_client.py" --host 127.0.0.1 --port "$port" \
  --echo-bind "${gateway:-127.0.0.1}" --echo-host host.containers.internal 2>&1)"
client_status=$?
echo "$client_output" | grep -v '^smoke-client:'
passed=$((passed + $(echo "$client_output" | grep -c '^ok   - ')))
failed=$((failed + $(echo "$client_output" | grep -c '^FAIL - ')))
if [ "$client_status" -ne 0 ] && ! grep -q '^smoke-client:' <<<"$client_output"; then
  fail "smoke client ended abnormally (status $client_status)"
fi
if [ "$(stat -c %u "$flash/config.json" 2>/dev/null)" = "10001" ]; then
  pass "AT+S.WCFG saved the flash in the bind-mounted host directory ($flash/config.json)"
else
  fail "no config.json of uid 10001 in the bind-mounted directory: $(ls -ln "$flash" 2>&1 | tail -3)"
fi

# One MQTT round trip through the module (spec §3.10) against a mosquitto started here, listening
# where the echo server above does (the bridge's gateway), reached from the container as
# host.containers.internal: MQTTCONN, MQTTSUB, MQTTPUB to the same topic, the message back as
# +WIND:86, MQTTDISC.
mqtt_round_trip() {
  local broker_port conf log pid bind
  bind="${gateway:-127.0.0.1}"
  broker_port="$(python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$bind")"
  conf="$(mktemp)"
  log="$(mktemp)"
  printf 'listener %s %s\nallow_anonymous true\nlog_dest stderr\n' "$broker_port" "$bind" >"$conf"
  mosquitto -c "$conf" 2>"$log" &
  pid=$!
  if wait_until 10 grep -q ' running' "$log"; then
    if output="$(timeout 60 python3 "$here/smoke_mqtt.py" "$port" "$broker_port" host.containers.internal 2>&1)"; then
      pass "MQTT round trip through mosquitto on $bind:$broker_port"
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

# A bind-mounted directory uid 10001 cannot write: exit 2 and a message that says what to do.
message="$(podman --runtime runc run --rm --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
  -v "$unwritable:/var/lib/spwf04emu" "$image" 2>&1)"
code=$?
if [ "$code" -eq 2 ] && grep -q 'chown 10001:10001' <<<"$message" \
   && grep -q -- '--user' <<<"$message"; then
  pass "an unwritable bind mount exits 2 saying: $(echo "$message" | grep -m1 'spwf04emu: error')"
else
  fail "unwritable bind mount: exit $code, '$message'"
fi
finish
