#pragma once

#include <QJsonArray>
#include <QObject>
#include <QUuid>

#include <functional>
#include <variant>

#include "daemon-core/api/apiguard.h"
#include "daemon-core/api/apiresponses.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/dependents.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/secretbox.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"
#include "shared/domain/validation.h"
#include "shared/json/entityjson.h"

// The management API's create / read / update / delete of the configuration entities (SPEC §5,
// §9): one implementation for every collection, over its EntityStore and its one JSON form.
namespace prophasis {

// What the entity routes need from the core.
struct ApiContext
{
    StorageExecutor &storage;
    const ApiGuard &guard;
    QObject *context; // the loop the answers are continued on
    // Called after every change, so the engine picks it up at once (not at its next poll).
    std::function<void()> configurationChanged;
};

namespace entityroutes {

// The id in a route's path; nullopt (and a 404 sent) when it is not a UUID.
std::optional<QUuid> pathId(const ApiRequest &request, const HttpResponder &responder);
// An audit entry for a change made by the request's principal.
AuditEntry auditEntry(const ApiRequest &request, const QString &action, const QString &entityType,
                      const QUuid &entityId, const QString &summary);
void sendStorageFailure(const HttpResponder &responder, const StorageError &error);
// {"dependents": [{"entity_type", "id", "name", "relation"}]}.
QJsonObject dependentsJson(const QList<Dependent> &dependents);
// 409: "<name> is in use: …", with the dependents, and how to delete anyway.
HttpResponse inUseResponse(const QString &name, const QList<Dependent> &dependents);
// A yes / no query parameter (QueryParameters::flag: 1/0, true/false, yes/no; absent: false);
// nullopt (and a 422 naming it sent) for anything else.
std::optional<bool> queryFlag(const ApiRequest &request, const QString &name, const HttpResponder &responder);
// A PUT's id and body, the body naming the version the change was based on; nullopt (and the
// refusal sent) otherwise.
std::optional<std::pair<QUuid, QJsonObject>> readVersionedUpdate(const ApiRequest &request,
                                                                 const HttpResponder &responder);

} // namespace entityroutes

// GET /api/v1/<collection> (all, JSON array) and GET /api/v1/<collection>/{id}, for callers the
// permission allows.
template <typename T, typename Store>
void mountReadRoutes(RouteTable &routes, const ApiContext &api, const QString &collection,
                     std::function<Store(Database &)> makeStore, Permission permission = Permission::Read)
{
    using namespace entityroutes;
    const QString base = QStringLiteral("/api/v1/") + collection;
    const QString item = base + QStringLiteral("/{id}");
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;

    routes.add(QByteArrayLiteral("GET"), base,
               api.guard.require(permission, [=](const ApiRequest &, HttpResponder responder) {
                   whenReady(
                       storage->run([makeStore](Database &db) { return makeStore(db).list(); }), context,
                       [responder](const QList<T> &all) {
                           QJsonArray array;
                           for (const T &entity : all)
                               array.append(toJson(entity));
                           responder.send(HttpResponse::json(200, array));
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));

    routes.add(
        QByteArrayLiteral("GET"), item,
        api.guard.require(permission, [=](const ApiRequest &request, HttpResponder responder) {
            const std::optional<QUuid> id = pathId(request, responder);
            if (!id)
                return;
            whenReady(
                storage->run([makeStore, id = *id](Database &db) { return makeStore(db).get(id); }), context,
                [responder](const T &entity) { responder.send(HttpResponse::json(200, toJson(entity))); },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

// Mounts GET / POST on /api/v1/<collection>, GET / PUT / DELETE on /api/v1/<collection>/{id} and
// GET /api/v1/<collection>/{id}/dependents.
// A PUT carries the version it was based on (a stale one answers 409: reload and re-apply) and
// may give only the fields it changes; every change is validated (422 with each field's
// message), written with its audit entry in one transaction, and applied at once.
// `moreRules` adds checks beyond the entity's own validate() (an alert's module options).
template <typename T, typename Store>
void mountEntityRoutes(RouteTable &routes, const ApiContext &api, const QString &collection,
                       const QString &entityType, std::function<Store(Database &)> makeStore,
                       std::function<FieldErrors(const T &)> moreRules = {})
{
    using namespace entityroutes;
    const QString base = QStringLiteral("/api/v1/") + collection;
    const QString item = base + QStringLiteral("/{id}");
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<void()> changed = api.configurationChanged;

    mountReadRoutes<T, Store>(routes, api, collection, makeStore);

    routes.add(QByteArrayLiteral("POST"), base,
               api.guard.require(
                   Permission::ManageConfiguration, [=](const ApiRequest &request, HttpResponder responder) {
                       const std::optional<QJsonObject> body = readJsonObject(request.http, responder);
                       if (!body)
                           return;
                       T entity;
                       FieldErrors errors = fromJson(*body, entity);
                       if (errors.isEmpty())
                           errors = validate(entity);
                       if (errors.isEmpty() && moreRules)
                           errors = moreRules(entity);
                       if (!errors.isEmpty()) {
                           responder.send(fieldErrorsResponse(errors));
                           return;
                       }
                       whenReady(
                           storage->run([makeStore, entity, request, entityType](Database &db) {
                               return db.transaction([&] {
                                   const T created = makeStore(db).create(entity);
                                   AuditLogStore(db).append(auditEntry(request, QStringLiteral("create"),
                                                                       entityType, created.id, created.name));
                                   return created;
                               });
                           }),
                           context,
                           [responder, changed, base](const T &created) {
                               HttpResponse response = HttpResponse::json(201, toJson(created));
                               response.headers.append(
                                   {QByteArrayLiteral("Location"),
                                    (base + u'/' + created.id.toString(QUuid::WithoutBraces)).toUtf8()});
                               responder.send(response);
                               if (changed)
                                   changed();
                           },
                           [responder](const StorageError &error) { sendStorageFailure(responder, error); });
                   }));

    routes.add(QByteArrayLiteral("PUT"), item,
               api.guard.require(
                   Permission::ManageConfiguration, [=](const ApiRequest &request, HttpResponder responder) {
                       const auto update = readVersionedUpdate(request, responder);
                       if (!update)
                           return;
                       const std::optional<QUuid> id = update->first;
                       const std::optional<QJsonObject> body = update->second;
                       // The stored object, the body's fields over it, validated: all in one transaction, so
                       // the fields not given are the ones the change was based on.
                       using Outcome = std::variant<T, FieldErrors>;
                       whenReady(
                           storage->run([makeStore, moreRules, id = *id, body = *body, request,
                                         entityType](Database &db) {
                               return db.transaction([&]() -> Outcome {
                                   Store store = makeStore(db);
                                   const T stored = store.get(id);
                                   T entity = stored;
                                   FieldErrors errors = fromJson(body, entity);
                                   if (entity.id != id)
                                       errors.add(QStringLiteral("id"),
                                                  QStringLiteral("must be the id in the path"));
                                   if (errors.isEmpty())
                                       errors = validate(entity);
                                   if (errors.isEmpty() && moreRules)
                                       errors = moreRules(entity);
                                   if (!errors.isEmpty())
                                       return errors;
                                   const T updated = store.update(entity);
                                   AuditLogStore(db).append(auditEntry(request, QStringLiteral("update"),
                                                                       entityType, updated.id, updated.name));
                                   return updated;
                               });
                           }),
                           context,
                           [responder, changed](const Outcome &outcome) {
                               if (const FieldErrors *errors = std::get_if<FieldErrors>(&outcome)) {
                                   responder.send(fieldErrorsResponse(*errors));
                                   return;
                               }
                               responder.send(HttpResponse::json(200, toJson(std::get<T>(outcome))));
                               if (changed)
                                   changed();
                           },
                           [responder](const StorageError &error) { sendStorageFailure(responder, error); });
                   }));

    // What refers to the object, for the console's delete confirmation.
    routes.add(QByteArrayLiteral("GET"), item + QStringLiteral("/dependents"),
               api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
                   const std::optional<QUuid> id = pathId(request, responder);
                   if (!id)
                       return;
                   whenReady(
                       storage->run([makeStore, id = *id, entityType](Database &db) {
                           makeStore(db).get(id); // 404 for an unknown id
                           return dependentsOf(db, entityType, id);
                       }),
                       context,
                       [responder](const QList<Dependent> &dependents) {
                           responder.send(HttpResponse::json(200, dependentsJson(dependents)));
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));

    // Refused (409, with the dependents) while other objects refer to it, unless ?force=1: then
    // the references go with it, as the confirmation that listed them said.
    routes.add(QByteArrayLiteral("DELETE"), item,
               api.guard.require(Permission::ManageConfiguration, [=](const ApiRequest &request,
                                                                      HttpResponder responder) {
                   const std::optional<QUuid> id = pathId(request, responder);
                   if (!id)
                       return;
                   const std::optional<bool> forced = queryFlag(request, QStringLiteral("force"), responder);
                   if (!forced)
                       return;
                   const bool force = *forced;
                   whenReady(
                       storage->run([makeStore, id = *id, request, entityType, force](Database &db) {
                           return db.transaction([&] {
                               Store store = makeStore(db);
                               const T stored = store.get(id);
                               const QList<Dependent> dependents = dependentsOf(db, entityType, id);
                               if (!dependents.isEmpty() && !force)
                                   return std::pair{stored.name, dependents};
                               store.remove(id);
                               AuditLogStore(db).append(auditEntry(request, QStringLiteral("delete"),
                                                                   entityType, id, stored.name));
                               return std::pair{stored.name, QList<Dependent>()};
                           });
                       }),
                       context,
                       [responder, changed](const std::pair<QString, QList<Dependent>> &outcome) {
                           if (!outcome.second.isEmpty()) {
                               responder.send(inUseResponse(outcome.first, outcome.second));
                               return;
                           }
                           HttpResponse response;
                           response.status = 204;
                           responder.send(response);
                           if (changed)
                               changed();
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));
}

// The configuration collections (SPEC §9): hosts, host-groups, checks, schedules, services and
// alerts (module secrets sealed with `secrets`, write-only). Plugins, users and tokens have
// routes of their own.
void mountConfigurationRoutes(RouteTable &routes, const ApiContext &api, const SecretBox &secrets);

} // namespace prophasis
