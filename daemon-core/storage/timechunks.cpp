#include "daemon-core/storage/timechunks.h"

#include <QDateTime>
#include <QSet>
#include <QSqlQuery>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/sqlvalues.h"

namespace prophasis {

namespace {

// PostgreSQL advisory lock keys (any fixed numbers, distinct from the migration lock's).
constexpr qint64 ChunkDropLockKey = 4048050;
constexpr qint64 ChunkCreateLockKey = 4048051;
constexpr int PostgresRollupFillFactor = 75;

QDate utcDate(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date();
}

qint64 startOfDayMs(QDate date)
{
    return QDateTime(date, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
}

} // namespace

QString TimeChunk::resultsTable() const
{
    return QStringLiteral("results_") + utcDate(startMs).toString(QStringLiteral("yyyyMMdd"));
}

QString TimeChunk::messagesTable() const
{
    return QStringLiteral("messages_") + utcDate(startMs).toString(QStringLiteral("yyyyMMdd"));
}

QString TimeChunk::rollupsTable() const
{
    return QStringLiteral("rollups_") + utcDate(startMs).toString(QStringLiteral("yyyyMM"));
}

QString TimeChunk::packedTable() const
{
    return resultsTable() + QStringLiteral("_packed");
}

QString TimeChunk::lateTable() const
{
    return resultsTable() + QStringLiteral("_late");
}

TimeChunk TimeChunks::rawChunkAt(qint64 timeMs)
{
    const QDate day = utcDate(timeMs);
    return {ChunkKind::Raw, startOfDayMs(day), startOfDayMs(day.addDays(1))};
}

TimeChunk TimeChunks::rollupChunkAt(qint64 timeMs)
{
    const QDate date = utcDate(timeMs);
    const QDate month(date.year(), date.month(), 1);
    return {ChunkKind::Rollup, startOfDayMs(month), startOfDayMs(month.addMonths(1))};
}

bool TimeChunks::storable(qint64 timeMs)
{
    const int year = utcDate(timeMs).year();
    return timeMs >= 0 && year >= FirstYear && year <= LastYear;
}

TimeChunks::TimeChunks(Database &db)
    : m_db(db)
{
}

QList<TimeChunk> TimeChunks::select(const QString &where, const QVariantList &values) const
{
    QList<TimeChunk> chunks;
    QSqlQuery query =
        m_db.exec(QStringLiteral("SELECT kind, start_ms, end_ms FROM time_chunks ") + where, values);
    while (query.next())
        chunks.append(
            {ChunkKind(query.value(0).toInt()), query.value(1).toLongLong(), query.value(2).toLongLong()});
    return chunks;
}

QList<TimeChunk> TimeChunks::overlapping(ChunkKind kind, qint64 fromMs, qint64 toMs) const
{
    return select(QStringLiteral("WHERE kind = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms"),
                  {int(kind), fromMs, toMs});
}

QList<TimeChunk> TimeChunks::all(ChunkKind kind) const
{
    return select(QStringLiteral("WHERE kind = ? ORDER BY start_ms"), {int(kind)});
}

bool TimeChunks::allExist(const QList<TimeChunk> &chunks) const
{
    if (chunks.isEmpty())
        return true;
    QVariantList starts;
    for (const TimeChunk &chunk : chunks)
        starts.append(chunk.startMs);
    QSqlQuery query =
        m_db.exec(QStringLiteral("SELECT kind, start_ms FROM time_chunks WHERE start_ms IN (%1)")
                      .arg(placeholders(starts.size())),
                  starts);
    QSet<std::pair<int, qint64>> found;
    while (query.next())
        found.insert({query.value(0).toInt(), query.value(1).toLongLong()});
    for (const TimeChunk &chunk : chunks) {
        if (!found.contains({int(chunk.kind), chunk.startMs}))
            return false;
    }
    return true;
}

namespace {

// The raw results table of a day: the chunk's own, or on PostgreSQL a packed chunk's late one.
QString rawResultsDdl(DatabaseKind kind)
{
    // SQLite: WITHOUT ROWID, so the primary key is the table (no second copy of the key in a
    // rowid table and an index). PostgreSQL: columns ordered widest first, so no padding.
    // One result per (series, millisecond): a batch replayed after an outage is ignored
    // where it was already written. outcome packs type, status and classification
    // (resultcodes.h); metrics holds {"<metric id>": value, …} or NULL.
    return kind == DatabaseKind::Sqlite
               ? QStringLiteral("CREATE TABLE %1 ("
                                "series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE, "
                                "time_ms INTEGER NOT NULL, outcome INTEGER NOT NULL, value REAL, "
                                "message_id INTEGER NOT NULL, "
                                "duration_ms INTEGER NOT NULL, metrics TEXT, "
                                "PRIMARY KEY (series_id, time_ms)) WITHOUT ROWID")
               : QStringLiteral("CREATE TABLE %1 ("
                                "time_ms BIGINT NOT NULL, value DOUBLE PRECISION, "
                                "series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE, "
                                "message_id INTEGER NOT NULL, duration_ms INTEGER NOT NULL, "
                                "outcome SMALLINT NOT NULL, metrics JSON, PRIMARY KEY (series_id, time_ms))");
}

// PostgreSQL: the statements that pack a raw chunk (see TimeChunks::pack). Times are stored as
// milliseconds since the day's start (int4). An hour without any value (or metrics) stores
// NULL instead of an array of NULLs: unnest() with several arrays pads a NULL one with NULLs.
// Metrics stay json[] (the text as written, no cast in the view): on the bench's packed day
// (5,000 rows, 3 metrics a result) json[] took 3.16 MB, jsonb[] 3.28 MB, text[] 8.2 MB.
QStringList packStatements(const TimeChunk &chunk)
{
    const QString day = QString::number(chunk.startMs);
    return {
        QStringLiteral(
            "CREATE TABLE %1 (series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE, "
            "hour SMALLINT NOT NULL, times INTEGER[] NOT NULL, outcomes SMALLINT[] NOT NULL, "
            "message_ids INTEGER[] NOT NULL, durations INTEGER[] NOT NULL, "
            "vals DOUBLE PRECISION[], metrics JSON[], PRIMARY KEY (series_id, hour))")
            .arg(chunk.packedTable()),
        QStringLiteral(
            "INSERT INTO %1 (series_id, hour, times, outcomes, message_ids, durations, vals, metrics) "
            "SELECT series_id, hour, array_agg(t ORDER BY t), array_agg(outcome ORDER BY t), "
            "array_agg(message_id ORDER BY t), array_agg(duration_ms ORDER BY t), "
            "CASE WHEN count(value) = 0 THEN NULL ELSE array_agg(value ORDER BY t) END, "
            "CASE WHEN count(metrics) = 0 THEN NULL ELSE array_agg(metrics ORDER BY t) END "
            "FROM (SELECT series_id, ((time_ms - %3) / 3600000)::smallint AS hour, (time_ms - %3)::integer "
            "AS t, "
            "outcome, message_id, duration_ms, value, metrics FROM %2) AS raw "
            "GROUP BY series_id, hour ORDER BY series_id, hour")
            .arg(chunk.packedTable(), chunk.resultsTable(), day),
        QStringLiteral("DROP TABLE %1").arg(chunk.resultsTable()),
        rawResultsDdl(DatabaseKind::Postgres).arg(chunk.lateTable()),
        // The columns in the order of the original table, so the late table's rows line up.
        QStringLiteral(
            "CREATE VIEW %1 AS "
            "SELECT %3::bigint + u.t AS time_ms, u.value, p.series_id, u.message_id, u.duration_ms, "
            "u.outcome, u.metrics FROM %2 p CROSS JOIN LATERAL "
            "unnest(p.times, p.vals, p.message_ids, p.durations, p.outcomes, p.metrics) "
            "AS u (t, value, message_id, duration_ms, outcome, metrics) "
            "UNION ALL SELECT time_ms, value, series_id, message_id, duration_ms, outcome, metrics "
            "FROM %4")
            .arg(chunk.resultsTable(), chunk.packedTable(), day, chunk.lateTable()),
    };
}

} // namespace

QStringList TimeChunks::createStatements(const TimeChunk &chunk) const
{
    const bool sqlite = m_db.kind() == DatabaseKind::Sqlite;
    if (chunk.kind == ChunkKind::Raw) {
        const QString results = rawResultsDdl(m_db.kind());
        // Messages are deduplicated per day by a 64-bit prefix of their SHA-1 and expire with
        // the day's results.
        const QString messages =
            sqlite ? QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, "
                                    "hash INTEGER NOT NULL UNIQUE, text TEXT NOT NULL)")
                   : QStringLiteral("CREATE TABLE %1 (id INTEGER GENERATED BY DEFAULT AS IDENTITY "
                                    "PRIMARY KEY, hash BIGINT NOT NULL UNIQUE, text TEXT NOT NULL)");
        return {results.arg(chunk.resultsTable()), messages.arg(chunk.messagesTable())};
    }
    // metric_id 0 is the result's value; metric ids start at 1. The rows of the current hour
    // are updated by every batch: on PostgreSQL, room left in each page keeps those updates
    // HOT (no new index entries, dead versions pruned in place instead of waiting for vacuum).
    const QString rollups =
        sqlite
            ? QStringLiteral("CREATE TABLE %1 ("
                             "series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE, "
                             "metric_id INTEGER NOT NULL, hour_ms INTEGER NOT NULL, min_value REAL NOT NULL, "
                             "max_value REAL NOT NULL, sum_value REAL NOT NULL, count INTEGER NOT NULL, "
                             "PRIMARY KEY (series_id, metric_id, hour_ms)) WITHOUT ROWID")
            : QStringLiteral("CREATE TABLE %1 ("
                             "hour_ms BIGINT NOT NULL, min_value DOUBLE PRECISION NOT NULL, "
                             "max_value DOUBLE PRECISION NOT NULL, sum_value DOUBLE PRECISION NOT NULL, "
                             "count BIGINT NOT NULL, "
                             "series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE, "
                             "metric_id INTEGER NOT NULL, PRIMARY KEY (series_id, metric_id, hour_ms)) "
                             "WITH (fillfactor = %2)");
    return {sqlite ? rollups.arg(chunk.rollupsTable())
                   : rollups.arg(chunk.rollupsTable()).arg(PostgresRollupFillFactor)};
}

void TimeChunks::ensure(const QList<TimeChunk> &chunks)
{
    if (allExist(chunks))
        return;
    m_db.transaction([&] {
        if (m_db.kind() == DatabaseKind::Postgres)
            m_db.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(ChunkCreateLockKey));
        for (const TimeChunk &chunk : chunks) {
            if (allExist({chunk}))
                continue; // made meanwhile by another writer, or listed twice
            for (const QString &statement : createStatements(chunk))
                m_db.exec(statement);
            m_db.exec(QStringLiteral("INSERT INTO time_chunks (kind, start_ms, end_ms) VALUES (?, ?, ?)"),
                      {int(chunk.kind), chunk.startMs, chunk.endMs});
        }
    });
}

