#pragma once

#include "daemon-core/api/apirequest.h"
#include "daemon-core/auth/permission.h"

class QObject;

namespace prophasis {

class Authenticator;

// The door of every management API route but login (SPEC §5): the bearer token must name a
// session or an API token (401 otherwise, with WWW-Authenticate), and the caller's role must
// allow the route's permission (403 otherwise).
// 401 with the message and the WWW-Authenticate challenge for why a token was refused.
HttpResponse unauthorizedResponse(Authentication::Refusal refusal);

class ApiGuard
{
public:
    // Answers are continued on `context`'s thread; both must outlive the routes.
    ApiGuard(Authenticator &authenticator, QObject *context);

    RouteHandler require(Permission permission, ApiHandler handler) const;

private:
    Authenticator &m_authenticator;
    QObject *m_context;
};

} // namespace prophasis
