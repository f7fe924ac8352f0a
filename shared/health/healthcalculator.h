#pragma once

#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QUuid>

#include "shared/domain/configuration.h"
#include "shared/domain/state.h"
#include "shared/health/topology.h"

namespace prophasis {

// One time series: a plugin of a check on a host.
struct SeriesKey
{
    QUuid hostId;
    QUuid checkId;
    QUuid pluginId;
    friend bool operator==(const SeriesKey &, const SeriesKey &) = default;
};

size_t qHash(const SeriesKey &key, size_t seed = 0) noexcept;

struct LatestResult
{
    QDateTime time;
    State classification = State::Unknown;
};

using LatestResults = QHash<SeriesKey, LatestResult>;

// A series' state as health counts it at `now` (SPEC §2): no data without a latest result
// (`result` null), unknown for a stale one (older than its check's staleness limit, or without a
// time) or one that is not a result classification, else its classification. The one place of
// this rule: the calculator, the engine's HealthTracker and the reports use it.
State seriesStateAt(const Topology &topology, const LatestResult *result, const QUuid &checkId,
                    const QDateTime &now);

// The health rules of SPEC §2 over one configuration snapshot, the latest result of each
// series and a fixed "now". Host and service health are memoised, so one calculator answers
// one round of questions and is then thrown away; it is not thread-safe.
class HealthCalculator
{
public:
    HealthCalculator(const Configuration &config, const LatestResults &results, const QDateTime &now);
    // Reuses a topology already built from the same configuration.
    HealthCalculator(const Configuration &config, const Topology &topology, const LatestResults &results,
                     const QDateTime &now);

    // Most severe latest result of every applying (check, plugin) pair; stale results count as
    // unknown; no data when nothing has arrived, and for a disabled or unknown host.
    State hostHealth(const QUuid &hostId) const;
    // Most severe of the group's hosts, through nesting; no data when empty.
    State hostGroupHealth(const QUuid &groupId) const;
    // "HTTP on web1": as hostHealth, counting only the pairs of that plugin.
    State hostPluginHealth(const QUuid &hostId, const QUuid &pluginId) const;
    // Most severe of the dependencies and redundancy groups; no data when the service is empty
    // or unknown. A service met again while it is being computed (a cycle) counts as unknown.
    State serviceHealth(const QUuid &serviceId) const;
    // Host groups stand for each of their hosts; no-data members are ignored unless all are;
    // the least severe member wins, and ok beside a member that is not ok is degraded.
    State redundancyGroupHealth(const RedundancyGroup &group) const;

    const Topology &topology() const { return m_topology; }

    // Host health already known (kept current by the core's HealthTracker), so service health
    // does not walk every series of every member host again.
    void assumeHostHealth(const QHash<QUuid, State> &hostHealth) { m_hostHealth = hostHealth; }

private:
    State seriesState(const QUuid &hostId, const CheckPluginPair &pair) const;
    State memberHealth(const ServiceMember &member) const;
    State computeServiceHealth(const Service &service) const;

    // Copies are cheap: Qt containers share their data until written.
    Configuration m_config;
    Topology m_topology;
    LatestResults m_results;
    QDateTime m_now;

    mutable QHash<QUuid, State> m_hostHealth;
    mutable QHash<QUuid, State> m_serviceHealth;
    mutable QSet<QUuid> m_servicesInProgress;
};

} // namespace prophasis
