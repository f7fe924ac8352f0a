#pragma once

#include "daemon-core/app/routetable.h"

class QObject;

namespace prophasis {

class Authenticator;

// POST /api/v1/session ({"username", "password"} → {"token", "expires", "user"}) and DELETE
// /api/v1/session (SPEC §9): the only API routes without a bearer token to log in with.
void mountSessionRoutes(RouteTable &routes, Authenticator &authenticator, QObject *context);

} // namespace prophasis
