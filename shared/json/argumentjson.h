#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include "shared/domain/fielderrors.h"
#include "shared/domain/plugin.h"

namespace prophasis {

// The one JSON form of a plugin argument ({name, type, default, description, required}), shared
// by the Plugin entity (pluginjson.cpp) and a package's manifest.json (shared/plugin/manifest.cpp).
QJsonObject toJson(const PluginArgument &argument);

// Reads one argument; problems are added to `errors` under `field` (e.g. "arguments.2").
PluginArgument readArgument(const QJsonValue &value, FieldErrors &errors, const QString &field);

} // namespace prophasis
