#!/usr/bin/env bash
# Refreshes docs/mail-notification.png: a reply notification sent through
# a real SMTP session (widget's TestWriteMailSample), its HTML part
# photographed by headless Chromium. Needs: go, chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM=${TRIBUNE_TEST_CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TRIBUNE_MAIL_SAMPLE="$work" go test ./widget -run TestWriteMailSample -count=1 >/dev/null
"$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync --user-data-dir="$work/profile" \
	--window-size=720,470 --screenshot="$PWD/docs/mail-notification.png" "file://$work/notification.html" 2>/dev/null
echo "docs/mail-notification.png written"
