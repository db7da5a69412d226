#!/usr/bin/env bash
# Make sure a Java runtime >= 11 is installed (the HermiT reasoner needs it); idempotent.
set -euo pipefail
version=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1 || true)
if [ -n "${version}" ] && [ "${version}" -ge 11 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Java >= 11 is missing and this user cannot install it: install default-jre-headless" >&2
    exit 1
  fi
else
  SUDO=""
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
java -version >/dev/null 2>&1 || { echo "Java could not be installed" >&2; exit 1; }