void TimeChunks::lockAgainstDrops()
{
    Q_ASSERT(m_db.inTransaction());
    if (m_db.kind() == DatabaseKind::Postgres)
        m_db.exec(QStringLiteral("SELECT pg_advisory_xact_lock_shared(%1)").arg(ChunkDropLockKey));
}

QList<TimeChunk> TimeChunks::dropEndingBefore(ChunkKind kind, qint64 horizonMs)
{
    const QString marker = kind == ChunkKind::Raw ? QStringLiteral("raw_dropped_before_ms")
                                                  : QStringLiteral("rollups_dropped_before_ms");
    const QList<TimeChunk> expired =
        select(QStringLiteral("WHERE kind = ? AND end_ms <= ? ORDER BY start_ms"), {int(kind), horizonMs});
    for (const TimeChunk &chunk : expired) {
        m_db.transaction([&] {
            if (m_db.kind() == DatabaseKind::Postgres)
                m_db.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(ChunkDropLockKey));
            QStringList tables = kind == ChunkKind::Raw
                                     ? QStringList{chunk.resultsTable(), chunk.messagesTable()}
                                     : QStringList{chunk.rollupsTable()};
            if (kind == ChunkKind::Raw && isPacked(chunk)) {
                m_db.exec(QStringLiteral("DROP VIEW IF EXISTS ") + chunk.resultsTable());
                tables = QStringList{chunk.packedTable(), chunk.lateTable(), chunk.messagesTable()};
            }
            for (const QString &table : std::as_const(tables))
                m_db.exec(QStringLiteral("DROP TABLE IF EXISTS ") + table);
            m_db.exec(QStringLiteral("DELETE FROM time_chunks WHERE kind IN (?, ?) AND start_ms = ?"),
                      {int(kind), int(kind == ChunkKind::Raw ? ChunkKind::PackedRaw : kind), chunk.startMs});
            m_db.exec(QStringLiteral("UPDATE result_retention SET %1 = ? WHERE %1 < ?").arg(marker),
                      {chunk.endMs, chunk.endMs});
        });
    }
    return expired;
}

