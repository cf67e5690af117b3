#!/usr/bin/env bash
# Debian's chromium and CJK fonts for the end-to-end tests and screenshots. Never a test tool's own
# browser download: Playwright drives the system chromium (/usr/bin/chromium).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
