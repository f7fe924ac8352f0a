#pragma once

#include "daemon-core/api/entityroutes.h"
#include "shared/package/packagereader.h"

namespace prophasis {

struct PluginRouteOptions
{
    // The agent's limits (the same defaults): an archive an agent would refuse is refused here.
    // maxArchiveBytes is also the upload route's body limit (413 beyond it).
    PackageLimits packageLimits;
};

// Plugins (SPEC §3, §5, §9: /api/v1/plugins). A plugin is made and changed only by uploading its
// package: the manifest is the truth for its fields. Every upload is kept, so an older one can
// be made current again (rollback); agents get the current package at their next run.
//   GET    /api/v1/plugins                            all plugins (read)
//   GET    /api/v1/plugins/{id}                       one plugin (read)
//   POST   /api/v1/plugins                            body = the .tar.gz (Content-Type: application/gzip),
//          optional header Prophasis-Signature (base64 of the detached OpenPGP signature, as the
//          agent's PUT /v1/plugins/{id} takes it): checked with the agent's package checks (422 with
//          their message), stored; 201 with a new plugin, 200 with a new package of the plugin
//          whose manifest id it carries (same UUID). Body {"plugin", "package", "created",
//          "previous_version"}. Signatures are stored and pushed with the package, not verified
//          here: only each agent's own keyring and trusted list decide (SPEC §4).
//   GET    /api/v1/plugins/{id}/packages              every stored package, newest first
//   GET    /api/v1/plugins/{id}/packages/{sha256}     the archive (application/gzip; its signature in
//                                                     Prophasis-Signature when signed)
//   PUT    /api/v1/plugins/{id}/active                {"sha256", "version"?}: make a stored package
//                                                     current (rollback), its manifest the plugin's fields
//   DELETE /api/v1/plugins/{id}                       refused (409, naming them) while checks,
//                                                     services or alerts use it
// Changes need ManageConfiguration and are audited.
void mountPluginRoutes(RouteTable &routes, const ApiContext &api, const PluginRouteOptions &options = {});

} // namespace prophasis
