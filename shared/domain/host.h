#pragma once

#include "shared/domain/entity.h"

namespace prophasis {

inline constexpr quint16 DefaultAgentPort = 4048;

struct Host : Entity
{
    QString name;
    QString address; // DNS name or IP address of the agent
    quint16 agentPort = DefaultAgentPort;
    QString description;
    QString agentKeySha256; // pinned SHA-256 of the agent's SubjectPublicKeyInfo, hex; empty until enrolled
    bool enabled = true;
    Variables variables;
};

// Host groups nest: members are hosts and other groups. Cycles are refused on save.
struct HostGroup : Entity
{
    QString name;
    QString description;
    QList<QUuid> hostIds;
    QList<QUuid> groupIds;
    Variables variables;
};

} // namespace prophasis
