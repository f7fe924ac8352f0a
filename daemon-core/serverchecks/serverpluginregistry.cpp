#include "daemon-core/serverchecks/serverpluginregistry.h"

#include "daemon-core/serverchecks/serverplugins.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/storageerror.h"
#include "shared/domain/pluginversion.h"

namespace prophasis {

ServerPluginRegistration registerServerPlugins(Database &db)
{
    return registerServerPlugins(db, builtInServerPlugins());
}

ServerPluginRegistration registerServerPlugins(Database &db, const QList<Plugin> &plugins)
{
    ServerPluginRegistration registration;
    PluginStore store(db);
    for (const Plugin &plugin : plugins) {
        // One transaction per plugin: a refused one leaves the others registered.
        try {
            const std::optional<Plugin> stored = store.findByPluginId(plugin.pluginId);
            if (!stored) {
                store.create(plugin);
                registration.created.append(plugin.pluginId);
            } else if (stored->runtime != PluginRuntime::Server) {
                registration.skipped.append(
                    QStringLiteral(
                        "%1: the id belongs to an uploaded %2 plugin, which is left as it is; the built-in "
                        "check is not available until it is renamed or removed")
                        .arg(plugin.pluginId, enumName(stored->runtime)));
            } else if (compareVersions(stored->pluginVersion, plugin.pluginVersion) < 0) {
                Plugin upgraded = plugin;
                upgraded.id = stored->id;
                upgraded.version = stored->version;
                store.update(upgraded);
                registration.upgraded.append(plugin.pluginId);
            } else {
                registration.unchanged.append(plugin.pluginId);
            }
        } catch (const StorageError &error) {
            // Another core starting at the same time registered or upgraded it first.
            const bool raced =
                error.kind() == StorageError::Kind::Conflict ||
                (error.kind() == StorageError::Kind::Duplicate && store.findByPluginId(plugin.pluginId));
            if (raced) {
                registration.unchanged.append(plugin.pluginId);
                continue;
            }
            if (error.kind() != StorageError::Kind::Duplicate)
                throw; // the database itself failed: the caller retries at the next start
            registration.skipped.append(QStringLiteral("%1: %2").arg(plugin.pluginId, error.message()));
        }
    }
    return registration;
}

} // namespace prophasis
