#!/usr/bin/env bash
# Makes the local base image localhost/debian:bookworm-slim for machines without a registry.
#
# Where Docker Hub is reachable this script is not needed: `docker build -f docker/Dockerfile .`
# pulls debian:bookworm-slim. Here the image is made from Debian's own archive with debootstrap
# and imported into podman, so the Dockerfile's `FROM debian:bookworm-slim` resolves locally.
#
# Idempotent: installs the container tools only if missing (scripts/install-deps.sh
# --container), skips everything if the image exists, and keeps the root filesystem as a tarball
# in the cache so a re-import is fast.
# Usage: docker/make-base-image.sh [--force]   (--force re-imports even if the image exists)
# Environment: SPWF_IMAGE_CACHE (default /var/cache/spwf04emu), SPWF_BASE_IMAGE,
#              SPWF_BASE_FROM_REGISTRY=1 (pull debian:bookworm-slim instead, where a registry is
#              reachable).
set -euo pipefail

base_image="${SPWF_BASE_IMAGE:-localhost/debian:bookworm-slim}"
cache_dir="${SPWF_IMAGE_CACHE:-/var/cache/spwf04emu}"
# Bump when the recipe below changes: the cached tarball and the image are then remade.
recipe=2
recipe_label="org.spwf04emu.base-recipe"
tarball="$cache_dir/debian-bookworm-slim-r$recipe.tar"
force=0
if [ "${1:-}" = "--force" ]; then force=1; fi

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# The tools: podman to build and run, runc because crun cannot use this kernel's cgroups,
# debootstrap to make the root filesystem (and what the docker/*-test.sh scripts use).
"$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/install-deps.sh" --container

# Where a registry is reachable (GitHub's runners: .github/workflows/image.yml), the official
# image stands in for the local one.
if [ -n "${SPWF_BASE_FROM_REGISTRY:-}" ]; then
  podman pull -q docker.io/library/debian:bookworm-slim >/dev/null
  podman tag docker.io/library/debian:bookworm-slim "$base_image"
  echo "make-base-image: $base_image is docker.io/library/debian:bookworm-slim"
  exit 0
fi

if [ "$force" -eq 0 ] && podman image exists "$base_image"; then
  have="$(podman image inspect --format "{{ index .Config.Labels \"$recipe_label\" }}" "$base_image" 2>/dev/null || true)"
  if [ "$have" = "$recipe" ]; then
    echo "make-base-image: $base_image exists (recipe $recipe), nothing to do"
    exit 0
  fi
  echo "make-base-image: $base_image has recipe '${have:-none}', remaking as recipe $recipe"
fi

# Slims a root filesystem the way Debian's official -slim images are made: dpkg leaves out docs
# (but keeps copyright files), man pages and translations now and in every later apt-get install,
# and apt keeps no package caches or lists in image layers.
slim_rootfs() {
  local root="$1"
  $sudo_cmd tee "$root/etc/dpkg/dpkg.cfg.d/docker" >/dev/null <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
CFG
  $sudo_cmd tee "$root/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
  $sudo_cmd tee "$root/etc/apt/apt.conf.d/docker-no-languages" >/dev/null <<'CFG'
Acquire::Languages "none";
CFG
  $sudo_cmd find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  $sudo_cmd find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  $sudo_cmd rm -rf "$root"/usr/share/locale/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/groff/* "$root"/usr/share/lintian/* "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log \
    "$root"/var/cache/debconf/*-old
}

if [ ! -s "$tarball" ]; then
  $sudo_cmd mkdir -p "$cache_dir"
  rootfs="$(mktemp -d "$cache_dir/rootfs.XXXXXX")"
  trap '$sudo_cmd rm -rf "$rootfs"' EXIT
  echo "make-base-image: debootstrap bookworm into $rootfs (a few minutes)"
  $sudo_cmd debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
  slim_rootfs "$rootfs"
  # Written to a temporary name and renamed, so an interrupted run never leaves a torn tarball.
  $sudo_cmd tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" .
  $sudo_cmd mv "$tarball.tmp" "$tarball"
fi

echo "make-base-image: importing $tarball as $base_image"
podman import --change 'CMD ["/bin/bash"]' --change "LABEL $recipe_label=$recipe" \
  "$tarball" "$base_image" >/dev/null
podman image exists "$base_image"
echo "make-base-image: $base_image ready"
