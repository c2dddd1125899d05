#!/usr/bin/env bash
# Builds the container images of the interop tests without any image registry:
#   cfrun-it/cfengine:3.15  Debian bullseye's cfengine3 (3.15.2)
#   cfrun-it/cfengine:3.21  Debian bookworm's cfengine3 (3.21.0)
#   cfrun-it/cfengine:3.24  Debian trixie's   cfengine3 (3.24.x)
#   cfrun-it/install:bookworm, cfrun-it/install:trixie   for the install tests of the .deb and the tarball
#                           (scripts/install-test.sh): the 3.21 / 3.24 root file system plus man-db, with
#                           Debian's package lists and the .deb files of the package's dependency (a Java
#                           runtime) downloaded but not installed, so that `apt-get install ./cfrun_*.deb`
#                           resolves them from Debian's own archive inside a container that has no network
# Each cfengine image is a `debootstrap --variant=minbase --include=cfengine3,…` root file system turned
# into an image by `docker import`; an install image is made from that root file system in a chroot. The root
# file systems are cached outside the repository, in ${CFRUN_IMAGE_CACHE:-/var/cache/cfrun-it}/rootfs, so the
# next run on this machine reuses them; an image that already exists with the same recipe (label
# dev.cfrun.it.recipe) is left alone.
#
#   scripts/images.sh [3.15 3.21 3.24 install-bookworm install-trixie]
#                                         build the given images (default: all), skip what is up to date
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
# The install images: installed on top of the cfengine root file system, and only downloaded (the package's
# Depends, first alternatives; Recommends too, as `apt install` takes them by default)
INSTALL_RECIPE_VERSION=1
# (openssl, ca-certificates, adduser: on nearly every system; apt keeps them after an autoremove anyway, as
# installed packages recommend them, so the install test could not tell their files from ours)
INSTALL_ADD="man-db openssl ca-certificates adduser"
INSTALL_DOWNLOAD="default-jre-headless"
INSTALL_REPO=cfrun-it/install
ALL="3.15 3.21 3.24 install-bookworm install-trixie"

release_of() {
  case "$1" in
    3.15) echo bullseye ;;
    3.21) echo bookworm ;;
    3.24) echo trixie ;;
    install-bookworm) echo bookworm ;;
    install-trixie) echo trixie ;;
    *) echo "unknown image '$1' (known: $ALL)" >&2; return 1 ;;
  esac
}

recipe() { # the text whose hash names the root file system and labels the image
  printf 'recipe=%s release=%s variant=%s include=%s cmd=%s\n' "$RECIPE_VERSION" "$1" "$VARIANT" "$INCLUDE" "$CMD"
}

recipe_hash() {
  recipe "$1" | sha256sum | cut -c1-16
}

is_install() { case "$1" in install-*) return 0 ;; *) return 1 ;; esac; }

image_of() { # target -> the image name
  if is_install "$1"; then echo "$INSTALL_REPO:${1#install-}"; else echo "$REPO:$1"; fi
}

