#include "daemon-core/storage/checkstore.h"

#include "shared/domain/validation.h"

namespace prophasis {

CheckStore::CheckStore(Database &db)
    : EntityStore(db, QStringLiteral("checks"), QStringLiteral("check"))
{
}

QList<CheckStore::Column> CheckStore::columns(const Check &check) const
{
    return {
        {QStringLiteral("name"), check.name},
        {QStringLiteral("description"), check.description},
        {QStringLiteral("enabled"), check.enabled},
    };
}

void CheckStore::readRow(const QSqlQuery &row, Check &check) const
{
    check.name = row.value(QStringLiteral("name")).toString();
    check.description = row.value(QStringLiteral("description")).toString();
    check.enabled = row.value(QStringLiteral("enabled")).toBool();
}

void CheckStore::readChildren(QHash<QUuid, Check *> &byId)
{
    QSqlQuery hosts = selectChildren(QStringLiteral("SELECT check_id, host_id FROM check_hosts"), QStringLiteral("check_id"), byId);
    while (hosts.next()) {
        if (Check *check = byId.value(idFromDb(hosts.value(0))))
            check->hostIds.append(idFromDb(hosts.value(1)));
    }
    QSqlQuery groups = selectChildren(QStringLiteral("SELECT check_id, group_id FROM check_groups"), QStringLiteral("check_id"), byId);
    while (groups.next()) {
        if (Check *check = byId.value(idFromDb(groups.value(0))))
            check->groupIds.append(idFromDb(groups.value(1)));
    }
    QSqlQuery plugins = selectChildren(
        QStringLiteral("SELECT check_id, plugin_id, arguments, classifier_source, classifier_n FROM check_plugins"),
        QStringLiteral("check_id"), byId);
    while (plugins.next()) {
        Check *check = byId.value(idFromDb(plugins.value(0)));
        if (!check)
            continue;
        CheckPlugin entry;
        entry.pluginId = idFromDb(plugins.value(1));
        entry.arguments = jsonObjectFromDb(plugins.value(2));
        if (!plugins.value(3).isNull())
            entry.classifierOverride = Classifier{plugins.value(3).toString(), plugins.value(4).toInt()};
        check->plugins.append(entry);
    }
}

void CheckStore::writeChildren(const Check &check)
{
    for (qsizetype i = 0; i < check.hostIds.size(); ++i)
        m_db.exec(QStringLiteral("INSERT INTO check_hosts (check_id, host_id, position) VALUES (?, ?, ?)"),
                  {dbId(check.id), dbId(check.hostIds[i]), int(i)});
    for (qsizetype i = 0; i < check.groupIds.size(); ++i)
        m_db.exec(QStringLiteral("INSERT INTO check_groups (check_id, group_id, position) VALUES (?, ?, ?)"),
                  {dbId(check.id), dbId(check.groupIds[i]), int(i)});
    for (qsizetype i = 0; i < check.plugins.size(); ++i) {
        const CheckPlugin &entry = check.plugins[i];
        const bool overridden = entry.classifierOverride.has_value();
        m_db.exec(QStringLiteral("INSERT INTO check_plugins (check_id, plugin_id, position, arguments, classifier_source, "
                                 "classifier_n) VALUES (?, ?, ?, ?, ?, ?)"),
                  {dbId(check.id), dbId(entry.pluginId), int(i), dbJson(entry.arguments),
                   dbOptionalText(overridden ? entry.classifierOverride->source : QString(), overridden),
                   overridden ? QVariant(entry.classifierOverride->nHistorical) : QVariant(QMetaType::fromType<int>())});
    }
}

QList<std::pair<QString, QString>> CheckStore::childTables() const
{
    return {{QStringLiteral("check_hosts"), QStringLiteral("check_id")},
            {QStringLiteral("check_groups"), QStringLiteral("check_id")},
            {QStringLiteral("check_plugins"), QStringLiteral("check_id")}};
}

void CheckStore::checkRules(const Check &check)
{
    EntityRows::requireValid(validate(check));
    m_rows.requireUniqueName(QStringLiteral("name"), check.name, check.id);
    EntityRows::requireExisting(m_db, QStringLiteral("hosts"), QStringLiteral("host"), check.hostIds, QStringLiteral("host_ids"));
    EntityRows::requireExisting(m_db, QStringLiteral("host_groups"), QStringLiteral("host group"), check.groupIds,
                                QStringLiteral("group_ids"));
    QList<QUuid> pluginIds;
    for (const CheckPlugin &entry : check.plugins)
        pluginIds.append(entry.pluginId);
    EntityRows::requireExisting(m_db, QStringLiteral("plugins"), QStringLiteral("plugin"), pluginIds, QStringLiteral("plugins"));
}

ScheduleStore::ScheduleStore(Database &db)
    : EntityStore(db, QStringLiteral("schedules"), QStringLiteral("schedule"))
{
}

QList<ScheduleStore::Column> ScheduleStore::columns(const Schedule &schedule) const
{
    return {
        {QStringLiteral("name"), schedule.name},
        {QStringLiteral("description"), schedule.description},
        {QStringLiteral("enabled"), schedule.enabled},
    };
}

void ScheduleStore::readRow(const QSqlQuery &row, Schedule &schedule) const
{
    schedule.name = row.value(QStringLiteral("name")).toString();
    schedule.description = row.value(QStringLiteral("description")).toString();
    schedule.enabled = row.value(QStringLiteral("enabled")).toBool();
}

void ScheduleStore::readChildren(QHash<QUuid, Schedule *> &byId)
{
    QSqlQuery intervals = selectChildren(QStringLiteral("SELECT schedule_id, start_ms, period_s FROM schedule_intervals"),
                                         QStringLiteral("schedule_id"), byId);
    while (intervals.next()) {
        if (Schedule *schedule = byId.value(idFromDb(intervals.value(0))))
            schedule->intervals.append({timeFromDb(intervals.value(1)), intervals.value(2).toLongLong()});
    }
    QSqlQuery checks = selectChildren(QStringLiteral("SELECT schedule_id, check_id FROM schedule_checks"),
                                      QStringLiteral("schedule_id"), byId);
    while (checks.next()) {
        if (Schedule *schedule = byId.value(idFromDb(checks.value(0))))
            schedule->checkIds.append(idFromDb(checks.value(1)));
    }
}

void ScheduleStore::writeChildren(const Schedule &schedule)
{
    for (qsizetype i = 0; i < schedule.intervals.size(); ++i)
        m_db.exec(QStringLiteral("INSERT INTO schedule_intervals (schedule_id, position, start_ms, period_s) VALUES (?, ?, ?, ?)"),
                  {dbId(schedule.id), int(i), dbTime(schedule.intervals[i].start), schedule.intervals[i].periodSeconds});
    for (qsizetype i = 0; i < schedule.checkIds.size(); ++i)
        m_db.exec(QStringLiteral("INSERT INTO schedule_checks (schedule_id, check_id, position) VALUES (?, ?, ?)"),
                  {dbId(schedule.id), dbId(schedule.checkIds[i]), int(i)});
}

QList<std::pair<QString, QString>> ScheduleStore::childTables() const
{
    return {{QStringLiteral("schedule_intervals"), QStringLiteral("schedule_id")},
            {QStringLiteral("schedule_checks"), QStringLiteral("schedule_id")}};
}

void ScheduleStore::checkRules(const Schedule &schedule)
{
    EntityRows::requireValid(validate(schedule));
    m_rows.requireUniqueName(QStringLiteral("name"), schedule.name, schedule.id);
    EntityRows::requireExisting(m_db, QStringLiteral("checks"), QStringLiteral("check"), schedule.checkIds,
                                QStringLiteral("check_ids"));
}

} // namespace prophasis
