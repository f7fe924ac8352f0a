#include "daemon-core/api/apiguard.h"

#include "daemon-core/api/apiresponses.h"
#include "daemon-core/auth/authenticator.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/whenready.h"

namespace prophasis {

HttpResponse unauthorizedResponse(Authentication::Refusal refusal)
{
    QString message;
    QByteArray challenge = QByteArrayLiteral("Bearer realm=\"prophasis\"");
    switch (refusal) {
    case Authentication::Refusal::Missing:
    case Authentication::Refusal::None:
        message = QStringLiteral("log in first: send Authorization: Bearer <session or API token>");
        break;
    case Authentication::Refusal::Unknown:
        message = QStringLiteral("this token is not known here: log in again");
        challenge += QByteArrayLiteral(", error=\"invalid_token\"");
        break;
    case Authentication::Refusal::Expired:
        message = QStringLiteral("this session or token has expired: log in again");
        challenge += QByteArrayLiteral(", error=\"invalid_token\"");
        break;
    case Authentication::Refusal::Revoked:
        message = QStringLiteral("this session was ended or this token revoked");
        challenge += QByteArrayLiteral(", error=\"invalid_token\"");
        break;
    case Authentication::Refusal::Disabled:
        message = QStringLiteral("this user is disabled");
        challenge += QByteArrayLiteral(", error=\"invalid_token\"");
        break;
    }
    HttpResponse response = HttpResponse::error(401, message);
    response.headers.append({QByteArrayLiteral("WWW-Authenticate"), challenge});
    return response;
}

ApiGuard::ApiGuard(Authenticator &authenticator, QObject *context)
    : m_authenticator(authenticator)
    , m_context(context)
{
}

RouteHandler ApiGuard::require(Permission permission, ApiHandler handler) const
{
    return [this, permission,
            handler = std::move(handler)](const HttpRequest &http, const PathParameters &parameters,
                                          const ClientInfo &client, HttpResponder responder) {
        const QString token = bearerToken(http.header("Authorization"));
        if (token.isEmpty()) {
            responder.send(unauthorizedResponse(Authentication::Refusal::Missing));
            return;
        }
        whenReady(
            m_authenticator.authenticate(token), m_context,
            [permission, handler, http, parameters, client, responder](const Authentication &authentication) {
                if (!authentication.ok()) {
                    responder.send(unauthorizedResponse(authentication.refusal));
                    return;
                }
                const Principal &principal = *authentication.principal;
                if (!allowed(principal.role, permission)) {
                    responder.send(HttpResponse::error(
                        403, QStringLiteral("the role %1 may not %2")
                                 .arg(enumName(principal.role), enumName(permission).replace(u'_', u' '))));
                    return;
                }
                handler(ApiRequest{http, parameters, client, principal}, responder);
            },
            [responder](const StorageError &error) { responder.send(storageErrorResponse(error)); });
    };
}

} // namespace prophasis
