#pragma once

#include <QList>
#include <QStringList>

#include "shared/domain/plugin.h"

namespace prophasis {

class Database;

// What registerServerPlugins() did, by reverse-DNS plugin id.
struct ServerPluginRegistration
{
    QStringList created;
    QStringList upgraded;
    QStringList unchanged; // stored already at this version or newer
    QStringList skipped;   // a message each: the id belongs to an uploaded plugin, or the name is taken
};

// Makes the built-in server-side plugins appear like uploaded plugins: creates the missing ones,
// upgrades those stored at an older version (the stored object keeps its UUID; its version number
// rises), and never touches another plugin — one of the same id that is not a server plugin, or
// a name already taken, is skipped with a message. Idempotent; safe when several cores start at
// once. Database work: run it through the StorageExecutor.
ServerPluginRegistration registerServerPlugins(Database &db);
ServerPluginRegistration registerServerPlugins(Database &db, const QList<Plugin> &plugins);

} // namespace prophasis
