#include <QCoreApplication>
#include <QFutureWatcher>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/storageexecutor.h"
#include "tests/storage/storagetesthelpers.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

// The executor keeps database work off the caller's thread and hands results and errors back
// through futures.
class TestStorageExecutor : public QObject
{
    Q_OBJECT

    // The server ends every other session on the database, as a restart would, and they are
    // gone before this returns (pg_terminate_backend only signals them).
    void terminateOtherSessions()
    {
        Database admin(m_config);
        admin.exec(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
        for (int i = 0; i < 100; ++i) {
            QSqlQuery others =
                admin.exec(QStringLiteral("SELECT count(*) FROM pg_stat_activity "
                                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
            if (others.next() && others.value(0).toInt() == 0)
                return;
            QTest::qWait(20);
        }
        QFAIL("the terminated sessions did not end");
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("storage_executor"));
    }

    void init()
    {
        m_config = m_testDatabase->freshDatabase();
        StorageExecutor(m_config, 1).runAndWait([](Database &db) { migrate(db); });
    }

    void runsOffTheCallingThread()
    {
        StorageExecutor executor(m_config, 2);
        QThread *const caller = QThread::currentThread();
        const bool elsewhere =
            executor.runAndWait([caller](Database &) { return QThread::currentThread() != caller; });
        QVERIFY(elsewhere);
    }

    void resultsReachTheEventLoop()
    {
        StorageExecutor executor(m_config, 2);
        Host host;
        host.name = QStringLiteral("web1");
        host.address = QStringLiteral("127.0.0.1");
        QString seenName;
        QThread *continuationThread = nullptr;
        QFuture<void> done = executor.run([host](Database &db) { return HostStore(db).create(host); })
                                 .then(this, [&](const Host &created) {
                                     seenName = created.name;
                                     continuationThread = QThread::currentThread();
                                 });
        QTRY_VERIFY(done.isFinished());
        QCOMPARE(seenName, QStringLiteral("web1"));
        QCOMPARE(continuationThread, QThread::currentThread());
    }

    void errorsReachTheCaller()
    {
        StorageExecutor executor(m_config, 1);
        StorageError::Kind kind = StorageError::Kind::Internal;
        bool failed = false;
        QFuture<void> done = executor.run([](Database &db) { return HostStore(db).get(QUuid::createUuid()); })
                                 .then(this, [](const Host &) {})
                                 .onFailed(this, [&](const StorageError &error) {
                                     failed = true;
                                     kind = error.kind();
                                 });
        QTRY_VERIFY(done.isFinished());
        QVERIFY(failed);
        QCOMPARE(kind, StorageError::Kind::NotFound);
        // The worker survives a failed job.
        QCOMPARE(executor.runAndWait([](Database &db) { return HostStore(db).list().size(); }), 0);
        QVERIFY_STORAGE_ERROR(
            executor.runAndWait([](Database &db) { HostStore(db).remove(QUuid::createUuid()); }),
            StorageError::Kind::NotFound);
    }

    void anUnreachableDatabaseIsReportedPerJob()
    {
        DatabaseConfig broken = DatabaseConfig::sqlite(QStringLiteral("/nonexistent-folder/sub/db.sqlite"));
        StorageExecutor executor(broken, 1);
        QVERIFY_STORAGE_ERROR(executor.runAndWait([](Database &db) { migrate(db); }),
                              StorageError::Kind::Unavailable);
        // And again: every job gets the error, none hangs.
        QVERIFY_STORAGE_ERROR(executor.runAndWait([](Database &db) { migrate(db); }),
                              StorageError::Kind::Unavailable);
    }

    void aLostConnectionIsReopened()
    {
        if (!m_testDatabase->isPostgres())
            QSKIP("an SQLite file cannot drop its connection; PostgreSQL can");
        StorageExecutor executor(m_config, 1);
        QCOMPARE(executor.runAndWait([](Database &db) { return HostStore(db).list().size(); }), 0);
        terminateOtherSessions();
        // The job that meets the dead connection fails as Unavailable (the caller keeps its
        // work to retry); the next one runs on a new connection.
        try {
            executor.runAndWait([](Database &db) { return HostStore(db).list().size(); });
        } catch (const StorageError &error) {
            QVERIFY2(error.kind() == StorageError::Kind::Unavailable, qPrintable(error.message()));
        }
        QCOMPARE(executor.runAndWait([](Database &db) { return HostStore(db).list().size(); }), 0);
    }

    void aLostConnectionIsReopenedByEveryWorker()
    {
        if (!m_testDatabase->isPostgres())
            QSKIP("an SQLite file cannot drop its connection; PostgreSQL can");
        StorageExecutor executor(m_config, 2);
        // Both workers open their connection (each job waits until the other one started).
        QSemaphore started;
        auto hold = [&started](Database &db) {
            started.release();
            started.tryAcquire(2, 10'000);
            started.release(2);
            return HostStore(db).list().size();
        };
        QFuture<qsizetype> first = executor.run(hold), second = executor.run(hold);
        QCOMPARE(first.result() + second.result(), 0);
        terminateOtherSessions();
        // One job meets the dead connection; after it, neither worker fails another.
        try {
            executor.runAndWait([](Database &db) { return HostStore(db).list().size(); });
        } catch (const StorageError &error) {
            QVERIFY2(error.kind() == StorageError::Kind::Unavailable, qPrintable(error.message()));
        }
        QList<QFuture<qsizetype>> jobs;
        for (int i = 0; i < 20; ++i)
            jobs.append(executor.run([](Database &db) { return HostStore(db).list().size(); }));
        for (QFuture<qsizetype> &job : jobs)
            QCOMPARE(job.result(), 0);
    }

    void anOverloadedServerIsUnavailableNotBroken()
    {
        if (!m_testDatabase->isPostgres())
            QSKIP("statement and lock timeouts are PostgreSQL's");
        // A statement cut off by statement_timeout, or a lock not granted within lock_timeout,
        // says the server is busy: worth retrying later (the result writer spools), not a bug.
        Database db(m_config);
        db.exec(QStringLiteral("SET statement_timeout = 50"));
        QVERIFY_STORAGE_ERROR(db.exec(QStringLiteral("SELECT pg_sleep(2)")), StorageError::Kind::Unavailable);
        db.exec(QStringLiteral("SET statement_timeout = 0"));

        Database holder(m_config);
        holder.exec(QStringLiteral("BEGIN"));
        holder.exec(QStringLiteral("LOCK TABLE hosts IN ACCESS EXCLUSIVE MODE"));
        db.exec(QStringLiteral("SET lock_timeout = 50"));
        QVERIFY_STORAGE_ERROR(db.exec(QStringLiteral("SELECT count(*) FROM hosts")),
                              StorageError::Kind::Unavailable);
        holder.exec(QStringLiteral("ROLLBACK"));
    }

    void manyConcurrentJobsAllComplete()
    {
        StorageExecutor executor(m_config, 3);
        constexpr int Jobs = 60;
        QList<QFuture<Host>> futures;
        for (int i = 0; i < Jobs; ++i) {
            futures.append(executor.run([i](Database &db) {
                Host host;
                host.name = QStringLiteral("host-%1").arg(i);
                host.address = QStringLiteral("127.0.0.%1").arg(i + 1);
                return HostStore(db).create(host);
            }));
        }
        for (QFuture<Host> &future : futures)
            QVERIFY(!future.result().id.isNull());
        QCOMPARE(executor.runAndWait([](Database &db) { return HostStore(db).list().size(); }),
                 qsizetype(Jobs));
    }

    void destructionFinishesQueuedJobs()
    {
        std::atomic<int> finished = 0;
        {
            StorageExecutor executor(m_config, 1);
            for (int i = 0; i < 20; ++i)
                executor.run([&finished](Database &db) {
                    HostStore(db).list();
                    ++finished;
                });
        }
        QCOMPARE(finished.load(), 20);
    }

private:
    std::unique_ptr<test::TestDatabase> m_testDatabase;
    DatabaseConfig m_config;
};

QTEST_GUILESS_MAIN(TestStorageExecutor)
#include "tst_storage_executor.moc"
