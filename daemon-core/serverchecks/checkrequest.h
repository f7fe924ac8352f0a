#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

#include "daemon-core/serverchecks/servercheck.h"
#include "shared/domain/host.h"
#include "shared/domain/plugin.h"

namespace prophasis {

// The run of a server-side plugin on a host: the check kind from the plugin's entry, the host as
// target, the check's arguments resolved against the plugin's declared ones as the agent resolves
// them (resolveArguments: defaults filled in, types checked, unknown names refused) and the
// plugin's timeout. nullopt with *error when the arguments cannot be used.
std::optional<ServerCheckRequest> makeServerCheckRequest(const Plugin &plugin, const Host &host,
                                                         const QJsonObject &checkArguments, QString *error);

} // namespace prophasis
