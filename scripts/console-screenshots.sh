#!/usr/bin/env bash
# Refreshes the console screenshots in docs/images: runs the console's end-to-end test (a real
# core, the mock agents' small shop) and the host page test (a year of stored results) under Xvfb
# at 1366 × 768 and keeps what they saved.
#
# Usage: scripts/console-screenshots.sh [BUILD_DIR]   (default: build/dev, already built)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/dev}
test_binary=$build/tests/console/endtoend/tst_consoleendtoend
for binary in "$test_binary" "$build/tests/console/hostpage/tst_hostpage"; do
    [[ -x $binary ]] || { echo "console-screenshots.sh: build $(basename "$binary") first" >&2; exit 1; }
done
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT
PROPHASIS_SCREENSHOT_DIR=$shots QT_QPA_PLATFORM=xcb \
    xvfb-run -a -s "-screen 0 1366x768x24" "$test_binary" >/dev/null
# A host page with a month of stored history (the host page test's data, 30-day range).
PROPHASIS_HOSTPAGE_SCREENSHOT=$shots/console-host-history.png PROPHASIS_HOSTPAGE_PRESET=3 QT_QPA_PLATFORM=xcb \
    xvfb-run -a -s "-screen 0 1366x768x24" "$build/tests/console/hostpage/tst_hostpage" tooltipAtAPoint >/dev/null
for name in console-overview.png console-host.png console-service.png console-host-history.png; do
    cp "$shots/$name" "$root/docs/images/$name"
    echo "docs/images/$name"
done
