#!/usr/bin/env bash
# Refreshes the console screenshots in docs/images: runs the console's end-to-end test (a real
# core, the mock agents' small shop) under Xvfb at 1366 × 768 and keeps what it saved.
#
# Usage: scripts/console-screenshots.sh [BUILD_DIR]   (default: build/dev, already built)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/dev}
test_binary=$build/tests/console/endtoend/tst_consoleendtoend
[[ -x $test_binary ]] || { echo "console-screenshots.sh: build tst_consoleendtoend first ($test_binary)" >&2; exit 1; }
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT
PROPHASIS_SCREENSHOT_DIR=$shots QT_QPA_PLATFORM=xcb \
    xvfb-run -a -s "-screen 0 1366x768x24" "$test_binary" >/dev/null
for name in console-overview.png console-host.png console-service.png; do
    cp "$shots/$name" "$root/docs/images/$name"
    echo "docs/images/$name"
done
