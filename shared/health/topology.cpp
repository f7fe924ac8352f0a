#include "shared/health/topology.h"

#include <QSet>
#include <algorithm>
#include <tuple>

#include "shared/health/cycles.h"

namespace prophasis {

namespace {

struct GroupAtDistance
{
    QUuid id;
    int distance = 0;
};

// Every group above the host, each with its fewest nesting steps (direct groups are 1).
// Breadth-first with a visited set, so cycles end and the first distance met is the shortest.
QList<GroupAtDistance> ancestorGroups(const QList<QUuid> &directGroups,
                                      const QHash<QUuid, QList<QUuid>> &parentGroups)
{
    QList<GroupAtDistance> found;
    QSet<QUuid> visited;
    for (const QUuid &id : directGroups) {
        if (!visited.contains(id)) {
            visited.insert(id);
            found.append({id, 1});
        }
    }
    for (qsizetype i = 0; i < found.size(); ++i) {
        const GroupAtDistance current = found.at(i);
        for (const QUuid &parent : parentGroups.value(current.id)) {
            if (visited.contains(parent))
                continue;
            visited.insert(parent);
            found.append({parent, current.distance + 1});
        }
    }
    return found;
}

template <typename T>
void sortUnique(QList<T> &list)
{
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
}

bool pairLess(const CheckPluginPair &a, const CheckPluginPair &b)
{
    return std::tie(a.checkId, a.pluginId) < std::tie(b.checkId, b.pluginId);
}

} // namespace

size_t qHash(const CheckPluginPair &pair, size_t seed) noexcept
{
    return qHashMulti(seed, pair.checkId, pair.pluginId);
}

Topology::Topology(const Configuration &config)
{
    indexGroups(config);
    indexChecks(config); // needs hostsInGroup
    indexServices(config);
}

void Topology::indexGroups(const Configuration &config)
{
    QHash<QUuid, QList<QUuid>> directGroupsOfHost;
    QHash<QUuid, QList<QUuid>> parentGroups;
    for (const HostGroup &group : config.groups) {
        for (const QUuid &hostId : group.hostIds)
            directGroupsOfHost[hostId].append(group.id);
        for (const QUuid &childId : group.groupIds)
            parentGroups[childId].append(group.id);
    }

    for (const Host &host : config.hosts) {
        QList<GroupAtDistance> ancestors = ancestorGroups(directGroupsOfHost.value(host.id), parentGroups);

        QList<QUuid> groupIds;
        for (const GroupAtDistance &group : ancestors) {
            groupIds.append(group.id);
            m_hostsInGroup[group.id].append(host.id);
        }
        std::sort(groupIds.begin(), groupIds.end());
        m_groupsOfHost.insert(host.id, groupIds);

        // Application order: farthest first, then by name, so the last applied wins.
        std::sort(
            ancestors.begin(), ancestors.end(), [&](const GroupAtDistance &a, const GroupAtDistance &b) {
                if (a.distance != b.distance)
                    return a.distance > b.distance;
                const int byName = QString::compare(config.groups.value(a.id).name,
                                                    config.groups.value(b.id).name, Qt::CaseInsensitive);
                if (byName != 0)
                    return byName < 0;
                return a.id < b.id;
            });
        Variables variables;
        for (const GroupAtDistance &group : ancestors)
            variables.insert(config.groups.value(group.id).variables);
        variables.insert(host.variables);
        m_effectiveVariables.insert(host.id, variables);
    }

    // Each host was appended once per group, so sorting is all that is left.
    for (QList<QUuid> &hostIds : m_hostsInGroup)
        std::sort(hostIds.begin(), hostIds.end());
}

void Topology::indexChecks(const Configuration &config)
{
    for (const Check &check : config.checks) {
        if (!check.enabled)
            continue;
        QList<QUuid> pluginIds;
        for (const CheckPlugin &plugin : check.plugins) {
            if (config.plugins.contains(plugin.pluginId))
                pluginIds.append(plugin.pluginId);
        }
        sortUnique(pluginIds);

        QList<QUuid> hostIds;
        for (const QUuid &hostId : check.hostIds) {
            if (config.hosts.contains(hostId))
                hostIds.append(hostId);
        }
        for (const QUuid &groupId : check.groupIds)
            hostIds.append(hostsInGroup(groupId));
        sortUnique(hostIds);

        for (const QUuid &hostId : hostIds) {
            QList<CheckPluginPair> &pairs = m_pairsForHost[hostId];
            for (const QUuid &pluginId : pluginIds)
                pairs.append({check.id, pluginId});
        }
    }
    // Checks are distinct and their plugins deduplicated, so only the order needs fixing.
    for (QList<CheckPluginPair> &pairs : m_pairsForHost)
        std::sort(pairs.begin(), pairs.end(), pairLess);

    for (const Schedule &schedule : config.schedules) {
        if (!schedule.enabled)
            continue;
        for (const ScheduleInterval &interval : schedule.intervals) {
            // Validation refuses such periods; a stored one must not make everything stale.
            if (interval.periodSeconds < MinPeriodSeconds)
                continue;
            for (const QUuid &checkId : schedule.checkIds) {
                const auto it = m_shortestPeriod.constFind(checkId);
                if (it == m_shortestPeriod.constEnd() || interval.periodSeconds < *it)
                    m_shortestPeriod.insert(checkId, interval.periodSeconds);
            }
        }
    }
}

void Topology::indexServices(const Configuration &config)
{
    for (const Service &service : config.services) {
        QList<QUuid> hostIds;
        auto collect = [&](const QList<ServiceMember> &members) {
            for (const ServiceMember &member : members) {
                switch (member.kind) {
                case MemberKind::Host:
                case MemberKind::HostPlugin:
                    hostIds.append(member.id);
                    break;
                case MemberKind::HostGroup:
                    hostIds.append(hostsInGroup(member.id));
                    break;
                case MemberKind::Service:
                    break;
                }
            }
        };
        collect(service.dependencies);
        for (const RedundancyGroup &group : service.redundancyGroups)
            collect(group.members);
        sortUnique(hostIds);
        for (const QUuid &hostId : hostIds)
            m_servicesNamingHost[hostId].append(service.id);

        QList<QUuid> nested = nestedServiceIds(service);
        sortUnique(nested);
        for (const QUuid &nestedId : nested)
            m_servicesNestingService[nestedId].append(service.id);
    }
}

QList<QUuid> Topology::hostsInGroup(const QUuid &groupId) const
{
    return m_hostsInGroup.value(groupId);
}

QList<QUuid> Topology::groupsOfHost(const QUuid &hostId) const
{
    return m_groupsOfHost.value(hostId);
}

QList<CheckPluginPair> Topology::pairsForHost(const QUuid &hostId) const
{
    return m_pairsForHost.value(hostId);
}

std::optional<qint64> Topology::stalenessLimitSeconds(const QUuid &checkId) const
{
    const auto it = m_shortestPeriod.constFind(checkId);
    if (it == m_shortestPeriod.constEnd())
        return std::nullopt;
    return StalePeriods * *it;
}

Variables Topology::effectiveVariables(const QUuid &hostId) const
{
    return m_effectiveVariables.value(hostId);
}

QList<QUuid> Topology::servicesOfHost(const QUuid &hostId) const
{
    // Walk up through the services nesting these ones; the visited set ends service cycles.
    QList<QUuid> found = m_servicesNamingHost.value(hostId);
    QSet<QUuid> visited(found.cbegin(), found.cend());
    for (qsizetype i = 0; i < found.size(); ++i) {
        for (const QUuid &parent : m_servicesNestingService.value(found.at(i))) {
            if (visited.contains(parent))
                continue;
            visited.insert(parent);
            found.append(parent);
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

} // namespace prophasis
