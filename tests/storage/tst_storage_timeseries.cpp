#include <QMutex>
#include <QSqlQuery>
#include <QTest>

#include <atomic>
#include <memory>
#include <thread>

#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/sqlvalues.h"
#include "daemon-core/storage/timechunks.h"
#include "tests/storage/seriesfixture.h"
#include "tests/storage/storagetesthelpers.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;
using prophasis::test::countChunkRows;
using prophasis::test::countRows;

namespace {

// Midnight, so whole days are whole chunks.
const QDateTime T0 = QDateTime(QDate(2026, 3, 1), QTime(0, 0), Qt::UTC);

} // namespace

// Retention by time chunks, range queries for charts, message history, and the upgrade of a
// version 1 database.
class TestStorageTimeSeries : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("storage_timeseries"));
    }

    void init()
    {
        m_db.reset();
        m_db = m_testDatabase->freshMigratedDatabase(&m_config);
        createEntities();
    }

    void cleanup() { m_db.reset(); }

    void shortRangesAreDownsampledFromRawResults()
    {
        // Two hours, one result a minute: value i, metric m = 2i; one run without a value.
        QList<CheckResult> batch;
        for (int i = 0; i < 120; ++i) {
            CheckResult result = make(T0.addSecs(i * 60), i);
            result.metrics = {{QStringLiteral("m"), 2.0 * i, QStringLiteral("%")}};
            batch.append(result);
        }
        batch.append(make(T0.addSecs(30), std::nullopt));
        store().insert(batch);

        const SeriesRange values = store().range(series(), {}, {}, T0, T0.addSecs(7200), 4);
        QCOMPARE(values.source, RangeSource::Raw);
        QCOMPARE(values.bucketMs, 1'800'000);
        QCOMPARE(values.points.size(), 4);
        for (int k = 0; k < 4; ++k) {
            const RangePoint &point = values.points[k];
            QCOMPARE(point.time, T0.addSecs(k * 1800));
            QCOMPARE(point.min, 30.0 * k);
            QCOMPARE(point.max, 30.0 * k + 29);
            QCOMPARE(point.average, 30.0 * k + 14.5);
            QCOMPARE(point.count, 30); // the run without a value is not counted
        }
        const SeriesRange metric =
            store().range(series(), QStringLiteral("m"), QStringLiteral("%"), T0, T0.addSecs(7200), 4);
        QCOMPARE(metric.points.size(), 4);
        QCOMPARE(metric.points[1].min, 60.0);
        QCOMPARE(metric.points[1].max, 118.0);
        QCOMPARE(metric.points[1].average, 89.0);

        // More points asked than results: each result is a point of its own.
        const SeriesRange fine = store().range(series(), {}, {}, T0.addSecs(600), T0.addSecs(1200), 1000);
        QCOMPARE(fine.points.size(), 10);
        QCOMPARE(fine.points.first().time, T0.addSecs(600));
        QCOMPARE(fine.points.first().average, 10.0);
        QCOMPARE(fine.points.last().max, 19.0);
        QVERIFY(fine.points.size() <= 1000);
    }

    void longRangesComeFromHourlyRollups()
    {
        // Ten days, one result every half hour, the value is the day's number.
        QList<CheckResult> batch;
        for (int i = 0; i < 480; ++i)
            batch.append(make(T0.addSecs(i * 1800), i / 48));
        store().insert(batch);

        const SeriesRange hourly = store().range(series(), {}, {}, T0, T0.addDays(10), 5);
        QCOMPARE(hourly.source, RangeSource::Hourly);
        QCOMPARE(hourly.bucketMs, 2 * TimeChunks::DayMs);
        QCOMPARE(hourly.points.size(), 5);
        for (int k = 0; k < 5; ++k) {
            QCOMPARE(hourly.points[k].time, T0.addDays(2 * k));
            QCOMPARE(hourly.points[k].min, 2.0 * k);
            QCOMPARE(hourly.points[k].max, 2.0 * k + 1);
            QCOMPARE(hourly.points[k].average, 2.0 * k + 0.5);
            QCOMPARE(hourly.points[k].count, 96);
        }
        // The same range read from raw results gives the same points.
        const SeriesRange raw = store().range(series(), {}, {}, T0, T0.addDays(10), 5, RangeSource::Raw);
        QCOMPARE(raw.source, RangeSource::Raw);
        QCOMPARE(raw.points.size(), 5);
        for (int k = 0; k < 5; ++k) {
            QCOMPARE(raw.points[k].time, hourly.points[k].time);
            QCOMPARE(raw.points[k].average, hourly.points[k].average);
            QCOMPARE(raw.points[k].count, hourly.points[k].count);
        }
        // Hourly buckets start at the hour holding `from`, and never split an hour.
        const SeriesRange unaligned =
            store().range(series(), {}, {}, T0.addSecs(600), T0.addDays(3), 7, RangeSource::Hourly);
        QCOMPARE(unaligned.points.first().time, T0);
        QCOMPARE(unaligned.bucketMs % 3'600'000, 0);
        QVERIFY(unaligned.points.size() <= 7);
        qint64 counted = 0;
        for (const RangePoint &point : unaligned.points)
            counted += point.count;
        QCOMPARE(counted, 3 * 48);
    }

    void rangesOfUnknownSeriesOrMetricsAreEmpty()
    {
        store().insert({make(T0, 1)});
        QVERIFY(store().range(series(), QStringLiteral("nope"), {}, T0, T0.addSecs(60), 10).points.isEmpty());
        QVERIFY(store()
                    .range({m_fixture.otherHost, m_fixture.check, m_fixture.plugin}, {}, {}, T0,
                           T0.addSecs(60), 10)
                    .points.isEmpty());
        QVERIFY(store().range(series(), {}, {}, T0.addSecs(60), T0, 10).points.isEmpty());
        QCOMPARE(store().range(series(), {}, {}, T0, T0.addSecs(60), 10).points.size(), 1);
    }

    void expiryDropsOldDaysAndKeepsRollupsAndTheLatest()
    {
        // Forty days, one result an hour; another series whose only result is on day 2.
        QList<CheckResult> batch;
        for (int h = 0; h < 40 * 24; ++h)
            batch.append(make(T0.addSecs(h * 3600), h / 24));
        CheckResult lonely = make(T0.addDays(2).addSecs(7200), 42);
        lonely.hostId = m_fixture.otherHost;
        lonely.classification = State::Major;
        lonely.message = QStringLiteral("the only one");
        batch.append(lonely);
        store().insert(batch);
        QCOMPARE(TimeChunks(*m_db).all(ChunkKind::Raw).size(), 40);

        // Now is day 40 at noon: days 0-9 end before the 30-day horizon (day 10, noon).
        const QDateTime now = T0.addDays(40).addSecs(12 * 3600);
        ExpiryReport report = store().expire(now, RetentionPolicy{30, 731});
        QCOMPARE(report.rawChunksDropped, 10);
        QCOMPARE(report.rollupChunksDropped, 0);
        QCOMPARE(TimeChunks(*m_db).all(ChunkKind::Raw).size(), 30);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), 30 * 24);
        QVERIFY(store().hostResults(m_fixture.host, T0, T0.addDays(10)).isEmpty());
        QCOMPARE(store().lastResults(series(), 10000).first().time, T0.addDays(10));
        // Rollups of the dropped days remain, and long charts still reach them.
        const QList<HourlyRollup> early = store().hourlyRollups(series(), {}, {}, T0, T0.addDays(1));
        QCOMPARE(early.size(), 24);
        QCOMPARE(early.first().average(), 0.0);
        const SeriesRange chart = store().range(series(), {}, {}, T0, T0.addDays(40), 40);
        QCOMPARE(chart.source, RangeSource::Hourly);
        QCOMPARE(chart.points.size(), 40);
        QCOMPARE(chart.points[3].average, 3.0);
        // A short chart of a dropped period is answered from rollups, not left empty.
        const SeriesRange old = store().range(series(), {}, {}, T0.addDays(3), T0.addDays(4), 24);
        QCOMPARE(old.source, RangeSource::Hourly);
        QCOMPARE(old.points.size(), 24);
        // The latest result of a series outlives the day that held it.
        QVERIFY(store().lastResults({m_fixture.otherHost, m_fixture.check, m_fixture.plugin}, 5).isEmpty());
        const std::optional<CheckResult> latest =
            store().latestResult({m_fixture.otherHost, m_fixture.check, m_fixture.plugin});
        QVERIFY(latest);
        QCOMPARE(latest->time, lonely.time);
        QCOMPARE(latest->value, std::optional<double>(42));
        QCOMPARE(latest->message, QStringLiteral("the only one"));
        QCOMPARE(latest->classification, State::Major);
        QCOMPARE(
            store().latest().value({m_fixture.otherHost, m_fixture.check, m_fixture.plugin}).classification,
            State::Major);

        // Again at the same time: nothing more to drop.
        report = store().expire(now, RetentionPolicy{30, 731});
        QCOMPARE(report.rawChunksDropped, 0);
        // Rollups: March ends on April 1, before the horizon of a 20-day policy on April 25.
        report = store().expire(QDateTime(QDate(2026, 4, 25), QTime(0, 0), Qt::UTC), RetentionPolicy{30, 20});
        QCOMPARE(report.rollupChunksDropped, 1);
        QVERIFY(store().hourlyRollups(series(), {}, {}, T0, T0.addDays(31)).isEmpty());
        QCOMPARE(store().hourlyRollups(series(), {}, {}, T0.addDays(31), T0.addDays(32)).size(), 24);
        QVERIFY(store().latestResult({m_fixture.otherHost, m_fixture.check, m_fixture.plugin}));
        // New results still go in after expiry.
        store().insert({make(now, 7)});
        QCOMPARE(store().lastResults(series(), 1).constFirst().value, std::optional<double>(7));
    }

    void messageHistoryIsNewestFirst()
    {
        // Ten results, two per day across five days, so the history spans day tables.
        QList<CheckResult> batch;
        for (int i = 0; i < 10; ++i) {
            CheckResult result = make(T0.addSecs(i * 12 * 3600), i);
            result.message = QStringLiteral("message %1").arg(i);
            result.type = i % 2 ? ResultType::Timeout : ResultType::Success;
            result.classification = i % 2 ? State::Unknown : State::Ok;
            batch.append(result);
        }
        store().insert(batch);
        const QList<MessageEntry> history = store().messageHistory(series(), T0, T0.addDays(5), 3);
        QCOMPARE(history.size(), 3);
        QCOMPARE(history[0].message, QStringLiteral("message 9"));
        QCOMPARE(history[0].time, T0.addSecs(9 * 12 * 3600));
        QCOMPARE(history[0].type, ResultType::Timeout);
        QCOMPARE(history[0].classification, State::Unknown);
        QCOMPARE(history[1].message, QStringLiteral("message 8"));
        QCOMPARE(history[1].type, ResultType::Success);
        QCOMPARE(history[1].classification, State::Ok);
        QCOMPARE(history[2].message, QStringLiteral("message 7"));
        // The range is from-inclusive, to-exclusive.
        const QList<MessageEntry> middle =
            store().messageHistory(series(), T0.addDays(1), T0.addDays(2), 100);
        QCOMPARE(middle.size(), 2);
        QCOMPARE(middle[0].message, QStringLiteral("message 3"));
        QCOMPARE(middle[1].message, QStringLiteral("message 2"));
    }

    void aBatchWrittenTwiceIsStoredOnce()
    {
        QList<CheckResult> batch;
        for (int i = 0; i < 10; ++i) {
            CheckResult result = make(T0.addSecs(i * 60), i);
            result.metrics = {{QStringLiteral("m"), double(i), {}}};
            batch.append(result);
        }
        store().insert(batch);
        store().insert(batch);                // a replay after an outage
        store().insert(batch.mid(5) + batch); // partly new, partly old, duplicated inside the batch
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), 10);
        const QList<HourlyRollup> rollups = store().hourlyRollups(series(), {}, {}, T0, T0.addDays(1));
        QCOMPARE(rollups.size(), 1);
        QCOMPARE(rollups[0].count, 10);
        QCOMPARE(rollups[0].sum, 45.0);
        QCOMPARE(
            store().hourlyRollups(series(), QStringLiteral("m"), {}, T0, T0.addDays(1)).constFirst().count,
            10);
    }

    void resultsAcrossDaysAndMonthsLandInTheirChunks()
    {
        const QDateTime midnight(QDate(2026, 4, 1), QTime(0, 0), Qt::UTC);
        store().insert({make(midnight.addSecs(60), 2), make(midnight.addMSecs(-1), 1)});
        QCOMPARE(TimeChunks(*m_db).all(ChunkKind::Raw).size(), 2);
        QCOMPARE(TimeChunks(*m_db).all(ChunkKind::Rollup).size(), 2);
        const QList<CheckResult> read = store().lastResults(series(), 10);
        QCOMPARE(read.size(), 2);
        QCOMPARE(read[0].time, midnight.addMSecs(-1));
        QCOMPARE(read[1].time, midnight.addSecs(60));
        QCOMPARE(store().hostResults(m_fixture.host, midnight.addDays(-1), midnight.addDays(1)).size(), 2);
        QCOMPARE(
            store().range(series(), {}, {}, midnight.addSecs(-60), midnight.addSecs(120), 100).points.size(),
            2);
    }

    void timesThatNoChunkCanHoldAreRefused()
    {
        QVERIFY_STORAGE_ERROR(
            store().insert({make(QDateTime(QDate(1969, 12, 31), QTime(23, 0), Qt::UTC), 1)}),
            StorageError::Kind::Invalid);
        QVERIFY_STORAGE_ERROR(store().insert({make(QDateTime(), 1)}), StorageError::Kind::Invalid);
        QCOMPARE(countRows(*m_db, QStringLiteral("series")), 0);
    }

    void aVersion1DatabaseIsConverted()
    {
        // A database as version 1 of the schema left it, with results written by hand.
        m_db.reset();
        const DatabaseConfig config = m_testDatabase->freshDatabase();
        m_db = std::make_unique<Database>(config);
        migrate(*m_db, 1);
        createEntities();
        Database &db = *m_db;
        db.exec(QStringLiteral("INSERT INTO series (id, host_id, check_id, plugin_id, last_result_id, "
                               "last_ms, last_classification) "
                               "VALUES (1, ?, ?, ?, 3, ?, 'critical')"),
                {dbId(m_fixture.host), dbId(m_fixture.check), dbId(m_fixture.plugin),
                 T0.addSecs(3600 + 120).toMSecsSinceEpoch()});
        db.exec(QStringLiteral(
            "INSERT INTO messages (id, hash, text) VALUES (1, 'h1', 'fine'), (2, 'h2', 'broken')"));
        db.exec(QStringLiteral(
            "INSERT INTO metric_names (id, name, unit) VALUES (1, 'load1', ''), (2, '/var', '%')"));
        const QList<std::tuple<int, qint64, QString, QVariant, int, QString, QString>> rows = {
            {1, T0.toMSecsSinceEpoch(), QStringLiteral("success"), 1.5, 1, QStringLiteral("ok"),
             QStringLiteral("ok")},
            {2, T0.addSecs(60).toMSecsSinceEpoch(), QStringLiteral("success"), 2.5, 1,
             QStringLiteral("warning"), QStringLiteral("minor")},
            {3, T0.addSecs(3600 + 120).toMSecsSinceEpoch(), QStringLiteral("timeout"),
             QVariant(QMetaType::fromType<double>()), 2, QStringLiteral("none"), QStringLiteral("critical")},
        };
        for (const auto &[id, timeMs, type, value, message, status, classification] : rows)
            db.exec(QStringLiteral("INSERT INTO results (id, series_id, time_ms, type, value, message_id, "
                                   "status, classification, "
                                   "duration_ms) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 7)"),
                    {id, timeMs, type, value, message, status, classification});
        db.exec(QStringLiteral("INSERT INTO result_metrics (result_id, metric_id, value) VALUES (1, 1, 0.5), "
                               "(1, 2, 81), (2, 1, 0.75)"));
        db.exec(QStringLiteral("INSERT INTO rollups_hourly (series_id, metric_id, hour_ms, min_value, "
                               "max_value, sum_value, count) "
                               "VALUES (1, 0, ?, 1.5, 2.5, 4, 2)"),
                {T0.toMSecsSinceEpoch()});

        migrate(db);
        QCOMPARE(schemaVersion(db), latestSchemaVersion());
        for (const char *table : {"results", "result_metrics", "messages", "rollups_hourly"})
            QVERIFY2(!test::tableExists(db, QLatin1String(table)), table);
        QVERIFY(test::tableExists(db, TimeChunks::rawChunkAt(T0.toMSecsSinceEpoch()).resultsTable()));
        const QList<CheckResult> read = store().lastResults(series(), 10);
        QCOMPARE(read.size(), 3);
        QCOMPARE(read[0].time, T0);
        QCOMPARE(read[0].value, std::optional<double>(1.5));
        QCOMPARE(read[0].message, QStringLiteral("fine"));
        QCOMPARE(read[0].status, PluginStatus::Ok);
        QCOMPARE(read[0].durationMs, 7);
        QCOMPARE(read[0].metrics, (QList<Metric>{{QStringLiteral("/var"), 81, QStringLiteral("%")},
                                                 {QStringLiteral("load1"), 0.5, {}}}));
        QCOMPARE(read[1].classification, State::Minor);
        QCOMPARE(read[1].status, PluginStatus::Warning);
        QCOMPARE(read[2].type, ResultType::Timeout);
        QVERIFY(!read[2].value);
        QCOMPARE(read[2].message, QStringLiteral("broken"));
        const std::optional<CheckResult> latest = store().latestResult(series());
        QVERIFY(latest);
        QCOMPARE(latest->time, T0.addSecs(3600 + 120));
        QCOMPARE(latest->classification, State::Critical);
        QCOMPARE(latest->type, ResultType::Timeout);
        // Rollups are recomputed from the raw results: the same figures as version 1 kept.
        const QList<HourlyRollup> rollups = store().hourlyRollups(series(), {}, {}, T0, T0.addDays(1));
        QCOMPARE(rollups.size(), 1);
        QCOMPARE(rollups[0].min, 1.5);
        QCOMPARE(rollups[0].max, 2.5);
        QCOMPARE(rollups[0].count, 2);
        QCOMPARE(
            store().hourlyRollups(series(), QStringLiteral("load1"), {}, T0, T0.addDays(1)).constFirst().sum,
            1.25);
        // And the converted database takes new results.
        store().insert({make(T0.addDays(1), 9)});
        QCOMPARE(store().lastResults(series(), 1).constFirst().value, std::optional<double>(9));
    }

    // PostgreSQL packs finished days (TimeChunks::pack): everything read before packing reads
    // the same afterwards.
    void packedDaysReadTheSame()
    {
        if (m_db->kind() != DatabaseKind::Postgres)
            QSKIP("days are packed on PostgreSQL only");
        const QList<SeriesKey> keys = writeVariedDays();
        const QStringList before = snapshot(keys);
        QVERIFY(before.size() > 1000);

        // Day 0 and day 1 ended more than an hour before now; day 2 is still being written.
        const QDateTime now = T0.addDays(2).addSecs(3 * 3600);
        CompactionReport report = store().compact(now);
        QCOMPARE(report.rawChunksPacked, 2);
        QCOMPARE(report.resultsPacked, countChunkRows(*m_db, QStringLiteral("results")) - 5);
        QVERIFY(TimeChunks(*m_db).isPacked(TimeChunks::rawChunkAt(T0.toMSecsSinceEpoch())));
        QVERIFY(!TimeChunks(*m_db).isPacked(TimeChunks::rawChunkAt(T0.addDays(2).toMSecsSinceEpoch())));
        // One row per (series, hour) that had results; the day's name is now a view.
        QCOMPARE(countRows(*m_db, QStringLiteral("results_20260301_packed")), 3 * 24);
        QCOMPARE(viewCount(QStringLiteral("results_20260301")), 1);
        QCOMPARE(countRows(*m_db, QStringLiteral("results_20260301_late")), 0);

        const QStringList after = snapshot(keys);
        QCOMPARE(after.size(), before.size());
        for (qsizetype i = 0; i < before.size(); ++i)
            QCOMPARE(after[i], before[i]);

        // A series' range reads the packed table by its primary key (seq scans off: the test's
        // tables are small enough for the planner to prefer them otherwise).
        m_db->exec(QStringLiteral("SET enable_seqscan = off"));
        QSqlQuery plan = m_db->exec(QStringLiteral("EXPLAIN SELECT time_ms, value FROM results_20260301 "
                                                   "WHERE series_id = 1 AND time_ms BETWEEN %1 AND %2")
                                        .arg(T0.toMSecsSinceEpoch())
                                        .arg(T0.addSecs(7200).toMSecsSinceEpoch()));
        QString planText;
        while (plan.next())
            planText += plan.value(0).toString() + u'\n';
        m_db->exec(QStringLiteral("RESET enable_seqscan"));
        QVERIFY2(planText.contains(QLatin1String("results_20260301_packed_pkey")), qPrintable(planText));

        // Packing again is a no-op.
        report = store().compact(now);
        QCOMPARE(report.rawChunksPacked, 0);
        QCOMPARE(snapshot(keys), after);
    }

    void lateResultsIntoAPackedDayAreStoredOnce()
    {
        if (m_db->kind() != DatabaseKind::Postgres)
            QSKIP("days are packed on PostgreSQL only");
        const QList<SeriesKey> keys = writeVariedDays();
        const qint64 stored = countChunkRows(*m_db, QStringLiteral("results"));
        QCOMPARE(store().compact(T0.addDays(3).addSecs(3600)).rawChunksPacked, 3);

        // A spool replayed after a long outage: one new result of day 0, one already packed.
        CheckResult late = make(T0.addSecs(3600 + 1), 1000);
        late.message = QStringLiteral("late");
        late.metrics = {{QStringLiteral("m"), 5, QStringLiteral("%")}};
        CheckResult replayed = make(T0.addSecs(7 * 60), 999); // packed already, with another value
        const QList<HourlyRollup> rollupsBefore = store().hourlyRollups(series(), {}, {}, T0, T0.addDays(1));
        store().insert({late, replayed});
        store().insert({late, replayed}); // and again
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), stored + 1);
        QCOMPARE(countRows(*m_db, QStringLiteral("results_20260301_late")), 1);

        const QList<CheckResult> hour1 =
            store().hostResults(m_fixture.host, T0.addSecs(3600), T0.addSecs(3602));
        QCOMPARE(hour1.size(), 1);
        QCOMPARE(hour1[0].value, std::optional<double>(1000));
        QCOMPARE(hour1[0].message, QStringLiteral("late"));
        QCOMPARE(hour1[0].metrics.size(), 1);
        QCOMPARE(hour1[0].metrics[0].value, 5.0);
        const QList<CheckResult> packedOne =
            store().hostResults(m_fixture.host, T0.addSecs(420), T0.addSecs(421));
        QCOMPARE(packedOne.size(), 1);
        QVERIFY(packedOne[0].value != std::optional<double>(999));
        // Rollups count the new result once and the replayed one not at all.
        const QList<HourlyRollup> rollupsAfter = store().hourlyRollups(series(), {}, {}, T0, T0.addDays(1));
        QCOMPARE(rollupsAfter.size(), rollupsBefore.size());
        QCOMPARE(rollupsAfter[1].count, rollupsBefore[1].count + 1);
        QCOMPARE(rollupsAfter[1].max, 1000.0);
        QCOMPARE(rollupsAfter[0].count, rollupsBefore[0].count);
        QCOMPARE(rollupsAfter[0].sum, rollupsBefore[0].sum);
        // The late result is in the range and the message history too.
        const SeriesRange range =
            store().range(series(), {}, {}, T0.addSecs(3600), T0.addSecs(3660), 1, RangeSource::Raw);
        QCOMPARE(range.points.size(), 1);
        QCOMPARE(range.points[0].max, 1000.0);
        QCOMPARE(store().messageHistory(series(), T0.addSecs(3600), T0.addSecs(3602), 10).size(), 1);
        // The latest stays the newest result, not the late one.
        QCOMPARE(store().latestResult(series())->time, T0.addDays(2).addSecs(4 * 60));
        Q_UNUSED(keys);
    }

    void expiryDropsAPackedDayWhole()
    {
        if (m_db->kind() != DatabaseKind::Postgres)
            QSKIP("days are packed on PostgreSQL only");
        writeVariedDays();
        QCOMPARE(store().compact(T0.addDays(3).addSecs(3600)).rawChunksPacked, 3);
        store().insert({make(T0.addSecs(5), 1)}); // into day 0's late table
        const ExpiryReport report = store().expire(T0.addDays(32), RetentionPolicy{30, 731});
        QCOMPARE(report.rawChunksDropped, 2);
        QSqlQuery left = m_db->exec(QStringLiteral(
            "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class WHERE relkind IN "
            "('r', 'v') AND (relname LIKE 'results_2026030%' OR relname LIKE 'messages_2026030%')"));
        left.next();
        QCOMPARE(left.value(0).toString(), // only day 2 is left
                 QStringLiteral(
                     "messages_20260303 results_20260303 results_20260303_late results_20260303_packed"));
        QVERIFY(!TimeChunks(*m_db).isPacked(TimeChunks::rawChunkAt(T0.toMSecsSinceEpoch())));
        QCOMPARE(TimeChunks(*m_db).all(ChunkKind::Raw).size(), 1);
        QSqlQuery markers = m_db->exec(QStringLiteral("SELECT count(*) FROM time_chunks WHERE kind = %1")
                                           .arg(int(ChunkKind::PackedRaw)));
        markers.next();
        QCOMPARE(markers.value(0).toInt(), 1);
        // A day packed afterwards is written to again: a new day, not the packed one.
        store().insert({make(T0.addDays(1), 2)});
        QCOMPARE(store().lastResults(series(), 1000).first().time, T0.addDays(1));
    }

    void packingWhileOthersWriteAndPackLosesNothing()
    {
        if (m_db->kind() != DatabaseKind::Postgres)
            QSKIP("days are packed on PostgreSQL only");
        writeVariedDays();
        const qint64 stored = countChunkRows(*m_db, QStringLiteral("results"));
        const qint64 hourZero =
            store().hourlyRollups(series(), {}, {}, T0, T0.addSecs(3600)).constFirst().count;
        // Two cores pack while two writers keep writing into the days being packed (times
        // between the stored ones: every write is new).
        constexpr int Writers = 2;
        constexpr int Batches = 20;
        std::atomic<int> packed = 0;
        const QStringList failures =
            test::onConcurrentConnections(m_config, 2 + Writers, [&](int t, Database &db) {
                ResultStore store(db);
                if (t < 2) {
                    packed += store.compact(T0.addDays(3).addSecs(3600)).rawChunksPacked;
                    return;
                }
                for (int b = 0; b < Batches; ++b) {
                    QList<CheckResult> batch;
                    for (int day = 0; day < 3; ++day)
                        batch.append(make(T0.addDays(day).addMSecs((t * Batches + b) * 1000 + 500), 1));
                    store.insert(batch);
                }
            });
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
        QCOMPARE(packed.load(), 3); // each day once
        const qint64 written = Writers * Batches * 3;
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), stored + written);
        QCOMPARE(store().hourlyRollups(series(), {}, {}, T0, T0.addSecs(3600)).constFirst().count,
                 hourZero + Writers * Batches);
        QCOMPARE(store().compact(T0.addDays(3).addSecs(3600)).rawChunksPacked, 0);
    }

    void nothingIsPackedOnSqlite()
    {
        if (m_db->kind() != DatabaseKind::Sqlite)
            QSKIP("SQLite only");
        writeVariedDays();
        QCOMPARE(store().compact(T0.addDays(10)).rawChunksPacked, 0);
        QVERIFY(!TimeChunks(*m_db).isPacked(TimeChunks::rawChunkAt(T0.toMSecsSinceEpoch())));
    }

