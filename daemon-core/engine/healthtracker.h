#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMap>
#include <QUuid>

#include <memory>
#include <optional>

#include "shared/domain/configuration.h"
#include "shared/health/healthcalculator.h"

namespace prophasis {

// A host's or a service's health moved from one state to another (SPEC §2). The alerting
// issue matches these against alerts; the API streams them to consoles.
struct HealthChange
{
    enum class Subject
    {
        Host,
        Service,
    };
    Subject subject = Subject::Host;
    QUuid id;
    State from = State::NoData;
    State to = State::NoData;
    QDateTime time;
    friend bool operator==(const HealthChange &, const HealthChange &) = default;
};

// The health of every host and service, kept current one result at a time: a result
// recomputes its host and the services that host takes part in, not the whole world.
// Results going stale (SPEC §2) are found through one deadline per host, so a quiet host turns
// unknown on time without any result arriving. Not thread-safe: it lives on the engine's loop.
class HealthTracker
{
public:
    // Sets the configuration and the latest result of every series (from storage) and works out
    // every state without reporting changes: a core restart raises no alerts (SPEC §5).
    void reset(const Configuration &config, const LatestResults &latest, const QDateTime &now);
    // A changed configuration: every host and service is worked out again, and what moved is
    // reported (a host added to a failing check turns critical; a removed one simply goes).
    QList<HealthChange> setConfiguration(const Configuration &config, const QDateTime &now);
    // A new latest result of one series. Older results than the stored latest change nothing.
    QList<HealthChange> recordResult(const SeriesKey &series, const LatestResult &result, const QDateTime &now);
    // Hosts whose results went stale by `now` are worked out again.
    QList<HealthChange> expireStale(const QDateTime &now);
    // When the next result goes stale; nullopt when none can.
    std::optional<QDateTime> nextStaleness() const;

    State hostState(const QUuid &hostId) const { return m_hostState.value(hostId, State::NoData); }
    State serviceState(const QUuid &serviceId) const { return m_serviceState.value(serviceId, State::NoData); }
    const QHash<QUuid, State> &hostStates() const { return m_hostState; }
    const QHash<QUuid, State> &serviceStates() const { return m_serviceState; }
    const LatestResults &latest() const { return m_latest; }

private:
    // Recomputes the hosts and, through them, their services; appends what changed.
    void recompute(const QList<QUuid> &hostIds, const QDateTime &now, QList<HealthChange> *changes);
    void recomputeAll(const QDateTime &now, QList<HealthChange> *changes);
    void updateStaleDeadline(const QUuid &hostId, const QDateTime &now);

    Configuration m_config;
    std::unique_ptr<Topology> m_topology;
    LatestResults m_latest;
    QHash<QUuid, State> m_hostState;
    QHash<QUuid, State> m_serviceState;
    QMultiMap<qint64, QUuid> m_staleDeadlines; // ms since epoch → host
    QHash<QUuid, qint64> m_staleDeadlineOfHost;
};

} // namespace prophasis
