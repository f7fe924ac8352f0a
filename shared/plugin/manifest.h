#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

#include "shared/domain/plugin.h"

namespace prophasis {

// manifest.json of a plugin package (SPEC §3). Required: id, name, description, version,
// runtime, entry, default_n_historical, default_classifier. Optional: view, arguments,
// timeout_s, platforms, capabilities (e.g. ["CAP_DAC_READ_SEARCH"]: what the plugin needs
// beyond an unprivileged user, so the agent can say clearly when it was not granted), and
// command_arguments for exec and nagios plugins: the program's argv after its name, where
// "{name}" stands for the value of argument `name` (an element that is exactly "{name}" is
// left out when that argument has no value), e.g. ["-w", "{warning}", "-c", "{critical}"].
//
// `entry` is a path inside the package; a nagios plugin may instead name an absolute path to a
// program already installed on the host (/usr/lib/nagios/plugins/check_load).
struct PluginManifest
{
    QString id;
    QString name;
    QString description;
    QString version;
    PluginRuntime runtime = PluginRuntime::Exec;
    QString entry; // relative path inside the package folder
    int defaultNHistorical = 1;
    QString defaultClassifier; // relative path of a Lua file inside the package folder
    PluginView view = PluginView::Line;
    QList<PluginArgument> arguments;
    int timeoutSeconds = DefaultPluginTimeoutSeconds;
    QStringList platforms;
    QStringList capabilities;
    QStringList commandArguments;
};

// Limits on a manifest, so an untrusted package cannot make the agent parse megabytes.
inline constexpr qsizetype MaxManifestBytes = 64 * 1024;
inline constexpr int MaxPluginArguments = 64;

// Parses and checks a manifest; nullopt with a message a person understands ("manifest.json:
// 'version' must be a version such as 1.2") on any problem. Runtime "server" is refused: only
// the core's built-in checks use it.
std::optional<PluginManifest> parseManifest(const QByteArray &json, QString *error);

// The arguments a run gets: every declared argument, given or defaulted, type-checked; unknown
// names and missing required ones are errors.
std::optional<QJsonObject> resolveArguments(const PluginManifest &manifest, const QJsonObject &given,
                                            QString *error);
// The same for a plugin known by its declared arguments (the core's Plugin rows).
std::optional<QJsonObject> resolveArguments(const QString &pluginId, const QList<PluginArgument> &declared,
                                            const QJsonObject &given, QString *error);

} // namespace prophasis
