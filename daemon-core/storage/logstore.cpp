#include "daemon-core/storage/logstore.h"

#include <QLoggingCategory>
#include <QSqlQuery>

#include <algorithm>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/sqlvalues.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcLogRetention, "prophasis.storage.logretention")
Q_LOGGING_CATEGORY(lcSystemLog, "prophasis.systemlog")

const QString SystemLogColumns =
    QStringLiteral("id, first_ms, last_ms, count, severity, category, message, fold_key, host_id, is_read");

LogEntry logEntryFromRow(const QSqlQuery &row)
{
    LogEntry entry;
    entry.id = row.value(0).toLongLong();
    entry.firstSeen = timeFromDb(row.value(1));
    entry.lastSeen = timeFromDb(row.value(2));
    entry.count = row.value(3).toLongLong();
    entry.severity = enumFromName<LogSeverity>(row.value(4).toString()).value_or(LogSeverity::Info);
    entry.category = row.value(5).toString();
    entry.message = row.value(6).toString();
    entry.foldKey = row.value(7).toString();
    entry.hostId = idFromDb(row.value(8));
    entry.read = row.value(9).toBool();
    return entry;
}

int clampLimit(int limit)
{
    return std::clamp(limit, 1, MaxLogQueryLimit);
}

} // namespace

SystemLogStore::SystemLogStore(Database &db)
    : m_db(db)
{
}

LogEntry SystemLogStore::record(const LogEntry &entry)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime first = entry.firstSeen.isValid()  ? entry.firstSeen
                            : entry.lastSeen.isValid() ? entry.lastSeen
                                                       : now;
    const QDateTime last = std::max(first, entry.lastSeen.isValid() ? entry.lastSeen : first);
    const QString foldKey = entry.foldKey.isEmpty() ? entry.category + u'|' + entry.message : entry.foldKey;
    // The conflict target names the partial index's predicate, so only an unread entry absorbs
    // the repeat. Both databases run the upsert atomically: no lost counts, no second entry.
    // SET expressions see the stored row's old values, so the CASEs compare against them.
    const QString sql = m_db.dialectSql(
        QStringLiteral(
            "INSERT INTO system_log (first_ms, last_ms, count, severity, category, message, fold_key, "
            "host_id, is_read) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (fold_key) WHERE NOT is_read DO UPDATE SET "
            "count = system_log.count + excluded.count, "
            "first_ms = {least}(system_log.first_ms, excluded.first_ms), "
            "last_ms = {greatest}(system_log.last_ms, excluded.last_ms), "
            "severity = CASE WHEN excluded.last_ms >= system_log.last_ms "
            "THEN excluded.severity ELSE system_log.severity END, "
            "message = CASE WHEN excluded.last_ms >= system_log.last_ms "
            "THEN excluded.message ELSE system_log.message END "
            "RETURNING %1")
            .arg(SystemLogColumns));
    QSqlQuery row = m_db.exec(sql, {dbTime(first), dbTime(last), std::max<qint64>(entry.count, 1),
                                    enumName(entry.severity), entry.category, entry.message, foldKey,
                                    dbId(entry.hostId), false});
    if (!row.next())
        throw StorageError(StorageError::Kind::Internal,
                           QStringLiteral("the system log upsert returned no row"));
    LogEntry stored = logEntryFromRow(row);
    // SQLite commits an autocommit statement only once it is reset.
    row.finish();
    return stored;
}

QList<LogEntry> SystemLogStore::list(const LogQuery &query)
{
    QStringList conditions;
    QVariantList values;
    if (query.unreadOnly)
        conditions.append(QStringLiteral("NOT is_read"));
    if (!query.category.isEmpty()) {
        conditions.append(QStringLiteral("category = ?"));
        values.append(query.category);
    }
    if (!query.hostId.isNull()) {
        conditions.append(QStringLiteral("host_id = ?"));
        values.append(dbId(query.hostId));
    }
    if (query.since.isValid()) {
        conditions.append(QStringLiteral("last_ms >= ?"));
        values.append(dbTime(query.since));
    }
    if (query.beforeLastSeen.isValid()) {
        conditions.append(QStringLiteral("(last_ms < ? OR (last_ms = ? AND id < ?))"));
        values << dbTime(query.beforeLastSeen) << dbTime(query.beforeLastSeen) << query.beforeId;
    }
    values.append(clampLimit(query.limit));
    const QString where = conditions.isEmpty()
                              ? QString()
                              : QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    QSqlQuery row =
        m_db.exec(QStringLiteral("SELECT %1 FROM system_log%2 ORDER BY last_ms DESC, id DESC LIMIT ?")
                      .arg(SystemLogColumns, where),
                  values);
    QList<LogEntry> entries;
    while (row.next())
        entries.append(logEntryFromRow(row));
    return entries;
}

qint64 SystemLogStore::unreadCount()
{
    QSqlQuery row = m_db.exec(QStringLiteral("SELECT COUNT(*) FROM system_log WHERE NOT is_read"));
    row.next();
    return row.value(0).toLongLong();
}

int SystemLogStore::markRead(const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return 0;
    QVariantList values = {true};
    for (qint64 id : ids)
        values.append(id);
    return m_db
        .exec(QStringLiteral("UPDATE system_log SET is_read = ? WHERE NOT is_read AND id IN (%1)")
                  .arg(placeholders(ids.size())),
              values)
        .numRowsAffected();
}

int SystemLogStore::markAllRead()
{
    return m_db.exec(QStringLiteral("UPDATE system_log SET is_read = ? WHERE NOT is_read"), {true})
        .numRowsAffected();
}

