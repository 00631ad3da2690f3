#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each one for a while.
# Usage: scripts/run-fuzz.sh [seconds per target, default 60]
# The seed corpus in fuzz/corpus/<target>/ is copied first, so the tree stays unchanged; new
# inputs and any crash reproducer stay under build-fuzz/. Exits non-zero when a target fails.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "${seconds}" =~ ^[0-9]+$ ]] || [ "${seconds}" -eq 0 ]; then
  echo "usage: $0 [seconds per target]" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${root}/build-fuzz"
# Each target name matches its corpus folder: fuzz_<name> uses fuzz/corpus/<name>/.
# Every target in fuzz/ (fuzz/fuzz_<name>.cpp), so a new one is run without editing this list.
targets=()
for source in "${root}"/fuzz/fuzz_*.cpp; do
  targets+=("$(basename "${source}" .cpp)")
done

CC=clang CXX=clang++ cmake -S "${root}" -B "${build}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPWF_BUILD_FUZZ=ON -DSPWF_BUILD_TESTS=OFF
# Only the fuzz targets: the rest of the tree is configured but not needed here.
cmake --build "${build}" --target "${targets[@]}" -j2

status=0
for target in "${targets[@]}"; do
  name="${target#fuzz_}"
  corpus="${build}/corpus/${name}"
  artifacts="${build}/artifacts/${name}"
  mkdir -p "${corpus}" "${artifacts}"
  cp -f "${root}/fuzz/corpus/${name}/"* "${corpus}/"
  echo "== ${target}: ${seconds} s on ${corpus}"
  if ! "${build}/fuzz/${target}" -max_total_time="${seconds}" -print_final_stats=1 \
      -artifact_prefix="${artifacts}/" "${corpus}"; then
    echo "== ${target}: FAILED, reproducer(s) in ${artifacts}/" >&2
    status=1
  fi
done
exit "${status}"