target_hash() { # target -> the hash of its recipe (an install image's includes its base's)
  if is_install "$1"; then
    { recipe "$(release_of "$1")"
      printf 'install=%s add=%s download=%s\n' "$INSTALL_RECIPE_VERSION" "$INSTALL_ADD" "$INSTALL_DOWNLOAD"; } \
      | sha256sum | cut -c1-16
  else
    recipe_hash "$(release_of "$1")"
  fi
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

build_install_rootfs() { # release hash -> $CACHE/rootfs/install-<release>-<hash>.tar, from the release's base tar
  local release=$1 hash=$2 base out="$CACHE/rootfs/install-$1-$2" tmp
  base="$CACHE/rootfs/$release-$(recipe_hash "$release").tar"
  tmp=$(mktemp -d "$CACHE/rootfs/.build-install-$release.XXXXXX")
  local start=$SECONDS
  tar --numeric-owner -C "$tmp" -xf "$base"
  cp /etc/resolv.conf "$tmp/etc/resolv.conf"
  # no daemon starts in the chroot
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
  chmod +x "$tmp/usr/sbin/policy-rc.d"
  chroot "$tmp" apt-get update -q
  # shellcheck disable=SC2086 # package lists are words
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $INSTALL_ADD
  # shellcheck disable=SC2086
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --download-only $INSTALL_DOWNLOAD
  {
    echo "release=$release"
    echo "downloaded=$(ls "$tmp/var/cache/apt/archives" | grep -c '\.deb$') packages, $(du -sh "$tmp/var/cache/apt/archives" | cut -f1)"
    echo "java=$(ls "$tmp/var/cache/apt/archives" | grep -o '^openjdk-[0-9]*-jre-headless_[^_]*' | head -1)"
  } >"$out.versions.tmp"
  rm -f "$tmp/usr/sbin/policy-rc.d"
  : >"$tmp/etc/resolv.conf"
  tar --numeric-owner -C "$tmp" -cf "$out.tar.tmp" .
  rm -rf "$tmp"
  mv "$out.versions.tmp" "$out.versions"
  mv "$out.tar.tmp" "$out.tar"
  echo "install root file system of $release built in $((SECONDS - start)) s: $(tr '\n' ' ' <"$out.versions")"
}

# runs "$@" in the background with its output in $CACHE/logs/NAME.log; remembered in pids/names
start_logged() {
  local name=$1
  shift
  "$@" >"$CACHE/logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

wait_logged() { # waits for every started job; says how each ended; exit 1 if one failed
  local i failed=0
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      log "$(tail -1 "$CACHE/logs/${names[$i]}.log")"
    else
      failed=1
      echo "images: building the ${names[$i]} root file system failed; the end of its log:" >&2
      tail -30 "$CACHE/logs/${names[$i]}.log" >&2
      rm -rf "$CACHE/rootfs/.build-${names[$i]}".*
    fi
  done
  pids=() names=()
  return "$failed"
}

main() {
  local check=0
  if [ "${1:-}" = "--check" ]; then check=1; shift; fi
  local targets=("$@")
  # shellcheck disable=SC2206 # the list is words
  [ ${#targets[@]} -gt 0 ] || targets=($ALL)

  if ! docker info >/dev/null 2>&1; then
    echo "images: no Docker engine answers (docker info failed; DOCKER_HOST=${DOCKER_HOST:-unset})" >&2
    return 2
  fi

  local t release hash todo=() stale=0
  for t in "${targets[@]}"; do
    release=$(release_of "$t")
    hash=$(target_hash "$t")
    if [ "$(image_recipe "$(image_of "$t")")" = "$hash" ]; then
      log "$(image_of "$t") is up to date (recipe $hash), skipped"
    else
      stale=1
      todo+=("$t")
    fi
  done
  if [ "$check" = 1 ]; then
    [ "$stale" = 0 ] || log "missing or outdated: ${todo[*]} (run scripts/images.sh)"
    return "$stale"
  fi
  [ ${#todo[@]} -gt 0 ] || return 0

  mkdir -p "$CACHE/rootfs" "$CACHE/logs"
  # build_unless_cached NAME TAR TOOL FUNCTION ARGS…: starts FUNCTION in the background unless TAR exists; it
  # needs root and TOOL. Called as a plain command (never in an `… || …` list, where bash would switch off set -e
  # in the function and so in the build it starts, and a failed step would be cached as a good tar).
  build_unless_cached() {
    local name=$1 tar=$2 tool=$3
    shift 3
    if [ -f "$tar" ]; then
      log "$name root file system cached: $tar"
      return 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v "$tool" >/dev/null 2>&1; then
      echo "images: building the $name root file system needs root and $tool" >&2
      exit 1
    fi
    log "$name root file system: $* (log: $CACHE/logs/$name.log)"
    start_logged "$name" "$@"
  }
  # 1. the base root file systems that are not cached yet (an install image's too), built in parallel (mostly
  #    download and dpkg)
  local pids=() names=() done_releases=" "
  for t in "${todo[@]}"; do
    release=$(release_of "$t")
    hash=$(recipe_hash "$release")
    case "$done_releases" in *" $release "*) continue ;; esac
    done_releases+="$release "
    build_unless_cached "$release" "$CACHE/rootfs/$release-$hash.tar" debootstrap build_rootfs "$release" "$hash"
  done
  wait_logged || return 1
  # 2. the cfengine images, then the install root file systems on top of their base, then their images (an
  #    install image that fails leaves the interop images in place)
  for t in "${todo[@]}"; do
    is_install "$t" || import_image "$t"
  done
  for t in "${todo[@]}"; do
    is_install "$t" || continue
    release=$(release_of "$t")
    hash=$(target_hash "$t")
    build_unless_cached "install-$release" "$CACHE/rootfs/install-$release-$hash.tar" chroot \
      build_install_rootfs "$release" "$hash"
  done
  wait_logged || return 1
  for t in "${todo[@]}"; do
    ! is_install "$t" || import_image "$t"
  done
}

# import_image TARGET: the image from its root file system tar, labelled with its recipe
import_image() {
  local t=$1 release hash start=$SECONDS base pkg server
  release=$(release_of "$t")
  hash=$(target_hash "$t")
  if is_install "$t"; then
    base="$CACHE/rootfs/install-$release-$hash"
    docker import \
      --change "LABEL dev.cfrun.it.recipe=$hash" \
      --change "LABEL dev.cfrun.it.release=$release" \
      --change 'CMD ["/bin/bash"]' \
      --message "cfrun-it/cfengine's $release + $INSTALL_ADD, downloaded: $INSTALL_DOWNLOAD" \
      "$base.tar" "$(image_of "$t")" >/dev/null
    log "$(image_of "$t") imported in $((SECONDS - start)) s: $(tr '\n' ' ' <"$base.versions")"
    return
  fi
  base="$CACHE/rootfs/$release-$hash"
  pkg=$(sed -n 's/^cfengine3=//p' "$base.versions")
  server=$(sed -n 's/^cf_serverd=//p' "$base.versions")
  docker import \
    --change "LABEL dev.cfrun.it.recipe=$hash" \
    --change "LABEL dev.cfrun.it.release=$release" \
    --change "LABEL dev.cfrun.it.cfengine3=$pkg" \
    --change "CMD $CMD" \
    --message "debootstrap --variant=$VARIANT --include=$INCLUDE $release (cfengine3 $pkg)" \
    "$base.tar" "$(image_of "$t")" >/dev/null
  log "$(image_of "$t") imported in $((SECONDS - start)) s: $release, cfengine3 $pkg, $server"
}

main "$@"
