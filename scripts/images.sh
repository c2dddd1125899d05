#!/usr/bin/env bash
# Builds the container images of the interop tests without any image registry:
#   cfrun-it/cfengine:3.15  Debian bullseye's cfengine3 (3.15.2)
#   cfrun-it/cfengine:3.21  Debian bookworm's cfengine3 (3.21.0)
#   cfrun-it/cfengine:3.24  Debian trixie's   cfengine3 (3.24.x)
# Each one is a `debootstrap --variant=minbase --include=cfengine3,…` root file system turned into an
# image by `docker import`. The root file systems are cached outside the repository, in
# ${CFRUN_IMAGE_CACHE:-/var/cache/cfrun-it}/rootfs, so the next run on this machine reuses them; an image
# that already exists with the same recipe (label dev.cfrun.it.recipe) is left alone.
#
#   scripts/images.sh [3.15 3.21 3.24]    build the given versions (default: all), skip what is up to date
#   scripts/images.sh --check [VERSIONS]  only say whether each image is up to date (exit 1 if one is not)
#
# Needs a Docker engine (the docker client's usual DOCKER_HOST) and, to build a root file system, root
# and debootstrap. Nothing is pulled: an image is only ever imported from a local tar.
# Environment: CFRUN_IMAGE_CACHE, CFRUN_DEBIAN_MIRROR (default http://deb.debian.org/debian),
#              CFRUN_MIRROR_<release> (one release from another mirror, e.g. CFRUN_MIRROR_bullseye=http://archive.debian.org/debian)
set -euo pipefail

CACHE=${CFRUN_IMAGE_CACHE:-/var/cache/cfrun-it}
MIRROR=${CFRUN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
REPO=cfrun-it/cfengine
# Bump when anything below changes what goes into an image.
RECIPE_VERSION=1
VARIANT=minbase
# cfengine3: cf-serverd, cf-agent, cf-key, cf-promises, cf-net; procps: ps/pgrep for looking inside a test container
INCLUDE=cfengine3,procps
# The fixture (CfEngineContainer) gives its own command; this one serves `docker run` by hand.
CMD='["/usr/bin/cf-serverd","--no-fork","--inform"]'

release_of() {
  case "$1" in
    3.15) echo bullseye ;;
    3.21) echo bookworm ;;
    3.24) echo trixie ;;
    *) echo "unknown version '$1' (known: 3.15 3.21 3.24)" >&2; return 1 ;;
  esac
}

recipe() { # the text whose hash names the root file system and labels the image
  printf 'recipe=%s release=%s variant=%s include=%s cmd=%s\n' "$RECIPE_VERSION" "$1" "$VARIANT" "$INCLUDE" "$CMD"
}

recipe_hash() {
  recipe "$1" | sha256sum | cut -c1-16
}

image_recipe() { # the recipe label of an existing image, empty if there is no such image
  docker image inspect -f '{{index .Config.Labels "dev.cfrun.it.recipe"}}' "$1" 2>/dev/null || true
}

log() { echo ">> images: $*" >&2; }

build_rootfs() { # release hash -> $CACHE/rootfs/<release>-<hash>.tar (+ .versions); output to a log file
  local release=$1 hash=$2 out="$CACHE/rootfs/$1-$2" tmp mirror_var mirror
  mirror_var="CFRUN_MIRROR_$release"
  mirror=${!mirror_var:-$MIRROR}
  tmp=$(mktemp -d "$CACHE/rootfs/.build-$release.XXXXXX")
  local start=$SECONDS
  debootstrap --variant="$VARIANT" --include="$INCLUDE" "$release" "$tmp" "$mirror"
  # what the package really is, recorded beside the tar and as image labels
  {
    echo "release=$release"
    echo "cfengine3=$(chroot "$tmp" dpkg-query -W -f '${Version}' cfengine3)"
    echo "openssl=$(chroot "$tmp" dpkg-query -W -f '${Version}' 'libssl[0-9]*' 2>/dev/null | head -1)"
    echo "cf_serverd=$(chroot "$tmp" /usr/bin/cf-serverd --version | head -1)"
  } >"$out.versions.tmp"
  # no downloaded packages or package lists in the image; no host key of the package's postinst either:
  # every test server makes or gets its own keys in its own work dir
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* "$tmp"/var/lib/cfengine3/ppkeys/localhost.*
  tar --numeric-owner -C "$tmp" -cf "$out.tar.tmp" .
  rm -rf "$tmp"
  mv "$out.versions.tmp" "$out.versions"
  mv "$out.tar.tmp" "$out.tar"
  echo "root file system of $release built in $((SECONDS - start)) s: $(tr '\n' ' ' <"$out.versions")"
}

