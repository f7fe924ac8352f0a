#!/usr/bin/env bash
# Takes the status page's screenshots for the docs (docs/images/status-*.png) with the browser
# test. Test runs alone write them to their build folder only, so they never change the sources.
#
# Usage: tests/statuspage/update-screenshots.sh [BUILD_DIR]   (default: build/dev)
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo_root/build/dev}
cmake --build "$build_dir" --target tst_statuspagebrowser
PROPHASIS_SCREENSHOT_DIR="$repo_root/docs/images" "$build_dir/tests/statuspage/tst_statuspagebrowser"
ls -l "$repo_root"/docs/images/status-*.png
