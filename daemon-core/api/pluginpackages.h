#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

#include "shared/domain/plugin.h"
#include "shared/package/packagereader.h"

namespace prophasis {

// A plugin package the core accepted: the agent's own checks passed (shared/package, the same
// code the agent installs with) and its default classifier read out of it.
struct CheckedPackage
{
    Package package; // manifest, sha256, top folder
    QString classifierSource;
};

// Checks an uploaded archive exactly as an agent would before installing it (traversal, links,
// devices, size and expansion limits, manifest) by extracting it into a throwaway folder, and
// reads the default classifier from it. nullopt with the checker's message otherwise.
// CPU and disk work: never on the event loop.
std::optional<CheckedPackage> checkPluginPackage(const QByteArray &archive, const PackageLimits &limits,
                                                 QString *error);

// The plugin as the package describes it: the manifest is the truth for everything it names
// (id, name, version, runtime, entry, default classifier, view, arguments, timeout, platforms),
// and the package becomes the plugin's current one. `base` keeps its UUID and version, so checks,
// services, alerts and exported configurations that name the plugin keep naming it.
Plugin pluginFromPackage(Plugin base, const CheckedPackage &checked);

} // namespace prophasis
