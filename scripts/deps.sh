#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages Prophasis needs to build and run, and with --test
# also what the test suite needs. Only missing packages are installed, so running it on every
# build costs a fraction of a second once the machine is set up.
#
# Usage: scripts/deps.sh [--test]
set -euo pipefail

# --- Package lists ------------------------------------------------------------------------------
# Kept in step with /work/shared/TOOLCHAIN.md ("Packages"); the versions it names (Qt 6.4,
# Lua 5.4, PostgreSQL 15, ...) are what bookworm ships.

# Compiler and build tools. ccache because every build goes through it (CMakePresets.json sets it
# as the compiler launcher), which is what keeps rebuilds in fresh clones and in CI short.
BUILD_TOOLS=(cmake ninja-build pkg-config g++ ccache)

# Qt 6 for all three programs. libqt6opengl6-dev is not needed by our code but Qt Charts does not
# configure without it (a missing Debian dependency); the Qt 6 lupdate/lrelease live in
# qt6-l10n-tools / qt6-tools-dev; qt6-qpa-plugins gives the console its platform plugins;
# libqt6sql6-sqlite is the embedded database the core uses by default; qtkeychain-qt6-dev keeps
# the console's passwords in the OS keychain, never in a file.
QT_PACKAGES=(qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-l10n-tools qt6-tools-dev qt6-qpa-plugins
             libqt6sql6-sqlite libqscintilla2-qt6-dev qtkeychain-qt6-dev)

# Other libraries: Boost (Beast's HTTP parser), Lua (classifiers, Lua plugins), libarchive (plugin
# packages), gpgme and the gpg it drives (plugin signatures), OpenSSL (keys, TLS), libcurl (email
# alerts), nlohmann-json (the agent's Lua worker, which has no Qt), zlib (the status page's gzip);
# the openssl tool gives scripts/run-local.sh the core's key fingerprint for the console.
OTHER_LIBRARIES=(libboost-dev liblua5.4-dev libarchive-dev libgpgme-dev libgpgmepp-dev gnupg libssl-dev openssl
                 libcurl4-openssl-dev nlohmann-json3-dev zlib1g-dev)

# Only for the tests: a PostgreSQL 15 server and Qt's driver for it (the storage tests run against
# SQLite and PostgreSQL), an X server for console screenshots, and real Nagios plugins to run
# through the agent; the Lua interpreter runs the bundled plugins' own tests on fixture data;
# python3-aiosmtpd is the real SMTP server (STARTTLS, AUTH) the email alert tests send to. Kept out of the build list so a
# newcomer who only wants to try Prophasis does not get a PostgreSQL server installed (and, on a
# systemd machine, started). prometheus brings promtool, which checks the core's /metrics text;
# openapi-specification (the official OpenAPI 3.0 JSON Schema) and python3-jsonschema validate the
# core's OpenAPI document (tests/api/tst_openapi.cpp); chromium is the real headless browser the
# status page is tested in (phone and desktop size, screenshots for the docs); wrk loads the status
# page in bench/statuspage (it speaks TLS); sslscan scans the core's and the agent's TLS ports for
# old protocols and weak ciphers (tests/security).
TEST_PACKAGES=(postgresql libqt6sql6-psql xvfb xauth monitoring-plugins-basic lua5.4 python3-aiosmtpd prometheus
               openapi-specification python3-jsonschema chromium wrk sslscan)
# spin (with gcc, which builds its verifier) checks the model of the scheduler and dispatcher
# (tests/model, docs/RELIABILITY.md).
TEST_PACKAGES+=(spin)
# clang and its runtime libraries (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer) build
# and run the fuzz harnesses under tests/fuzz (the `fuzz` preset), which the test command runs briefly.
TEST_PACKAGES+=(clang libclang-rt-14-dev)

# --- Helpers ------------------------------------------------------------------------------------

die() {
    printf 'deps.sh: %s\n' "$*" >&2
    exit 1
}

usage() {
    printf 'Usage: %s [--test]\n  --test  also install what the test suite needs\n' "$0"
}

# Prints, one per line, the packages of "$@" that are not fully installed. A single dpkg-query call
# for the whole list keeps this fast; it exits non-zero when some package was never installed
# (it then prints nothing for it), so its status is ignored and absence counts as missing.
missing_packages() {
    local -A installed=()
    local name status
    while read -r name status; do
        # "ii" = wanted and installed; anything else (half-installed, removed with config left) is
        # as good as missing.
        [[ $status == ii ]] && installed[$name]=1
    done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
    for name in "$@"; do
        [[ -n ${installed[$name]:-} ]] || printf '%s\n' "$name"
    done
}

# --- Main ---------------------------------------------------------------------------------------

with_tests=false
for argument in "$@"; do
    case $argument in
        --test) with_tests=true ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $argument" ;;
    esac
done

wanted=("${BUILD_TOOLS[@]}" "${QT_PACKAGES[@]}" "${OTHER_LIBRARIES[@]}")
if $with_tests; then
    wanted+=("${TEST_PACKAGES[@]}")
fi

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    die "this script needs Debian 12 (dpkg and apt); on another system install the equivalents of: ${wanted[*]}"
fi

mapfile -t missing < <(missing_packages "${wanted[@]}")
if ((${#missing[@]} == 0)); then
    exit 0
fi

# Installing needs root. sudo may ask for a password, which is fine for a person at a terminal;
# without either there is nothing this script can do, so say exactly what to install instead.
if ((EUID == 0)); then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    die "missing packages: ${missing[*]}
installing them needs root: run this script as root or with sudo installed, or run as root:
    apt-get install --no-install-recommends ${missing[*]}"
fi

printf 'deps.sh: installing %d missing package(s): %s\n' "${#missing[@]}" "${missing[*]}"

# The lock timeout makes apt wait for another apt/dpkg run (unattended-upgrades, a colleague's
# install) instead of failing at once.
apt_options=(-o DPkg::Lock::Timeout=300)

# Package lists may be stale or absent (fresh containers ship without them); refreshing only when
# something is missing keeps the already-set-up case fast and offline.
"${as_root[@]}" apt-get "${apt_options[@]}" update \
    || die "apt-get update failed (see above); check the network and /etc/apt/sources.list"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get "${apt_options[@]}" install -y --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed (see above) for: ${missing[*]}"

# Catch a package that apt accepted but left unconfigured, so the build does not fail later with
# a confusing missing-header error.
mapfile -t still_missing < <(missing_packages "${missing[@]}")
((${#still_missing[@]} == 0)) || die "still not installed after apt-get: ${still_missing[*]}"
printf 'deps.sh: done\n'
