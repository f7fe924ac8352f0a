#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the storage tests: no systemd, no password, nothing outside
# its own folders, fast because nothing is fsynced.
#
# Usage: tests/scripts/pg-cluster.sh start DIR          start a cluster, write its URL to DIR/url
#        tests/scripts/pg-cluster.sh stop DIR           stop it and empty DIR
#        tests/scripts/pg-cluster.sh stop-server DIR    stop the server only, keeping the data
#        tests/scripts/pg-cluster.sh start-server DIR   start it again on the same port
# (stop-server and start-server let a test take the database away and bring it back.)
#
# The URL is postgresql://postgres@127.0.0.1:PORT/prophasis_test (trust authentication: anyone on
# this machine may connect, which is fine for test data and nothing else).
set -euo pipefail

first_port=55432
last_port=55531
database=prophasis_test
# Written first by start and checked by stop, so stop never empties a folder this script did not
# set up (a mistyped DIR must not cost anyone their files).
marker=pg-cluster

die() {
    printf 'pg-cluster.sh: %s\n' "$*" >&2
    exit 1
}

usage() {
    printf 'Usage: %s start DIR | stop DIR | stop-server DIR | start-server DIR\n' "$0" >&2
    exit 2
}

# The newest installed server, whatever its major version (bookworm ships 15).
find_pg_bin() {
    local dir newest=""
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] || continue
        if [[ -z $newest ]] || [[ $(printf '%s\n%s\n' "$newest" "$dir" | sort -V | tail -n 1) == "$dir" ]]; then
            newest=$dir
        fi
    done
    [[ -n $newest ]] || die "the PostgreSQL server is not installed (no /usr/lib/postgresql/*/bin/initdb): run scripts/deps.sh --test"
    printf '%s\n' "$newest"
}

# PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user; as
# anyone else it simply belongs to them.
if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || die "there is no postgres user: run scripts/deps.sh --test"
    as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
    as_owner() { "$@"; }
fi

# True when something already accepts connections on 127.0.0.1:$1 (also catches servers listening
# on all addresses).
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_cluster() {
    local dir=$1
    [[ -f $dir/$marker ]] || return 0
    local cluster
    cluster=$(<"$dir/$marker")
    if [[ -n $cluster && -f $cluster/data/postmaster.pid ]]; then
        local pg_bin
        pg_bin=$(find_pg_bin)
        as_owner "$pg_bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null \
            || die "could not stop the cluster in $cluster/data (log: $cluster/log)"
    fi
    # The cluster itself lives in a short folder under /tmp (see start); remove it only if it is
    # still the one we made.
    if [[ $(basename -- "$cluster") == prophasis-pg.* && -d $cluster ]]; then
        rm -rf -- "$cluster"
    fi
    find "$dir" -mindepth 1 -delete
}

# The server of the cluster DIR describes, on port $3: pg_ctl start with our options.
start_server() {
    local pg_bin=$1 cluster=$2 port=$3
    as_owner "$pg_bin/pg_ctl" -D "$cluster/data" -l "$cluster/log" -w -t 60 \
        -o "-p $port -k $cluster/socket -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
        start >/dev/null
}

# The cluster folder a started DIR names (its marker), or failure.
cluster_of() {
    local dir=$1
    [[ -f $dir/$marker && -f $dir/port ]] || die "no cluster was started in $dir"
    cat -- "$dir/$marker"
}

stop_server() {
    local dir=$1 cluster
    cluster=$(cluster_of "$dir")
    [[ -f $cluster/data/postmaster.pid ]] || return 0
    as_owner "$(find_pg_bin)/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null \
        || die "could not stop the server in $cluster/data (log: $cluster/log)"
}

restart_server() {
    local dir=$1 cluster
    cluster=$(cluster_of "$dir")
    [[ -f $cluster/data/postmaster.pid ]] && return 0
    start_server "$(find_pg_bin)" "$cluster" "$(<"$dir/port")" || die "PostgreSQL did not start again: see $cluster/log"
}

start_cluster() {
    local dir=$1 pg_bin
    pg_bin=$(find_pg_bin)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    stop_cluster "$dir"

    # The data and socket live in a fresh short folder under /tmp rather than in DIR: a Unix socket
    # path must stay under ~100 characters (build folders are deep), and when running as root the
    # postgres user must be able to reach the folder (DIR may sit under /root).
    local cluster
    cluster=$(mktemp -d "${TMPDIR:-/tmp}/prophasis-pg.XXXXXX")
    printf '%s\n' "$cluster" >"$dir/$marker"
    mkdir "$cluster/data" "$cluster/socket"
    touch "$cluster/log"
    chmod 700 "$cluster/data"
    if ((EUID == 0)); then
        chown -R postgres: "$cluster"
    fi
    ln -s "$cluster/log" "$dir/log"

    as_owner "$pg_bin/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >>"$cluster/log" 2>&1 || die "initdb failed: see $cluster/log"

    # Try ports upward: another test run may hold one, or take one between our check and the
    # server's bind, in which case the server fails to start and we move on.
    local port started=false log_size
    for ((port = first_port; port <= last_port; port++)); do
        port_in_use "$port" && continue
        log_size=$(stat -c %s "$cluster/log")
        if start_server "$pg_bin" "$cluster" "$port"; then
            started=true
            break
        fi
        # Only this attempt's part of the log counts.
        tail -c "+$((log_size + 1))" "$cluster/log" >"$cluster/attempt.log"
        grep -q 'could not bind\|Address already in use\|could not create any TCP/IP sockets' "$cluster/attempt.log" \
            || die "PostgreSQL did not start: see $cluster/log"
    done
    $started || die "no free port between $first_port and $last_port on 127.0.0.1"

    "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database" \
        || die "could not create the database $database: see $cluster/log"
    printf '%s\n' "$port" >"$dir/port"
    # Written last, so a test that sees the file can connect.
    printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$port" "$database" >"$dir/url"
    printf 'PostgreSQL running: %s\n' "$(<"$dir/url")"
}

(($# == 2)) || usage
command=$1
dir=$2
[[ -n $dir ]] || usage
case $command in
    start) start_cluster "$dir" ;;
    stop)
        [[ -d $dir ]] || exit 0
        stop_cluster "$(cd "$dir" && pwd)"
        ;;
    stop-server) stop_server "$(cd "$dir" && pwd)" ;;
    start-server) restart_server "$(cd "$dir" && pwd)" ;;
    *) usage ;;
esac