int SystemLogStore::removeOlderThan(const QDateTime &time)
{
    return m_db.exec(QStringLiteral("DELETE FROM system_log WHERE last_ms < ?"), {dbTime(time)})
        .numRowsAffected();
}

int SystemLogStore::removeReadOlderThan(const QDateTime &time)
{
    return m_db.exec(QStringLiteral("DELETE FROM system_log WHERE is_read AND last_ms < ?"), {dbTime(time)})
        .numRowsAffected();
}

int SystemLogStore::expire(const QDateTime &now, const SystemLogRetentionPolicy &policy)
{
    return removeReadOlderThan(now.addDays(-policy.readDays)) +
           removeOlderThan(now.addDays(-policy.unreadDays));
}

SystemLogRetention::SystemLogRetention(StorageExecutor &executor, SystemLogRetentionPolicy policy,
                                       QObject *parent, int intervalMs)
    : QObject(parent)
    , m_executor(executor)
    , m_policy(policy)
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { expireNow(); });
}

void SystemLogRetention::start()
{
    m_timer.start();
    expireNow();
}

QFuture<int> SystemLogRetention::expireNow()
{
    if (m_running.isValid() && !m_running.isFinished())
        return m_running;
    const SystemLogRetentionPolicy policy = m_policy;
    m_running = m_executor.run([policy](Database &db) {
        return SystemLogStore(db).expire(QDateTime::currentDateTimeUtc(), policy);
    });
    whenReady(
        m_running, this,
        [this](int removed) {
            if (removed > 0)
                qCInfo(lcLogRetention) << "removed" << removed << "old system log entries";
            Q_EMIT expired(removed);
        },
        [this](const StorageError &error) {
            // The next run tries again; an unavailable database is reported by the result writer.
            qCWarning(lcLogRetention).noquote()
                << "expiring old system log entries failed:" << error.message();
            Q_EMIT failed(error.message());
        });
    return m_running;
}

AuditLogStore::AuditLogStore(Database &db)
    : m_db(db)
{
}

qint64 AuditLogStore::append(const AuditEntry &entry)
{
    if (entry.action.isEmpty())
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("an audit entry needs an action"),
                           QStringLiteral("action"));
    const QDateTime time = entry.time.isValid() ? entry.time : QDateTime::currentDateTimeUtc();
    QSqlQuery row =
        m_db.exec(QStringLiteral("INSERT INTO audit_log (time_ms, user_id, username, source, action, "
                                 "entity_type, entity_id, summary, details) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                  {dbTime(time), dbId(entry.userId), entry.username, entry.source, entry.action,
                   entry.entityType, dbId(entry.entityId), entry.summary, dbJson(entry.details)});
    if (!row.next())
        throw StorageError(StorageError::Kind::Internal,
                           QStringLiteral("the audit log insert returned no id"));
    const qint64 id = row.value(0).toLongLong();
    // SQLite commits an autocommit statement only once it is reset.
    row.finish();
    return id;
}

QList<AuditEntry> AuditLogStore::list(const AuditQuery &query)
{
    QStringList conditions;
    QVariantList values;
    if (query.since.isValid()) {
        conditions.append(QStringLiteral("time_ms >= ?"));
        values.append(dbTime(query.since));
    }
    if (query.until.isValid()) {
        conditions.append(QStringLiteral("time_ms <= ?"));
        values.append(dbTime(query.until));
    }
    if (!query.entityId.isNull()) {
        conditions.append(QStringLiteral("entity_id = ?"));
        values.append(dbId(query.entityId));
    }
    if (!query.userId.isNull()) {
        conditions.append(QStringLiteral("user_id = ?"));
        values.append(dbId(query.userId));
    }
    if (query.beforeId > 0) {
        conditions.append(QStringLiteral("id < ?"));
        values.append(query.beforeId);
    }
    if (query.afterId > 0) {
        conditions.append(QStringLiteral("id > ?"));
        values.append(query.afterId);
    }
    values.append(clampLimit(query.limit));
    const QString where = conditions.isEmpty()
                              ? QString()
                              : QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    QSqlQuery row =
        m_db.exec(QStringLiteral("SELECT id, time_ms, user_id, username, source, action, entity_type, "
                                 "entity_id, summary, details FROM audit_log%1 ORDER BY id DESC LIMIT ?")
                      .arg(where),
                  values);
    QList<AuditEntry> entries;
    while (row.next()) {
        AuditEntry entry;
        entry.id = row.value(0).toLongLong();
        entry.time = timeFromDb(row.value(1));
        entry.userId = idFromDb(row.value(2));
        entry.username = row.value(3).toString();
        entry.source = row.value(4).toString();
        entry.action = row.value(5).toString();
        entry.entityType = row.value(6).toString();
        entry.entityId = idFromDb(row.value(7));
        entry.summary = row.value(8).toString();
        entry.details = jsonObjectFromDb(row.value(9));
        entries.append(entry);
    }
    return entries;
}

int AuditLogStore::removeOlderThan(const QDateTime &time)
{
    return m_db.exec(QStringLiteral("DELETE FROM audit_log WHERE time_ms < ?"), {dbTime(time)})
        .numRowsAffected();
}

void recordInSystemLog(StorageExecutor &executor, QObject *context, LogEntry entry)
{
    if (!entry.lastSeen.isValid())
        entry.lastSeen = QDateTime::currentDateTimeUtc();
    if (!entry.firstSeen.isValid())
        entry.firstSeen = entry.lastSeen;
    whenReady(
        executor.run([entry](Database &db) { SystemLogStore(db).record(entry); }), context, [] {},
        [entry](const StorageError &error) {
            qCWarning(lcSystemLog).noquote()
                << entry.category << entry.message << "(not in the system log:" << error.message() << ')';
        });
}

} // namespace prophasis
