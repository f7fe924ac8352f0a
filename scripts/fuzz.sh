#!/usr/bin/env bash
# Builds the libFuzzer harnesses (the `fuzz` preset, build/fuzz) and runs each for a set time on a
# copy of its seed corpus (tests/fuzz/corpus/<harness>/), then prints what each did: executions,
# coverage (libFuzzer's cov and ft), and the crash file if one was found.
#
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]
#   e.g. scripts/fuzz.sh                  every harness for 60 s
#        scripts/fuzz.sh 600 httprequest  one harness for ten minutes
# Exits non-zero when any harness crashed (or failed to start). Crash inputs are kept in
# build/fuzz/findings/<harness>/; copy one to tests/fuzz/regressions/<harness>/ once it is fixed.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

seconds=${1:-60}
shift || true
if [[ ! $seconds =~ ^[0-9]+$ ]]; then
    printf 'Usage: %s [SECONDS] [HARNESS...]\n' "$0" >&2
    exit 2
fi

export CCACHE_DIR="${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/prophasis-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$repo_root}"

build=build/fuzz
cmake --preset fuzz >/dev/null
cmake --build "$build" --target prophasis_fuzzers -j"${FUZZ_JOBS:-2}"

if (($# == 0)); then
    set -- $(cd tests/fuzz/corpus && ls)
fi

# The package harness makes and removes a folder per run: on tmpfs that is ten times faster.
if [[ -d /dev/shm && -w /dev/shm ]]; then
    export TMPDIR=/dev/shm
fi
failed=0
summary=()
for harness in "$@"; do
    binary=$build/tests/fuzz/fuzz_$harness
    if [[ ! -x $binary ]]; then
        printf 'fuzz.sh: no harness %s (%s)\n' "$harness" "$binary" >&2
        failed=1
        continue
    fi
    work=$build/fuzz-runs/$harness
    findings=$build/findings/$harness
    rm -rf "$work"
    mkdir -p "$work/corpus" "$findings"
    cp -r "tests/fuzz/corpus/$harness/." "$work/corpus/"
    log=$work/log.txt
    printf '\n==> %s for %ss\n' "$harness" "$seconds"
    status=0
    # One input may take 10 s at most; a parser that needs more than 2 GiB is a finding too.
    "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/" "$work/corpus" >"$log" 2>&1 || status=$?
    # libFuzzer's last status line ("#123456 DONE cov: 812 ft: 2400 corp: ...") has the coverage.
    last=$(grep -E '^#[0-9]+' "$log" | tail -n1 || true)
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
    ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
    crash=$(grep -oE "Test unit written to [^ ]+" "$log" | sed 's/Test unit written to //' | tail -n1 || true)
    line=$(printf '%-16s executions %-10s cov %-6s ft %-6s' "$harness" "${runs:-?}" "${cov:-?}" "${ft:-?}")
    if ((status != 0)); then
        failed=1
        line+=" CRASH (exit $status): ${crash:-see $log}"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n5 >&2 || true
    fi
    printf '%s\n' "$line"
    summary+=("$line")
done

printf '\nFuzzing summary (%ss each):\n' "$seconds"
printf '  %s\n' "${summary[@]}"
exit "$failed"
