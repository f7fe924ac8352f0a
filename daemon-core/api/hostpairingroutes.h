#pragma once

#include "daemon-core/api/entityroutes.h"
#include "daemon-core/dispatch/hostpairing.h"
#include "shared/domain/host.h"

namespace prophasis {

struct TlsIdentity;

// Bringing hosts in from agents' enrollment strings (SPEC §4) and the console's "Test connection"
// button (SPEC §6), over the engine's pairing (HostPairing) and agent client (AgentClient):
//   POST /api/v1/hosts/enroll                {"enrollment": "prophasis-enroll-v1:…", "name"?, "address"?,
//                                            "port"?, "description"?, "groups"?: [group UUIDs]}
//        → 201 the host, paired (it pins the agent's key; the agent pins the core's identity).
//        Failures name the pairing error ("pairing_error"): 422 not an enrollment string, 409 the
//        agent refused the token (used, expired, wrong), 429 the agent throttles attempts, 502 the
//        agent presented another key / TLS failed / unreachable / answered oddly, 504 no answer
//        in time. Name and groups are checked before the token is spent. Audited.
//   POST /api/v1/hosts/{id}/test-connection  ping the agent over the pinned connection → 200
//        {"ok": true, "agent_version", "os", "uptime_s", …, "elapsed_ms"} or {"ok": false,
//        "error": connection_error | timeout | tls_error | request_error, "message"} (operator).
// `coreIdentity` is the core's identity key pair (identity.key / identity.crt), which agents pin.
void mountHostPairingRoutes(RouteTable &routes, const ApiContext &api, const TlsIdentity &coreIdentity);

namespace hostpairing {

// What an admin asks of a host that is about to be paired.
struct HostPlan
{
    QString name; // empty: the agent's address
    QString description;
    QList<QUuid> groupIds;
    PairingOptions options;
};

// Reads "name", "description", "groups", "address" and "port" of a request body into `plan`.
FieldErrors readHostPlan(const QJsonObject &body, HostPlan *plan);
// Whether the host could be stored under `name` (free, valid) in the plan's groups (they exist),
// checked before a one-time token is spent on pairing. Storage work.
FieldErrors checkHostPlan(Database &db, const HostPlan &plan, const QString &name);
// Stores the paired host `name` (pinned to the key the agent presented) and adds it to the plan's
// groups, in one transaction (the caller's, when it has one). Storage work.
Host storePairedHost(Database &db, const PairingResult &paired, const HostPlan &plan, const QString &name);
// The answer to a failed pairing (see above for the statuses).
HttpResponse pairingFailure(const PairingResult &result);
// The answer when pairing worked (the agent's token is spent, it pins this core) but storing the
// host failed (a name taken meanwhile, the database gone): the storage error, plus what the admin
// needs to add the host by hand ("paired": address, port, agent_key_sha256).
HttpResponse pairedButNotStored(const StorageError &error, const PairingResult &paired);

} // namespace hostpairing

} // namespace prophasis
