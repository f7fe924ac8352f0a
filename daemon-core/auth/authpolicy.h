#pragma once

#include <QDateTime>

#include <chrono>
#include <functional>

#include "daemon-core/auth/passwordhasher.h"

namespace prophasis {

// The wall clock the authenticator reads, injected so tests move time by hand.
using AuthClock = std::function<QDateTime()>;

// The shortest password the core accepts (the first admin's, and every user's set by the API).
inline constexpr int MinimumPasswordLength = 12;

// The limits of logins, sessions and tokens, in one place. Tests shorten nothing but the
// hash parameters and the clock.
struct AuthPolicy
{
    // Consecutive failed logins of one user before it is locked, and for how long.
    int maxFailedLogins = 5;
    std::chrono::minutes lockoutDuration{15};
    // Failed logins from one source address (IPv6: its /64) within the window before that
    // source is refused for blockDuration, whatever the username.
    int maxSourceFailures = 20;
    std::chrono::seconds sourceWindow{60};
    std::chrono::minutes sourceBlockDuration{5};
    int maxTrackedSources = 10'000; // bounds the throttle's memory under a spray of addresses
    // Logins waiting for a hash; more are refused as throttled. Two hash at a time, so a login
    // flood costs at most two hashes' memory (scrypt: ~32 MiB each).
    int maxConcurrentHashes = 2;
    int maxPendingLogins = 32;

    // A session ends after this long without use (sliding), and in any case this long after
    // login.
    std::chrono::hours sessionIdleTimeout{12};
    std::chrono::hours sessionMaxLifetime{24 * 7};
    // Sessions' last-seen and tokens' last-used times are written at most this often.
    std::chrono::seconds touchInterval{60};
    // How long an authenticated credential is trusted without asking the database again.
    // Logout, revocation and forgetUser() clear it at once; other changes (a role changed by
    // hand in the database) take effect within this time.
    std::chrono::seconds cacheLifetime{10};
    int maxCachedCredentials = 10'000;

    // New and upgraded password hashes, and the dummy hash unknown users are checked against.
    PasswordHasher::Parameters hashParameters;
};

} // namespace prophasis
