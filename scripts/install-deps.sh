#!/usr/bin/env bash
# Installs every Debian 12 package spwf04emu needs to build, test and benchmark (and the
# terminal programs whose README lines the tests check).
# Usage: scripts/install-deps.sh [--runtime-only]
set -euo pipefail
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

build_packages=(
  cmake g++ clang make pkg-config
  libboost1.81-dev libmbedtls-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  openssl libclang-rt-14-dev gcovr
)
# scripts/check-terminals.sh types into the README's terminal commands under tmux;
# scripts/try-qemu.sh runs the README's QEMU lines (a firmware built with clang and lld).
test_packages=(picocom minicom screen tmux qemu-system-arm lld)
runtime_packages=(libmbedtls14 libmbedx509-1 libmbedcrypto7)

if [ "${1:-}" = "--runtime-only" ]; then
  packages=("${runtime_packages[@]}")
else
  packages=("${build_packages[@]}" "${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
