#pragma once

#include "daemon-core/api/entityroutes.h"

namespace prophasis {

class Authenticator;

// API tokens for automation and Prometheus (SPEC §5, §9: /api/v1/tokens). Anyone logged in
// lists and manages their own; admins everyone's.
//   GET    /api/v1/tokens        the caller's tokens (admins: all)
//   POST   /api/v1/tokens        {"name", "role"?, "expires"?} → 201 {"token": {...}, "secret"}:
//                                the secret is shown this once; the role is at most the caller's
//   DELETE /api/v1/tokens/{id}   revoke: refused from the next request on
void mountTokenRoutes(RouteTable &routes, const ApiContext &api, Authenticator &authenticator);

} // namespace prophasis
