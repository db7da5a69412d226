#!/usr/bin/env bash
# Make sure a headless-capable Chromium is installed (the query page's browser test drives
# it with Playwright; Playwright's own browser download is not used); idempotent.
# Prints the executable's path. SKILLSGRAPH_CHROMIUM overrides where it is looked for.
set -euo pipefail
find_chromium() {
  for candidate in "${SKILLSGRAPH_CHROMIUM:-}" chromium chromium-browser; do
    if [ -n "${candidate}" ] && command -v "${candidate}" >/dev/null 2>&1; then
      command -v "${candidate}"
      return 0
    fi
  done
  return 1
}
if path=$(find_chromium); then
  echo "${path}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Chromium is missing and this user cannot install it: install Debian's chromium" >&2
    exit 1
  fi
else
  SUDO=""
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
path=$(find_chromium) || { echo "Chromium could not be installed" >&2; exit 1; }
"${path}" --headless --no-sandbox --disable-gpu --dump-dom about:blank >/dev/null 2>&1 \
  || { echo "Chromium is installed at ${path} but does not start headless" >&2; exit 1; }
echo "${path}"
