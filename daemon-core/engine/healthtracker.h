#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QUuid>

#include <array>
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
    // The series whose state moved and so caused this change (for a host, only its own series):
    // one for a new result, those that went stale, none for a configuration change. Alerts
    // restricted to plugins or checks match against these.
    QList<SeriesKey> causes;
    friend bool operator==(const HealthChange &, const HealthChange &) = default;
};

// The health of every host and service, kept current one result at a time (SPEC §2, §5).
//
// Each host keeps a count of its series per state, so a result costs a few hash lookups however
// many series the host has: the host's state is the most severe state with a count, and only
// when a series' state changes are the host and the services it takes part in worked out again.
// Results going stale turn their series unknown through one deadline per series, so a quiet host
// turns unknown on time without any result arriving. A full recomputation happens only when the
// configuration changes. Not thread-safe: it lives on the engine's loop.
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
    QList<HealthChange> recordResult(const SeriesKey &series, const LatestResult &result,
                                     const QDateTime &now);
    // Series whose results went stale by `now` turn unknown.
    QList<HealthChange> expireStale(const QDateTime &now);
    // When the next result goes stale; nullopt when none can.
    std::optional<QDateTime> nextStaleness() const;

    State hostState(const QUuid &hostId) const { return m_hostState.value(hostId, State::NoData); }
    State serviceState(const QUuid &serviceId) const
    {
        return m_serviceState.value(serviceId, State::NoData);
    }
    const QHash<QUuid, State> &hostStates() const { return m_hostState; }
    const QHash<QUuid, State> &serviceStates() const { return m_serviceState; }
    const LatestResults &latest() const { return m_latest; }

private:
    using StateCounts = std::array<int, 7>; // per State enumerator

    void recomputeAll(const QDateTime &now, QList<HealthChange> *changes);
    // The series' state as health counts it at `now`: its classification, or unknown when stale.
    State effectiveState(const SeriesKey &series, const LatestResult &result, const QDateTime &now) const;
    // Moves a counted series to `state` and notes its host for updateHosts().
    void setSeriesState(const SeriesKey &series, State state, QSet<QUuid> *touchedHosts);
    void setStaleDeadline(const SeriesKey &series, const LatestResult &result);
    void clearStaleDeadline(const SeriesKey &series);
    State stateFromCounts(const QUuid &hostId) const;
    void updateHosts(const QSet<QUuid> &hostIds, const QList<SeriesKey> &causes, const QDateTime &now,
                     QList<HealthChange> *changes);

    Configuration m_config;
    std::unique_ptr<Topology> m_topology;
    LatestResults m_latest;
    QHash<SeriesKey, State> m_seriesState; // the series counted for health (enabled host, applying pair)
    QHash<QUuid, StateCounts> m_counts;    // per host
    QHash<QUuid, State> m_hostState;
    QHash<QUuid, State> m_serviceState;
    QMultiMap<qint64, SeriesKey> m_staleDeadlines; // ms since epoch → series turning stale then
    QHash<SeriesKey, qint64> m_staleDeadlineOf;
};

} // namespace prophasis
