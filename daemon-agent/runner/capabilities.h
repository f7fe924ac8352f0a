#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace prophasis {

// Linux capabilities, for saying clearly when a plugin needs what the agent was not given
// (SPEC §3: the agent runs unprivileged; plugins get narrowly granted capabilities).

// "CAP_SYS_RAWIO" (any case, CAP_ prefix optional) → 17; nullopt for an unknown name.
std::optional<int> capabilityNumber(const QString &name);

// What a program the agent starts will have: for root, the bounding set (execve as root grants
// it); otherwise the ambient set, the only capabilities an unprivileged program keeps across
// execve (systemd's AmbientCapabilities=). Read from /proc/self/status.
std::optional<quint64> capabilitiesForPlugins();

// The declared capabilities (as written, e.g. "CAP_DAC_READ_SEARCH") that `granted` lacks;
// unknown names count as missing.
QStringList missingCapabilities(const QStringList &declared, quint64 granted);
// The same against capabilitiesForPlugins(); all of them when that cannot be read.
QStringList missingCapabilities(const QStringList &declared);
// " (this plugin needs CAP_X, which the agent was not given: grant …)" for a run result's
// message, or empty when the agent holds everything `declared` asks for.
QString missingCapabilitiesHint(const QStringList &declared);

} // namespace prophasis
