#!/usr/bin/env bash
# Sets up, builds and runs the whole of Prophasis on this machine: the README's first command.
#
# Everything runs as the current user with the embedded SQLite database. Data and logs go to
# $PROPHASIS_HOME (default ~/.local/share/prophasis); running the script again reuses them, and
# deleting that folder starts from scratch.
#
# Usage: scripts/run-local.sh        (stop with Ctrl-C)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

prophasis_home="${PROPHASIS_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/prophasis}"
core_dir="$prophasis_home/core"
agent_dir="$prophasis_home/agent"
core_log="$prophasis_home/core.log"
agent_log="$prophasis_home/agent.log"
core_bin="$repo_root/build/release/daemon-core/prophasis-core"
agent_bin="$repo_root/build/release/daemon-agent/prophasis-agent"
console_bin="$repo_root/build/release/console/prophasis-console"
console_log="$prophasis_home/console.log"
# The first admin's password, made by this script when it creates the core's data (readable by
# the user only), so the console can log in without a dialog.
admin_password_file="$prophasis_home/admin-password"

# How long a program may take to shut down after SIGTERM before it is killed.
stop_timeout_seconds=20

say() { printf 'run-local: %s\n' "$*"; }
die() {
    printf 'run-local: %s\n' "$*" >&2
    exit 1
}

# --- Set up and build ---------------------------------------------------------------------------

# Same compiler cache as scripts/test.sh, so switching between the two does not rebuild from zero.
export CCACHE_DIR="${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/prophasis-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$repo_root}"

bash scripts/deps.sh
# Only the programs: the tests and benchmarks are scripts/test.sh's business.
cmake --preset release
cmake --build --preset release --target prophasis-core prophasis-agent prophasis-console
[[ -x $core_bin && -x $agent_bin ]] || die "the build did not produce $core_bin and $agent_bin"

# --- Data ---------------------------------------------------------------------------------------

# The folder will hold keys and the database: keep it private when we create it.
(umask 077 && mkdir -p "$prophasis_home")

# Two copies of this script on the same data would run two cores on one SQLite file and two
# agents on one port. The lock is released when this script ends (the programs do not inherit it).
exec {lock_fd}>"$prophasis_home/run-local.lock"
flock -n "$lock_fd" || die "another run-local.sh is already running with $prophasis_home"

# init only once: it makes the keys, database and first admin, and running it again would replace
# the identity the agent and console have come to trust.
if [[ -f $core_dir/core.json ]]; then
    say "reusing the core's data in $core_dir"
else
    say "creating the core's data in $core_dir"
    (umask 077 && head -c 18 /dev/urandom | base64 >"$admin_password_file")
    "$core_bin" init --data-dir "$core_dir" --admin-password-file "$admin_password_file"
fi
if [[ -f $agent_dir/agent.json ]]; then
    say "reusing the agent's configuration in $agent_dir"
else
    say "creating the agent's configuration in $agent_dir"
    # Loopback only: this agent serves the local core, not the network.
    "$agent_bin" init --config-dir "$agent_dir" --listen 127.0.0.1
fi

# --- Run ----------------------------------------------------------------------------------------

declare -A running=()      # name -> pid of the programs not yet reaped
declare -A log_of=()       # name -> its log file
declare -A run_start_of=() # name -> where this run's part of its log starts (byte offset)
echo_pids=()
stop_signal=""
console_pid="" # not one of `running`: closing the console leaves the system running

