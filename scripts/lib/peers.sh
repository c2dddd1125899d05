# Sourced by the scripts: installs the real peers the tests talk to, when missing:
#   Debian's cfengine3 (cf-serverd, cf-key, cf-runagent) and, for the Nagios end-to-end test,
#   nagios4-core + monitoring-plugins-basic (not the nagios4 metapackage, which pulls Apache and PHP), and curl
#   (the service's event command);
#   for the Icinga 2 end-to-end test, icinga2 (its daemon is not started: the test runs a private instance);
#   for the Alertmanager end-to-end test, Debian's Prometheus stack: prometheus, prometheus-alertmanager,
#   prometheus-blackbox-exporter, and webhook (adnanh/webhook, the do-it-yourself receiver it is compared with);
#   for the interop tests, Debian's Docker engine and debootstrap (scripts/lib/docker.sh starts it confined);
#   for the distribution (scripts/dist.sh, scripts/dist-test.sh), asciidoctor (man pages), lintian and man-db
#   (dpkg-deb is part of dpkg), and gnupg (gpg, gpg-agent, gpgconf: ConsumerProjectIT signs its deploy, as a
#   release does, with a throw-away key).
# Packaged daemons are not started: where no policy-rc.d forbids it, one is installed for the
# duration of the installation only.
_apt_install() {
  local sudo="" added=0
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
      echo "installing $* needs root: apt-get install $*" >&2
      return 1
    fi
  fi
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d && added=1
  fi
  echo ">> installing $* (real peers for the tests)" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@"
  local rc=$?
  [ "$added" = 1 ] && $sudo rm -f /usr/sbin/policy-rc.d
  return $rc
}

install_cfengine() {
  local b
  for b in cf-serverd cf-key cf-runagent cf-promises cf-agent; do
    [ -x "/usr/bin/$b" ] || { _apt_install cfengine3; return; }
  done
}

install_nagios() {
  [ -x /usr/sbin/nagios4 ] && [ -x /usr/lib/nagios/plugins/check_http ] && [ -x /usr/bin/python3 ] && [ -x /usr/bin/curl ] \
    && return 0
  _apt_install nagios4-core monitoring-plugins-basic python3 curl
}

install_icinga() {
  [ -x /usr/sbin/icinga2 ] && [ -x /usr/lib/nagios/plugins/check_http ] && [ -x /usr/bin/python3 ] && [ -x /usr/bin/curl ] \
    && return 0
  _apt_install icinga2 monitoring-plugins-basic python3 curl
}

install_prometheus() {
  local b
  for b in /usr/bin/prometheus /usr/bin/prometheus-alertmanager /usr/bin/prometheus-blackbox-exporter \
      /usr/bin/webhook /usr/bin/python3 /usr/bin/setsid; do
    [ -x "$b" ] || { _apt_install prometheus prometheus-alertmanager prometheus-blackbox-exporter webhook python3; return; }
  done
}

install_docker() {
  command -v dockerd >/dev/null 2>&1 && command -v containerd >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 \
    && command -v debootstrap >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 && return 0
  _apt_install docker.io containerd runc debootstrap
}

install_dist_tools() {
  command -v asciidoctor >/dev/null 2>&1 && command -v lintian >/dev/null 2>&1 && command -v man >/dev/null 2>&1 \
    && command -v dpkg-deb >/dev/null 2>&1 && command -v gpg >/dev/null 2>&1 && command -v gpg-agent >/dev/null 2>&1 \
    && command -v gpgconf >/dev/null 2>&1 && return 0
  _apt_install asciidoctor lintian man-db gnupg
}
