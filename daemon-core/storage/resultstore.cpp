#include "daemon-core/storage/resultstore.h"

#include <QCryptographicHash>
#include <QSet>
#include <QSqlQuery>

#include <algorithm>
#include <cmath>
#include <map>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/entityrows.h"
#include "daemon-core/storage/sqlvalues.h"

namespace prophasis {

namespace {

constexpr qint64 HourMs = 3'600'000;
// rollups_hourly.metric_id of the result's own value; metric ids start at 1.
constexpr qint64 ValueMetricId = 0;

QString messageHash(const QString &message)
{
    return QString::fromLatin1(QCryptographicHash::hash(message.toUtf8(), QCryptographicHash::Sha1).toHex());
}


// Runs one INSERT per chunk of rows; `rowValues` appends the values of row i.
void insertRows(Database &db, const QString &head, int columnCount, qsizetype rowCount,
                const std::function<void(qsizetype, QVariantList &)> &rowValues, const QString &tail = {})
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
        db.execInline(head + QStringLiteral(" VALUES ") + rows.join(QStringLiteral(", ")) + tail, values);
    }
}

// The distinct metrics of a result, the last one winning when a plugin repeats a name.
QList<Metric> distinctMetrics(const QList<Metric> &metrics)
{
    QList<Metric> distinct;
    for (const Metric &metric : metrics) {
        auto same = std::find_if(distinct.begin(), distinct.end(),
                                 [&](const Metric &m) { return m.name == metric.name && m.unit == metric.unit; });
        if (same != distinct.end())
            *same = metric;
        else
            distinct.append(metric);
    }
    return distinct;
}

// What is stored of a result: the message without NUL (PostgreSQL refuses it) and cut to
// MaxMessageLength; no value or metric that is not a finite number (SQL has no NaN, and one
// would poison every rollup it touches); each metric name once.
QList<CheckResult> sanitized(const QList<CheckResult> &results)
{
    QList<CheckResult> clean = results;
    for (CheckResult &result : clean) {
        result.message.remove(QChar(u'\0'));
        if (result.message.size() > ResultStore::MaxMessageLength)
            result.message.truncate(ResultStore::MaxMessageLength);
        if (result.value && !std::isfinite(*result.value))
            result.value.reset();
        QList<Metric> metrics = distinctMetrics(result.metrics);
        metrics.removeIf([](const Metric &metric) { return !std::isfinite(metric.value); });
        result.metrics = metrics;
    }
    return clean;
}

} // namespace

ResultStore::ResultStore(Database &db)
    : m_db(db)
{
}

QHash<SeriesKey, qint64> ResultStore::seriesIds(const QList<CheckResult> &results)
{
    QList<SeriesKey> keys;
    QSet<SeriesKey> seen;
    QList<QUuid> hosts, checks, plugins;
    for (const CheckResult &result : results) {
        const SeriesKey key{result.hostId, result.checkId, result.pluginId};
        if (seen.contains(key))
            continue;
        seen.insert(key);
        keys.append(key);
        hosts.append(key.hostId);
        checks.append(key.checkId);
        plugins.append(key.pluginId);
    }
    // Clear errors instead of a bare foreign-key failure.
    EntityRows::requireExisting(m_db, QStringLiteral("hosts"), QStringLiteral("host"), QSet(hosts.begin(), hosts.end()).values(),
                                QStringLiteral("host_id"));
    EntityRows::requireExisting(m_db, QStringLiteral("checks"), QStringLiteral("check"),
                                QSet(checks.begin(), checks.end()).values(), QStringLiteral("check_id"));
    EntityRows::requireExisting(m_db, QStringLiteral("plugins"), QStringLiteral("plugin"),
                                QSet(plugins.begin(), plugins.end()).values(), QStringLiteral("plugin_id"));

    insertRows(
        m_db, QStringLiteral("INSERT INTO series (host_id, check_id, plugin_id)"), 3, keys.size(),
        [&](qsizetype i, QVariantList &values) {
            values << dbId(keys[i].hostId) << dbId(keys[i].checkId) << dbId(keys[i].pluginId);
        },
        QStringLiteral(" ON CONFLICT (host_id, check_id, plugin_id) DO NOTHING"));

    QHash<SeriesKey, qint64> ids;
    const QList<QUuid> distinctHosts = QSet(hosts.begin(), hosts.end()).values();
    QVariantList hostValues;
    for (const QUuid &host : distinctHosts)
        hostValues.append(dbId(host));
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT id, host_id, check_id, plugin_id FROM series WHERE host_id IN (%1)")
                                    .arg(placeholders(hostValues.size())),
                                hostValues);
    while (query.next()) {
        const SeriesKey key{idFromDb(query.value(1)), idFromDb(query.value(2)), idFromDb(query.value(3))};
        if (seen.contains(key))
            ids.insert(key, query.value(0).toLongLong());
    }
    return ids;
}

