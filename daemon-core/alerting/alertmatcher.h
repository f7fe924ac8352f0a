#pragma once

#include <QList>
#include <QUuid>

#include <memory>

#include "daemon-core/engine/healthtracker.h"
#include "shared/domain/configuration.h"
#include "shared/health/topology.h"

namespace prophasis {

// Which enabled alerts a health change fires (SPEC §1 "Alert", §5 "Alerting"). Pure: one
// configuration snapshot in, alert ids out.
//
// Rules, all of which must hold:
// - Leaving "no data" never alerts: a host's first results, a new service, the end of a pause.
// - from / to: the alert's lists contain the change's states (an empty list means any state).
// - Scope: a host change matches "all hosts", the host itself, or a group holding it (through
//   nested groups); a service change matches "all services" or the service itself. A host alert
//   never fires for the services the host feeds, nor a service alert for its hosts.
// - Plugin / check restrictions are matched against change.causes, the series whose state moved:
//   some cause must be of a listed plugin (when plugins are listed) and of a listed check (when
//   checks are listed), both on the same cause. A change without causes (a configuration change)
//   matches only unrestricted alerts.
//   For a service change the causes are the series that moved in the same step on hosts taking
//   part in the service (directly, through a group, as a host_plugin member or through a nested
//   service); a cause on a host outside the service is ignored. So "service Web, plugin HTTP"
//   fires when Web changes because an HTTP result on one of its hosts changed, and not when the
//   same host's disk check moved Web.
// A core restart raises nothing because the engine reports no changes then.
class AlertMatcher
{
public:
    explicit AlertMatcher(std::shared_ptr<const Configuration> config);

    // The ids of the alerts the change fires, ordered by alert name (then id), so deliveries
    // and tests see a stable order.
    QList<QUuid> match(const HealthChange &change) const;
    bool matches(const Alert &alert, const HealthChange &change) const;

    const Configuration &configuration() const { return *m_config; }
    const Topology &topology() const { return m_topology; }

private:
    bool inScope(const AlertScope &scope, const HealthChange &change) const;
    bool restrictionMet(const Alert &alert, const HealthChange &change) const;

    std::shared_ptr<const Configuration> m_config;
    Topology m_topology;
    QList<QUuid> m_alertOrder; // enabled alerts, by name then id
};

} // namespace prophasis