bool TimeChunks::isPacked(const TimeChunk &raw) const
{
    return allExist({{ChunkKind::PackedRaw, raw.startMs, raw.endMs}});
}

QList<TimeChunk> TimeChunks::unpackedEndingBefore(qint64 horizonMs) const
{
    if (m_db.kind() != DatabaseKind::Postgres)
        return {};
    return select(QStringLiteral("WHERE kind = ? AND end_ms <= ? AND NOT EXISTS (SELECT 1 FROM time_chunks p "
                                 "WHERE p.kind = ? AND p.start_ms = time_chunks.start_ms) ORDER BY start_ms"),
                  {int(ChunkKind::Raw), horizonMs, int(ChunkKind::PackedRaw)});
}

std::optional<qint64> TimeChunks::pack(const TimeChunk &raw)
{
    if (m_db.kind() != DatabaseKind::Postgres)
        return std::nullopt;
    std::optional<qint64> packed;
    m_db.transaction([&] {
        // Exclusive: writers (lockAgainstDrops) never meet the table between drop and view.
        m_db.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(ChunkDropLockKey));
        if (!allExist({raw}) || isPacked(raw))
            return;
        QSqlQuery count = m_db.exec(QStringLiteral("SELECT count(*) FROM ") + raw.resultsTable());
        count.next();
        packed = count.value(0).toLongLong();
        for (const QString &statement : packStatements(raw))
            m_db.exec(statement);
        m_db.exec(QStringLiteral("INSERT INTO time_chunks (kind, start_ms, end_ms) VALUES (?, ?, ?)"),
                  {int(ChunkKind::PackedRaw), raw.startMs, raw.endMs});
    });
    return packed;
}

qint64 TimeChunks::droppedBefore(ChunkKind kind) const
{
    QSqlQuery query = m_db.exec(
        kind == ChunkKind::Raw ? QStringLiteral("SELECT raw_dropped_before_ms FROM result_retention")
                               : QStringLiteral("SELECT rollups_dropped_before_ms FROM result_retention"));
    return query.next() ? query.value(0).toLongLong() : 0;
}

} // namespace prophasis