QHash<QString, qint64> ResultStore::messageIds(const QList<CheckResult> &results)
{
    QHash<QString, QString> byHash; // hash → text
    for (const CheckResult &result : results) {
        byHash.insert(messageHash(result.message), result.message);
    }
    const QList<QString> hashes = byHash.keys();
    insertRows(
        m_db, QStringLiteral("INSERT INTO messages (hash, text)"), 2, hashes.size(),
        [&](qsizetype i, QVariantList &values) { values << hashes[i] << byHash.value(hashes[i]); },
        QStringLiteral(" ON CONFLICT (hash) DO NOTHING"));
    QHash<QString, qint64> ids;
    QVariantList hashValues(hashes.cbegin(), hashes.cend());
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT id, hash FROM messages WHERE hash IN (%1)").arg(placeholders(hashes.size())),
                                hashValues);
    while (query.next())
        ids.insert(query.value(1).toString(), query.value(0).toLongLong());
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
    QSqlQuery query = m_db.exec(
        QStringLiteral("SELECT id, name, unit FROM metric_names WHERE name IN (%1)").arg(placeholders(nameValues.size())),
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
    m_db.transaction([&] {
        const QHash<SeriesKey, qint64> series = seriesIds(results);
        const QHash<QString, qint64> messages = messageIds(results);
        const QHash<std::pair<QString, QString>, qint64> metrics = metricIds(results);
        const QList<qint64> resultIds = m_db.reserveIds(QStringLiteral("results"), int(results.size()));

        insertRows(m_db,
                   QStringLiteral("INSERT INTO results (id, series_id, time_ms, type, value, message_id, status, "
                                  "classification, duration_ms)"),
                   9, results.size(), [&](qsizetype i, QVariantList &values) {
                       const CheckResult &result = results[i];
                       values << resultIds[i] << series.value({result.hostId, result.checkId, result.pluginId})
                              << result.time.toMSecsSinceEpoch() << enumName(result.type) << dbDouble(result.value)
                              << messages.value(messageHash(result.message)) << enumName(result.status)
                              << enumName(result.classification) << result.durationMs;
                   });

        // Metric rows and the hourly aggregates, keyed (series, metric, hour).
        struct MetricRow
        {
            qint64 resultId;
            qint64 metricId;
            double value;
        };
        QList<MetricRow> metricRows;
        std::map<std::tuple<qint64, qint64, qint64>, HourlyRollup> rollups;
        auto addToRollup = [&rollups](qint64 seriesId, qint64 metricId, qint64 timeMs, double value) {
            const qint64 hour = timeMs - (((timeMs % HourMs) + HourMs) % HourMs);
            auto [it, inserted] = rollups.try_emplace({seriesId, metricId, hour});
            HourlyRollup &rollup = it->second;
            rollup.min = inserted ? value : std::min(rollup.min, value);
            rollup.max = inserted ? value : std::max(rollup.max, value);
            rollup.sum += value;
            ++rollup.count;
        };
        // The newest result of each series in this batch becomes its latest, unless the stored
        // one is newer still (results can arrive out of order).
        QHash<qint64, qsizetype> newestInBatch;
        for (qsizetype i = 0; i < results.size(); ++i) {
            const CheckResult &result = results[i];
            const qint64 seriesId = series.value({result.hostId, result.checkId, result.pluginId});
            const qint64 timeMs = result.time.toMSecsSinceEpoch();
            if (result.value)
                addToRollup(seriesId, ValueMetricId, timeMs, *result.value);
            for (const Metric &metric : result.metrics) {
                const qint64 metricId = metrics.value({metric.name, metric.unit});
                metricRows.append({resultIds[i], metricId, metric.value});
                addToRollup(seriesId, metricId, timeMs, metric.value);
            }
            const auto newest = newestInBatch.constFind(seriesId);
            if (newest == newestInBatch.constEnd() || results[*newest].time <= result.time)
                newestInBatch.insert(seriesId, i);
        }

        insertRows(m_db, QStringLiteral("INSERT INTO result_metrics (result_id, metric_id, value)"), 3, metricRows.size(),
                   [&](qsizetype i, QVariantList &values) {
                       values << metricRows[i].resultId << metricRows[i].metricId << metricRows[i].value;
                   });

        const std::vector<std::pair<std::tuple<qint64, qint64, qint64>, HourlyRollup>> rollupRows(rollups.begin(), rollups.end());
        insertRows(
            m_db, QStringLiteral("INSERT INTO rollups_hourly (series_id, metric_id, hour_ms, min_value, max_value, sum_value, count)"),
            7, qsizetype(rollupRows.size()),
            [&](qsizetype i, QVariantList &values) {
                const auto &[key, rollup] = rollupRows[size_t(i)];
                values << std::get<0>(key) << std::get<1>(key) << std::get<2>(key) << rollup.min << rollup.max << rollup.sum
                       << rollup.count;
            },
            m_db.dialectSql(QStringLiteral(
                " ON CONFLICT (series_id, metric_id, hour_ms) DO UPDATE SET"
                " min_value = {least}(rollups_hourly.min_value, excluded.min_value),"
                " max_value = {greatest}(rollups_hourly.max_value, excluded.max_value),"
                " sum_value = rollups_hourly.sum_value + excluded.sum_value,"
                " count = rollups_hourly.count + excluded.count")));

        // One multi-row upsert instead of an UPDATE per series: the rows exist, so every row
        // takes the DO UPDATE branch, which keeps a newer stored latest.
        const QList<qint64> seriesToUpdate = newestInBatch.keys();
        insertRows(
            m_db, QStringLiteral("INSERT INTO series (id, host_id, check_id, plugin_id, last_result_id, last_ms, last_classification)"),
            7, seriesToUpdate.size(),
            [&](qsizetype i, QVariantList &values) {
                const CheckResult &result = results[newestInBatch.value(seriesToUpdate[i])];
                values << seriesToUpdate[i] << dbId(result.hostId) << dbId(result.checkId) << dbId(result.pluginId)
                       << resultIds[newestInBatch.value(seriesToUpdate[i])] << result.time.toMSecsSinceEpoch()
                       << enumName(result.classification);
            },
            QStringLiteral(" ON CONFLICT (host_id, check_id, plugin_id) DO UPDATE SET last_result_id = excluded.last_result_id,"
                           " last_ms = excluded.last_ms, last_classification = excluded.last_classification"
                           " WHERE series.last_ms IS NULL OR series.last_ms <= excluded.last_ms"));
    });
}

