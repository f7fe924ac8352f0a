#include "daemon-core/api/pluginroutes.h"

#include <QJsonDocument>
#include <QSqlQuery>

#include "daemon-core/api/pluginpackages.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/sqlvalues.h"

namespace prophasis {

namespace {

using entityroutes::auditEntry;
using entityroutes::inUseResponse;
using entityroutes::pathId;
using entityroutes::queryFlag;
using entityroutes::sendStorageFailure;

const QString Base = QStringLiteral("/api/v1/plugins");

// An answer decided inside a storage job (the package or the plugin's users are only known there).
struct Refusal
{
    int status = 422;
    QString message;
    FieldErrors fields;

    HttpResponse response() const
    {
        return fields.isEmpty() ? HttpResponse::error(status, message) : fieldErrorsResponse(fields);
    }
};

struct Uploaded
{
    Plugin plugin;
    PluginPackage package;
    bool created = false;
    QString previousVersion; // the plugin version before this upload; empty for a new plugin
};

QJsonObject toJson(const PluginPackage &package, const QString &currentSha256)
{
    return {
        {QStringLiteral("sha256"), package.sha256},
        {QStringLiteral("plugin_version"), package.pluginVersion},
        {QStringLiteral("uploaded"), package.uploaded.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("current"), package.sha256 == currentSha256},
    };
}

Refusal builtInRefusal(const Plugin &plugin)
{
    return {
        409,
        QStringLiteral("'%1' is built into the core (a server-side check): it has no package to replace or "
                       "roll back, and it cannot be deleted")
            .arg(plugin.pluginId),
        {}};
}

// The plugin made current from a stored or uploaded package, with its fields from the manifest.
std::variant<Plugin, Refusal> applyPackage(const Plugin &base, const CheckedPackage &checked)
{
    Plugin plugin = pluginFromPackage(base, checked);
    const FieldErrors errors = validate(plugin);
    if (!errors.isEmpty())
        return Refusal{422, errors.summary(), errors};
    return plugin;
}

std::variant<Uploaded, Refusal> storeUpload(Database &db, const ApiRequest &request,
                                            const QByteArray &archive, const QByteArray &signature,
                                            const PackageLimits &limits)
{
    QString error;
    const std::optional<CheckedPackage> checked = checkPluginPackage(archive, limits, &error);
    if (!checked)
        return Refusal{422, QStringLiteral("the package was refused: %1").arg(error), {}};
    const PluginManifest &manifest = checked->package.manifest;
    return db.transaction([&]() -> std::variant<Uploaded, Refusal> {
        PluginStore store(db);
        const std::optional<Plugin> existing = store.findByPluginId(manifest.id);
        if (existing && existing->runtime == PluginRuntime::Server)
            return builtInRefusal(*existing);
        std::variant<Plugin, Refusal> applied = applyPackage(existing.value_or(Plugin()), *checked);
        if (const Refusal *refusal = std::get_if<Refusal>(&applied))
            return *refusal;
        Uploaded uploaded;
        uploaded.created = !existing;
        uploaded.previousVersion = existing ? existing->pluginVersion : QString();
        const Plugin &plugin = std::get<Plugin>(applied);
        uploaded.plugin = existing ? store.update(plugin) : store.create(plugin);
        uploaded.package = store.addPackage(
            {0, uploaded.plugin.id, manifest.version, checked->package.sha256, archive, signature, {}});
        uploaded.package.archive.clear();
        uploaded.package.signature.clear();
        AuditEntry entry =
            auditEntry(request, QStringLiteral("upload"), QStringLiteral("plugin"), uploaded.plugin.id,
                       QStringLiteral("%1 %2").arg(manifest.id, manifest.version));
        entry.details.insert(QStringLiteral("sha256"), checked->package.sha256);
        entry.details.insert(QStringLiteral("signed"), !signature.isEmpty());
        if (existing)
            entry.details.insert(QStringLiteral("previous_version"), existing->pluginVersion);
        AuditLogStore(db).append(entry);
        return uploaded;
    });
}

// What uses a plugin, by kind ("checks", "services", "alerts") → names; empty when nothing does.
void mountUpload(RouteTable &routes, const ApiContext &api, const PluginRouteOptions &options)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<void()> changed = api.configurationChanged;
    const PackageLimits limits = options.packageLimits;
    routes.add(
        QByteArrayLiteral("POST"), Base,
        api.guard.require(Permission::ManageConfiguration, [=](const ApiRequest &request,
                                                               HttpResponder responder) {
            // As the agent's PUT /v1/plugins/{id} takes it, so one upload tool serves both.
            const QByteArray type =
                request.http.header("Content-Type").split(';').first().trimmed().toLower();
            if (type != "application/gzip" && type != "application/x-gzip") {
                responder.send(HttpResponse::error(
                    415,
                    QStringLiteral("send the plugin package (.tar.gz) as Content-Type: application/gzip")));
                return;
            }
            QByteArray signature;
            if (const QByteArray header = request.http.header("Prophasis-Signature"); !header.isEmpty()) {
                const auto decoded =
                    QByteArray::fromBase64Encoding(header, QByteArray::AbortOnBase64DecodingErrors);
                if (!decoded || decoded.decoded.isEmpty()) {
                    responder.send(HttpResponse::error(
                        400,
                        QStringLiteral("the Prophasis-Signature header must be the base64 of the detached "
                                       "OpenPGP signature (.sig or .asc)")));
                    return;
                }
                signature = decoded.decoded;
            }
            // Checking the archive decompresses it (up to the package limits): a storage thread's
            // work, like the write that follows, never the event loop's.
            const QByteArray archive = request.http.body;
            whenReady(
                storage->run([request, archive, signature, limits](Database &db) {
                    return storeUpload(db, request, archive, signature, limits);
                }),
                context,
                [responder, changed](const std::variant<Uploaded, Refusal> &outcome) {
                    if (const Refusal *refusal = std::get_if<Refusal>(&outcome)) {
                        responder.send(refusal->response());
                        return;
                    }
                    const Uploaded &uploaded = std::get<Uploaded>(outcome);
                    HttpResponse response = HttpResponse::json(
                        uploaded.created ? 201 : 200,
                        QJsonObject{{QStringLiteral("plugin"), prophasis::toJson(uploaded.plugin)},
                                    {QStringLiteral("package"),
                                     toJson(uploaded.package, uploaded.plugin.packageSha256)},
                                    {QStringLiteral("created"), uploaded.created},
                                    {QStringLiteral("previous_version"), uploaded.previousVersion}});
                    response.headers.append(
                        {QByteArrayLiteral("Location"),
                         (Base + u'/' + uploaded.plugin.id.toString(QUuid::WithoutBraces)).toUtf8()});
                    responder.send(response);
                    if (changed)
                        changed();
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
    routes.setBodyLimit(QByteArrayLiteral("POST"), Base, limits.maxArchiveBytes);
}

void mountPackageReads(RouteTable &routes, const ApiContext &api)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    routes.add(QByteArrayLiteral("GET"), Base + QStringLiteral("/{id}/packages"),
               api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
                   const std::optional<QUuid> id = pathId(request, responder);
                   if (!id)
                       return;
                   whenReady(
                       storage->run([id = *id](Database &db) {
                           PluginStore store(db);
                           const Plugin plugin = store.get(id);
                           QJsonArray packages;
                           for (const PluginPackage &package : store.listPackages(id))
                               packages.append(toJson(package, plugin.packageSha256));
                           return packages;
                       }),
                       context,
                       [responder](const QJsonArray &packages) {
                           responder.send(HttpResponse::json(200, packages));
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));

    routes.add(QByteArrayLiteral("GET"), Base + QStringLiteral("/{id}/packages/{sha256}"),
               api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
                   const std::optional<QUuid> id = pathId(request, responder);
                   if (!id)
                       return;
                   const QString sha256 = request.parameters.value(QStringLiteral("sha256")).toLower();
                   whenReady(
                       storage->run([id = *id, sha256](
                                        Database &db) -> std::optional<std::pair<Plugin, PluginPackage>> {
                           PluginStore store(db);
                           const Plugin plugin = store.get(id);
                           std::optional<PluginPackage> package = store.package(id, sha256);
                           if (!package)
                               return std::nullopt;
                           return std::pair{plugin, *package};
                       }),
                       context,
                       [responder, sha256](const std::optional<std::pair<Plugin, PluginPackage>> &found) {
                           if (!found) {
                               responder.send(HttpResponse::error(
                                   404, QStringLiteral("this plugin has no package with the SHA-256 %1")
                                            .arg(sha256.left(64))));
                               return;
                           }
                           const auto &[plugin, package] = *found;
                           HttpResponse response;
                           response.headers.append(
                               {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/gzip")});
                           response.headers.append({QByteArrayLiteral("Content-Disposition"),
                                                    QStringLiteral("attachment; filename=\"%1-%2.tar.gz\"")
                                                        .arg(plugin.pluginId, package.pluginVersion)
                                                        .toUtf8()});
                           if (!package.signature.isEmpty())
                               response.headers.append(
                                   {QByteArrayLiteral("Prophasis-Signature"), package.signature.toBase64()});
                           response.body = package.archive;
                           responder.send(response);
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));
}

void mountActivate(RouteTable &routes, const ApiContext &api, const PluginRouteOptions &options)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<void()> changed = api.configurationChanged;
    const PackageLimits limits = options.packageLimits;
    routes.add(
        QByteArrayLiteral("PUT"), Base + QStringLiteral("/{id}/active"),
        api.guard.require(Permission::ManageConfiguration, [=](const ApiRequest &request,
                                                               HttpResponder responder) {
            const std::optional<QUuid> id = pathId(request, responder);
            if (!id)
                return;
            HttpResponse notJson;
            const std::optional<QJsonObject> body = readJsonObject(request.http, &notJson);
            if (!body) {
                responder.send(notJson);
                return;
            }
            const QString sha256 = body->value(QStringLiteral("sha256")).toString().toLower();
            if (sha256.isEmpty()) {
                FieldErrors errors;
                errors.add(QStringLiteral("sha256"),
                           QStringLiteral("name the stored package to make current (from GET …/packages)"));
                responder.send(fieldErrorsResponse(errors));
                return;
            }
            const QJsonValue basedOn = body->value(QStringLiteral("version"));
            const qint64 version = basedOn.isDouble() ? qint64(basedOn.toDouble()) : -1;
            whenReady(
                storage->run([id = *id, sha256, version, request,
                              limits](Database &db) -> std::variant<Plugin, Refusal> {
                    PluginStore store(db);
                    const Plugin plugin = store.get(id);
                    if (plugin.runtime == PluginRuntime::Server)
                        return builtInRefusal(plugin);
                    if (version >= 0 && version != plugin.version)
                        return Refusal{
                            409,
                            QStringLiteral("the plugin changed since version %1 (it is at %2): reload and "
                                           "choose again")
                                .arg(version)
                                .arg(plugin.version),
                            {}};
                    const std::optional<PluginPackage> package = store.package(id, sha256);
                    if (!package)
                        return Refusal{404,
                                       QStringLiteral("this plugin has no package with the SHA-256 %1")
                                           .arg(sha256.left(64)),
                                       {}};
                    QString error;
                    const std::optional<CheckedPackage> checked =
                        checkPluginPackage(package->archive, limits, &error);
                    if (!checked)
                        return Refusal{
                            422,
                            QStringLiteral("the stored package no longer passes the checks: %1").arg(error),
                            {}};
                    std::variant<Plugin, Refusal> applied = applyPackage(plugin, *checked);
                    if (std::holds_alternative<Refusal>(applied))
                        return applied;
                    return db.transaction([&]() -> std::variant<Plugin, Refusal> {
                        const Plugin updated = store.update(std::get<Plugin>(applied));
                        AuditEntry entry =
                            auditEntry(request, QStringLiteral("activate"), QStringLiteral("plugin"), id,
                                       QStringLiteral("%1 %2").arg(updated.pluginId, updated.pluginVersion));
                        entry.details.insert(QStringLiteral("sha256"), sha256);
                        entry.details.insert(QStringLiteral("previous_version"), plugin.pluginVersion);
                        AuditLogStore(db).append(entry);
                        return updated;
                    });
                }),
                context,
                [responder, changed](const std::variant<Plugin, Refusal> &outcome) {
                    if (const Refusal *refusal = std::get_if<Refusal>(&outcome)) {
                        responder.send(refusal->response());
                        return;
                    }
                    responder.send(HttpResponse::json(200, prophasis::toJson(std::get<Plugin>(outcome))));
                    if (changed)
                        changed();
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

void mountDelete(RouteTable &routes, const ApiContext &api)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<void()> changed = api.configurationChanged;
    routes.add(
        QByteArrayLiteral("DELETE"), Base + QStringLiteral("/{id}"),
        api.guard.require(Permission::ManageConfiguration, [=](const ApiRequest &request,
                                                               HttpResponder responder) {
            const std::optional<QUuid> id = pathId(request, responder);
            if (!id)
                return;
            const std::optional<bool> forced = queryFlag(request, QStringLiteral("force"), responder);
            if (!forced)
                return;
            const bool force = *forced;
            // Deleted, refused (a built-in plugin), or in use: its name and what uses it.
            using InUse = std::pair<QString, QList<Dependent>>;
            using Outcome = std::variant<std::monostate, Refusal, InUse>;
            whenReady(
                storage->run([id = *id, request, force](Database &db) {
                    return db.transaction([&]() -> Outcome {
                        PluginStore store(db);
                        const Plugin plugin = store.get(id);
                        if (plugin.runtime == PluginRuntime::Server)
                            return builtInRefusal(plugin);
                        // References cascade in the schema: a plugin in use does not vanish from
                        // checks, services and alerts unless the admin confirmed it (?force=1).
                        const QList<Dependent> dependents = dependentsOf(db, QStringLiteral("plugin"), id);
                        if (!dependents.isEmpty() && !force)
                            return InUse{plugin.name, dependents};
                        store.remove(id);
                        AuditLogStore(db).append(auditEntry(request, QStringLiteral("delete"),
                                                            QStringLiteral("plugin"), id, plugin.pluginId));
                        return std::monostate();
                    });
                }),
                context,
                [responder, changed](const Outcome &outcome) {
                    if (const Refusal *refusal = std::get_if<Refusal>(&outcome)) {
                        responder.send(refusal->response());
                        return;
                    }
                    if (const InUse *inUse = std::get_if<InUse>(&outcome)) {
                        responder.send(inUseResponse(inUse->first, inUse->second));
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

} // namespace

void mountPluginRoutes(RouteTable &routes, const ApiContext &api, const PluginRouteOptions &options)
{
    mountReadRoutes<Plugin, PluginStore>(routes, api, QStringLiteral("plugins"),
                                         [](Database &db) { return PluginStore(db); });
    mountUpload(routes, api, options);
    mountPackageReads(routes, api);
    mountActivate(routes, api, options);
    mountDelete(routes, api);
}

} // namespace prophasis