main() {
  local check=0
  if [ "${1:-}" = "--check" ]; then check=1; shift; fi
  local versions=("$@")
  [ ${#versions[@]} -gt 0 ] || versions=(3.15 3.21 3.24)

  if ! docker info >/dev/null 2>&1; then
    echo "images: no Docker engine answers (docker info failed; DOCKER_HOST=${DOCKER_HOST:-unset})" >&2
    return 2
  fi

  local v release hash todo=() stale=0
  for v in "${versions[@]}"; do
    release=$(release_of "$v")
    hash=$(recipe_hash "$release")
    if [ "$(image_recipe "$REPO:$v")" = "$hash" ]; then
      log "$REPO:$v is up to date (recipe $hash), skipped"
    else
      stale=1
      todo+=("$v")
    fi
  done
  if [ "$check" = 1 ]; then
    [ "$stale" = 0 ] || log "missing or outdated: ${todo[*]} (run scripts/images.sh)"
    return "$stale"
  fi
  [ ${#todo[@]} -gt 0 ] || return 0

  mkdir -p "$CACHE/rootfs" "$CACHE/logs"
  # root file systems that are not cached yet, built in parallel (mostly download and dpkg)
  local pids=() names=()
  for v in "${todo[@]}"; do
    release=$(release_of "$v")
    hash=$(recipe_hash "$release")
    if [ -f "$CACHE/rootfs/$release-$hash.tar" ]; then
      log "$release root file system cached: $CACHE/rootfs/$release-$hash.tar"
      continue
    fi
    if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null 2>&1; then
      echo "images: building the $release root file system needs root and debootstrap (apt-get install debootstrap)" >&2
      return 1
    fi
    log "debootstrap $release (log: $CACHE/logs/$release.log)"
    build_rootfs "$release" "$hash" >"$CACHE/logs/$release.log" 2>&1 &
    pids+=($!)
    names+=("$release")
  done
  local i failed=0
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      log "$(tail -1 "$CACHE/logs/${names[$i]}.log")"
    else
      failed=1
      echo "images: debootstrap of ${names[$i]} failed; the end of its log:" >&2
      tail -30 "$CACHE/logs/${names[$i]}.log" >&2
      rm -rf "$CACHE/rootfs/.build-${names[$i]}".*
    fi
  done
  [ "$failed" = 0 ] || return 1

  for v in "${todo[@]}"; do
    release=$(release_of "$v")
    hash=$(recipe_hash "$release")
    local base="$CACHE/rootfs/$release-$hash" pkg server
    pkg=$(sed -n 's/^cfengine3=//p' "$base.versions")
    server=$(sed -n 's/^cf_serverd=//p' "$base.versions")
    local start=$SECONDS
    docker import \
      --change "LABEL dev.cfrun.it.recipe=$hash" \
      --change "LABEL dev.cfrun.it.release=$release" \
      --change "LABEL dev.cfrun.it.cfengine3=$pkg" \
      --change "CMD $CMD" \
      --message "debootstrap --variant=$VARIANT --include=$INCLUDE $release (cfengine3 $pkg)" \
      "$base.tar" "$REPO:$v" >/dev/null
    log "$REPO:$v imported in $((SECONDS - start)) s: $release, cfengine3 $pkg, $server"
  done
}

main "$@"
