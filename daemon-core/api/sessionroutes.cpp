#include "daemon-core/api/sessionroutes.h"

#include <QDateTime>

#include "daemon-core/api/apiguard.h"
#include "daemon-core/api/apiresponses.h"
#include "daemon-core/auth/authenticator.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/whenready.h"
#include "shared/json/entityjson.h"

namespace prophasis {

namespace {

HttpResponse retryLater(int status, const QString &message, const QDateTime &retryAfter)
{
    HttpResponse response = HttpResponse::error(status, message);
    const qint64 seconds = std::max<qint64>(1, QDateTime::currentDateTimeUtc().secsTo(retryAfter));
    response.headers.append({QByteArrayLiteral("Retry-After"), QByteArray::number(seconds)});
    return response;
}

HttpResponse loginAnswer(const LoginResult &result)
{
    switch (result.outcome) {
    case LoginResult::Outcome::Ok: {
        QJsonObject user = toJson(result.user);
        return HttpResponse::json(
            200, QJsonObject{{QStringLiteral("token"), result.token},
                             {QStringLiteral("expires"), result.expires.toString(Qt::ISODateWithMs)},
                             {QStringLiteral("user"), user}});
    }
    case LoginResult::Outcome::BadCredentials:
        return HttpResponse::error(401, QStringLiteral("wrong user name or password"));
    case LoginResult::Outcome::Locked:
        return retryLater(429,
                          QStringLiteral("too many failed logins: this user is locked until %1")
                              .arg(result.retryAfter.toString(Qt::ISODate)),
                          result.retryAfter);
    case LoginResult::Outcome::Throttled:
        return retryLater(429, QStringLiteral("too many failed logins from this address: try again later"),
                          result.retryAfter);
    case LoginResult::Outcome::Disabled:
        return HttpResponse::error(403, QStringLiteral("this user is disabled"));
    }
    return HttpResponse::error(500, QStringLiteral("unexpected login outcome"));
}

} // namespace

void mountSessionRoutes(RouteTable &routes, Authenticator &authenticator, QObject *context)
{
    Authenticator *auth = &authenticator;
    routes.add(
        QByteArrayLiteral("POST"), QStringLiteral("/api/v1/session"),
        HttpHandler(
            [auth, context](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
                const std::optional<QJsonObject> body = readJsonObject(request, responder);
                if (!body)
                    return;
                const QJsonValue username = body->value(QStringLiteral("username"));
                const QJsonValue password = body->value(QStringLiteral("password"));
                if (!username.isString() || !password.isString()) {
                    FieldErrors errors;
                    if (!username.isString())
                        errors.add(QStringLiteral("username"), QStringLiteral("is required"));
                    if (!password.isString())
                        errors.add(QStringLiteral("password"), QStringLiteral("is required"));
                    responder.send(fieldErrorsResponse(errors));
                    return;
                }
                whenReady(
                    auth->login(username.toString(), password.toString(), client.address.toString()), context,
                    [responder](const LoginResult &result) { responder.send(loginAnswer(result)); },
                    [responder](const StorageError &error) { responder.send(storageErrorResponse(error)); });
            }));
    routes.add(
        QByteArrayLiteral("DELETE"), QStringLiteral("/api/v1/session"),
        HttpHandler([auth, context](const HttpRequest &request, const ClientInfo &, HttpResponder responder) {
            const QString token = bearerToken(request.header("Authorization"));
            if (token.isEmpty()) {
                responder.send(unauthorizedResponse(Authentication::Refusal::Missing));
                return;
            }
            whenReady(
                auth->logout(token), context,
                [responder](bool ended) {
                    if (!ended) {
                        responder.send(unauthorizedResponse(Authentication::Refusal::Unknown));
                        return;
                    }
                    HttpResponse response;
                    response.status = 204;
                    responder.send(response);
                },
                [responder](const StorageError &error) { responder.send(storageErrorResponse(error)); });
        }));
}

} // namespace prophasis
