#!/usr/bin/env bash
# Builds the firmware stand-in image (docker/firmware.Dockerfile: python3 and examples/compose/)
# with podman from the local base image, as docker/build-image.sh builds the emulator; skipped
# when the image exists and is newer than its inputs. Used by docker/compose-test.sh and
# docker/kube-test.sh.
# Usage: docker/build-firmware-image.sh   Environment: SPWF_FIRMWARE_IMAGE
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
image="${SPWF_FIRMWARE_IMAGE:-localhost/spwf04emu-firmware:latest}"
context="$root/examples/compose"

if podman image exists "$image"; then
  built="$(date -d "$(podman image inspect --format '{{.Created}}' "$image" | cut -d' ' -f1,2)" +%s)"
  newest="$(stat -c %Y "$here/firmware.Dockerfile" "$context"/*.py | sort -n | tail -1)"
  if [ "$built" -ge "$newest" ]; then
    echo "build-firmware-image: $image is up to date"
    exit 0
  fi
fi
"$here/make-base-image.sh"
echo "build-firmware-image: building $image from docker/firmware.Dockerfile"
podman --runtime runc build --network=host --pull=never --format docker --layers=false \
  --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
  -f "$here/firmware.Dockerfile" -t "$image" "$context"
