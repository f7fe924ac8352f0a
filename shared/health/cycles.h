#pragma once

#include <QHash>
#include <QList>
#include <QUuid>

#include <functional>

#include "shared/domain/host.h"
#include "shared/domain/service.h"

namespace prophasis {

// Follows `edges` from `start` and returns a path start → … → start if one exists, else an
// empty list. Visits each node once, so it ends on any graph, cyclic or not.
QList<QUuid> findCycleThrough(const QUuid &start, const std::function<QList<QUuid>(const QUuid &)> &edges);

// Would saving `candidate` (new or changed) make a group contain itself, directly or through
// nested groups? Returns the cycle's path of group ids, or empty.
QList<QUuid> findGroupCycle(const QHash<QUuid, HostGroup> &groups, const HostGroup &candidate);

// The same for services nested in services (as dependencies or redundancy group members).
QList<QUuid> findServiceCycle(const QHash<QUuid, Service> &services, const Service &candidate);

// The services a service names directly, in dependencies and redundancy groups.
QList<QUuid> nestedServiceIds(const Service &service);

} // namespace prophasis
