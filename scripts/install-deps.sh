#!/usr/bin/env bash
# Installs every Debian 12 package spwf04emu needs to build, test and benchmark (and the
# terminal programs whose README lines the tests check).
# Usage: scripts/install-deps.sh [--build-only | --runtime-only | --container]
#   --build-only    what building the emulator alone needs (the image's build stage: no tests)
#   --runtime-only  what the built emulator needs to run (the image's runtime stage)
#   --container     the container tools the image build and the docker/*-test.sh scripts use
set -euo pipefail
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

emulator_packages=(cmake g++ make pkg-config libboost1.81-dev libmbedtls-dev nlohmann-json3-dev
  libcli11-dev)
build_packages=("${emulator_packages[@]}" clang libgtest-dev libgmock-dev libbenchmark-dev
  openssl libclang-rt-14-dev gcovr)
# scripts/check-terminals.sh types into the README's terminal commands under tmux;
# scripts/check-yaml.py reads the workflows, compose file and Kubernetes manifests; the MQTT tests
# and bench run a real broker (mosquitto) and its command-line clients; scripts/try-qemu.sh runs
# the README's QEMU lines (a firmware built with clang and lld); the WebSocket tests run a real
# server (tests/peers/ws_server.py) with Debian's python3-websockets; the SMTP tests run Debian's
# aiosmtpd (tests/peers/smtp_server.py); the TFTP tests run Debian's TFTP server (tftpd-hpa's
# in.tftpd) on a loopback port; pytest runs the Python control-interface examples
# (examples/python).
test_packages=(picocom minicom screen tmux python3-yaml mosquitto mosquitto-clients qemu-system-arm
  lld python3-websockets python3-aiosmtpd tftpd-hpa python3-pytest)
runtime_packages=(libmbedtls14 libmbedx509-1 libmbedcrypto7)
# podman runs the image here (runc: crun cannot use this kernel's cgroups), debootstrap makes the
# base image, catatonit is the pods' pause process (podman kube play), the dnsname plugin gives
# compose services each other's names, python3-yaml lets docker/kube-test.sh expand manifests.
container_packages=(podman runc debootstrap catatonit golang-github-containernetworking-plugin-dnsname
  podman-compose python3-yaml)

if [ "${1:-}" = "--build-only" ]; then
  packages=("${emulator_packages[@]}")
elif [ "${1:-}" = "--runtime-only" ]; then
  packages=("${runtime_packages[@]}")
elif [ "${1:-}" = "--container" ]; then
  packages=("${container_packages[@]}")
else
  packages=("${build_packages[@]}" "${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  # Packages such as mosquitto start their own service at install; the tests start their own
  # instances on ephemeral ports, so no service may start (policy-rc.d 101: "action forbidden"),
  # unless the machine already has a policy of its own.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
    $sudo_cmd chmod +x "$policy"
    trap '$sudo_cmd rm -f "$policy"' EXIT
  fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
