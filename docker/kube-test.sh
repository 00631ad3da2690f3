#!/usr/bin/env bash
# Runs the Kubernetes manifests (docker/kubernetes/) with `podman kube play`, on local images:
# - modules.yaml: the StatefulSet's pods and claims (docker/kube_expand.py plays its controller:
#   podman runs Pods and claims, not StatefulSets) with each console on a free loopback port;
#   each pod gets ready (its readinessProbe command, as the kubelet runs it), each console answers
#   AT, a variable saved on module 0 (AT+S.WCFG) survives the pod's restart (pods down and played
#   again on the same claims) while module 1 keeps its own flash;
# - firmware-job.yaml: the Job's pods (its sidecars as plain containers): each firmware container
#   talks to its own module and exits 0.
# Then `podman kube down` and the claims' volumes removed.
#
# Prints one line per check and "kube: N passed, M failed"; exit 0 only when nothing failed.
# Usage: docker/kube-test.sh   Environment: SPWF_IMAGE, SPWF_FIRMWARE_IMAGE (local images)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
image="${SPWF_IMAGE:-localhost/spwf04emu:latest}"
export SPWF_FIRMWARE_IMAGE="${SPWF_FIRMWARE_IMAGE:-localhost/spwf04emu-firmware:latest}"
# podman kube play takes no --runtime/--ulimit flags: the same settings as a containers.conf.
export CONTAINERS_CONF="$here/podman-here.conf"
work="$(mktemp -d)"
passed=0
failed=0

pass() { echo "ok   - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() {
  echo "kube: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
cleanup() {
  for file in pods.yaml job.yaml; do
    [ -s "$work/$file" ] && podman kube down "$work/$file" >/dev/null 2>&1
  done
  podman volume rm -f flash-spwf04emu-0 flash-spwf04emu-1 >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

wait_until() {
  local timeout="$1"
  shift
  local until=$((SECONDS + timeout))
  while ! "$@"; do
    [ "$SECONDS" -lt "$until" ] || return 1
    sleep 0.2
  done
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if ! "$here/build-firmware-image.sh" >"$work/build.log" 2>&1; then
  fail "the firmware image could not be built: $(tail -3 "$work/build.log")"
  finish
fi
images=(--image "ghcr.io/YOUR-ORG/spwf04emu:latest=$image"
        --image "ghcr.io/YOUR-ORG/spwf04emu-firmware:latest=$SPWF_FIRMWARE_IMAGE")

# ---- the StatefulSet of modules ---------------------------------------------------------------
ports=("$(free_port)" "$(free_port)")
expand=(python3 "$here/kube_expand.py" "$here/kubernetes/modules.yaml" "${images[@]}"
        --host-ports "${ports[0]},${ports[1]}")
"${expand[@]}" --only PersistentVolumeClaim >"$work/claims.yaml" 2>/dev/null
"${expand[@]}" --only Pod >"$work/pods.yaml" 2>/dev/null
if podman kube play "$work/claims.yaml" >/dev/null 2>"$work/errors" \
   && podman kube play "$work/pods.yaml" >/dev/null 2>>"$work/errors"; then
  pass "podman kube play: claims flash-spwf04emu-0/1 and pods spwf04emu-0/1"
else
  fail "podman kube play: $(grep -v systemd "$work/errors" | tail -3)"
  finish
fi

# The readinessProbe's command, run in the container as the kubelet does.
probe="$(python3 -c 'import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "StatefulSet":
        print(" ".join(d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["exec"]["command"]))' \
  "$here/kubernetes/modules.yaml")"
read -ra probe_words <<<"$probe"
# Each module: ready, then its console answers AT. Module 0 saves a variable.
for ordinal in 0 1; do
  ready() { podman exec "spwf04emu-$ordinal-module" "${probe_words[@]}" >/dev/null 2>&1; }
  if wait_until 30 ready; then pass "spwf04emu-$ordinal ready ($probe)"; else fail "spwf04emu-$ordinal never ready"; fi
  commands=(AT)
  [ "$ordinal" -eq 0 ] && commands+=(AT+S.SCFG=user_desc,kube-module-0 AT+S.WCFG)
  answer="$(python3 "$here/at_probe.py" "127.0.0.1:${ports[$ordinal]}" "${commands[@]}" 2>&1)"
  if [ $? -eq 0 ]; then
    pass "spwf04emu-$ordinal console on 127.0.0.1:${ports[$ordinal]}: $(echo "$answer" | tr '\n' ';')"
  else
    fail "spwf04emu-$ordinal console: $answer"
  fi
done

# A pod restart: the pods go (their claims stay) and come back, as the StatefulSet would do.
podman kube down "$work/pods.yaml" >/dev/null 2>&1
if podman kube play "$work/pods.yaml" >/dev/null 2>"$work/errors"; then
  pass "pods restarted on the same claims"
else
  fail "replaying the pods: $(grep -v systemd "$work/errors" | tail -3)"
fi
expected=(kube-module-0 anonymous)
for ordinal in 0 1; do
  answer="$(python3 "$here/at_probe.py" "127.0.0.1:${ports[$ordinal]}" AT+S.GCFG=user_desc 2>&1)"
  if [ "$answer" = "AT+S.GCFG=user_desc -> AT-S.Var:user_desc=${expected[$ordinal]} AT-S.OK" ]; then
    pass "spwf04emu-$ordinal after the restart: user_desc=${expected[$ordinal]}"
  else
    fail "spwf04emu-$ordinal after the restart: $answer"
  fi
done
podman kube down "$work/pods.yaml" >/dev/null 2>&1

# ---- the Job: firmware beside its own module ----------------------------------------------------
python3 "$here/kube_expand.py" "$here/kubernetes/firmware-job.yaml" "${images[@]}" \
  >"$work/job.yaml" 2>/dev/null
if podman kube play "$work/job.yaml" >/dev/null 2>"$work/errors"; then
  pass "podman kube play: the Job's pods"
else
  fail "podman kube play of the Job: $(grep -v systemd "$work/errors" | tail -3)"
fi
for pod in $(podman pod ps --filter label=job-name=spwf04emu-firmware-test --format '{{.Name}}' | sort); do
  code="$(timeout 90 podman wait "$pod-firmware" 2>&1)"
  if [ "$code" = "0" ]; then
    pass "$pod: the firmware container exited 0 ($(podman logs "$pod-firmware" 2>&1 | tail -1))"
  else
    fail "$pod: firmware status '$code': $(podman logs "$pod-firmware" 2>&1 | tail -2 | tr '\n' ' ')"
  fi
done
finish
