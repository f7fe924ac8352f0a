#include "daemon-core/storage/hoststore.h"

#include "shared/domain/validation.h"
#include "shared/health/cycles.h"

namespace prophasis {

HostStore::HostStore(Database &db)
    : EntityStore(db, QStringLiteral("hosts"), QStringLiteral("host"))
{
}

QList<HostStore::Column> HostStore::columns(const Host &host) const
{
    return {
        {QStringLiteral("name"), host.name},
        {QStringLiteral("address"), host.address},
        {QStringLiteral("agent_port"), int(host.agentPort)},
        {QStringLiteral("description"), host.description},
        {QStringLiteral("agent_key_sha256"), host.agentKeySha256},
        {QStringLiteral("enabled"), host.enabled},
        {QStringLiteral("variables"), dbVariables(host.variables)},
    };
}

void HostStore::readRow(const QSqlQuery &row, Host &host) const
{
    host.name = row.value(QStringLiteral("name")).toString();
    host.address = row.value(QStringLiteral("address")).toString();
    host.agentPort = quint16(row.value(QStringLiteral("agent_port")).toUInt());
    host.description = row.value(QStringLiteral("description")).toString();
    host.agentKeySha256 = row.value(QStringLiteral("agent_key_sha256")).toString();
    host.enabled = row.value(QStringLiteral("enabled")).toBool();
    host.variables = variablesFromDb(row.value(QStringLiteral("variables")));
}

void HostStore::checkRules(const Host &host)
{
    EntityRows::requireValid(validate(host));
    m_rows.requireUniqueName(QStringLiteral("name"), host.name, host.id);
}

HostGroupStore::HostGroupStore(Database &db)
    : EntityStore(db, QStringLiteral("host_groups"), QStringLiteral("host group"))
{
}

QList<HostGroupStore::Column> HostGroupStore::columns(const HostGroup &group) const
{
    return {
        {QStringLiteral("name"), group.name},
        {QStringLiteral("description"), group.description},
        {QStringLiteral("variables"), dbVariables(group.variables)},
    };
}

void HostGroupStore::readRow(const QSqlQuery &row, HostGroup &group) const
{
    group.name = row.value(QStringLiteral("name")).toString();
    group.description = row.value(QStringLiteral("description")).toString();
    group.variables = variablesFromDb(row.value(QStringLiteral("variables")));
}

void HostGroupStore::readChildren(QHash<QUuid, HostGroup *> &byId)
{
    QSqlQuery hosts = selectChildren(QStringLiteral("SELECT group_id, host_id FROM host_group_hosts"),
                                     QStringLiteral("group_id"), byId);
    while (hosts.next()) {
        if (HostGroup *group = byId.value(idFromDb(hosts.value(0))))
            group->hostIds.append(idFromDb(hosts.value(1)));
    }
    QSqlQuery groups = selectChildren(QStringLiteral("SELECT group_id, member_group_id FROM host_group_groups"),
                                      QStringLiteral("group_id"), byId);
    while (groups.next()) {
        if (HostGroup *group = byId.value(idFromDb(groups.value(0))))
            group->groupIds.append(idFromDb(groups.value(1)));
    }
}

void HostGroupStore::writeChildren(const HostGroup &group)
{
    for (qsizetype i = 0; i < group.hostIds.size(); ++i)
        m_db.exec(QStringLiteral("INSERT INTO host_group_hosts (group_id, host_id, position) VALUES (?, ?, ?)"),
                  {dbId(group.id), dbId(group.hostIds[i]), int(i)});
    for (qsizetype i = 0; i < group.groupIds.size(); ++i)
        m_db.exec(QStringLiteral("INSERT INTO host_group_groups (group_id, member_group_id, position) VALUES (?, ?, ?)"),
                  {dbId(group.id), dbId(group.groupIds[i]), int(i)});
}

QList<std::pair<QString, QString>> HostGroupStore::childTables() const
{
    return {{QStringLiteral("host_group_hosts"), QStringLiteral("group_id")},
            {QStringLiteral("host_group_groups"), QStringLiteral("group_id")}};
}

void HostGroupStore::checkRules(const HostGroup &group)
{
    EntityRows::requireValid(validate(group));
    m_rows.requireUniqueName(QStringLiteral("name"), group.name, group.id);
    EntityRows::requireExisting(m_db, QStringLiteral("hosts"), QStringLiteral("host"), group.hostIds,
                                QStringLiteral("host_ids"));
    EntityRows::requireExisting(m_db, QStringLiteral("host_groups"), QStringLiteral("host group"), group.groupIds,
                                QStringLiteral("group_ids"));
    if (group.groupIds.isEmpty())
        return;
    // The whole nesting graph is small; read it in the transaction so the check sees every
    // committed edge.
    if (m_db.kind() == DatabaseKind::Postgres)
        m_db.exec(QStringLiteral("LOCK TABLE host_group_groups IN SHARE ROW EXCLUSIVE MODE"));
    QHash<QUuid, HostGroup> graph;
    QSqlQuery edges = m_db.exec(QStringLiteral("SELECT group_id, member_group_id FROM host_group_groups"));
    while (edges.next())
        graph[idFromDb(edges.value(0))].groupIds.append(idFromDb(edges.value(1)));
    m_rows.refuseCycle(findGroupCycle(graph, group), QStringLiteral("group_ids"));
}

} // namespace prophasis
