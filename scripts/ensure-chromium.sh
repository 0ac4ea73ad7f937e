#!/usr/bin/env bash
# A Chromium for the browser tests: the system's if there is one, else Debian's package
# (when we may install it), else Playwright's own download.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    exit 0
  fi
done
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
"${VIRTUAL_ENV:-.venv}/bin/playwright" install chromium
