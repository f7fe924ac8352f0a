#include "daemon-core/storage/pluginstore.h"

#include "shared/domain/validation.h"
#include "shared/json/entityjson.h"

namespace prophasis {

namespace {

QVariant dbBlob(const QByteArray &bytes)
{
    return bytes.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(bytes);
}

PluginPackage packageFromRow(const QSqlQuery &row, bool withBytes)
{
    PluginPackage package;
    package.id = row.value(QStringLiteral("id")).toLongLong();
    package.pluginId = idFromDb(row.value(QStringLiteral("plugin_id")));
    package.pluginVersion = row.value(QStringLiteral("plugin_version")).toString();
    package.sha256 = row.value(QStringLiteral("sha256")).toString();
    package.uploaded = timeFromDb(row.value(QStringLiteral("uploaded_ms")));
    if (withBytes) {
        package.archive = row.value(QStringLiteral("archive")).toByteArray();
        package.signature = row.value(QStringLiteral("signature")).toByteArray();
    }
    return package;
}

} // namespace

PluginStore::PluginStore(Database &db)
    : EntityStore(db, QStringLiteral("plugins"), QStringLiteral("plugin"))
{
}

QList<PluginStore::Column> PluginStore::columns(const Plugin &plugin) const
{
    // Arguments and platforms are stored in their wire JSON: one serialisation per type.
    const QJsonObject json = toJson(plugin);
    return {
        {QStringLiteral("plugin_id"), plugin.pluginId},
        {QStringLiteral("name"), plugin.name},
        {QStringLiteral("description"), plugin.description},
        {QStringLiteral("plugin_version"), plugin.pluginVersion},
        {QStringLiteral("runtime"), enumName(plugin.runtime)},
        {QStringLiteral("entry"), plugin.entry},
        {QStringLiteral("classifier_source"), plugin.classifier.source},
        {QStringLiteral("classifier_n"), plugin.classifier.nHistorical},
        {QStringLiteral("view"), enumName(plugin.view)},
        {QStringLiteral("arguments"), dbJson(json.value(QStringLiteral("arguments")).toArray())},
        {QStringLiteral("timeout_s"), plugin.timeoutSeconds},
        {QStringLiteral("platforms"), dbJson(json.value(QStringLiteral("platforms")).toArray())},
        {QStringLiteral("package_sha256"), plugin.packageSha256},
    };
}

void PluginStore::readRow(const QSqlQuery &row, Plugin &plugin) const
{
    plugin.pluginId = row.value(QStringLiteral("plugin_id")).toString();
    plugin.name = row.value(QStringLiteral("name")).toString();
    plugin.description = row.value(QStringLiteral("description")).toString();
    plugin.pluginVersion = row.value(QStringLiteral("plugin_version")).toString();
    plugin.runtime = enumFromName<PluginRuntime>(row.value(QStringLiteral("runtime")).toString()).value_or(PluginRuntime::Exec);
    plugin.entry = row.value(QStringLiteral("entry")).toString();
    plugin.classifier.source = row.value(QStringLiteral("classifier_source")).toString();
    plugin.classifier.nHistorical = row.value(QStringLiteral("classifier_n")).toInt();
    plugin.view = enumFromName<PluginView>(row.value(QStringLiteral("view")).toString()).value_or(PluginView::Line);
    plugin.timeoutSeconds = row.value(QStringLiteral("timeout_s")).toInt();
    plugin.packageSha256 = row.value(QStringLiteral("package_sha256")).toString();
    const QJsonObject json = {
        {QStringLiteral("arguments"), jsonArrayFromDb(row.value(QStringLiteral("arguments")))},
        {QStringLiteral("platforms"), jsonArrayFromDb(row.value(QStringLiteral("platforms")))},
    };
    fromJson(json, plugin);
}

void PluginStore::checkRules(const Plugin &plugin)
{
    EntityRows::requireValid(validate(plugin));
    m_rows.requireUniqueName(QStringLiteral("name"), plugin.name, plugin.id);
    m_rows.requireUniqueName(QStringLiteral("plugin_id"), plugin.pluginId, plugin.id, QStringLiteral("plugin_id"));
}

std::optional<Plugin> PluginStore::findByPluginId(const QString &pluginId)
{
    return selectOne(QStringLiteral("plugin_id = ?"), {pluginId});
}

PluginPackage PluginStore::addPackage(const PluginPackage &package)
{
    return m_db.transaction([&] {
        EntityRows::requireExisting(m_db, QStringLiteral("plugins"), QStringLiteral("plugin"), {package.pluginId},
                                    QStringLiteral("plugin_id"));
        if (std::optional<PluginPackage> existing = this->package(package.pluginId, package.sha256))
            return *existing;
        PluginPackage stored = package;
        stored.uploaded = package.uploaded.isValid() ? package.uploaded : QDateTime::currentDateTimeUtc();
        QSqlQuery query = m_db.exec(
            QStringLiteral("INSERT INTO plugin_packages (plugin_id, plugin_version, sha256, archive, signature, uploaded_ms) "
                           "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
            {dbId(package.pluginId), package.pluginVersion, package.sha256, package.archive, dbBlob(package.signature),
             dbTime(stored.uploaded)});
        query.next();
        stored.id = query.value(0).toLongLong();
        return stored;
    });
}

std::optional<PluginPackage> PluginStore::package(const QUuid &pluginId, const QString &sha256)
{
    QSqlQuery row = m_db.exec(QStringLiteral("SELECT * FROM plugin_packages WHERE plugin_id = ? AND sha256 = ?"),
                              {dbId(pluginId), sha256});
    if (!row.next())
        return std::nullopt;
    return packageFromRow(row, true);
}

QList<PluginPackage> PluginStore::listPackages(const QUuid &pluginId)
{
    QList<PluginPackage> packages;
    QSqlQuery row = m_db.exec(QStringLiteral("SELECT id, plugin_id, plugin_version, sha256, uploaded_ms FROM plugin_packages "
                                             "WHERE plugin_id = ? ORDER BY uploaded_ms DESC, id DESC"),
                              {dbId(pluginId)});
    while (row.next())
        packages.append(packageFromRow(row, false));
    return packages;
}

} // namespace prophasis
