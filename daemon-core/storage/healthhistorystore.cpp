#include "daemon-core/storage/healthhistorystore.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTimer>

#include <algorithm>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/resultcodes.h"
#include "daemon-core/storage/sqlvalues.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcHealthHistory, "prophasis.storage.healthhistory")

} // namespace

HealthHistoryStore::HealthHistoryStore(Database &db)
    : m_db(db)
{
}

void HealthHistoryStore::append(const QList<StoredHealthChange> &changes)
{
    if (changes.isEmpty())
        return;
    m_db.transaction([&] {
        for (qsizetype start = 0; start < changes.size(); start += RowsPerStatement) {
            const qsizetype end = std::min<qsizetype>(changes.size(), start + RowsPerStatement);
            QStringList rows;
            QVariantList values;
            values.reserve((end - start) * 5);
            for (qsizetype i = start; i < end; ++i) {
                const StoredHealthChange &change = changes[i];
                const QDateTime time = change.time.isValid() ? change.time : QDateTime::currentDateTimeUtc();
                rows.append(QStringLiteral("(?, ?, ?, ?, ?)"));
                values << dbTime(time) << QString(enumName(change.subject)) << dbId(change.subjectId)
                       << stateCode(change.from) << stateCode(change.to);
            }
            // Values written inline: QtSql binds slowly, and these are many small rows.
            m_db.execInline(
                QStringLiteral(
                    "INSERT INTO health_changes (time_ms, subject, subject_id, from_state, to_state) "
                    "VALUES ") +
                    rows.join(QStringLiteral(", ")),
                values);
        }
    });
}

QList<StoredHealthChange> HealthHistoryStore::list(const QUuid &subjectId, const QDateTime &from,
                                                   const QDateTime &to, int limit)
{
    QString sql = QStringLiteral("SELECT id, time_ms, subject, subject_id, from_state, to_state "
                                 "FROM health_changes WHERE subject_id = ?");
    QVariantList values = {dbId(subjectId)};
    if (from.isValid()) {
        sql += QStringLiteral(" AND time_ms >= ?");
        values.append(dbTime(from));
    }
    if (to.isValid()) {
        sql += QStringLiteral(" AND time_ms < ?");
        values.append(dbTime(to));
    }
    sql += QStringLiteral(" ORDER BY time_ms DESC, id DESC LIMIT ?");
    values.append(std::clamp(limit, 1, MaxListLimit));
    QSqlQuery query = m_db.exec(sql, values);
    QList<StoredHealthChange> changes;
    while (query.next()) {
        StoredHealthChange change;
        change.id = query.value(0).toLongLong();
        change.time = timeFromDb(query.value(1));
        change.subject = enumFromName<HealthSubject>(query.value(2).toString()).value_or(HealthSubject::Host);
        change.subjectId = idFromDb(query.value(3));
        change.from = stateFromCode(query.value(4).toInt());
        change.to = stateFromCode(query.value(5).toInt());
        changes.append(change);
    }
    return changes;
}

int HealthHistoryStore::removeOlderThan(const QDateTime &time)
{
    return m_db.exec(QStringLiteral("DELETE FROM health_changes WHERE time_ms < ?"), {dbTime(time)})
        .numRowsAffected();
}

HealthHistoryRecorder::HealthHistoryRecorder(StorageExecutor &executor, QObject *parent)
    : QObject(parent)
    , m_executor(executor)
{
}

HealthHistoryRecorder::~HealthHistoryRecorder()
{
    if (m_pending.isEmpty())
        return;
    // Shutdown: the executor finishes its queued jobs before it stops.
    m_executor.run([changes = m_pending](Database &db) { HealthHistoryStore(db).append(changes); });
}

void HealthHistoryRecorder::record(const StoredHealthChange &change)
{
    if (m_pending.size() >= MaxPending) {
        noteFailure(1, QStringLiteral("more than %1 changes wait for the database").arg(MaxPending));
        return;
    }
    m_pending.append(change);
    if (m_flushQueued || m_writing)
        return;
    // The rest of this loop turn's changes join the batch.
    m_flushQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_flushQueued = false;
        flush();
    });
}

void HealthHistoryRecorder::flush()
{
    if (m_writing || m_pending.isEmpty())
        return;
    m_writing = true;
    const QList<StoredHealthChange> batch = std::exchange(m_pending, {});
    whenReady(
        m_executor.run([batch](Database &db) { HealthHistoryStore(db).append(batch); }), this,
        [this, count = int(batch.size())] {
            m_writing = false;
            if (m_failing) {
                qCInfo(lcHealthHistory) << "recording health changes works again;" << m_lostThisOutage
                                        << "change(s) were not recorded meanwhile";
                m_failing = false;
                m_lostThisOutage = 0;
            }
            Q_EMIT written(count);
            flush();
        },
        [this, count = int(batch.size())](const StorageError &error) {
            m_writing = false;
            noteFailure(count, error.message());
            flush();
        });
}

void HealthHistoryRecorder::noteFailure(int count, const QString &reason)
{
    m_lost += count;
    m_lostThisOutage += count;
    if (m_failing)
        return;
    m_failing = true;
    qCWarning(lcHealthHistory).noquote()
        << count << "health change(s) not recorded in the health history:" << reason
        << "(further losses are counted until recording works again)";
}

void HealthHistoryRecorder::expireBefore(const QDateTime &time)
{
    whenReady(
        m_executor.run([time](Database &db) { return HealthHistoryStore(db).removeOlderThan(time); }), this,
        [](int removed) {
            if (removed > 0)
                qCInfo(lcHealthHistory) << "expired" << removed << "old health change(s)";
        },
        [](const StorageError &error) {
            // The next retention run tries again.
            qCWarning(lcHealthHistory).noquote() << "expiring old health changes failed:" << error.message();
        });
}

} // namespace prophasis
