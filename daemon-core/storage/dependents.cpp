#include "daemon-core/storage/dependents.h"

#include <QSqlQuery>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/sqlvalues.h"

namespace prophasis {

namespace {

// One kind of reference: the rows of `linkTable` whose `column` names the object, joined to the
// table of the objects holding them.
struct Reference
{
    const char *entityType;
    const char *ownerTable;
    const char *linkTable;
    const char *ownerColumn; // in linkTable, the holder's id
    const char *column;      // in linkTable, the referenced object's id
    const char *relation;
};

// Every reference the schema has to each kind of object (001_initial.sql).
const QHash<QString, QList<Reference>> &referencesByType()
{
    static const QHash<QString, QList<Reference>> references{
        {QStringLiteral("host"),
         {{"host_group", "host_groups", "host_group_hosts", "group_id", "host_id", "has it as a member"},
          {"check", "checks", "check_hosts", "check_id", "host_id", "runs on it"},
          {"service", "services", "service_members", "service_id", "host_id", "counts it"},
          {"alert", "alerts", "alert_refs", "alert_id", "host_id", "watches it"}}},
        {QStringLiteral("host_group"),
         {{"host_group", "host_groups", "host_group_groups", "group_id", "member_group_id",
           "has it as a member"},
          {"check", "checks", "check_groups", "check_id", "group_id", "runs on it"},
          {"service", "services", "service_members", "service_id", "group_id", "counts it"},
          {"alert", "alerts", "alert_refs", "alert_id", "group_id", "watches it"}}},
        {QStringLiteral("plugin"),
         {{"check", "checks", "check_plugins", "check_id", "plugin_id", "runs it"},
          {"service", "services", "service_members", "service_id", "plugin_id", "counts it"},
          {"alert", "alerts", "alert_refs", "alert_id", "plugin_id", "is restricted to it"}}},
        {QStringLiteral("check"),
         {{"schedule", "schedules", "schedule_checks", "schedule_id", "check_id", "runs it"},
          {"alert", "alerts", "alert_refs", "alert_id", "check_id", "is restricted to it"}}},
        {QStringLiteral("service"),
         {{"service", "services", "service_members", "service_id", "member_service_id", "counts it"},
          {"alert", "alerts", "alert_refs", "alert_id", "service_id", "watches it"}}},
    };
    return references;
}

} // namespace

QList<Dependent> dependentsOf(Database &db, const QString &entityType, const QUuid &id)
{
    QList<Dependent> dependents;
    for (const Reference &reference : referencesByType().value(entityType)) {
        // DISTINCT: a service may count a host in several places.
        QSqlQuery row =
            db.exec(QStringLiteral("SELECT DISTINCT o.id, o.name FROM %1 l JOIN %2 o ON o.id = l.%3 "
                                   "WHERE l.%4 = ? ORDER BY o.name")
                        .arg(QLatin1String(reference.linkTable), QLatin1String(reference.ownerTable),
                             QLatin1String(reference.ownerColumn), QLatin1String(reference.column)),
                    {dbId(id)});
        while (row.next()) {
            dependents.append({QString::fromLatin1(reference.entityType), idFromDb(row.value(0)),
                               row.value(1).toString(), QString::fromLatin1(reference.relation)});
        }
    }
    return dependents;
}

QString describeDependents(const QList<Dependent> &dependents)
{
    QStringList parts;
    for (const Dependent &dependent : dependents) {
        parts.append(
            QStringLiteral("%1 \"%2\" (%3)")
                .arg(QString(dependent.entityType).replace(u'_', u' '), dependent.name, dependent.relation));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace prophasis
