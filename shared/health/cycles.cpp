#include "shared/health/cycles.h"

#include <QSet>

namespace prophasis {

QList<QUuid> findCycleThrough(const QUuid &start, const std::function<QList<QUuid>(const QUuid &)> &edges)
{
    // Depth-first search with an explicit stack; parent links rebuild the path once start is
    // reached again.
    QHash<QUuid, QUuid> parentOf;
    QSet<QUuid> visited;
    QList<QUuid> stack = {start};
    while (!stack.isEmpty()) {
        const QUuid node = stack.takeLast();
        for (const QUuid &next : edges(node)) {
            if (next == start) {
                QList<QUuid> path = {start};
                for (QUuid step = node; step != start; step = parentOf.value(step))
                    path.insert(1, step);
                path.append(start);
                return path;
            }
            if (visited.contains(next))
                continue;
            visited.insert(next);
            parentOf.insert(next, node);
            stack.append(next);
        }
    }
    return {};
}

QList<QUuid> findGroupCycle(const QHash<QUuid, HostGroup> &groups, const HostGroup &candidate)
{
    return findCycleThrough(candidate.id, [&](const QUuid &id) {
        if (id == candidate.id)
            return candidate.groupIds;
        return groups.value(id).groupIds;
    });
}

QList<QUuid> nestedServiceIds(const Service &service)
{
    QList<QUuid> ids;
    auto collect = [&ids](const QList<ServiceMember> &members) {
        for (const ServiceMember &member : members) {
            if (member.kind == MemberKind::Service)
                ids.append(member.id);
        }
    };
    collect(service.dependencies);
    for (const RedundancyGroup &group : service.redundancyGroups)
        collect(group.members);
    return ids;
}

QList<QUuid> findServiceCycle(const QHash<QUuid, Service> &services, const Service &candidate)
{
    return findCycleThrough(candidate.id, [&](const QUuid &id) {
        if (id == candidate.id)
            return nestedServiceIds(candidate);
        const auto it = services.constFind(id);
        return it == services.constEnd() ? QList<QUuid>() : nestedServiceIds(*it);
    });
}

} // namespace prophasis
