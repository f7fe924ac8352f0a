#pragma once

#include <QDateTime>
#include <QList>
#include <QUuid>

#include "shared/domain/configuration.h"
#include "shared/health/healthcalculator.h"
#include "shared/health/topology.h"

namespace prophasis::test {

// The fixed "now" of configuration fixtures: schedules start ten days before it.
inline const QDateTime FixtureNow(QDate(2024, 3, 1), QTime(12, 0), Qt::UTC);

// Builds a configuration and latest results with short calls; ids are sequential so that
// orders are reproducible.
class ConfigurationFixture
{
public:
    Configuration config;
    LatestResults results;

    QUuid newId() { return QUuid(++m_lastId, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); }

    QUuid host(const QString &name, bool enabled = true, const Variables &variables = {})
    {
        Host host;
        host.id = newId();
        host.name = name;
        host.enabled = enabled;
        host.variables = variables;
        config.hosts.insert(host.id, host);
        return host.id;
    }

    QUuid group(const QString &name, const QList<QUuid> &hostIds, const QList<QUuid> &groupIds = {},
                const Variables &variables = {})
    {
        HostGroup group;
        group.id = newId();
        group.name = name;
        group.hostIds = hostIds;
        group.groupIds = groupIds;
        group.variables = variables;
        config.groups.insert(group.id, group);
        return group.id;
    }

    void nestGroup(const QUuid &parentId, const QUuid &childId)
    {
        config.groups[parentId].groupIds.append(childId);
    }

    QUuid plugin(const QString &name)
    {
        Plugin plugin;
        plugin.id = newId();
        plugin.name = name;
        config.plugins.insert(plugin.id, plugin);
        return plugin.id;
    }

    QUuid check(const QList<QUuid> &hostIds, const QList<QUuid> &groupIds, const QList<QUuid> &pluginIds,
                bool enabled = true)
    {
        Check check;
        check.id = newId();
        check.name = QStringLiteral("check %1").arg(m_lastId);
        check.hostIds = hostIds;
        check.groupIds = groupIds;
        for (const QUuid &pluginId : pluginIds)
            check.plugins.append(CheckPlugin{pluginId, {}, std::nullopt});
        check.enabled = enabled;
        config.checks.insert(check.id, check);
        return check.id;
    }

    QUuid schedule(const QList<QUuid> &checkIds, const QList<qint64> &periods, bool enabled = true)
    {
        Schedule schedule;
        schedule.id = newId();
        schedule.checkIds = checkIds;
        for (qint64 period : periods)
            schedule.intervals.append({FixtureNow.addDays(-10), period});
        schedule.enabled = enabled;
        config.schedules.insert(schedule.id, schedule);
        return schedule.id;
    }

    void result(const QUuid &hostId, const QUuid &checkId, const QUuid &pluginId, State state,
                qint64 ageSeconds = 0)
    {
        results.insert({hostId, checkId, pluginId}, {FixtureNow.addSecs(-ageSeconds), state});
    }

    // A host whose single check reports `state` (no result at all for NoData).
    QUuid hostInState(const QString &name, State state)
    {
        const QUuid id = host(name);
        const QUuid pluginId = defaultPlugin();
        const QUuid checkId = check({id}, {}, {pluginId});
        if (state != State::NoData)
            result(id, checkId, pluginId, state);
        return id;
    }

    QUuid service(const QList<ServiceMember> &dependencies, const QList<QList<ServiceMember>> &redundant = {})
    {
        Service service;
        service.id = newId();
        service.name = QStringLiteral("service %1").arg(m_lastId);
        service.dependencies = dependencies;
        for (const QList<ServiceMember> &members : redundant)
            service.redundancyGroups.append({QStringLiteral("redundant"), members});
        config.services.insert(service.id, service);
        return service.id;
    }

    // A member in the given state: a host, or for "degraded" a nested service that is degraded.
    ServiceMember memberInState(State state)
    {
        if (state == State::Degraded) {
            const QUuid up = hostInState(QStringLiteral("up"), State::Ok);
            const QUuid down = hostInState(QStringLiteral("down"), State::Critical);
            return serviceMember(service({}, {{hostMember(up), hostMember(down)}}));
        }
        return hostMember(hostInState(QStringLiteral("member"), state));
    }

    HealthCalculator calculator() const { return HealthCalculator(config, results, FixtureNow); }
    Topology topology() const { return Topology(config); }

    static ServiceMember hostMember(const QUuid &id) { return {MemberKind::Host, id, {}}; }
    static ServiceMember groupMember(const QUuid &id) { return {MemberKind::HostGroup, id, {}}; }
    static ServiceMember serviceMember(const QUuid &id) { return {MemberKind::Service, id, {}}; }
    static ServiceMember hostPluginMember(const QUuid &hostId, const QUuid &pluginId)
    {
        return {MemberKind::HostPlugin, hostId, pluginId};
    }

private:
    QUuid defaultPlugin()
    {
        if (m_defaultPlugin.isNull())
            m_defaultPlugin = plugin(QStringLiteral("cpu"));
        return m_defaultPlugin;
    }

    uint m_lastId = 0;
    QUuid m_defaultPlugin;
};

} // namespace prophasis::test
