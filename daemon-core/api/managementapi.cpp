#include "daemon-core/api/managementapi.h"

#include "daemon-core/api/eventroutes.h"
#include "daemon-core/api/operationroutes.h"
#include "daemon-core/api/sessionroutes.h"
#include "daemon-core/api/tokenroutes.h"
#include "daemon-core/api/userroutes.h"
#include "daemon-core/engine/coreengine.h"

namespace prophasis {

void mountManagementApi(RouteTable &routes, const ManagementApiParts &parts, const ApiGuard &guard)
{
    CoreEngine *engine = &parts.engine;
    const ApiContext api{parts.storage, guard, parts.context, [engine] { engine->reloadConfiguration(); }};
    mountSessionRoutes(routes, parts.authenticator, parts.context);
    mountConfigurationRoutes(routes, api, parts.secrets);
    mountOperationRoutes(routes, api, parts.engine, parts.secrets);
    mountTokenRoutes(routes, api, parts.authenticator);
    mountUserRoutes(routes, api, parts.authenticator);
    mountEventRoutes(routes, api, parts.events);
}

} // namespace prophasis
