#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

#include <memory>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/healthhistorystore.h"
#include "daemon-core/storage/storageexecutor.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

const qint64 T0 = 1'700'000'000'000;

QDateTime at(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

StoredHealthChange change(const QUuid &subject, qint64 timeMs, State from, State to,
                          HealthSubject kind = HealthSubject::Host)
{
    return {.time = at(timeMs), .subject = kind, .subjectId = subject, .from = from, .to = to};
}

qint64 rowCount(Database &db)
{
    QSqlQuery query = db.exec(QStringLiteral("SELECT COUNT(*) FROM health_changes"));
    query.next();
    return query.value(0).toLongLong();
}

} // namespace

// The health history (health_changes) on SQLite and PostgreSQL: batches, ranges, order, limits,
// expiry, and the engine's recorder batching a loop turn's changes into one write.
class TestHealthHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_database = std::make_unique<test::TestDatabase>(QStringLiteral("healthhistory"));
    }

    void appendsAndListsNewestFirstInRange()
    {
        const std::unique_ptr<Database> db = m_database->freshMigratedDatabase();
        HealthHistoryStore store(*db);
        const QUuid host = QUuid::createUuid();
        const QUuid service = QUuid::createUuid();
        store.append({change(host, T0, State::NoData, State::Ok),
                      change(host, T0 + 1000, State::Ok, State::Critical),
                      change(service, T0 + 1500, State::Ok, State::Degraded, HealthSubject::Service),
                      change(host, T0 + 2000, State::Critical, State::Ok)});
        store.append({}); // nothing to do

        QList<StoredHealthChange> all = store.list(host, {}, {}, 100);
        QCOMPARE(all.size(), 3);
        QCOMPARE(all[0].time, at(T0 + 2000));
        QCOMPARE(all[0].from, State::Critical);
        QCOMPARE(all[0].to, State::Ok);
        QCOMPARE(all[1].to, State::Critical);
        QCOMPARE(all[2].time, at(T0));
        QVERIFY(all[0].id > 0);
        QCOMPARE(all[0].subject, HealthSubject::Host);
        QCOMPARE(all[0].subjectId, host);

        // [from, to): the first included, the last excluded.
        const QList<StoredHealthChange> range = store.list(host, at(T0), at(T0 + 2000), 100);
        QCOMPARE(range.size(), 2);
        QCOMPARE(range[0].time, at(T0 + 1000));
        QCOMPARE(range[1].time, at(T0));

        const QList<StoredHealthChange> limited = store.list(host, {}, {}, 1);
        QCOMPARE(limited.size(), 1);
        QCOMPARE(limited[0].time, at(T0 + 2000));

        const QList<StoredHealthChange> ofService = store.list(service, {}, {}, 100);
        QCOMPARE(ofService.size(), 1);
        QCOMPARE(ofService[0].subject, HealthSubject::Service);
        QCOMPARE(ofService[0].to, State::Degraded);

        QVERIFY(store.list(QUuid::createUuid(), {}, {}, 100).isEmpty());
    }

    void largeBatchIsOneTransaction()
    {
        const std::unique_ptr<Database> db = m_database->freshMigratedDatabase();
        HealthHistoryStore store(*db);
        const QUuid host = QUuid::createUuid();
        QList<StoredHealthChange> batch;
        for (int i = 0; i < HealthHistoryStore::RowsPerStatement * 2 + 7; ++i)
            batch.append(
                change(host, T0 + i, i % 2 ? State::Ok : State::Minor, i % 2 ? State::Minor : State::Ok));
        store.append(batch);
        QCOMPARE(rowCount(*db), qint64(batch.size()));
        QCOMPARE(store.list(host, {}, {}, HealthHistoryStore::MaxListLimit).size(), batch.size());

        // A batch that fails part-way stores nothing: the subject id is NOT NULL.
        QList<StoredHealthChange> broken = batch;
        broken[HealthHistoryStore::RowsPerStatement + 3].subjectId = QUuid();
        QVERIFY_THROWS_EXCEPTION(StorageError, store.append(broken));
        QCOMPARE(rowCount(*db), qint64(batch.size()));
    }

    void removesOlderThan()
    {
        const std::unique_ptr<Database> db = m_database->freshMigratedDatabase();
        HealthHistoryStore store(*db);
        const QUuid host = QUuid::createUuid();
        store.append({change(host, T0, State::NoData, State::Ok),
                      change(host, T0 + 10, State::Ok, State::Minor),
                      change(host, T0 + 20, State::Minor, State::Ok)});
        QCOMPARE(store.removeOlderThan(at(T0 + 10)), 1);
        const QList<StoredHealthChange> left = store.list(host, {}, {}, 10);
        QCOMPARE(left.size(), 2);
        QCOMPARE(left.last().time, at(T0 + 10));
        QCOMPARE(store.removeOlderThan(at(T0 + 10)), 0);
    }

    void recorderBatchesALoopTurn()
    {
        DatabaseConfig config;
        m_database->freshMigratedDatabase(&config);
        StorageExecutor executor(config, 1);
        HealthHistoryRecorder recorder(executor);
        QSignalSpy written(&recorder, &HealthHistoryRecorder::written);
        const QUuid host = QUuid::createUuid();
        for (int i = 0; i < 50; ++i)
            recorder.record(change(host, T0 + i, State::Ok, State::Minor));
        QVERIFY(!recorder.idle());
        QTRY_VERIFY_WITH_TIMEOUT(recorder.idle(), 20'000);
        // One loop turn, one write.
        QCOMPARE(written.size(), 1);
        QCOMPARE(written.first().first().toInt(), 50);
        QCOMPARE(recorder.lost(), 0);
        const int stored = executor.runAndWait(
            [host](Database &db) { return int(HealthHistoryStore(db).list(host, {}, {}, 1000).size()); });
        QCOMPARE(stored, 50);

        recorder.expireBefore(at(T0 + 25));
        QTRY_COMPARE_WITH_TIMEOUT(executor.runAndWait([host](Database &db) {
            return int(HealthHistoryStore(db).list(host, {}, {}, 1000).size());
        }),
                                  25, 20'000);
    }

    void recorderCountsWhatItCannotWrite()
    {
        DatabaseConfig config;
        const std::unique_ptr<Database> db = m_database->freshMigratedDatabase(&config);
        db->exec(QStringLiteral("DROP TABLE health_changes"));
        StorageExecutor executor(config, 1);
        HealthHistoryRecorder recorder(executor);
        recorder.record(change(QUuid::createUuid(), T0, State::Ok, State::Critical));
        recorder.record(change(QUuid::createUuid(), T0, State::Ok, State::Critical));
        QTRY_VERIFY_WITH_TIMEOUT(recorder.idle(), 20'000);
        QCOMPARE(recorder.lost(), 2);
    }

private:
    std::unique_ptr<test::TestDatabase> m_database;
};

QTEST_GUILESS_MAIN(TestHealthHistory)
#include "tst_healthhistory.moc"
