#pragma once

#include "daemon-core/api/entityroutes.h"

namespace prophasis {

class EventStream;

// GET /api/v1/events (Permission::Read): the event stream (eventstream.h) as Server-Sent Events.
// Resume with the Last-Event-ID header (what EventSource sends) or ?last_event_id=; choose
// event types with ?types=health,log,configuration. 503 with Retry-After while the most
// streams are open; 422 for an unknown type.
void mountEventRoutes(RouteTable &routes, const ApiContext &api, EventStream &events);

} // namespace prophasis
