#!/usr/bin/env bash
# Builds the spwf04emu image from docker/Dockerfile with podman, the way CI does.
#
# Makes the local base image first (docker/make-base-image.sh) because this machine has no
# registry; the flags below are what this kernel needs: runc (crun cannot use its cgroups),
# explicit ulimits, host networking for apt, --pull=never so debian:bookworm-slim is the local one,
# and the docker image format so HEALTHCHECK is kept (the OCI format drops it).
# Elsewhere the same Dockerfile builds with:  docker build -f docker/Dockerfile -t spwf04emu .
#
# The build stage's images (compilers, ~930 MB) are removed afterwards, unless
# SPWF_KEEP_BUILD_CACHE=1 keeps them as the layer cache for faster local rebuilds.
#
# Usage: docker/build-image.sh [extra podman build arguments...]
# Environment: SPWF_IMAGE (default localhost/spwf04emu:latest), SPWF_BUILD_JOBS (default 2),
#              SPWF_KEEP_BUILD_CACHE.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
image="${SPWF_IMAGE:-localhost/spwf04emu:latest}"
jobs="${SPWF_BUILD_JOBS:-2}"

"$here/make-base-image.sh"

echo "build-image: building $image from docker/Dockerfile"
podman --runtime runc build \
  --network=host --pull=never --format docker \
  --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
  --build-arg BUILD_JOBS="$jobs" \
  -f "$root/docker/Dockerfile" -t "$image" "$@" "$root"

if [ -z "${SPWF_KEEP_BUILD_CACHE:-}" ]; then
  # Untagged images of the build stage (the Dockerfile labels them) and nothing else.
  podman image prune -f --filter label=org.spwf04emu.stage=build >/dev/null
  left="$(podman images -a -q --filter label=org.spwf04emu.stage=build | wc -l)"
  echo "build-image: removed the build stage's images ($left left)"
fi
podman image inspect --format 'build-image: {{.Id}} {{.Size}} bytes' "$image" | cut -c1-120
podman images --filter "reference=$image"
