#pragma once

#include <QString>

#include "shared/enrollment/pairingstrings.h"

namespace prophasis {

struct AgentConfig;
struct TlsIdentity;

// Unattended installs (SPEC §4): registers this agent with the core named by a join string —
// after checking the core's key against the string — by POSTing its address and key to
// /api/v1/enrollments with the one-time join token. The core lists it as pending until an admin
// accepts it. On success the agent pins the core's key in `config` (the caller saves it).
class JoinClient
{
public:
    static constexpr int TimeoutMs = 20'000;

    // Blocks (this is a command-line step) until the core answered or TimeoutMs passed.
    // Returns false with a message a person understands.
    static bool registerAgent(const JoinString &join, AgentConfig &config, const TlsIdentity &identity, QString *error);
};

} // namespace prophasis