private:
    void createEntities() { m_fixture = test::SeriesFixture::create(*m_db); }

    // Three series over three days: web1 every 7 minutes (across hour boundaries) with a value
    // missing every fifth run and metrics every third, web2 every 13 minutes without values or
    // metrics, a second check on web1 every 30 minutes; a few results on day 2.
    QList<SeriesKey> writeVariedDays()
    {
        Check other;
        other.name = QStringLiteral("c2");
        other.hostIds = {m_fixture.host};
        other.plugins = {{m_fixture.plugin, {}, std::nullopt}};
        const QUuid otherCheck = CheckStore(*m_db).create(other).id;
        QList<CheckResult> batch;
        for (int i = 0; i < 2 * 24 * 60 / 7; ++i) {
            CheckResult result =
                make(T0.addSecs(i * 7 * 60), i % 5 == 0 ? std::nullopt : std::optional(i * 0.25));
            if (i % 3 == 0)
                result.metrics = {{QStringLiteral("m"), i * 1.5, QStringLiteral("%")},
                                  {QStringLiteral("n"), -i / 3.0, {}}};
            result.message = QStringLiteral("run %1").arg(i % 4);
            result.durationMs = i % 100;
            result.classification = i % 7 == 0 ? State::Major : State::Ok;
            batch.append(result);
        }
        for (int i = 0; i < 2 * 24 * 60 / 13; ++i) {
            CheckResult result = make(T0.addSecs(i * 13 * 60 + 1), std::nullopt);
            result.hostId = m_fixture.otherHost;
            result.type = i % 2 ? ResultType::Success : ResultType::TlsError;
            batch.append(result);
        }
        for (int i = 0; i < 2 * 24 * 2; ++i) {
            CheckResult result = make(T0.addSecs(i * 1800 + 59), -i);
            result.checkId = otherCheck;
            batch.append(result);
        }
        for (int i = 0; i < 5; ++i)
            batch.append(make(T0.addDays(2).addSecs(i * 60), 100 + i));
        store().insert(batch);
        return {series(),
                {m_fixture.otherHost, m_fixture.check, m_fixture.plugin},
                {m_fixture.host, otherCheck, m_fixture.plugin}};
    }

    static QString describe(const CheckResult &r)
    {
        QStringList metrics;
        for (const Metric &metric : r.metrics)
            metrics.append(
                QStringLiteral("%1=%2%3").arg(metric.name).arg(metric.value, 0, 'g', 17).arg(metric.unit));
        return QStringLiteral("%1 %2 %3 %4 t%5 s%6 c%7 v%8 '%9' d%10 [%11]")
            .arg(r.hostId.toString(), r.checkId.toString(), r.pluginId.toString(),
                 r.time.toString(Qt::ISODateWithMs))
            .arg(int(r.type))
            .arg(int(r.status))
            .arg(int(r.classification))
            .arg(r.value ? QString::number(*r.value, 'g', 17) : QStringLiteral("null"), r.message)
            .arg(r.durationMs)
            .arg(metrics.join(u','));
    }

    // Everything the store answers about `keys`, one line per result, point or entry.
    QStringList snapshot(const QList<SeriesKey> &keys)
    {
        QStringList lines;
        const QDateTime from = T0.addSecs(-3600);
        const QDateTime to = T0.addDays(3);
        for (const QUuid &host : {m_fixture.host, m_fixture.otherHost})
            for (const CheckResult &result : store().hostResults(host, from, to))
                lines.append(QStringLiteral("host ") + describe(result));
        const LatestResults latest = store().latest();
        for (const SeriesKey &key : keys) {
            for (const CheckResult &result : store().lastResults(key, 100))
                lines.append(QStringLiteral("last ") + describe(result));
            for (const MessageEntry &entry : store().messageHistory(key, from, to, 1000))
                lines.append(QStringLiteral("message %1 %2 %3 %4")
                                 .arg(entry.time.toString(Qt::ISODateWithMs), entry.message)
                                 .arg(int(entry.type))
                                 .arg(int(entry.classification)));
            lines.append(QStringLiteral("latest %1 %2")
                             .arg(latest.value(key).time.toString(Qt::ISODateWithMs))
                             .arg(int(latest.value(key).classification)));
            if (const std::optional<CheckResult> one = store().latestResult(key))
                lines.append(QStringLiteral("latestResult ") + describe(*one));
            for (const auto &[metric, unit] : {std::pair<QString, QString>{},
                                               {QStringLiteral("m"), QStringLiteral("%")},
                                               {QStringLiteral("n"), {}}}) {
                for (const RangeSource source : {RangeSource::Raw, RangeSource::Hourly}) {
                    for (const int points : {7, 1000}) {
                        const SeriesRange range = store().range(key, metric, unit, from, to, points, source);
                        for (const RangePoint &p : range.points)
                            lines.append(QStringLiteral("range %1 %2 %3 %4 %5 %6 %7 %8")
                                             .arg(metric)
                                             .arg(int(source))
                                             .arg(p.time.toString(Qt::ISODateWithMs))
                                             .arg(p.min, 0, 'g', 17)
                                             .arg(p.average, 0, 'g', 17)
                                             .arg(p.max, 0, 'g', 17)
                                             .arg(p.count)
                                             .arg(range.bucketMs));
                    }
                }
                for (const HourlyRollup &rollup : store().hourlyRollups(key, metric, unit, from, to))
                    lines.append(QStringLiteral("rollup %1 %2 %3")
                                     .arg(metric, rollup.hour.toString(Qt::ISODate))
                                     .arg(rollup.count));
            }
        }
        return lines;
    }

    int viewCount(const QString &name)
    {
        QSqlQuery query =
            m_db->exec(QStringLiteral("SELECT count(*) FROM pg_views WHERE viewname = ?"), {name});
        query.next();
        return query.value(0).toInt();
    }

    SeriesKey series() const { return {m_fixture.host, m_fixture.check, m_fixture.plugin}; }
    ResultStore store() { return ResultStore(*m_db); }

    CheckResult make(const QDateTime &time, std::optional<double> value) const
    {
        return m_fixture.result(time, value, QStringLiteral("m"));
    }

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<Database> m_db;
    DatabaseConfig m_config;
    test::SeriesFixture m_fixture;
};

QTEST_GUILESS_MAIN(TestStorageTimeSeries)
#include "tst_storage_timeseries.moc"
