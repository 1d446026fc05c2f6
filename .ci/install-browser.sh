#!/usr/bin/env bash
# Install headless Chromium from Debian for the browser tests (pytest -m browser).
#
# Idempotent and fast when already installed: nothing is fetched if /usr/bin/chromium works.
# The Python side (playwright from PyPI) drives this system browser through executablePath;
# `playwright install` is never run, since it downloads its own browser build.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ] && "$CHROMIUM" --headless --no-sandbox --version >/dev/null 2>&1; then
    echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

echo "installed: $("$CHROMIUM" --version 2>/dev/null)"
