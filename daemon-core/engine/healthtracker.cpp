#include "daemon-core/engine/healthtracker.h"

#include <algorithm>

namespace prophasis {

namespace {

void noteChange(HealthChange::Subject subject, const QUuid &id, State from, State to, const QDateTime &now,
                const QList<SeriesKey> &causes, QList<HealthChange> *changes)
{
    if (changes && from != to)
        changes->append({subject, id, from, to, now, causes});
}

QList<SeriesKey> causesOnHost(const QList<SeriesKey> &causes, const QUuid &hostId)
{
    QList<SeriesKey> onHost;
    for (const SeriesKey &series : causes) {
        if (series.hostId == hostId)
            onHost.append(series);
    }
    return onHost;
}

} // namespace

void HealthTracker::reset(const Configuration &config, const LatestResults &latest, const QDateTime &now)
{
    m_config = config;
    m_topology = std::make_unique<Topology>(m_config);
    m_latest = latest;
    m_hostState.clear();
    m_serviceState.clear();
    recomputeAll(now, nullptr);
}

QList<HealthChange> HealthTracker::setConfiguration(const Configuration &config, const QDateTime &now)
{
    m_config = config;
    m_topology = std::make_unique<Topology>(m_config);
    // Series of hosts that are gone can never be asked for again.
    m_latest.removeIf([this](const auto &entry) { return !m_config.hosts.contains(entry.key().hostId); });
    QList<HealthChange> changes;
    recomputeAll(now, &changes);
    return changes;
}

QList<HealthChange> HealthTracker::recordResult(const SeriesKey &series, const LatestResult &result,
                                                const QDateTime &now)
{
    QList<HealthChange> changes;
    if (!m_topology || !m_config.hosts.contains(series.hostId))
        return changes;
    const auto known = m_latest.constFind(series);
    // Results can arrive out of order (a slow run finishing after a later one, a spool replayed).
    if (known != m_latest.constEnd() && known->time.isValid() && result.time.isValid() &&
        result.time < known->time)
        return changes;
    m_latest.insert(series, result);
    const auto counted = m_seriesState.constFind(series);
    if (counted == m_seriesState.constEnd())
        return changes; // not a series health looks at (a disabled host, a check no longer applying)
    setStaleDeadline(series, result);
    const State state = effectiveState(series, result, now);
    if (state == *counted)
        return changes;
    QSet<QUuid> touched;
    setSeriesState(series, state, &touched);
    updateHosts(touched, {series}, now, &changes);
    return changes;
}

QList<HealthChange> HealthTracker::expireStale(const QDateTime &now)
{
    QList<HealthChange> changes;
    QSet<QUuid> touched;
    QList<SeriesKey> stale;
    const qint64 nowMs = now.toMSecsSinceEpoch();
    while (!m_staleDeadlines.isEmpty() && m_staleDeadlines.firstKey() <= nowMs) {
        const SeriesKey series = m_staleDeadlines.first();
        m_staleDeadlines.erase(m_staleDeadlines.begin());
        m_staleDeadlineOf.remove(series);
        if (m_seriesState.contains(series)) {
            setSeriesState(series, State::Unknown, &touched);
            stale.append(series);
        }
    }
    updateHosts(touched, stale, now, &changes);
    return changes;
}

std::optional<QDateTime> HealthTracker::nextStaleness() const
{
    if (m_staleDeadlines.isEmpty())
        return std::nullopt;
    return QDateTime::fromMSecsSinceEpoch(m_staleDeadlines.firstKey(), Qt::UTC);
}

State HealthTracker::effectiveState(const SeriesKey &series, const LatestResult &result,
                                    const QDateTime &now) const
{
    return seriesStateAt(*m_topology, &result, series.checkId, now);
}

void HealthTracker::setSeriesState(const SeriesKey &series, State state, QSet<QUuid> *touchedHosts)
{
    State &counted = m_seriesState[series];
    StateCounts &counts = m_counts[series.hostId];
    --counts[std::size_t(counted)];
    ++counts[std::size_t(state)];
    counted = state;
    touchedHosts->insert(series.hostId);
}

// Stale once strictly older than StalePeriods × the check's shortest period (SPEC §2).
void HealthTracker::setStaleDeadline(const SeriesKey &series, const LatestResult &result)
{
    clearStaleDeadline(series);
    const std::optional<qint64> limit = m_topology->stalenessLimitSeconds(series.checkId);
    if (!limit || !result.time.isValid())
        return;
    const qint64 deadline = result.time.toMSecsSinceEpoch() + *limit * 1000 + 1;
    m_staleDeadlines.insert(deadline, series);
    m_staleDeadlineOf.insert(series, deadline);
}

void HealthTracker::clearStaleDeadline(const SeriesKey &series)
{
    const auto old = m_staleDeadlineOf.constFind(series);
    if (old == m_staleDeadlineOf.constEnd())
        return;
    m_staleDeadlines.remove(*old, series);
    m_staleDeadlineOf.erase(old);
}

State HealthTracker::stateFromCounts(const QUuid &hostId) const
{
    const auto counts = m_counts.constFind(hostId);
    if (counts == m_counts.constEnd())
        return State::NoData;
    State health = State::NoData;
    for (std::size_t i = 0; i < counts->size(); ++i) {
        if ((*counts)[i] > 0)
            health = mostSevere(health, State(i));
    }
    return health;
}

// Reports the hosts' new states and works out the services they take part in again.
void HealthTracker::updateHosts(const QSet<QUuid> &hostIds, const QList<SeriesKey> &causes,
                                const QDateTime &now, QList<HealthChange> *changes)
{
    if (hostIds.isEmpty())
        return;
    QSet<QUuid> services;
    for (const QUuid &hostId : hostIds) {
        const State state = stateFromCounts(hostId);
        noteChange(HealthChange::Subject::Host, hostId, m_hostState.value(hostId, State::NoData), state, now,
                   causesOnHost(causes, hostId), changes);
        m_hostState.insert(hostId, state);
        // Even when the host's state stays, a host_plugin member of a service may have moved.
        for (const QUuid &serviceId : m_topology->servicesOfHost(hostId))
            services.insert(serviceId);
    }
    if (services.isEmpty())
        return;
    // The calculator shares m_latest and m_config (implicitly shared) and is gone before either
    // is written again, so no write ever copies them.
    HealthCalculator calculator(m_config, *m_topology, m_latest, now);
    calculator.assumeHostHealth(m_hostState);
    for (const QUuid &serviceId : std::as_const(services)) {
        const State state = calculator.serviceHealth(serviceId);
        noteChange(HealthChange::Subject::Service, serviceId, m_serviceState.value(serviceId, State::NoData),
                   state, now, causes, changes);
        m_serviceState.insert(serviceId, state);
    }
}

void HealthTracker::recomputeAll(const QDateTime &now, QList<HealthChange> *changes)
{
    m_hostState.removeIf([this](const auto &entry) { return !m_config.hosts.contains(entry.key()); });
    m_serviceState.removeIf([this](const auto &entry) { return !m_config.services.contains(entry.key()); });
    m_seriesState.clear();
    m_counts.clear();
    m_staleDeadlines.clear();
    m_staleDeadlineOf.clear();
    QSet<QUuid> hosts;
    for (auto host = m_config.hosts.constBegin(); host != m_config.hosts.constEnd(); ++host) {
        hosts.insert(host.key());
        if (!host->enabled)
            continue; // a disabled host has no data (SPEC §2)
        StateCounts &counts = m_counts[host.key()];
        counts.fill(0);
        for (const CheckPluginPair &pair : m_topology->pairsForHost(host.key())) {
            const SeriesKey series{host.key(), pair.checkId, pair.pluginId};
            const auto result = m_latest.constFind(series);
            // A series without a result is counted as no data, the least severe state.
            const State state =
                result == m_latest.constEnd() ? State::NoData : effectiveState(series, *result, now);
            m_seriesState.insert(series, state);
            ++counts[std::size_t(state)];
            if (result != m_latest.constEnd() && state != State::Unknown)
                setStaleDeadline(series, *result);
        }
    }
    updateHosts(hosts, {}, now, changes);
    // Services no host takes part in (empty ones, or only empty groups) still have a state.
    HealthCalculator calculator(m_config, *m_topology, m_latest, now);
    calculator.assumeHostHealth(m_hostState);
    for (auto it = m_config.services.constBegin(); it != m_config.services.constEnd(); ++it) {
        if (m_serviceState.contains(it.key()))
            continue;
        const State state = calculator.serviceHealth(it.key());
        noteChange(HealthChange::Subject::Service, it.key(), State::NoData, state, now, {}, changes);
        m_serviceState.insert(it.key(), state);
    }
}

} // namespace prophasis
