#include "daemon-core/api/managementapi.h"

#include "daemon-core/api/enrollmentroutes.h"
#include "daemon-core/api/eventroutes.h"
#include "daemon-core/api/hostpairingroutes.h"
#include "daemon-core/api/logroutes.h"
#include "daemon-core/api/openapiroute.h"
#include "daemon-core/api/operationroutes.h"
#include "daemon-core/api/pluginroutes.h"
#include "daemon-core/api/reportroutes.h"
#include "daemon-core/api/sessionroutes.h"
#include "daemon-core/api/tokenroutes.h"
#include "daemon-core/api/userroutes.h"
#include "daemon-core/auth/authenticator.h"
#include "daemon-core/engine/coreengine.h"

namespace prophasis {

void mountManagementApi(RouteTable &routes, const ManagementApiParts &parts, const ApiGuard &guard)
{
    CoreEngine *engine = &parts.engine;
    const ApiContext api{parts.storage, guard, parts.context, [engine] { engine->reloadConfiguration(); }};
    mountOpenApiRoute(routes);
    mountSessionRoutes(routes, parts.authenticator, parts.context);
    mountConfigurationRoutes(routes, api, parts.secrets);
    mountPluginRoutes(routes, api);
    mountHostPairingRoutes(routes, api, parts.identity);
    EnrollmentRouteOptions enrollment;
    enrollment.coreIdentity = parts.identity;
    enrollment.throttle = parts.authenticator.policy();
    mountEnrollmentRoutes(routes, api, parts.secrets, enrollment);
    mountOperationRoutes(routes, api, parts.engine, parts.secrets);
    mountTokenRoutes(routes, api, parts.authenticator);
    mountUserRoutes(routes, api, parts.authenticator);
    mountReportRoutes(routes, api, parts.health);
    mountLogRoutes(routes, api);
    mountEventRoutes(routes, api, parts.events);
}

} // namespace prophasis
