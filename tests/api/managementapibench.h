#pragma once

#include <memory>

#include "daemon-core/api/eventstream.h"
#include "daemon-core/api/managementapi.h"
#include "daemon-core/engine/coreengine.h"
#include "daemon-core/reports/statichealthsource.h"
#include "tests/api/apitestserver.h"

namespace prophasis::test {

// Every /api/v1 route, mounted as the core mounts them (mountManagementApi) on an API test bench:
// an engine that is built but not started, an empty present, an event stream. For the tests that
// go over the whole route table (the guard, abuse, the OpenAPI document).
struct ManagementApiBench
{
    ManagementApiBench(TestDatabase &database, QObject *context, CoreListenOptions listen = {})
        : api(database, context, std::move(listen))
        , engine(api.storage(), SecretBox(SecretBox::generateKey()), api.identity(), EngineOptions{})
        , events(api.storage(), health)
    {
        const ManagementApiParts parts{.storage = api.storage(),
                                       .authenticator = api.authenticator(),
                                       .engine = engine,
                                       .secrets = secrets,
                                       .health = health,
                                       .events = events,
                                       .identity = api.identity(),
                                       .context = context};
        mountManagementApi(api.routes(), parts, api.guard());
    }
    ~ManagementApiBench() { api.server().stop(); }

    ApiTestServer api;
    SecretBox secrets{SecretBox::generateKey()};
    StaticHealthSource health{Configuration{}, LatestResults{}};
    CoreEngine engine;
    EventStream events;
};

} // namespace prophasis::test
