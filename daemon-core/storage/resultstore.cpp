#include "daemon-core/storage/resultstore.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlQuery>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <map>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/entityrows.h"
#include "daemon-core/storage/resultcodes.h"
#include "daemon-core/storage/sqlvalues.h"
#include "daemon-core/storage/timechunks.h"

namespace prophasis {

namespace {

constexpr qint64 HourMs = 3'600'000;
// Metric id of the result's own value in rollups; metric ids start at 1.
constexpr qint64 ValueMetricId = 0;
// Attempts at a batch whose chunk an expiry dropped between creating and filling it.
constexpr int ChunkAttempts = 3;

// The first 64 bits of the SHA-1: a collision among one day's distinct messages is about
// n² / 2^65 likely (one in ten million for a million distinct messages a day).
qint64 messageHash(const QString &message)
{
    const QByteArray sha1 = QCryptographicHash::hash(message.toUtf8(), QCryptographicHash::Sha1);
    return qFromBigEndian<qint64>(sha1.constData());
}

qint64 floorTo(qint64 value, qint64 step)
{
    return value - (((value % step) + step) % step);
}

// Runs one INSERT per chunk of rows; `rowValues` appends the values of row i; `onRow` sees
// the rows a RETURNING clause gives back.
void insertRows(Database &db, const QString &head, int columnCount, qsizetype rowCount,
                const std::function<void(qsizetype, QVariantList &)> &rowValues, const QString &tail = {},
                const std::function<void(const QSqlQuery &)> &onRow = {})
{
    const QString row = u'(' + placeholders(columnCount) + u')';
    for (qsizetype start = 0; start < rowCount; start += ResultStore::RowsPerStatement) {
        const qsizetype end = std::min<qsizetype>(rowCount, start + ResultStore::RowsPerStatement);
        QStringList rows;
        QVariantList values;
        for (qsizetype i = start; i < end; ++i) {
            rows.append(row);
            rowValues(i, values);
        }
        QSqlQuery query =
            db.execInline(head + QStringLiteral(" VALUES ") + rows.join(QStringLiteral(", ")) + tail, values);
        while (onRow && query.next())
            onRow(query);
    }
}

// "1, 2, 3": integers we produced ourselves, written into the SQL (QtSql binds slowly).
template <typename Ints>
QString integerList(const Ints &values)
{
    QStringList list;
    for (const auto value : values)
        list.append(QString::number(value));
    return list.join(QStringLiteral(", "));
}

// The distinct metrics of a result, the last one winning when a plugin repeats a name.
QList<Metric> distinctMetrics(const QList<Metric> &metrics)
{
    QList<Metric> distinct;
    for (const Metric &metric : metrics) {
        auto same = std::find_if(distinct.begin(), distinct.end(), [&](const Metric &m) {
            return m.name == metric.name && m.unit == metric.unit;
        });
        if (same != distinct.end())
            *same = metric;
        else
            distinct.append(metric);
    }
    return distinct;
}

SeriesKey keyOf(const CheckResult &result)
{
    return {result.hostId, result.checkId, result.pluginId};
}

// What is stored of a result: the message without NUL (PostgreSQL refuses it) and cut to
// MaxMessageLength; no value or metric that is not a finite number (SQL has no NaN, and one
// would poison every rollup it touches); each metric name once; each (series, time) once.
QList<CheckResult> sanitized(const QList<CheckResult> &results)
{
    QList<CheckResult> clean;
    clean.reserve(results.size());
    QSet<std::pair<SeriesKey, qint64>> seen;
    for (CheckResult result : results) {
        const qint64 timeMs = result.time.toMSecsSinceEpoch();
        if (!result.time.isValid() || !TimeChunks::storable(timeMs))
            throw StorageError(StorageError::Kind::Invalid,
                               QStringLiteral("a result's time must lie between the years %1 and %2, not %3")
                                   .arg(TimeChunks::FirstYear)
                                   .arg(TimeChunks::LastYear)
                                   .arg(result.time.toString(Qt::ISODateWithMs)),
                               QStringLiteral("time"));
        if (seen.contains({keyOf(result), timeMs}))
            continue;
        seen.insert({keyOf(result), timeMs});
        result.message.remove(QChar(u'\0'));
        if (result.message.size() > ResultStore::MaxMessageLength)
            result.message.truncate(ResultStore::MaxMessageLength);
        if (result.value && !std::isfinite(*result.value))
            result.value.reset();
        QList<Metric> metrics = distinctMetrics(result.metrics);
        metrics.removeIf([](const Metric &metric) { return !std::isfinite(metric.value); });
        result.metrics = metrics;
        clean.append(result);
    }
    return clean;
}

// {"<metric id>":value,…} in id order, shortest round-trip notation; null without metrics.
QVariant metricsJson(const CheckResult &result, const QHash<std::pair<QString, QString>, qint64> &metricIds)
{
    if (result.metrics.isEmpty())
        return QVariant(QMetaType::fromType<QString>());
    std::map<qint64, double> byId;
    for (const Metric &metric : result.metrics)
        byId[metricIds.value({metric.name, metric.unit})] = metric.value;
    QString json = QStringLiteral("{");
    for (const auto &[id, value] : byId) {
        if (json.size() > 1)
            json += u',';
        json += u'"' + QString::number(id) + QStringLiteral("\":") +
                QString::number(value, 'g', QLocale::FloatingPointShortest);
    }
    return QVariant(json + u'}');
}

// The expression that reads a value from a raw chunk row: the result's value or a metric.
QString rawValueExpression(DatabaseKind kind, qint64 metricId)
{
    if (metricId == ValueMetricId)
        return QStringLiteral("value");
    return kind == DatabaseKind::Sqlite
               ? QStringLiteral("json_extract(metrics, '$.\"%1\"')").arg(metricId)
               : QStringLiteral("(metrics ->> '%1')::double precision").arg(metricId);
}

// An expiry can drop a day between reading the chunk catalog and reading the day's table;
// a failed read is tried once more with a fresh catalog.
template <typename Read>
auto retryingRead(Read &&read)
{
    try {
        return read();
    } catch (const StorageError &error) {
        if (error.kind() != StorageError::Kind::Internal)
            throw;
        return read();
    }
}

} // namespace

// A result row as read, its metrics still ids.
struct ResultStore::StoredRow
{
    CheckResult result;
    QByteArray metrics;
};

ResultStore::ResultStore(Database &db, SeriesIdCache *seriesIdCache)
    : m_db(db)
    , m_seriesIdCache(seriesIdCache)
{
}

QHash<SeriesKey, qint64> ResultStore::seriesIds(const QList<CheckResult> &results)
{
    QHash<SeriesKey, qint64> ids;
    QList<SeriesKey> keys;
    QSet<SeriesKey> seen;
    QSet<QUuid> hosts, checks, plugins;
    for (const CheckResult &result : results) {
        const SeriesKey key = keyOf(result);
        if (seen.contains(key) || ids.contains(key))
            continue;
        if (const std::optional<qint64> cached =
                m_seriesIdCache ? m_seriesIdCache->find(key) : std::nullopt) {
            ids.insert(key, *cached);
            continue;
        }
        seen.insert(key);
        keys.append(key);
        hosts.insert(key.hostId);
        checks.insert(key.checkId);
        plugins.insert(key.pluginId);
    }
    if (keys.isEmpty())
        return ids;
    // Clear errors instead of a bare foreign-key failure.
    EntityRows::requireExisting(m_db, QStringLiteral("hosts"), QStringLiteral("host"), hosts.values(),
                                QStringLiteral("host_id"));
    EntityRows::requireExisting(m_db, QStringLiteral("checks"), QStringLiteral("check"), checks.values(),
                                QStringLiteral("check_id"));
    EntityRows::requireExisting(m_db, QStringLiteral("plugins"), QStringLiteral("plugin"), plugins.values(),
                                QStringLiteral("plugin_id"));

    insertRows(
        m_db, QStringLiteral("INSERT INTO series (host_id, check_id, plugin_id)"), 3, keys.size(),
        [&](qsizetype i, QVariantList &values) {
            values << dbId(keys[i].hostId) << dbId(keys[i].checkId) << dbId(keys[i].pluginId);
        },
        QStringLiteral(" ON CONFLICT (host_id, check_id, plugin_id) DO NOTHING"));

    QVariantList hostValues;
    for (const QUuid &host : std::as_const(hosts))
        hostValues.append(dbId(host));
    QSqlQuery query = m_db.execInline(
        QStringLiteral("SELECT id, host_id, check_id, plugin_id FROM series WHERE host_id IN (%1)")
            .arg(placeholders(hostValues.size())),
        hostValues);
    while (query.next()) {
        const SeriesKey key{idFromDb(query.value(1)), idFromDb(query.value(2)), idFromDb(query.value(3))};
        if (seen.contains(key)) {
            ids.insert(key, query.value(0).toLongLong());
            m_uncachedSeriesIds.insert(key, query.value(0).toLongLong());
        }
    }
    return ids;
}

QHash<qint64, qint64> ResultStore::messageIds(const TimeChunk &chunk, const QList<CheckResult> &results,
                                              const QList<qsizetype> &rows)
{
    QHash<qint64, QString> byHash;
    for (const qsizetype i : rows)
        byHash.insert(messageHash(results[i].message), results[i].message);
    const QList<qint64> hashes = byHash.keys();
    insertRows(
        m_db, QStringLiteral("INSERT INTO %1 (hash, text)").arg(chunk.messagesTable()), 2, hashes.size(),
        [&](qsizetype i, QVariantList &values) { values << hashes[i] << byHash.value(hashes[i]); },
        QStringLiteral(" ON CONFLICT (hash) DO NOTHING"));
    QHash<qint64, qint64> ids;
    for (qsizetype start = 0; start < hashes.size(); start += RowsPerStatement) {
        QSqlQuery query =
            m_db.exec(QStringLiteral("SELECT id, hash FROM %1 WHERE hash IN (%2)")
                          .arg(chunk.messagesTable(), integerList(hashes.mid(start, RowsPerStatement))));
        while (query.next())
            ids.insert(query.value(1).toLongLong(), query.value(0).toLongLong());
    }
    return ids;
}

QHash<std::pair<QString, QString>, qint64> ResultStore::metricIds(const QList<CheckResult> &results)
{
    QSet<std::pair<QString, QString>> names;
    for (const CheckResult &result : results) {
        for (const Metric &metric : result.metrics)
            names.insert({metric.name, metric.unit});
    }
    QHash<std::pair<QString, QString>, qint64> ids;
    if (names.isEmpty())
        return ids;
    const QList<std::pair<QString, QString>> list = names.values();
    insertRows(
        m_db, QStringLiteral("INSERT INTO metric_names (name, unit)"), 2, list.size(),
        [&](qsizetype i, QVariantList &values) { values << list[i].first << list[i].second; },
        QStringLiteral(" ON CONFLICT (name, unit) DO NOTHING"));
    QSet<QString> plainNames;
    for (const auto &name : list)
        plainNames.insert(name.first);
    QVariantList nameValues(plainNames.cbegin(), plainNames.cend());
    QSqlQuery query =
        m_db.execInline(QStringLiteral("SELECT id, name, unit FROM metric_names WHERE name IN (%1)")
                            .arg(placeholders(nameValues.size())),
                        nameValues);
    while (query.next())
        ids.insert({query.value(1).toString(), query.value(2).toString()}, query.value(0).toLongLong());
    return ids;
}

void ResultStore::insert(const QList<CheckResult> &input)
{
    if (input.isEmpty())
        return;
    const QList<CheckResult> results = sanitized(input);
    QList<TimeChunk> chunks;
    for (const CheckResult &result : results) {
        const qint64 timeMs = result.time.toMSecsSinceEpoch();
        for (const TimeChunk &chunk : {TimeChunks::rawChunkAt(timeMs), TimeChunks::rollupChunkAt(timeMs)}) {
            if (!chunks.contains(chunk))
                chunks.append(chunk);
        }
    }
    TimeChunks catalog(m_db);
    for (int attempt = 1;; ++attempt) {
        catalog.ensure(chunks);
        m_uncachedSeriesIds.clear();
        bool written = false;
        try {
            written = m_db.transaction([&] {
                catalog.lockAgainstDrops();
                if (!catalog.allExist(chunks))
                    return false;
                writeBatch(results);
                return true;
            });
        } catch (const StorageError &) {
            // A cached id may name a series deleted meanwhile: look every one up again.
            if (m_seriesIdCache)
                m_seriesIdCache->clear();
            throw;
        }
        if (written) {
            // Committed (a nested caller's transaction is not: it keeps the cache out of it).
            if (m_seriesIdCache && !m_db.inTransaction())
                m_seriesIdCache->insert(m_uncachedSeriesIds);
            return;
        }
        if (attempt == ChunkAttempts)
            throw StorageError(
                StorageError::Kind::Internal,
                QStringLiteral("the time chunks of a result batch were dropped while it was written"));
    }
}

void ResultStore::writeBatch(const QList<CheckResult> &results)
{
    const QHash<SeriesKey, qint64> series = seriesIds(results);
    const QHash<std::pair<QString, QString>, qint64> metrics = metricIds(results);

    // Raw rows, one INSERT per day; RETURNING names the rows that were new (not a replay).
    std::map<qint64, QList<qsizetype>> rowsByDay;
    for (qsizetype i = 0; i < results.size(); ++i)
        rowsByDay[TimeChunks::rawChunkAt(results[i].time.toMSecsSinceEpoch()).startMs].append(i);
    QList<qsizetype> inserted;
    const TimeChunks catalog(m_db);
    for (const auto &[dayStart, rows] : rowsByDay) {
        const TimeChunk chunk = TimeChunks::rawChunkAt(dayStart);
        // A packed day takes new results in its late table (the day's name is a view).
        const bool packed = m_db.kind() == DatabaseKind::Postgres && catalog.isPacked(chunk);
        const QHash<qint64, qint64> messages = messageIds(chunk, results, rows);
        QHash<std::pair<qint64, qint64>, qsizetype> rowByKey;
        for (const qsizetype i : rows)
            rowByKey.insert({series.value(keyOf(results[i])), results[i].time.toMSecsSinceEpoch()}, i);
        insertRows(
            m_db,
            QStringLiteral(
                "INSERT INTO %1 (series_id, time_ms, outcome, value, message_id, duration_ms, metrics)")
                .arg(packed ? chunk.lateTable() : chunk.resultsTable()),
            7, rows.size(),
            [&](qsizetype r, QVariantList &values) {
                const CheckResult &result = results[rows[r]];
                values << series.value(keyOf(result)) << result.time.toMSecsSinceEpoch()
                       << outcomeCode({result.type, result.status, result.classification})
                       << dbDouble(result.value) << messages.value(messageHash(result.message))
                       << result.durationMs << metricsJson(result, metrics);
            },
            QStringLiteral(" ON CONFLICT (series_id, time_ms) DO NOTHING RETURNING series_id, time_ms"),
            [&](const QSqlQuery &row) {
                inserted.append(rowByKey.value({row.value(0).toLongLong(), row.value(1).toLongLong()}));
            });
        if (packed) {
            // The late table's key cannot see the packed rows: a replayed result already packed
            // is removed again here, and neither counted in rollups nor made the latest.
            QSet<qint64> seriesOfDay;
            for (const qsizetype i : rows)
                seriesOfDay.insert(series.value(keyOf(results[i])));
            QSqlQuery duplicates = m_db.exec(
                QStringLiteral(
                    "DELETE FROM %1 l USING %2 p WHERE l.series_id IN (%3) AND p.series_id = l.series_id "
                    "AND p.hour = (l.time_ms - %4) / %5 AND (l.time_ms - %4)::integer = ANY (p.times) "
                    "RETURNING l.series_id, l.time_ms")
                    .arg(chunk.lateTable(), chunk.packedTable(), integerList(seriesOfDay))
                    .arg(chunk.startMs)
                    .arg(HourMs));
            QSet<qsizetype> replayed;
            while (duplicates.next())
                replayed.insert(
                    rowByKey.value({duplicates.value(0).toLongLong(), duplicates.value(1).toLongLong()}));
            inserted.removeIf([&](qsizetype i) { return replayed.contains(i); });
        }
    }
    std::sort(inserted.begin(), inserted.end());

    // Hourly aggregates of what was new, keyed (series, metric, hour).
    std::map<std::tuple<qint64, qint64, qint64>, HourlyRollup> rollups;
    auto addToRollup = [&rollups](qint64 seriesId, qint64 metricId, qint64 timeMs, double value) {
        auto [it, isNew] = rollups.try_emplace({seriesId, metricId, floorTo(timeMs, HourMs)});
        HourlyRollup &rollup = it->second;
        rollup.min = isNew ? value : std::min(rollup.min, value);
        rollup.max = isNew ? value : std::max(rollup.max, value);
        rollup.sum += value;
        ++rollup.count;
    };
    // The newest result of each series in this batch becomes its latest, unless the stored
    // one is newer still (results can arrive out of order).
    std::map<qint64, qsizetype> newestInBatch;
    for (const qsizetype i : std::as_const(inserted)) {
        const CheckResult &result = results[i];
        const qint64 seriesId = series.value(keyOf(result));
        const qint64 timeMs = result.time.toMSecsSinceEpoch();
        if (result.value)
            addToRollup(seriesId, ValueMetricId, timeMs, *result.value);
        for (const Metric &metric : result.metrics)
            addToRollup(seriesId, metrics.value({metric.name, metric.unit}), timeMs, metric.value);
        const auto newest = newestInBatch.find(seriesId);
        if (newest == newestInBatch.end() || results[newest->second].time <= result.time)
            newestInBatch[seriesId] = i;
    }

    std::map<qint64, QList<std::pair<std::tuple<qint64, qint64, qint64>, HourlyRollup>>> rollupsByMonth;
    for (const auto &entry : rollups)
        rollupsByMonth[TimeChunks::rollupChunkAt(std::get<2>(entry.first)).startMs].append(entry);
    for (const auto &[monthStart, rows] : rollupsByMonth) {
        const QString table = TimeChunks::rollupChunkAt(monthStart).rollupsTable();
        insertRows(
            m_db,
            QStringLiteral(
                "INSERT INTO %1 (series_id, metric_id, hour_ms, min_value, max_value, sum_value, count)")
                .arg(table),
            7, rows.size(),
            [&](qsizetype i, QVariantList &values) {
                const auto &[key, rollup] = rows[i];
                values << std::get<0>(key) << std::get<1>(key) << std::get<2>(key) << rollup.min << rollup.max
                       << rollup.sum << rollup.count;
            },
            m_db.dialectSql(QStringLiteral(" ON CONFLICT (series_id, metric_id, hour_ms) DO UPDATE SET"
                                           " min_value = {least}(%1.min_value, excluded.min_value),"
                                           " max_value = {greatest}(%1.max_value, excluded.max_value),"
                                           " sum_value = %1.sum_value + excluded.sum_value,"
                                           " count = %1.count + excluded.count")
                                .arg(table)));
    }

    // One multi-row upsert instead of an UPDATE per series: the rows exist, so every row
    // takes the DO UPDATE branch, which keeps a newer stored latest. Rows in id order, so two
    // cores writing the same series lock them in the same order.
    const std::vector<std::pair<qint64, qsizetype>> latest(newestInBatch.begin(), newestInBatch.end());
    insertRows(
        m_db,
        QStringLiteral("INSERT INTO series (id, host_id, check_id, plugin_id, last_ms, last_type, "
                       "last_status, last_state, "
                       "last_value, last_message, last_duration_ms)"),
        11, qsizetype(latest.size()),
        [&](qsizetype i, QVariantList &values) {
            const auto &[seriesId, row] = latest[size_t(i)];
            const CheckResult &result = results[row];
            values << seriesId << dbId(result.hostId) << dbId(result.checkId) << dbId(result.pluginId)
                   << result.time.toMSecsSinceEpoch() << resultTypeCode(result.type)
                   << pluginStatusCode(result.status) << stateCode(result.classification)
                   << dbDouble(result.value) << result.message << result.durationMs;
        },
        QStringLiteral(" ON CONFLICT (host_id, check_id, plugin_id) DO UPDATE SET last_ms = excluded.last_ms,"
                       " last_type = excluded.last_type, last_status = excluded.last_status, last_state = "
                       "excluded.last_state,"
                       " last_value = excluded.last_value, last_message = excluded.last_message,"
                       " last_duration_ms = excluded.last_duration_ms"
                       " WHERE series.last_ms IS NULL OR series.last_ms <= excluded.last_ms"));
}

LatestResults ResultStore::latest()
{
    LatestResults latest;
    QSqlQuery query =
        m_db.exec(QStringLiteral("SELECT host_id, check_id, plugin_id, last_ms, last_state FROM series "
                                 "WHERE last_ms IS NOT NULL"));
    while (query.next()) {
        const SeriesKey key{idFromDb(query.value(0)), idFromDb(query.value(1)), idFromDb(query.value(2))};
        latest.insert(key, {timeFromDb(query.value(3)), stateFromCode(query.value(4).toInt())});
    }
    return latest;
}

std::optional<CheckResult> ResultStore::latestResult(const SeriesKey &series)
{
    QSqlQuery query = m_db.exec(
        QStringLiteral("SELECT last_ms, last_type, last_status, last_state, last_value, last_message, "
                       "last_duration_ms FROM series WHERE host_id = ? AND check_id = ? AND plugin_id = ? "
                       "AND last_ms IS NOT NULL"),
        {dbId(series.hostId), dbId(series.checkId), dbId(series.pluginId)});
    if (!query.next())
        return std::nullopt;
    CheckResult result;
    result.hostId = series.hostId;
    result.checkId = series.checkId;
    result.pluginId = series.pluginId;
    result.time = timeFromDb(query.value(0));
    result.type = resultTypeFromCode(query.value(1).toInt());
    result.status = pluginStatusFromCode(query.value(2).toInt());
    result.classification = stateFromCode(query.value(3).toInt());
    result.value = doubleFromDb(query.value(4));
    result.message = query.value(5).toString();
    result.durationMs = query.value(6).toLongLong();
    return result;
}

std::optional<qint64> ResultStore::seriesId(const SeriesKey &series)
{
    QSqlQuery query = m_db.exec(
        QStringLiteral("SELECT id FROM series WHERE host_id = ? AND check_id = ? AND plugin_id = ?"),
        {dbId(series.hostId), dbId(series.checkId), dbId(series.pluginId)});
    if (!query.next())
        return std::nullopt;
    return query.value(0).toLongLong();
}

std::optional<qint64> ResultStore::metricId(const QString &name, const QString &unit)
{
    if (name.isEmpty())
        return ValueMetricId;
    QSqlQuery query =
        m_db.exec(QStringLiteral("SELECT id FROM metric_names WHERE name = ? AND unit = ?"), {name, unit});
    if (!query.next())
        return std::nullopt;
    return query.value(0).toLongLong();
}

QList<ResultStore::StoredRow> ResultStore::readRows(const TimeChunk &chunk, const QString &where,
                                                    const QHash<qint64, SeriesKey> &seriesKeys)
{
    QList<StoredRow> rows;
    QSqlQuery query =
        m_db.exec(QStringLiteral("SELECT r.series_id, r.time_ms, r.outcome, r.value, m.text, r.duration_ms, "
                                 "r.metrics FROM %1 r JOIN %2 m ON m.id = r.message_id ")
                      .arg(chunk.resultsTable(), chunk.messagesTable()) +
                  where);
    while (query.next()) {
        StoredRow row;
        const SeriesKey key = seriesKeys.value(query.value(0).toLongLong());
        row.result.hostId = key.hostId;
        row.result.checkId = key.checkId;
        row.result.pluginId = key.pluginId;
        row.result.time = timeFromDb(query.value(1));
        const ResultOutcome outcome = outcomeFromCode(query.value(2).toInt());
        row.result.type = outcome.type;
        row.result.status = outcome.status;
        row.result.classification = outcome.classification;
        row.result.value = doubleFromDb(query.value(3));
        row.result.message = query.value(4).toString();
        row.result.durationMs = query.value(5).toLongLong();
        row.metrics = query.value(6).toString().toUtf8();
        rows.append(row);
    }
    return rows;
}

QList<CheckResult> ResultStore::withMetrics(const QList<StoredRow> &rows)
{
    QList<QJsonObject> objects;
    QSet<qint64> ids;
    for (const StoredRow &row : rows) {
        objects.append(row.metrics.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(row.metrics).object());
        for (auto it = objects.constLast().constBegin(); it != objects.constLast().constEnd(); ++it)
            ids.insert(it.key().toLongLong());
    }
    QHash<qint64, std::pair<QString, QString>> names;
    if (!ids.isEmpty()) {
        QSqlQuery query = m_db.exec(
            QStringLiteral("SELECT id, name, unit FROM metric_names WHERE id IN (%1)").arg(integerList(ids)));
        while (query.next())
            names.insert(query.value(0).toLongLong(), {query.value(1).toString(), query.value(2).toString()});
    }
    QList<CheckResult> results;
    results.reserve(rows.size());
    for (qsizetype i = 0; i < rows.size(); ++i) {
        CheckResult result = rows[i].result;
        for (auto it = objects[i].constBegin(); it != objects[i].constEnd(); ++it) {
            const auto name = names.find(it.key().toLongLong());
            if (name != names.cend())
                result.metrics.append({name->first, it.value().toDouble(), name->second});
        }
        std::sort(result.metrics.begin(), result.metrics.end(), [](const Metric &a, const Metric &b) {
            return std::tie(a.name, a.unit) < std::tie(b.name, b.unit);
        });
        results.append(result);
    }
    return results;
}

QList<CheckResult> ResultStore::lastResults(const SeriesKey &series, int count)
{
    QSqlQuery query = m_db.exec(
        QStringLiteral("SELECT id, last_ms FROM series WHERE host_id = ? AND check_id = ? AND plugin_id = ? "
                       "AND last_ms IS NOT NULL"),
        {dbId(series.hostId), dbId(series.checkId), dbId(series.pluginId)});
    if (!query.next() || count <= 0)
        return {};
    const qint64 id = query.value(0).toLongLong();
    const qint64 lastMs = query.value(1).toLongLong();
    return retryingRead([&] {
        // Newest day first; usually the day of the latest result holds all of them.
        QList<TimeChunk> chunks = TimeChunks(m_db).overlapping(ChunkKind::Raw, 0, lastMs + 1);
        std::reverse(chunks.begin(), chunks.end());
        QList<StoredRow> rows;
        for (const TimeChunk &chunk : std::as_const(chunks)) {
            const QList<StoredRow> older =
                readRows(chunk,
                         QStringLiteral("WHERE r.series_id = %1 ORDER BY r.time_ms DESC LIMIT %2")
                             .arg(id)
                             .arg(count - rows.size()),
                         {{id, series}});
            rows.append(older);
            if (rows.size() >= count)
                break;
        }
        std::reverse(rows.begin(), rows.end());
        return withMetrics(rows);
    });
}

QList<CheckResult> ResultStore::hostResults(const QUuid &hostId, const QDateTime &from, const QDateTime &to,
                                            int limit)
{
    QHash<qint64, SeriesKey> seriesKeys;
    QSqlQuery query = m_db.exec(
        QStringLiteral("SELECT id, check_id, plugin_id FROM series WHERE host_id = ?"), {dbId(hostId)});
    while (query.next())
        seriesKeys.insert(query.value(0).toLongLong(),
                          {hostId, idFromDb(query.value(1)), idFromDb(query.value(2))});
    if (seriesKeys.isEmpty() || limit <= 0)
        return {};
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();
    return retryingRead([&] {
        QList<StoredRow> rows;
        for (const TimeChunk &chunk : TimeChunks(m_db).overlapping(ChunkKind::Raw, fromMs, toMs)) {
            rows.append(
                readRows(chunk,
                         QStringLiteral("WHERE r.series_id IN (%1) AND r.time_ms >= %2 AND r.time_ms < %3 "
                                        "ORDER BY r.time_ms, r.series_id LIMIT %4")
                             .arg(integerList(seriesKeys.keys()))
                             .arg(fromMs)
                             .arg(toMs)
                             .arg(limit - rows.size()),
                         seriesKeys));
            if (rows.size() >= limit)
                break;
        }
        return withMetrics(rows);
    });
}

QList<HourlyRollup> ResultStore::hourlyRollups(const SeriesKey &series, const QString &metricName,
                                               const QString &unit, const QDateTime &from,
                                               const QDateTime &to)
{
    const std::optional<qint64> id = seriesId(series);
    const std::optional<qint64> metric = metricId(metricName, unit);
    if (!id || !metric)
        return {};
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();
    return retryingRead([&] {
        QList<HourlyRollup> rollups;
        for (const TimeChunk &chunk : TimeChunks(m_db).overlapping(ChunkKind::Rollup, fromMs, toMs)) {
            QSqlQuery query = m_db.exec(
                QStringLiteral("SELECT hour_ms, min_value, max_value, sum_value, count FROM %1 "
                               "WHERE series_id = %2 AND metric_id = %3 AND hour_ms >= %4 AND hour_ms < %5 "
                               "ORDER BY hour_ms")
                    .arg(chunk.rollupsTable())
                    .arg(*id)
                    .arg(*metric)
                    .arg(fromMs)
                    .arg(toMs));
            while (query.next())
                rollups.append({timeFromDb(query.value(0)), query.value(1).toDouble(),
                                query.value(2).toDouble(), query.value(3).toDouble(),
                                query.value(4).toLongLong()});
        }
        return rollups;
    });
}

SeriesRange ResultStore::range(const SeriesKey &series, const QString &metricName, const QString &unit,
                               const QDateTime &from, const QDateTime &to, int maxPoints, RangeSource source)
{
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();
    maxPoints = std::clamp(maxPoints, 1, MaxRangePoints);
    if (source == RangeSource::Automatic) {
        const bool shortRange = toMs - fromMs <= RawRangeLimitMs;
        source = shortRange && fromMs >= TimeChunks(m_db).droppedBefore(ChunkKind::Raw) ? RangeSource::Raw
                                                                                        : RangeSource::Hourly;
    }
    const std::optional<qint64> id = seriesId(series);
    const std::optional<qint64> metric = metricId(metricName, unit);
    if (!id || !metric || toMs <= fromMs)
        return {source, 0, {}};
    return retryingRead([&] {
        return source == RangeSource::Raw ? rawRange(*id, *metric, fromMs, toMs, maxPoints)
                                          : hourlyRange(*id, *metric, fromMs, toMs, maxPoints);
    });
}

// Both ranges: one statement over the chunks' rows (UNION ALL), grouped into buckets by
// integer division, so only the points leave the database.
SeriesRange ResultStore::rawRange(qint64 seriesId, qint64 metricId, qint64 fromMs, qint64 toMs, int maxPoints)
{
    const qint64 bucketMs = std::max<qint64>(1, (toMs - fromMs + maxPoints - 1) / maxPoints);
    SeriesRange range{RangeSource::Raw, bucketMs, {}};
    QStringList parts;
    for (const TimeChunk &chunk : TimeChunks(m_db).overlapping(ChunkKind::Raw, fromMs, toMs)) {
        parts.append(
            QStringLiteral(
                "SELECT time_ms, %1 AS v FROM %2 WHERE series_id = %3 AND time_ms >= %4 AND time_ms < %5")
                .arg(rawValueExpression(m_db.kind(), metricId), chunk.resultsTable())
                .arg(seriesId)
                .arg(fromMs)
                .arg(toMs));
    }
    if (parts.isEmpty())
        return range;
    QSqlQuery query =
        m_db.exec(QStringLiteral("SELECT (time_ms - %1) / %2 AS bucket, MIN(v), AVG(v), MAX(v), COUNT(v) "
                                 "FROM (%3) AS raw WHERE v IS NOT NULL GROUP BY bucket ORDER BY bucket")
                      .arg(fromMs)
                      .arg(bucketMs)
                      .arg(parts.join(QStringLiteral(" UNION ALL "))));
    while (query.next())
        range.points.append({timeFromDb(fromMs + query.value(0).toLongLong() * bucketMs),
                             query.value(1).toDouble(), query.value(2).toDouble(), query.value(3).toDouble(),
                             query.value(4).toLongLong()});
    return range;
}

SeriesRange ResultStore::hourlyRange(qint64 seriesId, qint64 metricId, qint64 fromMs, qint64 toMs,
                                     int maxPoints)
{
    // Whole hours per bucket, so no hour is split between two points.
    const qint64 startMs = floorTo(fromMs, HourMs);
    const qint64 wanted = (toMs - startMs + maxPoints - 1) / maxPoints;
    const qint64 bucketMs = std::max<qint64>(HourMs, (wanted + HourMs - 1) / HourMs * HourMs);
    SeriesRange range{RangeSource::Hourly, bucketMs, {}};
    QStringList parts;
    for (const TimeChunk &chunk : TimeChunks(m_db).overlapping(ChunkKind::Rollup, startMs, toMs)) {
        parts.append(
            QStringLiteral("SELECT hour_ms, min_value, max_value, sum_value, count FROM %1 "
                           "WHERE series_id = %2 AND metric_id = %3 AND hour_ms >= %4 AND hour_ms < %5")
                .arg(chunk.rollupsTable())
                .arg(seriesId)
                .arg(metricId)
                .arg(startMs)
                .arg(toMs));
    }
    if (parts.isEmpty())
        return range;
    QSqlQuery query = m_db.exec(
        QStringLiteral("SELECT (hour_ms - %1) / %2 AS bucket, MIN(min_value), SUM(sum_value), "
                       "MAX(max_value), SUM(count) FROM (%3) AS hours GROUP BY bucket ORDER BY bucket")
            .arg(startMs)
            .arg(bucketMs)
            .arg(parts.join(QStringLiteral(" UNION ALL "))));
    while (query.next()) {
        const qint64 count = query.value(4).toLongLong();
        range.points.append({timeFromDb(startMs + query.value(0).toLongLong() * bucketMs),
                             query.value(1).toDouble(), count ? query.value(2).toDouble() / double(count) : 0,
                             query.value(3).toDouble(), count});
    }
    return range;
}

QList<MessageEntry> ResultStore::messageHistory(const SeriesKey &series, const QDateTime &from,
                                                const QDateTime &to, int limit)
{
    const std::optional<qint64> id = seriesId(series);
    if (!id || limit <= 0)
        return {};
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();
    return retryingRead([&] {
        QList<MessageEntry> entries;
        QList<TimeChunk> chunks = TimeChunks(m_db).overlapping(ChunkKind::Raw, fromMs, toMs);
        std::reverse(chunks.begin(), chunks.end());
        for (const TimeChunk &chunk : std::as_const(chunks)) {
            QSqlQuery query =
                m_db.exec(QStringLiteral("SELECT r.time_ms, m.text, r.outcome FROM %1 r JOIN %2 m "
                                         "ON m.id = r.message_id WHERE r.series_id = %3 AND r.time_ms >= %4 "
                                         "AND r.time_ms < %5 ORDER BY r.time_ms DESC LIMIT %6")
                              .arg(chunk.resultsTable(), chunk.messagesTable())
                              .arg(*id)
                              .arg(fromMs)
                              .arg(toMs)
                              .arg(limit - entries.size()));
            while (query.next()) {
                const ResultOutcome outcome = outcomeFromCode(query.value(2).toInt());
                entries.append({timeFromDb(query.value(0)), query.value(1).toString(), outcome.type,
                                outcome.classification});
            }
            if (entries.size() >= limit)
                break;
        }
        return entries;
    });
}

ExpiryReport ResultStore::expire(const QDateTime &now, const RetentionPolicy &policy)
{
    const qint64 nowMs = now.toMSecsSinceEpoch();
    TimeChunks chunks(m_db);
    ExpiryReport report;
    report.rawChunksDropped =
        int(chunks.dropEndingBefore(ChunkKind::Raw, nowMs - policy.rawDays * TimeChunks::DayMs).size());
    report.rollupChunksDropped =
        int(chunks.dropEndingBefore(ChunkKind::Rollup, nowMs - policy.rollupDays * TimeChunks::DayMs).size());
    return report;
}

CompactionReport ResultStore::compact(const QDateTime &now)
{
    TimeChunks chunks(m_db);
    CompactionReport report;
    for (const TimeChunk &chunk : chunks.unpackedEndingBefore(now.toMSecsSinceEpoch() - PackAfterMs)) {
        if (const std::optional<qint64> packed = chunks.pack(chunk)) {
            ++report.rawChunksPacked;
            report.resultsPacked += *packed;
        }
    }
    return report;
}

} // namespace prophasis
