#!/usr/bin/env bash
# Make sure Virtuoso open source 7 (Debian `virtuoso-opensource`) is installed; idempotent.
# The tests start their own instance (scripts/virtuoso.py: its own virtuoso.ini in a temp
# dir, bound to 127.0.0.1, passwords changed); the package's system service is never
# started: its default configuration listens on every interface with the password "dba".
set -euo pipefail
if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Virtuoso is missing and this user cannot install it: as root, run" \
      "apt-get install virtuoso-opensource (or set SKILLSGRAPH_SKIP_REMOTE=1)" >&2
    exit 1
  fi
else
  SUDO=""
fi
# No dba password through debconf: the package then leaves its daemon disabled.
echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password" | $SUDO debconf-set-selections
echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password" \
  | $SUDO debconf-set-selections
# Keep the package's init script from starting the system service during installation.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "${policy}" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "${policy}" >/dev/null
  $SUDO chmod 755 "${policy}"
  made_policy=yes
fi
cleanup() { if [ -n "${made_policy}" ]; then $SUDO rm -f "${policy}"; fi; }
trap cleanup EXIT
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  virtuoso-opensource >/dev/null
command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1 || {
  echo "Virtuoso could not be installed (virtuoso-t or isql-vt is missing)" >&2
  exit 1
}
