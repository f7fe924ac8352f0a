#include "daemon-core/api/userroutes.h"

#include "daemon-core/auth/authenticator.h"
#include "daemon-core/auth/passwordhasher.h"
#include "daemon-core/storage/userstore.h"

namespace prophasis {

namespace {

using entityroutes::auditEntry;
using entityroutes::pathId;
using entityroutes::readVersionedUpdate;
using entityroutes::sendStorageFailure;

// The body's user fields over `user`, the password (if given) hashed: runs on a storage thread.
FieldErrors applyBody(const QJsonObject &body, User *user)
{
    FieldErrors errors = fromJson(body, *user);
    if (const QJsonValue password = body.value(QStringLiteral("password")); !password.isUndefined()) {
        if (!password.isString() || password.toString().size() < MinimumPasswordLength)
            errors.add(QStringLiteral("password"),
                       QStringLiteral("must be at least %1 characters").arg(MinimumPasswordLength));
        else if (errors.isEmpty())
            user->passwordHash = PasswordHasher::hash(password.toString());
    } else if (user->passwordHash.isEmpty()) {
        errors.add(QStringLiteral("password"), QStringLiteral("a new user needs a password"));
    }
    if (errors.isEmpty())
        errors = validate(*user);
    return errors;
}

bool isEnabledAdmin(const User &user)
{
    return user.enabled && user.role == Role::Admin;
}

// Thrown inside the transaction when a change would leave no enabled admin.
StorageError lastAdmin()
{
    return StorageError(StorageError::Kind::Invalid,
                        QStringLiteral("this is the last enabled admin: make another user an admin first"),
                        QStringLiteral("role"));
}

using Outcome = std::variant<User, FieldErrors>;

} // namespace

void mountUserRoutes(RouteTable &routes, const ApiContext &api, Authenticator &authenticator)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    Authenticator *auth = &authenticator;
    const QString base = QStringLiteral("/api/v1/users");
    const QString item = base + QStringLiteral("/{id}");
    const auto answer = [](const HttpResponder &responder, int status) {
        return [responder, status](const Outcome &outcome) {
            if (const FieldErrors *errors = std::get_if<FieldErrors>(&outcome))
                responder.send(fieldErrorsResponse(*errors));
            else
                responder.send(HttpResponse::json(status, toJson(std::get<User>(outcome))));
        };
    };

    mountReadRoutes<User, UserStore>(
        routes, api, QStringLiteral("users"), [](Database &db) { return UserStore(db); },
        Permission::ManageUsers);

    routes.add(
        QByteArrayLiteral("POST"), base,
        api.guard.require(Permission::ManageUsers, [=](const ApiRequest &request, HttpResponder responder) {
            const std::optional<QJsonObject> body = readJsonObject(request.http, responder);
            if (!body)
                return;
            whenReady(storage->run([body = *body, request](Database &db) -> Outcome {
                User user;
                const FieldErrors errors = applyBody(body, &user);
                if (!errors.isEmpty())
                    return errors;
                return db.transaction([&] {
                    const User created = UserStore(db).create(user);
                    AuditLogStore(db).append(auditEntry(request, QStringLiteral("create"),
                                                        QStringLiteral("user"), created.id,
                                                        created.username));
                    return created;
                });
            }),
                      context, answer(responder, 201),
                      [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));

    routes.add(
        QByteArrayLiteral("PUT"), item,
        api.guard.require(Permission::ManageUsers, [=](const ApiRequest &request, HttpResponder responder) {
            const auto update = readVersionedUpdate(request, responder);
            if (!update)
                return;
            const std::optional<QUuid> id = update->first;
            const std::optional<QJsonObject> body = update->second;
            const bool newPassword = body->contains(QStringLiteral("password"));
            whenReady(
                storage->run([id = *id, body = *body, request](Database &db) -> std::pair<Outcome, User> {
                    UserStore users(db);
                    const User stored = users.get(id);
                    User user = stored;
                    FieldErrors errors = applyBody(body, &user);
                    if (user.id != id)
                        errors.add(QStringLiteral("id"), QStringLiteral("must be the id in the path"));
                    if (!errors.isEmpty())
                        return {errors, stored};
                    return db.transaction([&]() -> std::pair<Outcome, User> {
                        if (isEnabledAdmin(stored) && !isEnabledAdmin(user) &&
                            users.countEnabledAdmins() <= 1)
                            throw lastAdmin();
                        const User updated = users.update(user);
                        AuditLogStore(db).append(auditEntry(request, QStringLiteral("update"),
                                                            QStringLiteral("user"), updated.id,
                                                            updated.username));
                        return {updated, stored};
                    });
                }),
                context,
                [auth, context, responder, newPassword, answer](const std::pair<Outcome, User> &result) {
                    const User *updated = std::get_if<User>(&result.first);
                    if (!updated) {
                        answer(responder, 200)(result.first);
                        return;
                    }
                    auth->forgetUser(updated->id);
                    if (!newPassword && !(result.second.enabled && !updated->enabled)) {
                        answer(responder, 200)(result.first);
                        return;
                    }
                    // Answered once the sessions are gone: the next request with one must fail.
                    whenReady(
                        auth->endSessionsOfUser(updated->id), context,
                        [responder, answer, outcome = result.first](int) { answer(responder, 200)(outcome); },
                        [responder](const StorageError &error) { sendStorageFailure(responder, error); });
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));

    routes.add(
        QByteArrayLiteral("DELETE"), item,
        api.guard.require(Permission::ManageUsers, [=](const ApiRequest &request, HttpResponder responder) {
            const std::optional<QUuid> id = pathId(request, responder);
            if (!id)
                return;
            whenReady(
                storage->run([id = *id, request](Database &db) {
                    db.transaction([&] {
                        UserStore users(db);
                        const User stored = users.get(id);
                        if (isEnabledAdmin(stored) && users.countEnabledAdmins() <= 1)
                            throw lastAdmin();
                        users.remove(id);
                        AuditLogStore(db).append(auditEntry(request, QStringLiteral("delete"),
                                                            QStringLiteral("user"), id, stored.username));
                    });
                }),
                context,
                [auth, id = *id, responder] {
                    auth->forgetUser(id);
                    HttpResponse response;
                    response.status = 204;
                    responder.send(response);
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

} // namespace prophasis
