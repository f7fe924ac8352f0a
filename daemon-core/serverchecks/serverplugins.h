#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

#include "shared/domain/plugin.h"

namespace prophasis {

// The built-in server-side plugins (plugins/server/<kind>/: manifest.json and classifier.lua,
// embedded as Qt resources), as the core stores them: runtime server, entry = the check kind
// (http, tcp, ping, dns), the default classifier's text, no package.
QList<Plugin> builtInServerPlugins();

// One plugin from a server plugin's manifest and its classifier's text; nullopt with *error.
// The manifest follows the package format (shared/plugin/manifest.h) except that its runtime is
// "server", which packages may not use, and its entry names a check kind.
std::optional<Plugin> serverPluginFromManifest(const QByteArray &manifestJson,
                                               const QString &classifierSource, QString *error);

} // namespace prophasis
