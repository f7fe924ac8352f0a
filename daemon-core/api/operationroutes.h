#pragma once

#include "daemon-core/api/entityroutes.h"

namespace prophasis {

class CoreEngine;

// What the API does beyond editing entities (SPEC §5, §9):
//   POST /api/v1/hosts/{id}/check-now   {"check_id"?, "plugin_id"?}: queue runs at once (operator)
//   POST /api/v1/hosts/{id}/test-classifier  {"check_id", "plugin_id", "source"?, "n_historical"?}:
//        the series' stored results classified by `source` (default: its own classifier), nothing
//        stored → {"state", "error"?} (admin: runs Lua on the core)
//   POST /api/v1/alerts/{id}/test       send the alert's test message once (operator)
//   GET  /api/v1/config                 the configuration as one document, without secrets
//   PUT  /api/v1/config[?dry_run=1][&replace=1]  import it: the plan, or apply it all or nothing
void mountOperationRoutes(RouteTable &routes, const ApiContext &api, CoreEngine &engine,
                          const SecretBox &secrets);

} // namespace prophasis
