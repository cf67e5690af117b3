#!/usr/bin/env bash
# Debian's nginx for the replica test (tests/test_replicas.py) and deploy/: the package only, never
# its service (the test starts its own nginx on loopback ports with deploy/ configuration).
set -euo pipefail
if [ -x /usr/sbin/nginx ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101: do not start the packaged service during the install (no systemd in CI, and the
# default site's port 80 may be taken)
POLICY=/usr/sbin/policy-rc.d
CREATED=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod +x "$POLICY" && CREATED=1
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 || \
  $SUDO apt-get install -y -qq --no-install-recommends nginx >/dev/null
if [ -n "$CREATED" ]; then $SUDO rm -f "$POLICY"; fi
