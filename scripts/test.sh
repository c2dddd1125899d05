#!/usr/bin/env bash
# Installs the test peers if missing (Debian's cfengine3, nagios4-core), then builds and runs every test:
# unit tests (surefire) and the integration tests against real cf-serverd processes (failsafe).
# Extra arguments go to Maven, e.g. scripts/test.sh -Dit.test=RunIT
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/peers.sh
install_cfengine
install_nagios
exec mvn -B verify "$@"
