#include "daemon-core/engine/healthtracker.h"

#include <QSet>

#include <algorithm>

namespace prophasis {

namespace {

void noteChange(HealthChange::Subject subject, const QUuid &id, State from, State to, const QDateTime &now,
                QList<HealthChange> *changes)
{
    if (changes && from != to)
        changes->append({subject, id, from, to, now});
}

} // namespace

void HealthTracker::reset(const Configuration &config, const LatestResults &latest, const QDateTime &now)
{
    m_config = config;
    m_topology = std::make_unique<Topology>(m_config);
    m_latest = latest;
    m_hostState.clear();
    m_serviceState.clear();
    m_staleDeadlines.clear();
    m_staleDeadlineOfHost.clear();
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

QList<HealthChange> HealthTracker::recordResult(const SeriesKey &series, const LatestResult &result, const QDateTime &now)
{
    QList<HealthChange> changes;
    if (!m_topology)
        return changes;
    if (!m_config.hosts.contains(series.hostId))
        return changes;
    const auto known = m_latest.constFind(series);
    // Results can arrive out of order (a slow run finishing after a later one, a spool replayed).
    if (known != m_latest.constEnd() && known->time.isValid() && result.time.isValid() && result.time < known->time)
        return changes;
    m_latest.insert(series, result);
    recompute({series.hostId}, now, &changes);
    return changes;
}

QList<HealthChange> HealthTracker::expireStale(const QDateTime &now)
{
    QList<HealthChange> changes;
    QList<QUuid> due;
    const qint64 nowMs = now.toMSecsSinceEpoch();
    while (!m_staleDeadlines.isEmpty() && m_staleDeadlines.firstKey() <= nowMs) {
        const QUuid hostId = m_staleDeadlines.first();
        m_staleDeadlines.erase(m_staleDeadlines.begin());
        m_staleDeadlineOfHost.remove(hostId);
        due.append(hostId);
    }
    if (!due.isEmpty())
        recompute(due, now, &changes);
    return changes;
}

std::optional<QDateTime> HealthTracker::nextStaleness() const
{
    if (m_staleDeadlines.isEmpty())
        return std::nullopt;
    return QDateTime::fromMSecsSinceEpoch(m_staleDeadlines.firstKey(), Qt::UTC);
}

void HealthTracker::recompute(const QList<QUuid> &hostIds, const QDateTime &now, QList<HealthChange> *changes)
{
    // The calculator shares m_latest and m_config (implicitly shared) and must be gone before
    // either is written again, or the next write would copy the whole hash.
    const HealthCalculator calculator(m_config, *m_topology, m_latest, now);
    QSet<QUuid> services;
    for (const QUuid &hostId : hostIds) {
        if (!m_config.hosts.contains(hostId))
            continue;
        const State state = calculator.hostHealth(hostId);
        noteChange(HealthChange::Subject::Host, hostId, m_hostState.value(hostId, State::NoData), state, now, changes);
        m_hostState.insert(hostId, state);
        updateStaleDeadline(hostId, now);
        for (const QUuid &serviceId : m_topology->servicesOfHost(hostId))
            services.insert(serviceId);
    }
    for (const QUuid &serviceId : std::as_const(services)) {
        const State state = calculator.serviceHealth(serviceId);
        noteChange(HealthChange::Subject::Service, serviceId, m_serviceState.value(serviceId, State::NoData), state, now,
                   changes);
        m_serviceState.insert(serviceId, state);
    }
}

void HealthTracker::recomputeAll(const QDateTime &now, QList<HealthChange> *changes)
{
    m_hostState.removeIf([this](const auto &entry) { return !m_config.hosts.contains(entry.key()); });
    m_serviceState.removeIf([this](const auto &entry) { return !m_config.services.contains(entry.key()); });
    m_staleDeadlines.clear();
    m_staleDeadlineOfHost.clear();
    recompute(m_config.hosts.keys(), now, changes);
    // Services no host takes part in (empty ones, or only groups without hosts) still have a state.
    const HealthCalculator calculator(m_config, *m_topology, m_latest, now);
    for (auto it = m_config.services.constBegin(); it != m_config.services.constEnd(); ++it) {
        if (m_serviceState.contains(it.key()))
            continue;
        const State state = calculator.serviceHealth(it.key());
        noteChange(HealthChange::Subject::Service, it.key(), State::NoData, state, now, changes);
        m_serviceState.insert(it.key(), state);
    }
}

// The earliest moment one of the host's fresh results turns stale (SPEC §2: older than
// StalePeriods × the check's shortest period), or none.
void HealthTracker::updateStaleDeadline(const QUuid &hostId, const QDateTime &now)
{
    if (const auto old = m_staleDeadlineOfHost.constFind(hostId); old != m_staleDeadlineOfHost.constEnd()) {
        m_staleDeadlines.remove(*old, hostId);
        m_staleDeadlineOfHost.erase(old);
    }
    const auto host = m_config.hosts.constFind(hostId);
    if (host == m_config.hosts.constEnd() || !host->enabled)
        return;
    const qint64 nowMs = now.toMSecsSinceEpoch();
    std::optional<qint64> earliest;
    for (const CheckPluginPair &pair : m_topology->pairsForHost(hostId)) {
        const auto result = m_latest.constFind(SeriesKey{hostId, pair.checkId, pair.pluginId});
        if (result == m_latest.constEnd() || !result->time.isValid())
            continue;
        const std::optional<qint64> limit = m_topology->stalenessLimitSeconds(pair.checkId);
        if (!limit)
            continue;
        // Stale once strictly older than the limit.
        const qint64 deadline = result->time.toMSecsSinceEpoch() + *limit * 1000 + 1;
        if (deadline > nowMs)
            earliest = earliest ? std::min(*earliest, deadline) : deadline;
    }
    if (earliest) {
        m_staleDeadlines.insert(*earliest, hostId);
        m_staleDeadlineOfHost.insert(hostId, *earliest);
    }
}

} // namespace prophasis
