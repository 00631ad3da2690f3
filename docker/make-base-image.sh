#!/usr/bin/env bash
# Makes the local base image localhost/debian:bookworm-slim for machines without a registry.
#
# Where Docker Hub is reachable this script is not needed: `docker build -f docker/Dockerfile .`
# pulls debian:bookworm-slim. Here the image is made from Debian's own archive with debootstrap
# and imported into podman, so the Dockerfile's `FROM debian:bookworm-slim` resolves locally.
#
# Idempotent: installs podman/runc/debootstrap only if missing, skips everything if the image
# exists, and keeps the root filesystem as a tarball in the cache so a re-import is fast.
# Usage: docker/make-base-image.sh [--force]   (--force re-imports even if the image exists)
# Environment: SPWF_IMAGE_CACHE (default /var/cache/spwf04emu), SPWF_BASE_IMAGE.
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
# debootstrap to make the root filesystem.
missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "make-base-image: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
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
