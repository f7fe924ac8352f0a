#!/usr/bin/env bash
# Sets up, builds and runs every test: the README's second command, and what CI runs.
#
# Usage: scripts/test.sh [CTEST_ARGUMENTS...]
#   e.g. scripts/test.sh -L unit          only the fast unit tests
#        scripts/test.sh -R tst_state -V  one test, verbose
set -euo pipefail

# Work from the repository root whatever the caller's current directory: the presets and
# deps.sh are found relative to it.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

# The compiler cache lives outside the clone so it survives `rm -rf build`, fresh clones and CI
# checkouts. CCACHE_BASEDIR makes ccache hash paths inside the clone relatively, so two clones in
# different folders share hits.
export CCACHE_DIR="${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/prophasis-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$repo_root}"
# Debug builds normally also hash the build folder (so debuggers find the right sources); CI
# clones land in a new folder every time, and nobody debugs there, so trade that for cache hits.
if [[ ${CI:-} == true ]]; then
    export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi

format_seconds() {
    local total=$1
    if ((total >= 60)); then
        printf '%dm %02ds' $((total / 60)) $((total % 60))
    else
        printf '%ds' "$total"
    fi
}

summary=()

# Runs one stage and reports how long it took, so a slow build or test run is visible in every CI
# log without digging. On failure, says which stage failed and exits with its status.
stage() {
    local name=$1
    shift
    local started=$SECONDS status=0
    printf '\n==> %s: %s\n' "$name" "$*"
    "$@" || status=$?
    local elapsed
    elapsed=$(format_seconds $((SECONDS - started)))
    if ((status != 0)); then
        printf '\n==> %s FAILED (exit %d) after %s\n' "$name" "$status" "$elapsed" >&2
        exit "$status"
    fi
    summary+=("$(printf '%-10s %s' "$name" "$elapsed")")
    printf '==> %s done in %s\n' "$name" "$elapsed"
}

# Through bash, so a checkout that lost the executable bits still works.
stage deps bash scripts/deps.sh --test
stage configure cmake --preset dev
stage build cmake --build --preset dev
stage test ctest --preset dev "$@"

# The fuzz harnesses (tests/fuzz), each a few seconds on its seed corpus plus its saved crash
# inputs, in their own clang build (build/fuzz, only the parser libraries). Adds about a minute
# with a warm compiler cache, three to five minutes cold. Skipped when CTest arguments pick tests
# (someone iterating on a few) or with PROPHASIS_SKIP_FUZZ=1; scripts/fuzz.sh runs them longer.
if (($# == 0)) && [[ ${PROPHASIS_SKIP_FUZZ:-0} != 1 ]]; then
    stage fuzz-build bash -c 'cmake --preset fuzz >/dev/null && cmake --build build/fuzz --target prophasis_fuzzers'
    stage fuzz ctest --test-dir build/fuzz -L fuzz --output-on-failure -j2
fi

printf '\nAll stages passed:\n'
printf '  %s\n' "${summary[@]}" "$(printf '%-10s %s' total "$(format_seconds "$SECONDS")")"
