#!/usr/bin/env bash
# Replays every saved crash input of one harness (regressions/<harness>/): each must now run
# cleanly. Usage: run-regressions.sh HARNESS FOLDER
set -euo pipefail
harness=$1 folder=$2
shopt -s nullglob
inputs=("$folder"/*)
if ((${#inputs[@]} == 0)); then
    echo "no regression inputs in $folder"
    exit 0
fi
# Given files instead of folders, libFuzzer runs each input once and exits.
"$harness" -runs=1 "${inputs[@]}"
