#include <QMutex>
#include <QTest>

#include <limits>
#include <memory>
#include <thread>

#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "tests/storage/seriesfixture.h"
#include "tests/storage/storagetesthelpers.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;
using prophasis::test::countChunkRows;
using prophasis::test::countRows;

namespace {

const QDateTime T0 = QDateTime(QDate(2026, 3, 1), QTime(10, 0), Qt::UTC);

} // namespace

class TestStorageResults : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("storage_results"));
    }

    void init()
    {
        m_db.reset();
        m_db = m_testDatabase->freshMigratedDatabase(&m_config);
        m_fixture = test::SeriesFixture::create(*m_db);
    }

    void cleanup() { m_db.reset(); }

    void roundTripWithMetrics()
    {
        ResultStore results(*m_db);
        CheckResult result = make(T0, 1.5, QStringLiteral("load is fine"));
        result.status = PluginStatus::Ok;
        result.durationMs = 42;
        result.metrics = {{QStringLiteral("load1"), 1.5, {}},
                          {QStringLiteral("load5"), 0.75, {}},
                          {QStringLiteral("/var"), 81, QStringLiteral("%")}};
        CheckResult failed = make(T0.addSecs(60), std::nullopt, QStringLiteral("connection refused"));
        failed.type = ResultType::ConnectionError;
        failed.classification = State::Unknown;
        results.insert({result, failed});

        const QList<CheckResult> read = results.lastResults(series(), 10);
        QCOMPARE(read.size(), 2);
        QCOMPARE(read[0].time, T0); // oldest first
        QCOMPARE(read[0].value, std::optional<double>(1.5));
        QCOMPARE(read[0].message, QStringLiteral("load is fine"));
        QCOMPARE(read[0].status, PluginStatus::Ok);
        QCOMPARE(read[0].durationMs, 42);
        QCOMPARE(read[0].classification, State::Ok);
        QCOMPARE(read[0].metrics.size(), 3);
        QVERIFY(read[0].metrics.contains(Metric{QStringLiteral("/var"), 81, QStringLiteral("%")}));
        QVERIFY(read[0].metrics.contains(Metric{QStringLiteral("load5"), 0.75, {}}));
        QCOMPARE(read[1].type, ResultType::ConnectionError);
        QVERIFY(!read[1].value);
        QVERIFY(read[1].metrics.isEmpty());
    }

    void repeatedMessagesAreStoredOnce()
    {
        ResultStore results(*m_db);
        QList<CheckResult> batch;
        for (int i = 0; i < 50; ++i)
            batch.append(make(T0.addSecs(i * 60), i,
                              i % 10 == 0 ? QStringLiteral("rare") : QStringLiteral("all good")));
        results.insert(batch);
        results.insert({make(T0.addSecs(3600), 1, QStringLiteral("all good"))});
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), 51);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("messages")), 2);
    }

    void awkwardTextSurvivesTheBatchPath()
    {
        // Batches write values into the SQL as quoted literals; nothing may break out of them.
        const QStringList messages = {
            QStringLiteral("it's 'quoted' ''twice''"),    QStringLiteral("back\\slash \\' end"),
            QStringLiteral("question? marks ?? here"),    QStringLiteral("ünïcødé ✓ 🚀 中文"),
            QStringLiteral("'); DROP TABLE results; --"), QStringLiteral("line\nbreak\ttab")};
        ResultStore results(*m_db);
        QList<CheckResult> batch;
        for (qsizetype i = 0; i < messages.size(); ++i) {
            CheckResult result = make(T0.addSecs(i), double(i) + 0.1, messages[i]);
            result.metrics = {{messages[i], 1.0 / 3.0, QStringLiteral("°C'")}};
            batch.append(result);
        }
        results.insert(batch);
        const QList<CheckResult> read = results.lastResults(series(), 100);
        QCOMPARE(read.size(), messages.size());
        for (qsizetype i = 0; i < messages.size(); ++i) {
            QCOMPARE(read[i].message, messages[i]);
            QCOMPARE(read[i].value, std::optional<double>(double(i) + 0.1)); // doubles round-trip exactly
            QCOMPARE(read[i].metrics.constFirst(), (Metric{messages[i], 1.0 / 3.0, QStringLiteral("°C'")}));
        }
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), messages.size());
    }

    void nulAndNonFiniteValuesAreStoredSafely()
    {
        ResultStore results(*m_db);
        CheckResult withNul = make(T0, std::numeric_limits<double>::quiet_NaN(),
                                   QStringLiteral("before") + QChar(u'\0') + QStringLiteral("after"));
        CheckResult infinite =
            make(T0.addSecs(1), std::numeric_limits<double>::infinity(), QStringLiteral("inf"));
        results.insert({withNul, infinite});
        const QList<CheckResult> read = results.lastResults(series(), 2);
        QCOMPARE(read.size(), 2);
        QCOMPARE(read[0].message, QStringLiteral("beforeafter"));
        QVERIFY(!read[0].value); // NaN has no SQL literal: stored as no value
        QVERIFY(!read[1].value);
    }

    void longMessagesAreCut()
    {
        ResultStore results(*m_db);
        results.insert({make(T0, 1, QString(10'000, u'x'))});
        QCOMPARE(results.lastResults(series(), 1).constFirst().message.size(), ResultStore::MaxMessageLength);
    }

    void latestFollowsTheNewestResult()
    {
        ResultStore results(*m_db);
        CheckResult older = make(T0, 1, QStringLiteral("a"));
        CheckResult newer = make(T0.addSecs(120), 2, QStringLiteral("b"));
        newer.classification = State::Critical;
        results.insert({newer, older}); // out of order within a batch
        LatestResults latest = results.latest();
        QCOMPARE(latest.size(), 1);
        QCOMPARE(latest.value(series()).time, T0.addSecs(120));
        QCOMPARE(latest.value(series()).classification, State::Critical);
        // A late result from the past does not replace the latest.
        results.insert({make(T0.addSecs(60), 3, QStringLiteral("late"))});
        QCOMPARE(results.latest().value(series()).classification, State::Critical);
        CheckResult newest = make(T0.addSecs(180), 4, QStringLiteral("c"));
        newest.classification = State::Minor;
        results.insert({newest});
        QCOMPARE(results.latest().value(series()).classification, State::Minor);
    }

    void lastResultsTakesTheNewestN()
    {
        ResultStore results(*m_db);
        QList<CheckResult> batch;
        for (int i = 0; i < 20; ++i)
            batch.append(make(T0.addSecs(i * 60), i, QStringLiteral("m")));
        results.insert(batch);
        const QList<CheckResult> last = results.lastResults(series(), 5);
        QCOMPARE(last.size(), 5);
        QCOMPARE(last.first().value, std::optional<double>(15));
        QCOMPARE(last.last().value, std::optional<double>(19));
    }

    void hostResultsBetweenTwoTimes()
    {
        ResultStore results(*m_db);
        QList<CheckResult> batch;
        for (int i = 0; i < 10; ++i) {
            batch.append(make(T0.addSecs(i * 60), i, QStringLiteral("m")));
            CheckResult other = make(T0.addSecs(i * 60), 100 + i, QStringLiteral("other host"));
            other.hostId = m_fixture.otherHost;
            batch.append(other);
        }
        results.insert(batch);
        const QList<CheckResult> range =
            results.hostResults(m_fixture.host, T0.addSecs(120), T0.addSecs(300));
        QCOMPARE(range.size(), 3); // 2, 3, 4: from inclusive, to exclusive
        QCOMPARE(range.first().value, std::optional<double>(2));
        QCOMPARE(range.last().value, std::optional<double>(4));
        for (const CheckResult &result : range)
            QCOMPARE(result.hostId, m_fixture.host);
        QCOMPARE(results.hostResults(m_fixture.host, T0, T0.addDays(1), 4).size(), 4);
    }

    void hourlyRollups()
    {
        ResultStore results(*m_db);
        // Two hours: values 1..4 in the first, 10 and 20 in the second; metric "load1" doubles them.
        QList<CheckResult> first;
        for (int i = 1; i <= 4; ++i) {
            CheckResult result = make(T0.addSecs(i * 600), i, QStringLiteral("m"));
            result.metrics = {{QStringLiteral("load1"), 2.0 * i, {}}};
            first.append(result);
        }
        results.insert(first.mid(0, 2));
        results.insert(first.mid(2)); // a second batch into the same hour merges
        CheckResult a = make(T0.addSecs(3600 + 60), 10, QStringLiteral("m"));
        CheckResult b = make(T0.addSecs(3600 + 120), 20, QStringLiteral("m"));
        CheckResult noValue = make(T0.addSecs(3600 + 180), std::nullopt, QStringLiteral("failed"));
        results.insert({a, b, noValue});

        const QList<HourlyRollup> values = results.hourlyRollups(series(), {}, {}, T0, T0.addSecs(7200));
        QCOMPARE(values.size(), 2);
        QCOMPARE(values[0].hour, T0);
        QCOMPARE(values[0].min, 1.0);
        QCOMPARE(values[0].max, 4.0);
        QCOMPARE(values[0].count, 4);
        QCOMPARE(values[0].average(), 2.5);
        QCOMPARE(values[1].hour, T0.addSecs(3600));
        QCOMPARE(values[1].min, 10.0);
        QCOMPARE(values[1].max, 20.0);
        QCOMPARE(values[1].count, 2); // a result without a value is not averaged in

        const QList<HourlyRollup> metric =
            results.hourlyRollups(series(), QStringLiteral("load1"), {}, T0, T0.addSecs(7200));
        QCOMPARE(metric.size(), 1);
        QCOMPARE(metric[0].min, 2.0);
        QCOMPARE(metric[0].max, 8.0);
        QCOMPARE(metric[0].sum, 20.0);
    }

    void largeBatchesAreChunked()
    {
        ResultStore results(*m_db);
        QList<CheckResult> batch;
        for (int i = 0; i < 1200; ++i) {
            CheckResult result = make(T0.addSecs(i), i, QStringLiteral("message %1").arg(i % 300));
            result.metrics = {{QStringLiteral("a"), double(i), {}}, {QStringLiteral("b"), double(-i), {}}};
            batch.append(result);
        }
        results.insert(batch);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), 1200);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("messages")), 300);
        const QList<CheckResult> read = results.lastResults(series(), 1200);
        QCOMPARE(read.size(), 1200);
        for (int i = 0; i < 1200; ++i) {
            QCOMPARE(read[i].value, std::optional<double>(i));
            QCOMPARE(read[i].message, QStringLiteral("message %1").arg(i % 300));
            QCOMPARE(read[i].metrics, (QList<Metric>{{QStringLiteral("a"), double(i), {}},
                                                     {QStringLiteral("b"), double(-i), {}}}));
        }
    }

    void aBadBatchIsWrittenNotAtAll()
    {
        ResultStore results(*m_db);
        CheckResult good = make(T0, 1, QStringLiteral("fine"));
        CheckResult bad = make(T0, 1, QStringLiteral("unknown host"));
        bad.hostId = QUuid::createUuid();
        QVERIFY_STORAGE_ERROR(results.insert({good, bad}), StorageError::Kind::MissingReference);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), 0);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("messages")), 0);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("rollups")), 0);
        QCOMPARE(countRows(*m_db, QStringLiteral("series")), 0);
    }

    void deletingAHostDeletesItsSeries()
    {
        ResultStore results(*m_db);
        CheckResult result = make(T0, 1, QStringLiteral("m"));
        result.metrics = {{QStringLiteral("x"), 1, {}}};
        results.insert({result});
        HostStore(*m_db).remove(m_fixture.host);
        QCOMPARE(countRows(*m_db, QStringLiteral("series")), 0);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), 0);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("rollups")), 0);
        QVERIFY(results.latest().isEmpty());
    }

    void aSeriesIdCacheNeverOutlivesItsSeries()
    {
        SeriesIdCache cache;
        CheckResult other = make(T0, 2, QStringLiteral("other"));
        other.hostId = m_fixture.otherHost;
        ResultStore(*m_db, &cache).insert({make(T0, 1, QStringLiteral("first")), other});
        QVERIFY(cache.find({m_fixture.host, m_fixture.check, m_fixture.plugin}));
        QVERIFY(cache.find({m_fixture.otherHost, m_fixture.check, m_fixture.plugin}));
        // Known series are written without a lookup.
        ResultStore(*m_db, &cache).insert({make(T0.addSecs(60), 1, QStringLiteral("second"))});
        QCOMPARE(
            ResultStore(*m_db).lastResults({m_fixture.host, m_fixture.check, m_fixture.plugin}, 5).size(), 2);

        // The host goes, and with it its series: its cached id must not be written to. The
        // batch is refused with the clear error of an unknown host and the cache is emptied.
        HostStore(*m_db).remove(m_fixture.host);
        QVERIFY_STORAGE_ERROR(
            ResultStore(*m_db, &cache).insert({make(T0.addSecs(120), 1, QStringLiteral("late"))}),
            StorageError::Kind::MissingReference);
        QVERIFY(!cache.find({m_fixture.otherHost, m_fixture.check, m_fixture.plugin}));
        QCOMPARE(countRows(*m_db, QStringLiteral("series")), 1);
        // The other host's series is looked up again and written.
        other.time = T0.addSecs(120);
        ResultStore(*m_db, &cache).insert({other});
        QCOMPARE(ResultStore(*m_db)
                     .lastResults({m_fixture.otherHost, m_fixture.check, m_fixture.plugin}, 5)
                     .size(),
                 2);

        // A batch inside a caller's transaction that rolls back leaves no id behind.
        cache.clear();
        Host thirdHost;
        thirdHost.name = QStringLiteral("web3");
        thirdHost.address = QStringLiteral("127.0.0.1");
        const QUuid third = HostStore(*m_db).create(thirdHost).id;
        Check check = CheckStore(*m_db).get(m_fixture.check);
        check.hostIds.append(third);
        CheckStore(*m_db).update(check);
        CheckResult rolledBack = make(T0, 1, QStringLiteral("gone"));
        rolledBack.hostId = third;
        try {
            m_db->transaction([&] {
                ResultStore(*m_db, &cache).insert({rolledBack});
                throw StorageError(StorageError::Kind::Internal, QStringLiteral("rolled back"));
            });
        } catch (const StorageError &) {
        }
        QVERIFY(!cache.find({third, m_fixture.check, m_fixture.plugin}));
    }

    void concurrentWritersLoseNothing()
    {
        // Four connections write interleaved batches into the same series at once.
        constexpr int Writers = 4;
        constexpr int Batches = 10;
        constexpr int PerBatch = 25;
        const QStringList failures =
            test::onConcurrentConnections(m_config, Writers, [&](int w, Database &db) {
                ResultStore store(db);
                for (int b = 0; b < Batches; ++b) {
                    QList<CheckResult> batch;
                    for (int i = 0; i < PerBatch; ++i) {
                        const int n = (w * Batches + b) * PerBatch + i;
                        CheckResult result = make(T0.addSecs(n), n, QStringLiteral("writer %1").arg(w));
                        result.metrics = {{QStringLiteral("n"), double(n), {}}};
                        batch.append(result);
                    }
                    store.insert(batch);
                }
            });
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
        const qint64 total = Writers * Batches * PerBatch;
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("results")), total);
        QCOMPARE(countChunkRows(*m_db, QStringLiteral("messages")), Writers);
        QCOMPARE(results().latest().value(series()).time, T0.addSecs(total - 1));
        // Every rollup count adds up to the number of values and metrics written.
        qint64 values = 0;
        qint64 metrics = 0;
        for (const HourlyRollup &rollup :
             results().hourlyRollups(series(), {}, {}, T0.addDays(-1), T0.addDays(1)))
            values += rollup.count;
        for (const HourlyRollup &rollup :
             results().hourlyRollups(series(), QStringLiteral("n"), {}, T0.addDays(-1), T0.addDays(1)))
            metrics += rollup.count;
        QCOMPARE(values, total);
        QCOMPARE(metrics, total);
    }

private:
    SeriesKey series() const { return {m_fixture.host, m_fixture.check, m_fixture.plugin}; }
    ResultStore results() { return ResultStore(*m_db); }

    CheckResult make(const QDateTime &time, std::optional<double> value, const QString &message) const
    {
        return m_fixture.result(time, value, message);
    }

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    DatabaseConfig m_config;
    std::unique_ptr<Database> m_db;
    test::SeriesFixture m_fixture;
};

QTEST_GUILESS_MAIN(TestStorageResults)
#include "tst_storage_results.moc"
