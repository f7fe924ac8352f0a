#pragma once

#include <QByteArray>
#include <QFuture>
#include <QString>
#include <QUuid>

#include <functional>
#include <optional>

namespace prophasis {

// A plugin package as the dispatcher pushes it to an agent (SPEC §9, PUT /v1/plugins/{id}).
struct AgentPackage
{
    QString version;      // the manifest's version: decides whether the push is a downgrade
    QByteArray archive;   // the .tar.gz
    QByteArray signature; // detached OpenPGP signature; empty when unsigned
};

// Where the dispatcher gets a package when an agent holds another one (409). The dispatcher
// does no database work itself; the composition root answers from the plugin store off the
// event loop:
//
//   [executor](const QUuid &plugin, const QString &sha256) {
//       return executor->run([plugin, sha256](Database &db) -> std::optional<AgentPackage> {
//           const std::optional<PluginPackage> p = PluginStore(db).package(plugin, sha256);
//           if (!p)
//               return std::nullopt;
//           return AgentPackage{p->pluginVersion, p->archive, p->signature};
//       });
//   }
//
// nullopt: the core has no package with that hash. A future holding an exception (a storage
// error) becomes a request_error result saying so.
using PackageSource =
    std::function<QFuture<std::optional<AgentPackage>>(const QUuid &pluginUuid, const QString &sha256)>;

} // namespace prophasis
