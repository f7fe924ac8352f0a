#include "daemon-core/api/entityroutes.h"

#include "daemon-core/alerting/alertmodules.h"
#include "daemon-core/api/queryparameters.h"
#include "daemon-core/storage/alertstore.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/servicestore.h"

namespace prophasis {

namespace entityroutes {

std::optional<QUuid> pathId(const ApiRequest &request, const HttpResponder &responder)
{
    const QString text = request.parameters.value(QStringLiteral("id"));
    const QUuid id = QUuid::fromString(text);
    if (id.isNull()) {
        responder.send(
            HttpResponse::error(404, QStringLiteral("'%1' is not an id (a UUID)").arg(text.left(64))));
        return std::nullopt;
    }
    return id;
}

AuditEntry auditEntry(const ApiRequest &request, const QString &action, const QString &entityType,
                      const QUuid &entityId, const QString &summary)
{
    AuditEntry entry;
    entry.userId = request.principal.userId;
    entry.username = request.principal.username;
    entry.source = request.source();
    entry.action = action;
    entry.entityType = entityType;
    entry.entityId = entityId;
    entry.summary = summary;
    if (request.principal.kind == Principal::Kind::ApiToken)
        entry.details.insert(QStringLiteral("api_token"), request.principal.tokenName);
    return entry;
}

void sendStorageFailure(const HttpResponder &responder, const StorageError &error)
{
    responder.send(storageErrorResponse(error));
}

QJsonObject dependentsJson(const QList<Dependent> &dependents)
{
    QJsonArray array;
    for (const Dependent &dependent : dependents) {
        array.append(QJsonObject{{QStringLiteral("entity_type"), dependent.entityType},
                                 {QStringLiteral("id"), dependent.id.toString(QUuid::WithoutBraces)},
                                 {QStringLiteral("name"), dependent.name},
                                 {QStringLiteral("relation"), dependent.relation}});
    }
    return QJsonObject{{QStringLiteral("dependents"), array}};
}

HttpResponse inUseResponse(const QString &name, const QList<Dependent> &dependents)
{
    QJsonObject body = dependentsJson(dependents);
    body.insert(QStringLiteral("error"), QStringLiteral("in_use"));
    body.insert(QStringLiteral("message"),
                QStringLiteral("\"%1\" is in use: %2. Delete with ?force=1 to remove it from them too.")
                    .arg(name, describeDependents(dependents)));
    return HttpResponse::json(409, body);
}

std::optional<bool> queryFlag(const ApiRequest &request, const QString &name, const HttpResponder &responder)
{
    FieldErrors errors;
    const bool value = QueryParameters(request.http, errors).flag(name);
    if (!errors.isEmpty()) {
        responder.send(fieldErrorsResponse(errors));
        return std::nullopt;
    }
    return value;
}

std::optional<std::pair<QUuid, QJsonObject>> readVersionedUpdate(const ApiRequest &request,
                                                                 const HttpResponder &responder)
{
    const std::optional<QUuid> id = pathId(request, responder);
    if (!id)
        return std::nullopt;
    const std::optional<QJsonObject> body = readJsonObject(request.http, responder);
    if (!body)
        return std::nullopt;
    if (!body->value(QStringLiteral("version")).isDouble()) {
        FieldErrors errors;
        errors.add(QStringLiteral("version"),
                   QStringLiteral("give the version your change is based on (from the last GET)"));
        responder.send(fieldErrorsResponse(errors));
        return std::nullopt;
    }
    return std::pair{*id, *body};
}

} // namespace entityroutes

void mountConfigurationRoutes(RouteTable &routes, const ApiContext &api, const SecretBox &secrets)
{
    mountEntityRoutes<Host, HostStore>(routes, api, QStringLiteral("hosts"), QStringLiteral("host"),
                                       [](Database &db) { return HostStore(db); });
    mountEntityRoutes<HostGroup, HostGroupStore>(routes, api, QStringLiteral("host-groups"),
                                                 QStringLiteral("host_group"),
                                                 [](Database &db) { return HostGroupStore(db); });
    mountEntityRoutes<Check, CheckStore>(routes, api, QStringLiteral("checks"), QStringLiteral("check"),
                                         [](Database &db) { return CheckStore(db); });
    mountEntityRoutes<Schedule, ScheduleStore>(routes, api, QStringLiteral("schedules"),
                                               QStringLiteral("schedule"),
                                               [](Database &db) { return ScheduleStore(db); });
    mountEntityRoutes<Service, ServiceStore>(routes, api, QStringLiteral("services"),
                                             QStringLiteral("service"),
                                             [](Database &db) { return ServiceStore(db); });
    // The store keeps a reference to the box: the lambda's own copy lives as long as the routes.
    mountEntityRoutes<Alert, AlertStore>(
        routes, api, QStringLiteral("alerts"), QStringLiteral("alert"),
        [secrets](Database &db) { return AlertStore(db, secrets); }, validateAlertModule);
}

} // namespace prophasis