# Starts one program in the background. Its output goes to its log file (kept across runs, the
# full record) and is echoed here with a prefix. Each program gets its own session so that Ctrl-C
# in the terminal reaches only this script, which then stops the programs in an orderly way rather
# than the terminal killing the programs and their log echo at random moments.
start_program() {
    local name=$1 log=$2
    shift 2
    printf '\n=== %s: started by run-local.sh\n' "$(date '+%F %T')" >>"$log"
    local offset
    offset=$(stat -c %s "$log")
    log_of[$name]=$log
    run_start_of[$name]=$offset
    setsid "$@" </dev/null >>"$log" 2>&1 {lock_fd}>&- &
    local pid=$!
    running[$name]=$pid
    # tail --pid ends by itself once the program has exited and its last lines are shown; the
    # echo ignores SIGINT so those last lines still appear after a Ctrl-C.
    (
        trap '' INT
        tail -c "+$((offset + 1))" -s 0.2 -F --pid="$pid" "$log" 2>/dev/null | sed -u "s/^/$(printf '%-8s' "[$name]")/"
    ) {lock_fd}>&- &
    echo_pids+=($!)
}

# Sends SIGTERM to every program still running; a second Ctrl-C while they shut down kills them.
request_stop() {
    local signal=$1 name
    if [[ -n $stop_signal ]]; then
        say "got $signal again: killing what is still running"
        for name in "${!running[@]}"; do kill -KILL "${running[$name]}" 2>/dev/null || true; done
        return
    fi
    stop_signal=$signal
    for name in "${!running[@]}"; do kill -TERM "${running[$name]}" 2>/dev/null || true; done
}

# Waits for a program to exit, killing it after stop_timeout_seconds, and returns its exit
# status. Polls rather than blocking in `wait` so the timeout works and a second Ctrl-C is noticed.
reap() {
    local name=$1 pid=${running[$1]} deadline=$((SECONDS + stop_timeout_seconds))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            say "$name did not stop within ${stop_timeout_seconds}s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
            deadline=$((SECONDS + stop_timeout_seconds))
        fi
        sleep 0.1 || true # a Ctrl-C also interrupts sleep; that must not end the script
    done
    local status=0
    wait "$pid" || status=$?
    unset "running[$name]"
    return "$status"
}

# Last resort if this script fails or is killed between starting and stopping the programs: they
# run in their own sessions and would otherwise be left behind.
# shellcheck disable=SC2317 # only ever called from the EXIT trap
stop_leftovers() {
    local pid
    for pid in "${running[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    if [[ -n $console_pid ]]; then kill -TERM "$console_pid" 2>/dev/null || true; fi
}
trap stop_leftovers EXIT
trap 'request_stop SIGINT' INT
trap 'request_stop SIGTERM' TERM
trap 'request_stop SIGHUP' HUP

start_program agent "$agent_log" "$agent_bin" run --config-dir "$agent_dir"
# Loopback only: this is a trial on one machine, not a core others should reach.
start_program core "$core_log" "$core_bin" run --data-dir "$core_dir" --listen 127.0.0.1

agent_port=$(sed -n 's/.*"port": *\([0-9][0-9]*\).*/\1/p' "$agent_dir/agent.json")
agent_listen=$(sed -n 's/.*"listen": *"\([^"]*\)".*/\1/p' "$agent_dir/agent.json")

# ------------------------------------------------------------------------------------------------
# LATER WORK GOES HERE, once the core's API and the agent's HTTPS API exist (SPEC §7):
#   - enrol the local agent with the core (the enrollment string from `prophasis-agent init`, or
#     `prophasis-agent new-token` on a reused configuration);
#   - install the bundled plugins from plugins/ and create the default check and schedule for
#     this machine;
# Wait for the core to be ready (GET /healthz) before any of this.
# ------------------------------------------------------------------------------------------------

# A program that cannot start (bad configuration, port taken) usually exits at once: give it a
# moment so the banner below is not printed for a system that is not running.
for _ in {1..10}; do
    sleep 0.1 || true
    for pid in "${running[@]}"; do kill -0 "$pid" 2>/dev/null || break 2; done
done

