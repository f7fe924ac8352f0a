#include "daemon-core/alerting/alertmatcher.h"

#include <algorithm>

namespace prophasis {

AlertMatcher::AlertMatcher(std::shared_ptr<const Configuration> config)
    : m_config(std::move(config))
    , m_topology(*m_config)
{
    for (const Alert &alert : m_config->alerts) {
        if (alert.enabled)
            m_alertOrder.append(alert.id);
    }
    std::sort(m_alertOrder.begin(), m_alertOrder.end(), [this](const QUuid &a, const QUuid &b) {
        const int byName =
            QString::compare(m_config->alerts[a].name, m_config->alerts[b].name, Qt::CaseInsensitive);
        return byName != 0 ? byName < 0 : a < b;
    });
}

QList<QUuid> AlertMatcher::match(const HealthChange &change) const
{
    QList<QUuid> fired;
    for (const QUuid &id : m_alertOrder) {
        if (matches(m_config->alerts[id], change))
            fired.append(id);
    }
    return fired;
}

bool AlertMatcher::matches(const Alert &alert, const HealthChange &change) const
{
    if (!alert.enabled || change.from == change.to || change.from == State::NoData)
        return false;
    if (!alert.fromStates.isEmpty() && !alert.fromStates.contains(change.from))
        return false;
    if (!alert.toStates.isEmpty() && !alert.toStates.contains(change.to))
        return false;
    return inScope(alert.scope, change) && restrictionMet(alert, change);
}

bool AlertMatcher::inScope(const AlertScope &scope, const HealthChange &change) const
{
    if (change.subject == HealthChange::Subject::Service)
        return scope.allServices || scope.serviceIds.contains(change.id);
    if (scope.allHosts || scope.hostIds.contains(change.id))
        return true;
    const QList<QUuid> groups = m_topology.groupsOfHost(change.id);
    return std::any_of(scope.groupIds.cbegin(), scope.groupIds.cend(),
                       [&](const QUuid &groupId) { return groups.contains(groupId); });
}

bool AlertMatcher::restrictionMet(const Alert &alert, const HealthChange &change) const
{
    if (alert.pluginIds.isEmpty() && alert.checkIds.isEmpty())
        return true;
    return std::any_of(change.causes.cbegin(), change.causes.cend(), [&](const SeriesKey &cause) {
        if (!alert.pluginIds.isEmpty() && !alert.pluginIds.contains(cause.pluginId))
            return false;
        if (!alert.checkIds.isEmpty() && !alert.checkIds.contains(cause.checkId))
            return false;
        if (change.subject == HealthChange::Subject::Host)
            return cause.hostId == change.id;
        return m_topology.servicesOfHost(cause.hostId).contains(change.id);
    });
}

} // namespace prophasis
