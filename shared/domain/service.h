#pragma once

#include <array>
#include <utility>

#include "shared/domain/entity.h"
#include "shared/domain/enumnames.h"

namespace prophasis {

enum class MemberKind
{
    Host,
    HostGroup,
    HostPlugin, // one plugin on one host: "HTTP on web1"
    Service,    // a nested service
};

struct ServiceMember
{
    MemberKind kind = MemberKind::Host;
    QUuid id;       // host, group or service
    QUuid pluginId; // HostPlugin only
    friend bool operator==(const ServiceMember &, const ServiceMember &) = default;
};

// At least one member must be healthy (OR).
struct RedundancyGroup
{
    QString name;
    QList<ServiceMember> members;
};

// Every dependency must be healthy (AND); each redundancy group needs one healthy member.
struct Service : Entity
{
    QString name;
    QString description;
    QList<ServiceMember> dependencies;
    QList<RedundancyGroup> redundancyGroups;
};

template <>
struct EnumNames<MemberKind>
{
    static constexpr std::array<std::pair<MemberKind, const char *>, 4> table = {{
        {MemberKind::Host, "host"},
        {MemberKind::HostGroup, "host_group"},
        {MemberKind::HostPlugin, "host_plugin"},
        {MemberKind::Service, "service"},
    }};
};

} // namespace prophasis
