#include "daemon-core/storage/servicestore.h"

#include "shared/domain/validation.h"
#include "shared/health/cycles.h"

namespace prophasis {

namespace {

// group_position of a dependency; redundancy groups count from 0.
constexpr int DependencyPosition = -1;

} // namespace

ServiceStore::ServiceStore(Database &db)
    : EntityStore(db, QStringLiteral("services"), QStringLiteral("service"))
{
}

QList<ServiceStore::Column> ServiceStore::columns(const Service &service) const
{
    return {
        {QStringLiteral("name"), service.name},
        {QStringLiteral("description"), service.description},
    };
}

void ServiceStore::readRow(const QSqlQuery &row, Service &service) const
{
    service.name = row.value(QStringLiteral("name")).toString();
    service.description = row.value(QStringLiteral("description")).toString();
}

void ServiceStore::readChildren(QHash<QUuid, Service *> &byId)
{
    QSqlQuery groups = selectChildren(QStringLiteral("SELECT service_id, name FROM service_redundancy_groups"),
                                      QStringLiteral("service_id"), byId);
    while (groups.next()) {
        if (Service *service = byId.value(idFromDb(groups.value(0))))
            service->redundancyGroups.append({groups.value(1).toString(), {}});
    }
    // Ordered by group_position then position, so members land in their saved order.
    QSqlQuery members = byId.size() == 1
                            ? m_db.exec(QStringLiteral("SELECT * FROM service_members WHERE service_id = ? "
                                                       "ORDER BY group_position, position"),
                                        {dbId(byId.constBegin().key())})
                            : m_db.exec(QStringLiteral("SELECT * FROM service_members ORDER BY service_id, group_position, position"));
    while (members.next()) {
        Service *service = byId.value(idFromDb(members.value(QStringLiteral("service_id"))));
        if (!service)
            continue;
        ServiceMember member;
        member.kind = enumFromName<MemberKind>(members.value(QStringLiteral("kind")).toString()).value_or(MemberKind::Host);
        switch (member.kind) {
        case MemberKind::Host:
            member.id = idFromDb(members.value(QStringLiteral("host_id")));
            break;
        case MemberKind::HostPlugin:
            member.id = idFromDb(members.value(QStringLiteral("host_id")));
            member.pluginId = idFromDb(members.value(QStringLiteral("plugin_id")));
            break;
        case MemberKind::HostGroup:
            member.id = idFromDb(members.value(QStringLiteral("group_id")));
            break;
        case MemberKind::Service:
            member.id = idFromDb(members.value(QStringLiteral("member_service_id")));
            break;
        }
        const int groupPosition = members.value(QStringLiteral("group_position")).toInt();
        if (groupPosition == DependencyPosition)
            service->dependencies.append(member);
        else if (groupPosition >= 0 && groupPosition < service->redundancyGroups.size())
            service->redundancyGroups[groupPosition].members.append(member);
    }
}

void ServiceStore::insertMember(const QUuid &serviceId, int groupPosition, int position, const ServiceMember &member)
{
    const QVariant none(QMetaType::fromType<QString>());
    const bool onHost = member.kind == MemberKind::Host || member.kind == MemberKind::HostPlugin;
    m_db.exec(QStringLiteral("INSERT INTO service_members (service_id, group_position, position, kind, host_id, group_id, "
                             "plugin_id, member_service_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
              {dbId(serviceId), groupPosition, position, enumName(member.kind), onHost ? dbId(member.id) : none,
               member.kind == MemberKind::HostGroup ? dbId(member.id) : none,
               member.kind == MemberKind::HostPlugin ? dbId(member.pluginId) : none,
               member.kind == MemberKind::Service ? dbId(member.id) : none});
}

void ServiceStore::writeChildren(const Service &service)
{
    for (qsizetype i = 0; i < service.dependencies.size(); ++i)
        insertMember(service.id, DependencyPosition, int(i), service.dependencies[i]);
    for (qsizetype g = 0; g < service.redundancyGroups.size(); ++g) {
        const RedundancyGroup &group = service.redundancyGroups[g];
        m_db.exec(QStringLiteral("INSERT INTO service_redundancy_groups (service_id, position, name) VALUES (?, ?, ?)"),
                  {dbId(service.id), int(g), group.name});
        for (qsizetype i = 0; i < group.members.size(); ++i)
            insertMember(service.id, int(g), int(i), group.members[i]);
    }
}

QList<std::pair<QString, QString>> ServiceStore::childTables() const
{
    return {{QStringLiteral("service_members"), QStringLiteral("service_id")},
            {QStringLiteral("service_redundancy_groups"), QStringLiteral("service_id")}};
}

void ServiceStore::checkRules(const Service &service)
{
    EntityRows::requireValid(validate(service));
    m_rows.requireUniqueName(QStringLiteral("name"), service.name, service.id);

    QList<ServiceMember> members = service.dependencies;
    for (const RedundancyGroup &group : service.redundancyGroups)
        members.append(group.members);
    QList<QUuid> hosts, groups, plugins, services;
    for (const ServiceMember &member : members) {
        switch (member.kind) {
        case MemberKind::Host:
            hosts.append(member.id);
            break;
        case MemberKind::HostPlugin:
            hosts.append(member.id);
            plugins.append(member.pluginId);
            break;
        case MemberKind::HostGroup:
            groups.append(member.id);
            break;
        case MemberKind::Service:
            services.append(member.id);
            break;
        }
    }
    EntityRows::requireExisting(m_db, QStringLiteral("hosts"), QStringLiteral("host"), hosts, QStringLiteral("members"));
    EntityRows::requireExisting(m_db, QStringLiteral("host_groups"), QStringLiteral("host group"), groups, QStringLiteral("members"));
    EntityRows::requireExisting(m_db, QStringLiteral("plugins"), QStringLiteral("plugin"), plugins, QStringLiteral("members"));
    // A service being created is not in the table yet, but may not name itself either.
    services.removeAll(service.id);
    EntityRows::requireExisting(m_db, QStringLiteral("services"), QStringLiteral("service"), services, QStringLiteral("members"));
    if (nestedServiceIds(service).isEmpty())
        return;

    if (m_db.kind() == DatabaseKind::Postgres)
        m_db.exec(QStringLiteral("LOCK TABLE service_members IN SHARE ROW EXCLUSIVE MODE"));
    QHash<QUuid, Service> graph;
    QSqlQuery edges = m_db.exec(QStringLiteral("SELECT service_id, member_service_id FROM service_members WHERE kind = 'service'"));
    while (edges.next())
        graph[idFromDb(edges.value(0))].dependencies.append({MemberKind::Service, idFromDb(edges.value(1)), {}});
    m_rows.refuseCycle(findServiceCycle(graph, service), QStringLiteral("members"));
}

} // namespace prophasis
