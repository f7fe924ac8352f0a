#include "daemon-core/serverchecks/checkrequest.h"

#include <algorithm>

#include "shared/plugin/manifest.h"

namespace prophasis {

std::optional<ServerCheckRequest> makeServerCheckRequest(const Plugin &plugin, const Host &host,
                                                         const QJsonObject &checkArguments, QString *error)
{
    // resolveArguments works on a manifest: the stored plugin carries the same declarations.
    PluginManifest manifest;
    manifest.id = plugin.pluginId;
    manifest.arguments = plugin.arguments;
    std::optional<QJsonObject> arguments = resolveArguments(manifest, checkArguments, error);
    if (!arguments)
        return std::nullopt;
    ServerCheckRequest request;
    request.kind = plugin.entry;
    request.target = {host.name, host.address};
    request.arguments = std::move(*arguments);
    request.timeout = std::chrono::seconds(std::clamp(plugin.timeoutSeconds, 1, MaxPluginTimeoutSeconds));
    return request;
}

} // namespace prophasis