# The console, when there is a display: logged in as admin from the password file and pinned to
# the core's key (the SHA-256 of its public key, as `prophasis-core init` printed it). Closing it
# leaves the core and agent running; Ctrl-C here closes it too.
if [[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} && -x $console_bin ]]; then
    core_key=$(openssl x509 -in "$core_dir/identity.crt" -noout -pubkey |
        openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
    console_options=(--core https://127.0.0.1:4049 --user admin --core-key "$core_key")
    # Data made before this script kept the password: the console asks for it.
    [[ -f $admin_password_file ]] && console_options+=(--password-file "$admin_password_file")
    # The console logs in once at start: wait until the core says it runs (10 s at most).
    for _ in {1..50}; do
        tail -c "+$((run_start_of[core] + 1))" "$core_log" | grep -q "core running" && break
        sleep 0.2 || true
    done
    setsid "$console_bin" "${console_options[@]}" </dev/null >>"$console_log" 2>&1 {lock_fd}>&- &
    console_pid=$!
    console_line="pid $console_pid, logged in as admin; log $console_log"
else
    console_line="not started (no display): use the status page"
fi

all_running=true
for pid in "${running[@]}"; do kill -0 "$pid" 2>/dev/null || all_running=false; done
[[ -z $stop_signal ]] && $all_running && cat <<EOF

Prophasis is running on this machine (data and logs in $prophasis_home):
  agent  pid ${running[agent]}  listening on ${agent_listen:-all addresses}:${agent_port:-?}
         configuration $agent_dir, log $agent_log
  core   pid ${running[core]}  SQLite database in $core_dir
         health https://127.0.0.1:4049/healthz, log $core_log
         status page https://127.0.0.1:4049/status, API https://127.0.0.1:4049/api/v1/openapi.json
         (user admin; password in $admin_password_file, or printed once when older data was made)
  console $console_line

Press Ctrl-C to stop.

EOF

# Sleep until a program exits or a signal arrives. The signal traps send SIGTERM themselves, so
# even a signal that lands just before `wait` starts still ends it (the programs then exit).
exited_pid=""
exited_name=""
exit_status=0
while [[ -z ${exited_pid:-} ]]; do
    exit_status=0
    # -p leaves exited_pid unset when a signal rather than an exit ended the wait.
    wait -n -p exited_pid "${running[@]}" || exit_status=$?
    # 127: none of them is a child of ours any more, which should not happen; do not spin on it.
    if [[ -z ${exited_pid:-} ]] && ((exit_status == 127)); then
        die "lost track of the programs; check for leftover prophasis processes"
    fi
done
for name in "${!running[@]}"; do
    if [[ ${running[$name]} == "$exited_pid" ]]; then
        exited_name=$name
        unset "running[$name]"
    fi
done

if [[ -n $stop_signal ]]; then
    # A stop was asked for: a clean run ends with every program exiting 0.
    failed=0
    if ((exit_status != 0)); then
        say "$exited_name exited with status $exit_status"
        failed=1
    fi
    for name in "${!running[@]}"; do
        status=0
        reap "$name" || status=$?
        if ((status != 0)); then
            say "$name exited with status $status"
            failed=1
        fi
    done
    wait "${echo_pids[@]}" 2>/dev/null || true
    if ((failed)); then
        say "stopped, but not cleanly: see the logs in $prophasis_home"
        exit 1
    fi
    say "stopped cleanly"
    exit 0
fi

# Nobody asked the program to stop: that is a failure even if it exited 0. Stop the other one too,
# so the system is never left half-running, and show why it ended.
request_stop "$exited_name exiting"
for name in "${!running[@]}"; do
    reap "$name" || true
done
wait "${echo_pids[@]}" 2>/dev/null || true
{
    say "$exited_name stopped by itself with status $exit_status; stopped the rest."
    say "last lines of ${log_of[$exited_name]} from this run:"
    tail -c "+$((run_start_of[$exited_name] + 1))" "${log_of[$exited_name]}" | tail -n 20 | sed 's/^/    /'
} >&2
exit $((exit_status == 0 ? 1 : exit_status))
