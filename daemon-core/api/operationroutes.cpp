#include "daemon-core/api/operationroutes.h"

#include <QFutureWatcher>

#include "daemon-core/configio/configdocument.h"
#include "daemon-core/configio/importapply.h"
#include "daemon-core/configio/importplan.h"
#include "daemon-core/engine/coreengine.h"
#include "daemon-core/storage/alertstore.h"
#include "shared/http/httplimits.h"

namespace prophasis {

namespace {

using entityroutes::auditEntry;
using entityroutes::pathId;
using entityroutes::queryFlag;
using entityroutes::sendStorageFailure;

void mountCheckNow(RouteTable &routes, const ApiContext &api, CoreEngine &engine)
{
    CoreEngine *core = &engine;
    routes.add(
        QByteArrayLiteral("POST"), QStringLiteral("/api/v1/hosts/{id}/check-now"),
        api.guard.require(Permission::CheckNow, [core](const ApiRequest &request, HttpResponder responder) {
            const std::optional<QUuid> hostId = pathId(request, responder);
            if (!hostId)
                return;
            const std::optional<QJsonObject> given = readOptionalJsonObject(request.http, responder);
            if (!given)
                return;
            const QJsonObject body = *given;
            const QUuid checkId = QUuid::fromString(body.value(QStringLiteral("check_id")).toString());
            const QUuid pluginId = QUuid::fromString(body.value(QStringLiteral("plugin_id")).toString());
            const RunNowResult result = core->checkNow(*hostId, checkId, pluginId);
            if (result.matched == 0) {
                responder.send(HttpResponse::error(
                    404,
                    QStringLiteral("nothing runs on this host (no such host, or no check of it matches)")));
                return;
            }
            responder.send(HttpResponse::json(202, QJsonObject{{QStringLiteral("matched"), result.matched},
                                                               {QStringLiteral("queued"), result.queued}}));
        }));
}

void mountAlertTest(RouteTable &routes, const ApiContext &api, CoreEngine &engine, const SecretBox &secrets)
{
    CoreEngine *core = &engine;
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    routes.add(
        QByteArrayLiteral("POST"), QStringLiteral("/api/v1/alerts/{id}/test"),
        api.guard.require(Permission::TestAlert, [=](const ApiRequest &request, HttpResponder responder) {
            const std::optional<QUuid> id = pathId(request, responder);
            if (!id)
                return;
            whenReady(
                storage->run([secrets, id = *id](Database &db) { return AlertStore(db, secrets).get(id); }),
                context,
                [core, context, responder](const Alert &alert) {
                    auto *watcher = new QFutureWatcher<DeliveryResult>(context);
                    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, responder] {
                        watcher->deleteLater();
                        const DeliveryResult result = watcher->result();
                        QJsonObject body{{QStringLiteral("delivered"), result.ok}};
                        if (!result.ok)
                            body.insert(QStringLiteral("error"), result.error);
                        responder.send(HttpResponse::json(200, body));
                    });
                    watcher->setFuture(core->sendTestAlert(alert));
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

void mountConfigDocument(RouteTable &routes, const ApiContext &api, const SecretBox &secrets)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<void()> changed = api.configurationChanged;
    routes.add(QByteArrayLiteral("GET"), QStringLiteral("/api/v1/config"),
               api.guard.require(Permission::Read, [=](const ApiRequest &, HttpResponder responder) {
                   whenReady(
                       storage->run([secrets](Database &db) {
                           return configDocumentBytes(
                               exportConfiguration(db, secrets, QDateTime::currentDateTimeUtc()));
                       }),
                       context,
                       [responder](const QByteArray &document) {
                           HttpResponse response;
                           response.status = 200;
                           response.headers.append(
                               {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
                           response.headers.append(
                               {QByteArrayLiteral("Content-Disposition"),
                                QByteArrayLiteral("attachment; filename=\"prophasis-config.json\"")});
                           response.body = document;
                           responder.send(response);
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));
    routes.add(
        QByteArrayLiteral("PUT"), QStringLiteral("/api/v1/config"),
        api.guard.require(Permission::ManageConfiguration, [=](const ApiRequest &request,
                                                               HttpResponder responder) {
            const std::optional<QJsonObject> document = readJsonObject(request.http, responder);
            if (!document)
                return;
            const std::optional<bool> replace = queryFlag(request, QStringLiteral("replace"), responder);
            if (!replace)
                return;
            const std::optional<bool> dryRun = queryFlag(request, QStringLiteral("dry_run"), responder);
            if (!dryRun)
                return;
            ImportOptions options;
            options.replace = *replace;
            if (*dryRun) {
                whenReady(
                    storage->run([secrets, document = *document, options](Database &db) {
                        return planImport(db, secrets, document, options).toJson();
                    }),
                    context,
                    [responder](const QJsonObject &plan) { responder.send(HttpResponse::json(200, plan)); },
                    [responder](const StorageError &error) { sendStorageFailure(responder, error); });
                return;
            }
            whenReady(
                storage->run([secrets, document = *document, options, request](Database &db) {
                    return db.transaction([&] {
                        const ImportResult result = applyImport(db, secrets, document, options);
                        if (result.applied)
                            AuditLogStore(db).append(
                                auditEntry(request, QStringLiteral("import"), QStringLiteral("configuration"),
                                           {}, QStringLiteral("%1 changes").arg(result.done.size())));
                        return result;
                    });
                }),
                context,
                [responder, changed](const ImportResult &result) {
                    responder.send(HttpResponse::json(result.applied ? 200 : 422, result.toJson()));
                    if (result.applied && changed)
                        changed();
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

} // namespace

namespace {

void mountClassifierTest(RouteTable &routes, const ApiContext &api, CoreEngine &engine)
{
    CoreEngine *core = &engine;
    QObject *context = api.context;
    routes.add(
        QByteArrayLiteral("POST"), QStringLiteral("/api/v1/hosts/{id}/test-classifier"),
        api.guard.require(Permission::TestClassifier, [=](const ApiRequest &request,
                                                          HttpResponder responder) {
            const std::optional<QUuid> hostId = pathId(request, responder);
            if (!hostId)
                return;
            const std::optional<QJsonObject> body = readJsonObject(request.http, responder);
            if (!body)
                return;
            FieldErrors errors;
            const auto uuidField = [&](const QString &name) {
                const QUuid id = QUuid::fromString(body->value(name).toString());
                if (id.isNull())
                    errors.add(name, QStringLiteral("must be the UUID of the series' %1")
                                         .arg(name == u"check_id" ? QStringLiteral("check")
                                                                  : QStringLiteral("plugin")));
                return id;
            };
            const SeriesKey series{*hostId, uuidField(QStringLiteral("check_id")),
                                   uuidField(QStringLiteral("plugin_id"))};
            const QJsonValue sourceValue = body->value(QStringLiteral("source"));
            if (!sourceValue.isUndefined() && !sourceValue.isNull() && !sourceValue.isString())
                errors.add(QStringLiteral("source"), QStringLiteral("must be Lua source text"));
            const QString source = sourceValue.toString();
            if (size_t(source.toUtf8().size()) > MaxClassifierSourceBytes)
                errors.add(QStringLiteral("source"),
                           QStringLiteral("must be at most %1")
                               .arg(describeByteCount(qint64(MaxClassifierSourceBytes))));
            const QJsonValue nValue = body->value(QStringLiteral("n_historical"));
            const int nHistorical = nValue.isUndefined() ? 0 : nValue.toInt(-1);
            if (nHistorical < 0 || nHistorical > MaxClassifierHistory)
                errors.add(
                    QStringLiteral("n_historical"),
                    QStringLiteral("must be from 0 (the classifier's own) to %1").arg(MaxClassifierHistory));
            if (!errors.isEmpty()) {
                responder.send(fieldErrorsResponse(errors));
                return;
            }
            whenReady(
                core->testClassifier(series, source, nHistorical), context,
                [responder](const ClassificationOutcome &outcome) {
                    QJsonObject answer{{QStringLiteral("state"), enumName(outcome.state)}};
                    if (outcome.failed())
                        answer.insert(QStringLiteral("error"), outcome.error);
                    responder.send(HttpResponse::json(200, answer));
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

} // namespace

void mountOperationRoutes(RouteTable &routes, const ApiContext &api, CoreEngine &engine,
                          const SecretBox &secrets)
{
    mountCheckNow(routes, api, engine);
    mountClassifierTest(routes, api, engine);
    mountAlertTest(routes, api, engine, secrets);
    mountConfigDocument(routes, api, secrets);
}

} // namespace prophasis
