#!/usr/bin/env bash
# Checks a Promela model with spin: generates the verifier (spin -a), compiles pan.c with gcc in
# a work folder and runs it. Fails on any error spin reports (assertion violation, invalid end
# state, acceptance cycle) and on a search that was cut short, since a partial search proves
# nothing. With --expect-violation it passes only when spin does find an error: that is how the
# deliberately broken variants show that the check can fail.
#
# Usage: run-spin.sh [--ltl NAME] [--expect-violation] MODEL.pml WORKDIR [-DNAME[=VALUE]...]
#   --ltl NAME   checks the LTL property NAME (acceptance cycles; a full, slower search);
#                without it, a safety search (-DSAFETY, no never claim)
set -euo pipefail

ltl=""
expect_violation=false
while [[ $# -gt 0 && $1 == --* ]]; do
    case $1 in
        --ltl) ltl=$2; shift 2 ;;
        --expect-violation) expect_violation=true; shift ;;
        *) printf 'run-spin.sh: unknown option %s\n' "$1" >&2; exit 2 ;;
    esac
done
if [[ $# -lt 2 ]]; then
    printf 'Usage: %s [--ltl NAME] [--expect-violation] MODEL.pml WORKDIR [-D...]\n' "$0" >&2
    exit 2
fi
model=$1
workdir=$2
shift 2
defines=("$@")

if ! command -v spin >/dev/null; then
    printf 'run-spin.sh: spin is not installed (scripts/deps.sh --test)\n' >&2
    exit 1
fi
command -v gcc >/dev/null || { printf 'run-spin.sh: gcc is not installed\n' >&2; exit 1; }

# Each variant in its own folder: CTest may run them at the same time, and the trail file spin
# writes there replays with `spin -t -p <defines> <model>` from that folder.
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
cp "$model" "$workdir/"
cd "$workdir"
name=$(basename "$model")
rm -f pan pan.* ./*.trail

spin "${defines[@]}" -a "$name" >spin-a.log 2>&1 || { cat spin-a.log; exit 1; }
# -DCOLLAPSE keeps memory small; pan.c's undo code trips gcc's -Wstringop-overflow, hence -w.
# -O1 compiles in half the time of -O2 and searches nearly as fast; a broken variant fails
# within a few hundred states, so there compiling fast is all that counts.
optimise=-O1
$expect_violation && optimise=-O0
if [[ -n $ltl ]]; then
    gcc $optimise -w -DCOLLAPSE -o pan pan.c
    pan_args=(-a -N "$ltl")
else
    gcc $optimise -w -DCOLLAPSE -DSAFETY -DNOCLAIM -o pan pan.c
    pan_args=()
fi
status=0
./pan -m100000 -w22 "${pan_args[@]}" >pan.log 2>&1 || status=$?
cat pan.log

errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.log | tail -n 1)
[[ -n $errors ]] || { printf 'run-spin.sh: pan gave no verdict (exit %s)\n' "$status" >&2; exit 1; }
if grep -qE 'max search depth too small|reached -DMEMLIM bound|out of memory' pan.log; then
    printf 'run-spin.sh: the search was cut short; it proves nothing\n' >&2
    exit 1
fi
if $expect_violation; then
    if [[ $errors == 0 ]]; then
        printf 'run-spin.sh: this broken variant should fail the check, but spin found nothing\n' >&2
        exit 1
    fi
    printf 'run-spin.sh: the broken variant fails the check, as it must\n'
    exit 0
fi
if [[ $errors != 0 ]]; then
    printf 'run-spin.sh: spin found %s error(s); replay: cd %s && spin -t -p %s %s\n' "$errors" "$workdir" \
        "${defines[*]}" "$name" >&2
    exit 1
fi