LatestResults ResultStore::latest()
{
    LatestResults latest;
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT host_id, check_id, plugin_id, last_ms, last_classification FROM series "
                                               "WHERE last_ms IS NOT NULL"));
    while (query.next()) {
        const SeriesKey key{idFromDb(query.value(0)), idFromDb(query.value(1)), idFromDb(query.value(2))};
        latest.insert(key, {timeFromDb(query.value(3)),
                            enumFromName<State>(query.value(4).toString()).value_or(State::Unknown)});
    }
    return latest;
}

QList<CheckResult> ResultStore::readResults(const QString &where, const QVariantList &values)
{
    QList<CheckResult> results;
    QHash<qint64, qsizetype> indexById;
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT r.id, s.host_id, s.check_id, s.plugin_id, r.time_ms, r.type, r.value, "
                                               "m.text, r.status, r.classification, r.duration_ms "
                                               "FROM results r JOIN series s ON s.id = r.series_id "
                                               "JOIN messages m ON m.id = r.message_id ")
                                    + where,
                                values);
    while (query.next()) {
        CheckResult result;
        result.hostId = idFromDb(query.value(1));
        result.checkId = idFromDb(query.value(2));
        result.pluginId = idFromDb(query.value(3));
        result.time = timeFromDb(query.value(4));
        result.type = enumFromName<ResultType>(query.value(5).toString()).value_or(ResultType::PluginError);
        result.value = doubleFromDb(query.value(6));
        result.message = query.value(7).toString();
        result.status = enumFromName<PluginStatus>(query.value(8).toString()).value_or(PluginStatus::None);
        result.classification = enumFromName<State>(query.value(9).toString()).value_or(State::Unknown);
        result.durationMs = query.value(10).toLongLong();
        indexById.insert(query.value(0).toLongLong(), results.size());
        results.append(result);
    }
    if (results.isEmpty())
        return results;
    // Metrics of these results, in chunks to stay within the bound-parameter limit.
    const QList<qint64> ids = indexById.keys();
    for (qsizetype start = 0; start < ids.size(); start += RowsPerStatement) {
        const QList<qint64> chunk = ids.mid(start, RowsPerStatement);
        QVariantList chunkValues(chunk.cbegin(), chunk.cend());
        QSqlQuery metrics = m_db.exec(QStringLiteral("SELECT rm.result_id, n.name, n.unit, rm.value FROM result_metrics rm "
                                                     "JOIN metric_names n ON n.id = rm.metric_id WHERE rm.result_id IN (%1) "
                                                     "ORDER BY rm.result_id, n.name")
                                          .arg(placeholders(chunk.size())),
                                      chunkValues);
        while (metrics.next())
            results[indexById.value(metrics.value(0).toLongLong())].metrics.append(
                {metrics.value(1).toString(), metrics.value(3).toDouble(), metrics.value(2).toString()});
    }
    return results;
}

