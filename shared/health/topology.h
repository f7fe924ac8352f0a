#pragma once

#include <QHash>
#include <QList>
#include <QUuid>
#include <optional>

#include "shared/domain/configuration.h"

namespace prophasis {

// One series of results on a host: a plugin of a check.
struct CheckPluginPair
{
    QUuid checkId;
    QUuid pluginId;
    friend bool operator==(const CheckPluginPair &, const CheckPluginPair &) = default;
};

size_t qHash(const CheckPluginPair &pair, size_t seed = 0) noexcept;

// A result older than this many periods of its check's shortest interval is stale (SPEC §2).
inline constexpr qint64 StalePeriods = 3;

// Who is in which group, what runs where and which services a host feeds, worked out once
// from a configuration snapshot so that health queries are lookups. Group and service cycles
// (refused on save) are tolerated: every walk visits each node once.
// Ids that name nothing in the configuration (deleted hosts, groups, plugins) are skipped.
class Topology
{
public:
    explicit Topology(const Configuration &config);

    // Every host in the group, through nested groups; sorted, no duplicates.
    QList<QUuid> hostsInGroup(const QUuid &groupId) const;
    // Every group the host is in, directly or through nesting; sorted.
    QList<QUuid> groupsOfHost(const QUuid &hostId) const;
    // Each plugin of each enabled check assigned to the host or to one of its groups; sorted.
    // The host's own enabled flag is left to the caller (health reports a disabled host as
    // no data).
    QList<CheckPluginPair> pairsForHost(const QUuid &hostId) const;
    // StalePeriods × the shortest period among the enabled schedules running the check.
    // nullopt when no enabled schedule runs it: nothing is expected to arrive, so its last
    // result keeps its classification rather than turning unknown for a check paused on purpose.
    std::optional<qint64> stalenessLimitSeconds(const QUuid &checkId) const;
    // The host's variables over its groups'. Groups farther away (more nesting steps, counted
    // along the shortest path) are applied first so nearer groups override them; among groups
    // at the same distance the name that sorts later (case-insensitively, then by id) wins, so
    // the outcome does not depend on hash order.
    Variables effectiveVariables(const QUuid &hostId) const;
    // Every service the host takes part in: as a host, through a host group, as a host_plugin
    // member, or through a service nested in another; sorted.
    QList<QUuid> servicesOfHost(const QUuid &hostId) const;

private:
    void indexGroups(const Configuration &config);
    void indexChecks(const Configuration &config);
    void indexServices(const Configuration &config);

    QHash<QUuid, QList<QUuid>> m_hostsInGroup;
    QHash<QUuid, QList<QUuid>> m_groupsOfHost;
    QHash<QUuid, Variables> m_effectiveVariables;
    QHash<QUuid, QList<CheckPluginPair>> m_pairsForHost;
    QHash<QUuid, qint64> m_shortestPeriod;
    QHash<QUuid, QList<QUuid>> m_servicesNamingHost; // directly, before nesting
    QHash<QUuid, QList<QUuid>> m_servicesNestingService;
};

} // namespace prophasis
