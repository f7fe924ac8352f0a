#!/usr/bin/env bash
# Runs one fuzz harness for a few seconds on a throwaway copy of its seed corpus (CTest's brief
# run). Usage: run-brief.sh HARNESS CORPUS SECONDS
set -euo pipefail
harness=$1 corpus=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
cp -r "$corpus/." "$work/corpus/"
cd "$work"
# The package harness makes and removes a folder per run: on tmpfs that is ten times faster.
if [[ -d /dev/shm && -w /dev/shm ]]; then
    export TMPDIR=/dev/shm
fi
# -rss_limit_mb: a parser that balloons is a finding too; -timeout: one input may take 10 s at most.
"$harness" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus"
