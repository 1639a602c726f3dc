#!/bin/sh
# Browser journeys need Debian's Chromium (Playwright cannot download its own here).
# Install it when we can (root with apt-get); otherwise say why the journeys will skip.
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser journeys..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    [ -x "$CHROMIUM" ] && exit 0
fi
echo "Chromium not found at $CHROMIUM and cannot be installed here (needs root and apt-get):"
echo "the browser journeys will be skipped. Install Debian's 'chromium' package to run them."
if [ -n "${REQUIRE_BROWSER:-}" ]; then
    exit 1
fi
exit 0
