#pragma once

#include <QByteArray>
#include <QDateTime>

#include "daemon-core/storage/entitystore.h"
#include "shared/domain/plugin.h"

namespace prophasis {

// One uploaded package of a plugin. Every upload is kept so an admin can roll back.
struct PluginPackage
{
    qint64 id = 0;
    QUuid pluginId;
    QString pluginVersion;
    QString sha256;
    QByteArray archive;   // the .tar.gz; empty in listings
    QByteArray signature; // detached OpenPGP signature; empty when unsigned
    QDateTime uploaded;
};

class PluginStore : public EntityStore<Plugin>
{
public:
    explicit PluginStore(Database &db);

    std::optional<Plugin> findByPluginId(const QString &pluginId);

    // Keeps the package; uploading the same bytes again returns the stored one.
    PluginPackage addPackage(const PluginPackage &package);
    // With archive and signature; nullopt when the plugin has no package with that hash.
    std::optional<PluginPackage> package(const QUuid &pluginId, const QString &sha256);
    // Newest first, without archive bytes.
    QList<PluginPackage> listPackages(const QUuid &pluginId);

protected:
    QList<Column> columns(const Plugin &plugin) const override;
    void readRow(const QSqlQuery &row, Plugin &plugin) const override;
    void readChildren(QHash<QUuid, Plugin *> &) override {}
    void writeChildren(const Plugin &) override {}
    QList<std::pair<QString, QString>> childTables() const override { return {}; }
    void checkRules(const Plugin &plugin) override;
};

} // namespace prophasis
