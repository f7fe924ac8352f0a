#pragma once

#include "daemon-core/api/entityroutes.h"

namespace prophasis {

class Authenticator;
class CoreEngine;
class EventStream;
class HealthSource;
struct TlsIdentity;

// What the management API needs from the running core.
struct ManagementApiParts
{
    StorageExecutor &storage;
    Authenticator &authenticator;
    CoreEngine &engine;
    const SecretBox &secrets;
    const HealthSource &health;
    EventStream &events;
    // The core's identity key pair: join strings name its key; pairing presents it to agents.
    const TlsIdentity &identity;
    QObject *context; // the core's event loop: answers continue there
};

// Mounts every /api/v1 route of SPEC §9 — session, entities, users, tokens, operations, reports,
// logs, the event stream, the OpenAPI document — on `routes`, in one place, so the core and the
// test that holds the OpenAPI document to the routes mount the same set. Changes made through
// it are applied by the engine at once. `guard` must outlive the routes.
void mountManagementApi(RouteTable &routes, const ManagementApiParts &parts, const ApiGuard &guard);

} // namespace prophasis
