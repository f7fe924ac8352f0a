#!/bin/sh
# Runs a test program as the unprivileged user `nobody` when the tests run as root: root hides
# privilege problems (TOOLCHAIN.md). Exits 77 (CTest: skipped) when that is impossible, e.g. a
# build folder under a home that only root can enter.
program=$1
shift
if [ "$(id -u)" -ne 0 ]; then
    exec "$program" "$@"
fi
if ! command -v runuser >/dev/null 2>&1; then
    echo "runuser is missing: skipped"
    exit 77
fi
if ! runuser -u nobody -- test -x "$program"; then
    echo "the user nobody cannot reach $program (a private build folder): skipped"
    exit 77
fi
cd /tmp || exit 1
exec runuser -u nobody -- "$program" "$@"
