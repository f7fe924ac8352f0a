#pragma once

#include <QDateTime>
#include <QUrl>

#include <chrono>
#include <functional>

#include "daemon-core/api/entityroutes.h"
#include "daemon-core/auth/authpolicy.h"
#include "shared/tls/identity.h"

namespace prophasis {

struct EnrollmentRouteOptions
{
    // The core's identity key pair (identity.key / identity.crt): its key's fingerprint goes into
    // join strings (agents pin it), and accepting an agent pairs with it as client certificate.
    TlsIdentity coreIdentity = TlsIdentity(); // spelled out: QSslCertificate cannot be made from {}
    // The URL agents reach this core's API at (https://host:port), for join strings. Empty: the
    // request's Host header, as the admin reached the core. A request may name its own.
    QUrl coreUrl;
    std::chrono::hours defaultJoinTokenLifetime{24};
    std::chrono::hours maxJoinTokenLifetime{24 * 365};
    // Registrations with a wrong join token are throttled per source address like failed logins
    // (maxSourceFailures within sourceWindow block the source for sourceBlockDuration).
    AuthPolicy throttle;
    // The wall clock (tests move it).
    std::function<QDateTime()> clock = [] { return QDateTime::currentDateTimeUtc(); };
};

// Unattended agent installs (SPEC §4, §9): join strings the core issues and the agents that
// registered with one, waiting for an admin.
//   POST   /api/v1/join-tokens        {"description"?, "expires"?, "max_uses"?, "core_url"?} → 201
//                                     {"join_token": {…}, "join_string": "prophasis-join-v1:…"}: the
//                                     string (holding the token) is shown this once; only the token's
//                                     hash is stored (admin)
//   GET    /api/v1/join-tokens        every join token, newest first, never a token (admin)
//   DELETE /api/v1/join-tokens/{id}   revoke: refused from the next registration on (admin)
//   POST   /api/v1/enrollments        by an agent: Authorization: Bearer <join token>, its TLS client
//                                     certificate, and {"enrollment": "prophasis-enroll-v1:…" (whose
//                                     key must be the certificate's), "hostname", "os",
//                                     "agent_version"}; or, from agents that pin the core themselves
//                                     when they register, {"host", "port", "spki_sha256", …}.
//                                     → 202 pending. Wrong tokens are throttled like logins (429) and
//                                     are security events in the system log (folded per source); a
//                                     second registration of a key still pending replaces the first.
//                                     The enrollment string is stored sealed with `secrets`.
//   GET    /api/v1/enrollments        pending first, then newest first (admin)
//   POST   /api/v1/enrollments/{id}/accept  {"name"?, "description"?, "groups"?, "address"?, "port"?}:
//                                     pairs with the agent through its enrollment string (both sides
//                                     pinned), stores the host → 200 {"enrollment", "host"}; a failed
//                                     pairing answers as POST /api/v1/hosts/enroll does and leaves it
//                                     pending (admin)
//   POST   /api/v1/enrollments/{id}/reject  (admin)
// Every change is audited.
void mountEnrollmentRoutes(RouteTable &routes, const ApiContext &api, const SecretBox &secrets,
                           const EnrollmentRouteOptions &options);

} // namespace prophasis
