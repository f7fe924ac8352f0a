#include "shared/health/healthcalculator.h"

namespace prophasis {

size_t qHash(const SeriesKey &key, size_t seed) noexcept
{
    return qHashMulti(seed, key.hostId, key.checkId, key.pluginId);
}

HealthCalculator::HealthCalculator(const Configuration &config, const LatestResults &results,
                                   const QDateTime &now)
    : HealthCalculator(config, Topology(config), results, now)
{
}

HealthCalculator::HealthCalculator(const Configuration &config, const Topology &topology,
                                   const LatestResults &results, const QDateTime &now)
    : m_config(config)
    , m_topology(topology)
    , m_results(results)
    , m_now(now)
{
}

State seriesStateAt(const Topology &topology, const LatestResult *result, const QUuid &checkId,
                    const QDateTime &now)
{
    if (!result)
        return State::NoData;
    // A stored "degraded" or "no data" is not a result anyone could have produced.
    if (!isResultClassification(result->classification))
        return State::Unknown;
    if (const std::optional<qint64> limit = topology.stalenessLimitSeconds(checkId)) {
        // A result without a time cannot show it is fresh.
        if (!result->time.isValid() || result->time.msecsTo(now) > *limit * 1000)
            return State::Unknown;
    }
    return result->classification;
}

State HealthCalculator::seriesState(const QUuid &hostId, const CheckPluginPair &pair) const
{
    const auto it = m_results.constFind(SeriesKey{hostId, pair.checkId, pair.pluginId});
    return seriesStateAt(m_topology, it == m_results.constEnd() ? nullptr : &*it, pair.checkId, m_now);
}

State HealthCalculator::hostHealth(const QUuid &hostId) const
{
    const auto cached = m_hostHealth.constFind(hostId);
    if (cached != m_hostHealth.constEnd())
        return *cached;

    State health = State::NoData;
    const auto host = m_config.hosts.constFind(hostId);
    if (host != m_config.hosts.constEnd() && host->enabled) {
        // No data is the least severe state, so series without a result change nothing.
        for (const CheckPluginPair &pair : m_topology.pairsForHost(hostId))
            health = mostSevere(health, seriesState(hostId, pair));
    }
    m_hostHealth.insert(hostId, health);
    return health;
}

State HealthCalculator::hostGroupHealth(const QUuid &groupId) const
{
    State health = State::NoData;
    for (const QUuid &hostId : m_topology.hostsInGroup(groupId))
        health = mostSevere(health, hostHealth(hostId));
    return health;
}

State HealthCalculator::hostPluginHealth(const QUuid &hostId, const QUuid &pluginId) const
{
    const auto host = m_config.hosts.constFind(hostId);
    if (host == m_config.hosts.constEnd() || !host->enabled)
        return State::NoData;
    State health = State::NoData;
    for (const CheckPluginPair &pair : m_topology.pairsForHost(hostId)) {
        if (pair.pluginId == pluginId)
            health = mostSevere(health, seriesState(hostId, pair));
    }
    return health;
}

State HealthCalculator::memberHealth(const ServiceMember &member) const
{
    switch (member.kind) {
    case MemberKind::Host:
        return hostHealth(member.id);
    case MemberKind::HostGroup:
        return hostGroupHealth(member.id);
    case MemberKind::HostPlugin:
        return hostPluginHealth(member.id, member.pluginId);
    case MemberKind::Service:
        return serviceHealth(member.id);
    }
    return State::Unknown;
}

State HealthCalculator::redundancyGroupHealth(const RedundancyGroup &group) const
{
    QList<State> states;
    for (const ServiceMember &member : group.members) {
        if (member.kind == MemberKind::HostGroup) {
            for (const QUuid &hostId : m_topology.hostsInGroup(member.id))
                states.append(hostHealth(hostId));
        } else {
            states.append(memberHealth(member));
        }
    }

    bool anyWithData = false;
    bool anyNotOk = false;
    State least = State::NoData;
    for (State state : states) {
        if (state == State::NoData)
            continue;
        least = anyWithData ? leastSevere(least, state) : state;
        anyWithData = true;
        anyNotOk = anyNotOk || state != State::Ok;
    }
    if (least == State::Ok && anyNotOk)
        return State::Degraded;
    return least;
}

State HealthCalculator::computeServiceHealth(const Service &service) const
{
    State health = State::NoData;
    for (const ServiceMember &member : service.dependencies)
        health = mostSevere(health, memberHealth(member));
    for (const RedundancyGroup &group : service.redundancyGroups)
        health = mostSevere(health, redundancyGroupHealth(group));
    return health;
}

State HealthCalculator::serviceHealth(const QUuid &serviceId) const
{
    const auto cached = m_serviceHealth.constFind(serviceId);
    if (cached != m_serviceHealth.constEnd())
        return *cached;
    if (m_servicesInProgress.contains(serviceId))
        return State::Unknown;
    const auto service = m_config.services.constFind(serviceId);
    if (service == m_config.services.constEnd())
        return State::NoData;

    m_servicesInProgress.insert(serviceId);
    const State health = computeServiceHealth(*service);
    m_servicesInProgress.remove(serviceId);
    m_serviceHealth.insert(serviceId, health);
    return health;
}

} // namespace prophasis
