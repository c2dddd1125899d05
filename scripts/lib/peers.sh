# Sourced by the scripts: installs Debian's cfengine3 (cf-serverd, cf-key, cf-runagent) when missing.
install_cfengine() {
  local missing=0 b
  for b in cf-serverd cf-key cf-runagent cf-promises cf-agent; do
    [ -x "/usr/bin/$b" ] || missing=1
  done
  [ "$missing" = 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
      echo "cfengine3 is not installed and installing it needs root: apt-get install cfengine3" >&2
      return 1
    fi
  fi
  echo ">> installing Debian's cfengine3 (the real server the tests talk to)" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends cfengine3
}