QList<CheckResult> ResultStore::lastResults(const SeriesKey &series, int count)
{
    QList<CheckResult> results = readResults(
        QStringLiteral("WHERE s.host_id = ? AND s.check_id = ? AND s.plugin_id = ? ORDER BY r.time_ms DESC, r.id DESC LIMIT ?"),
        {dbId(series.hostId), dbId(series.checkId), dbId(series.pluginId), count});
    std::reverse(results.begin(), results.end());
    return results;
}

QList<CheckResult> ResultStore::hostResults(const QUuid &hostId, const QDateTime &from, const QDateTime &to, int limit)
{
    // The series of the host first, so results are read through (series_id, time_ms).
    return readResults(QStringLiteral("WHERE r.series_id IN (SELECT id FROM series WHERE host_id = ?) "
                                      "AND r.time_ms >= ? AND r.time_ms < ? ORDER BY r.time_ms, r.id LIMIT ?"),
                       {dbId(hostId), from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch(), limit});
}

QList<HourlyRollup> ResultStore::hourlyRollups(const SeriesKey &series, const QString &metricName, const QString &unit,
                                                const QDateTime &from, const QDateTime &to)
{
    QList<HourlyRollup> rollups;
    QString metricCondition = QStringLiteral("r.metric_id = 0");
    QVariantList values = {dbId(series.hostId), dbId(series.checkId), dbId(series.pluginId), from.toMSecsSinceEpoch(),
                           to.toMSecsSinceEpoch()};
    if (!metricName.isEmpty()) {
        metricCondition = QStringLiteral("r.metric_id = (SELECT id FROM metric_names WHERE name = ? AND unit = ?)");
        values << metricName << unit;
    }
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT r.hour_ms, r.min_value, r.max_value, r.sum_value, r.count "
                                               "FROM rollups_hourly r JOIN series s ON s.id = r.series_id "
                                               "WHERE s.host_id = ? AND s.check_id = ? AND s.plugin_id = ? "
                                               "AND r.hour_ms >= ? AND r.hour_ms < ? AND ")
                                    + metricCondition + QStringLiteral(" ORDER BY r.hour_ms"),
                                values);
    while (query.next())
        rollups.append({timeFromDb(query.value(0)), query.value(1).toDouble(), query.value(2).toDouble(),
                        query.value(3).toDouble(), query.value(4).toLongLong()});
    return rollups;
}

} // namespace prophasis
