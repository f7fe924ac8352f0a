#include "daemon-core/api/tokenroutes.h"

#include "daemon-core/auth/authenticator.h"
#include "daemon-core/storage/userstore.h"

namespace prophasis {

namespace {

using entityroutes::auditEntry;
using entityroutes::pathId;
using entityroutes::sendStorageFailure;

// The request's fields as a TokenRequest; FieldErrors for what is wrong.
FieldErrors readTokenRequest(const QJsonObject &body, const Principal &caller, TokenRequest *request)
{
    FieldErrors errors;
    request->name = body.value(QStringLiteral("name")).toString().trimmed();
    if (request->name.isEmpty())
        errors.add(QStringLiteral("name"), QStringLiteral("must not be empty"));
    request->role = caller.role;
    if (const QJsonValue role = body.value(QStringLiteral("role")); !role.isUndefined()) {
        const std::optional<Role> parsed = enumFromName<Role>(role.toString());
        if (!parsed)
            errors.add(QStringLiteral("role"), QStringLiteral("must be viewer, operator or admin"));
        else
            request->role = *parsed;
    }
    if (const QJsonValue expires = body.value(QStringLiteral("expires"));
        !expires.isUndefined() && !expires.isNull()) {
        request->expires = QDateTime::fromString(expires.toString(), Qt::ISODateWithMs);
        if (!request->expires.isValid())
            errors.add(QStringLiteral("expires"),
                       QStringLiteral("must be a time such as 2027-01-31T00:00:00Z"));
    }
    return errors;
}

} // namespace

void mountTokenRoutes(RouteTable &routes, const ApiContext &api, Authenticator &authenticator)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    Authenticator *auth = &authenticator;
    const QString base = QStringLiteral("/api/v1/tokens");

    routes.add(QByteArrayLiteral("GET"), base,
               api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
                   const Principal caller = request.principal;
                   whenReady(
                       storage->run([caller](Database &db) {
                           ApiTokenStore tokens(db);
                           return allowed(caller.role, Permission::ManageTokens)
                                      ? tokens.list()
                                      : tokens.listForOwner(caller.userId);
                       }),
                       context,
                       [responder](const QList<ApiToken> &tokens) {
                           QJsonArray array;
                           for (const ApiToken &token : tokens)
                               array.append(toJson(token));
                           responder.send(HttpResponse::json(200, array));
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));

    routes.add(QByteArrayLiteral("POST"), base,
               api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
                   const std::optional<QJsonObject> body = readJsonObject(request.http, responder);
                   if (!body)
                       return;
                   TokenRequest tokenRequest;
                   const FieldErrors errors = readTokenRequest(*body, request.principal, &tokenRequest);
                   if (!errors.isEmpty()) {
                       responder.send(fieldErrorsResponse(errors));
                       return;
                   }
                   whenReady(
                       auth->createToken(request.principal, tokenRequest), context,
                       [storage, request, responder](const CreatedToken &created) {
                           storage->run([request, created](Database &db) {
                               AuditLogStore(db).append(auditEntry(request, QStringLiteral("create"),
                                                                   QStringLiteral("api_token"),
                                                                   created.token.id, created.token.name));
                           });
                           responder.send(HttpResponse::json(
                               201, QJsonObject{{QStringLiteral("token"), toJson(created.token)},
                                                {QStringLiteral("secret"), created.secret}}));
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));

    routes.add(
        QByteArrayLiteral("DELETE"), base + QStringLiteral("/{id}"),
        api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
            const std::optional<QUuid> id = pathId(request, responder);
            if (!id)
                return;
            whenReady(
                storage->run([id = *id](Database &db) { return ApiTokenStore(db).get(id); }), context,
                [auth, storage, context, request, responder](const ApiToken &token) {
                    if (!mayManageToken(request.principal, token)) {
                        // Someone else's token is not there for this caller.
                        responder.send(HttpResponse::error(404, QStringLiteral("no such token")));
                        return;
                    }
                    whenReady(
                        auth->revokeToken(token.id), context,
                        [storage, request, token, responder](bool) {
                            storage->run([request, token](Database &db) {
                                AuditLogStore(db).append(auditEntry(request, QStringLiteral("delete"),
                                                                    QStringLiteral("api_token"), token.id,
                                                                    token.name));
                            });
                            HttpResponse response;
                            response.status = 204;
                            responder.send(response);
                        },
                        [responder](const StorageError &error) { sendStorageFailure(responder, error); });
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

} // namespace prophasis
