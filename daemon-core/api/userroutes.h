#pragma once

#include "daemon-core/api/entityroutes.h"

namespace prophasis {

class Authenticator;

// Users (SPEC §5, §9: /api/v1/users), admins only. The JSON is the user's own form (never its
// password hash) plus a write-only "password" (at least MinimumPasswordLength characters, hashed
// off the loop). A new password or a disabled user ends the user's sessions; a changed role takes
// effect at the next request. The last enabled admin cannot be disabled, demoted or deleted.
void mountUserRoutes(RouteTable &routes, const ApiContext &api, Authenticator &authenticator);

} // namespace prophasis
