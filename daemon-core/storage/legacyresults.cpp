#include "daemon-core/storage/legacyresults.h"

#include <QLoggingCategory>
#include <QSqlQuery>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/sqlvalues.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcLegacy, "prophasis.storage.migrations")

// Results converted per ResultStore::insert.
constexpr int ConversionBatch = 5'000;

} // namespace

void convertVersion1Results(Database &db)
{
    ResultStore store(db);
    qint64 afterId = 0;
    qint64 converted = 0;
    for (;;) {
        const qint64 pageStart = afterId;
        QList<CheckResult> batch;
        QHash<qint64, qsizetype> indexById;
        QSqlQuery query = db.exec(
            QStringLiteral("SELECT r.id, s.host_id, s.check_id, s.plugin_id, r.time_ms, r.type, r.value, "
                           "m.text, r.status, r.classification, r.duration_ms FROM results r "
                           "JOIN series s ON s.id = r.series_id JOIN messages m ON m.id = r.message_id "
                           "WHERE r.id > ? ORDER BY r.id LIMIT ?"),
            {afterId, ConversionBatch});
        while (query.next()) {
            CheckResult result;
            result.hostId = idFromDb(query.value(1));
            result.checkId = idFromDb(query.value(2));
            result.pluginId = idFromDb(query.value(3));
            result.time = timeFromDb(query.value(4));
            result.type =
                enumFromName<ResultType>(query.value(5).toString()).value_or(ResultType::PluginError);
            result.value = doubleFromDb(query.value(6));
            result.message = query.value(7).toString();
            result.status =
                enumFromName<PluginStatus>(query.value(8).toString()).value_or(PluginStatus::None);
            result.classification = enumFromName<State>(query.value(9).toString()).value_or(State::Unknown);
            result.durationMs = query.value(10).toLongLong();
            afterId = query.value(0).toLongLong();
            indexById.insert(afterId, batch.size());
            batch.append(result);
        }
        if (batch.isEmpty())
            break;
        QSqlQuery metrics =
            db.exec(QStringLiteral("SELECT rm.result_id, n.name, n.unit, rm.value FROM result_metrics rm "
                                   "JOIN metric_names n ON n.id = rm.metric_id "
                                   "WHERE rm.result_id > ? AND rm.result_id <= ?"),
                    {pageStart, afterId});
        while (metrics.next()) {
            const auto index = indexById.constFind(metrics.value(0).toLongLong());
            if (index != indexById.constEnd())
                batch[*index].metrics.append(
                    {metrics.value(1).toString(), metrics.value(3).toDouble(), metrics.value(2).toString()});
        }
        store.insert(batch);
        converted += batch.size();
    }
    if (converted > 0)
        qCInfo(lcLegacy) << "converted" << converted << "results into time chunks";
    for (const char *table : {"result_metrics", "results", "messages", "rollups_hourly"})
        db.exec(QStringLiteral("DROP TABLE %1").arg(QLatin1String(table)));
    db.exec(QStringLiteral("ALTER TABLE series DROP COLUMN last_result_id"));
    db.exec(QStringLiteral("ALTER TABLE series DROP COLUMN last_classification"));
    // Every batch updates the latest result of its series: on PostgreSQL, free room in each
    // page keeps those updates HOT, so the table and its indexes do not bloat between vacuums.
    if (db.kind() == DatabaseKind::Postgres)
        db.exec(QStringLiteral("ALTER TABLE series SET (fillfactor = 50)"));
}

} // namespace prophasis
