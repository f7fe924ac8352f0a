#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultretention.h"
#include "daemon-core/storage/resultspool.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/resultwriter.h"
#include "daemon-core/storage/storageexecutor.h"
#include "tests/storage/storagetesthelpers.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;
using prophasis::test::countChunkRows;

namespace {

const QDateTime T0 = QDateTime(QDate(2026, 3, 1), QTime(10, 0), Qt::UTC);
// Outages end by themselves in these tests; generous, because the machine is shared.
constexpr int OutageTimeoutMs = 60'000;

bool waitFor(QFuture<void> future)
{
    QFutureWatcher<void> watcher;
    QSignalSpy finished(&watcher, &QFutureWatcher<void>::finished);
    watcher.setFuture(future);
    return future.isFinished() || finished.wait(OutageTimeoutMs);
}

// Runs tests/scripts/pg-cluster.sh.
bool pgCluster(const QString &action, const QString &dir)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.start(QStringLiteral("bash"), {QStringLiteral(PROPHASIS_PG_CLUSTER_SCRIPT), action, dir});
    return process.waitForFinished(120'000) && process.exitStatus() == QProcess::NormalExit &&
           process.exitCode() == 0;
}

} // namespace

// ResultWriter: batches, the spool while the database is away, replay, bad results, bounds.
class TestStorageResultWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("storage_resultwriter"));
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        // SQLite in a folder of the test's own, so the test can take the folder away.
        QDir().mkpath(m_dir->filePath(QStringLiteral("live")));
        m_config = m_testDatabase->isPostgres()
                       ? m_testDatabase->freshDatabase()
                       : DatabaseConfig::sqlite(m_dir->filePath(QStringLiteral("live/prophasis.db")));
        Database db(m_config);
        migrate(db);
        createEntities(db);
    }

    void batchesAreWritten()
    {
        StorageExecutor executor(m_config, 2);
        ResultWriter writer(executor, options());
        QSignalSpy availability(&writer, &ResultWriter::databaseAvailabilityChanged);
        QString error;
        QVERIFY2(writer.start(&error), qPrintable(error));
        for (int i = 0; i < 1200; ++i)
            QVERIFY(writer.accept(make(i)));
        QVERIFY(waitFor(writer.drain()));
        QCOMPARE(writer.counters().accepted, 1200);
        QCOMPARE(writer.counters().written, 1200);
        QCOMPARE(writer.counters().spooled, 0);
        QCOMPARE(storedCount(), 1200);
        QVERIFY(availability.isEmpty());
        QVERIFY(writer.databaseAvailable());
    }

    void aFewResultsAreWrittenAfterTheFlushInterval()
    {
        StorageExecutor executor(m_config, 1);
        ResultWriter writer(executor, options());
        QString error;
        QVERIFY(writer.start(&error));
        writer.accept(make(0));
        writer.accept(make(1));
        QCOMPARE(writer.pendingResults(), 2); // fewer than a batch: waits for the timer
        QTRY_COMPARE(writer.counters().written, 2);
        QCOMPARE(storedCount(), 2);
    }

    void badResultsAreDroppedAloneAndTheQueueMovesOn()
    {
        StorageExecutor executor(m_config, 1);
        ResultWriter writer(executor, options());
        QSignalSpy dropped(&writer, &ResultWriter::resultsDropped);
        QString error;
        QVERIFY(writer.start(&error));
        for (int i = 0; i < 40; ++i) {
            CheckResult result = make(i);
            if (i == 3 || i == 30)
                result.hostId = QUuid::createUuid(); // a host deleted meanwhile
            writer.accept(result);
        }
        QVERIFY(waitFor(writer.drain()));
        QCOMPARE(writer.counters().written, 38);
        QCOMPARE(writer.counters().rejected, 2);
        QCOMPARE(dropped.size(), 2);
        QCOMPARE(storedCount(), 38);
        // The queue goes on.
        writer.accept(make(100));
        QVERIFY(waitFor(writer.drain()));
        QCOMPARE(storedCount(), 39);
        QVERIFY(writer.databaseAvailable());
    }

    void anUnreachableDatabaseIsSpooledAndReplayedWhenItAppears()
    {
        // The writer's database is not there yet; it appears later, with everything in it.
        const DatabaseConfig missing = hiddenDatabase();
        StorageExecutor executor(missing, 1);
        ResultWriter writer(executor, options());
        QSignalSpy availability(&writer, &ResultWriter::databaseAvailabilityChanged);
        QSignalSpy replayed(&writer, &ResultWriter::spoolReplayed);
        QString error;
        QVERIFY(writer.start(&error));
        for (int i = 0; i < 250; ++i)
            QVERIFY(writer.accept(make(i)));
        QTRY_VERIFY_WITH_TIMEOUT(!writer.databaseAvailable(), OutageTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(writer.counters().spooled, 250, OutageTimeoutMs);
        QCOMPARE(availability.size(), 1);
        QCOMPARE(availability.first().at(0).toBool(), false);
        QVERIFY(!availability.first().at(1).toString().isEmpty());
        QVERIFY(!segments().isEmpty());
        // Results accepted while it is away go to the spool behind the others.
        for (int i = 250; i < 300; ++i)
            QVERIFY(writer.accept(make(i)));
        QTRY_COMPARE_WITH_TIMEOUT(writer.counters().spooled, 300, OutageTimeoutMs);

        revealDatabase(missing);
        QVERIFY(replayed.wait(OutageTimeoutMs));
        QVERIFY(writer.databaseAvailable());
        QCOMPARE(availability.size(), 2);
        QCOMPARE(availability.last().at(0).toBool(), true);
        QCOMPARE(writer.counters().replayed, 300);
        QCOMPARE(writer.counters().lost, 0);
        QCOMPARE(writer.spooledResults(), 0);
        QCOMPARE(storedCount(), 300);
        QTRY_VERIFY(segments().isEmpty());
        // Back to writing directly.
        writer.accept(make(300));
        QVERIFY(waitFor(writer.drain()));
        QCOMPARE(writer.counters().written, 1);
        QCOMPARE(storedCount(), 301);
    }

    void aFullSpoolRefusesResultsAndLosesNone()
    {
        const DatabaseConfig missing = hiddenDatabase();
        StorageExecutor executor(missing, 1);
        ResultWriterOptions limited = options();
        limited.spoolLimitBytes = 40 * (ResultSpool::encodedBytes(make(0)) + 20);
        ResultWriter writer(executor, limited);
        QSignalSpy dropped(&writer, &ResultWriter::resultsDropped);
        QString error;
        QVERIFY(writer.start(&error));
        int accepted = 0;
        for (int i = 0; i < 100; ++i)
            accepted += writer.accept(make(i)) ? 1 : 0;
        QVERIFY(accepted >= 30);
        QVERIFY(accepted < 100);
        QCOMPARE(writer.counters().accepted, accepted);
        QCOMPARE(writer.counters().refused, 100 - accepted);
        QCOMPARE(dropped.size(), 100 - accepted);
        QTRY_COMPARE_WITH_TIMEOUT(writer.counters().spooled, accepted, OutageTimeoutMs);
        QCOMPARE(writer.counters().lost, 0);

        revealDatabase(missing);
        QTRY_COMPARE_WITH_TIMEOUT(writer.counters().replayed, accepted, OutageTimeoutMs);
        QCOMPARE(storedCount(), accepted);
        // Room again: results are accepted.
        QVERIFY(writer.accept(make(1000)));
    }

    void drainSpoolsWhatTheDatabaseCannotTakeAndTheNextStartReplaysIt()
    {
        const DatabaseConfig missing = hiddenDatabase();
        {
            StorageExecutor executor(missing, 1);
            ResultWriter writer(executor, options());
            QString error;
            QVERIFY(writer.start(&error));
            for (int i = 0; i < 30; ++i)
                writer.accept(make(i));
            QVERIFY(waitFor(writer.drain()));
            QCOMPARE(writer.counters().spooled, 30);
        }
        // A crash during the next append leaves a torn record behind the good ones.
        const QStringList files = segments();
        QCOMPARE(files.size(), 1);
        QFile torn(spoolPath() + u'/' + files.constFirst());
        QVERIFY(torn.open(QIODevice::Append));
        torn.write(QByteArray("PRS1\x10\x00\x00\x00garbage", 15));
        torn.close();

        revealDatabase(missing);
        StorageExecutor executor(m_config, 1);
        ResultWriter writer(executor, options());
        QSignalSpy replayed(&writer, &ResultWriter::spoolReplayed);
        QString error;
        QVERIFY(writer.start(&error));
        QCOMPARE(writer.spooledResults(), 30);
        QVERIFY(replayed.wait(OutageTimeoutMs));
        QCOMPARE(writer.counters().replayed, 30);
        QCOMPARE(storedCount(), 30);
        QTRY_VERIFY(segments().isEmpty());
    }

    void resultsFlowThroughARealOutage()
    {
        // The database goes away while results are being written and comes back: every result
        // accepted is stored exactly once. Results are fed all along, so writes are in flight
        // when it goes. PostgreSQL: a cluster of this test's own, stopped and started (the
        // shared one serves other tests in parallel). SQLite: another connection holds the
        // write lock past the busy timeout.
        std::unique_ptr<QTemporaryDir> clusterDir;
        // Stops the cluster however the test ends (before clusterDir goes).
        struct ClusterStopper
        {
            QString dir;
            ~ClusterStopper()
            {
                if (!dir.isEmpty())
                    pgCluster(QStringLiteral("stop"), dir);
            }
        } stopper;
        std::unique_ptr<Database> locker;
        QProcess serverControl;
        serverControl.setProcessChannelMode(QProcess::ForwardedChannels);
        std::function<void()> takeAway;
        std::function<void()> bringBack;
        std::function<bool()> changeDone = [] { return true; };
        if (m_testDatabase->isPostgres()) {
            clusterDir = std::make_unique<QTemporaryDir>();
            QVERIFY(pgCluster(QStringLiteral("start"), clusterDir->path()));
            stopper.dir = clusterDir->path();
            QFile urlFile(clusterDir->filePath(QStringLiteral("url")));
            QVERIFY(urlFile.open(QIODevice::ReadOnly));
            QString error;
            const std::optional<DatabaseConfig> own =
                DatabaseConfig::fromUrl(QString::fromUtf8(urlFile.readAll()).trimmed(), &error);
            QVERIFY2(own, qPrintable(error));
            m_config = *own;
            Database db(m_config);
            migrate(db);
            createEntities(db);
            // pg_ctl runs beside the event loop, which keeps feeding results meanwhile.
            auto control = [&](const QString &action) {
                serverControl.start(QStringLiteral("bash"), {QStringLiteral(PROPHASIS_PG_CLUSTER_SCRIPT),
                                                             action, clusterDir->path()});
            };
            takeAway = [=] { control(QStringLiteral("stop-server")); };
            bringBack = [=] { control(QStringLiteral("start-server")); };
            changeDone = [&] {
                return serverControl.state() == QProcess::NotRunning &&
                       serverControl.exitStatus() == QProcess::NormalExit && serverControl.exitCode() == 0;
            };
        } else {
            takeAway = [&] {
                locker = std::make_unique<Database>(m_config);
                locker->exec(QStringLiteral("BEGIN EXCLUSIVE"));
            };
            bringBack = [&] {
                locker->exec(QStringLiteral("ROLLBACK"));
                locker.reset();
            };
        }

        StorageExecutor executor(m_config, 1);
        ResultWriterOptions fast = options();
        fast.batchSize = 100;
        ResultWriter writer(executor, fast);
        QSignalSpy availability(&writer, &ResultWriter::databaseAvailabilityChanged);
        QString error;
        QVERIFY(writer.start(&error));
        // Five results every 10 ms, each with its own time and value.
        int next = 0;
        QTimer feeder;
        connect(&feeder, &QTimer::timeout, this, [&] {
            for (int i = 0; i < 5; ++i)
                QVERIFY(writer.accept(make(next++)));
        });
        feeder.start(10);

        QTRY_VERIFY_WITH_TIMEOUT(writer.counters().written >= 200, OutageTimeoutMs);
        takeAway();
        QTRY_VERIFY_WITH_TIMEOUT(!writer.databaseAvailable() && changeDone(), OutageTimeoutMs);
        const qint64 spooledAtOutage = writer.counters().spooled;
        QTRY_VERIFY_WITH_TIMEOUT(writer.counters().spooled >= spooledAtOutage + 200, OutageTimeoutMs);
        bringBack();
        QTRY_VERIFY_WITH_TIMEOUT(writer.databaseAvailable() && writer.spooledResults() == 0 && changeDone(),
                                 OutageTimeoutMs);
        const qint64 writtenAfter = writer.counters().written;
        QTRY_VERIFY_WITH_TIMEOUT(writer.counters().written >= writtenAfter + 200, OutageTimeoutMs);
        feeder.stop();
        QVERIFY(waitFor(writer.drain()));

        const ResultWriterCounters counters = writer.counters();
        QCOMPARE(counters.accepted, next);
        QCOMPARE(counters.written + counters.replayed, next);
        QCOMPARE(counters.rejected + counters.lost + counters.refused, 0);
        QVERIFY(counters.spooled >= 200);
        QCOMPARE(availability.size(), 2); // once away, once back
        QCOMPARE(availability.first().at(0).toBool(), false);
        QCOMPARE(availability.last().at(0).toBool(), true);
        // Each result once, with its own value, and counted once in the rollups.
        Database db(m_config);
        ResultStore store(db);
        const QList<CheckResult> stored = store.lastResults(series(), next + 1);
        QCOMPARE(stored.size(), next);
        for (int i = 0; i < next; ++i) {
            QCOMPARE(stored[i].time, T0.addSecs(i));
            QCOMPARE(stored[i].value, std::optional<double>(i));
        }
        qint64 rolledUp = 0;
        for (const HourlyRollup &rollup : store.hourlyRollups(series(), {}, {}, T0, T0.addSecs(next + 1)))
            rolledUp += rollup.count;
        QCOMPARE(rolledUp, next);
    }

    void retentionExpiresThroughTheExecutor()
    {
        // Results 40 and 2 days old: the old day goes, the recent one stays.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        {
            Database db(m_config);
            CheckResult old = make(0);
            old.time = now.addDays(-40);
            CheckResult recent = make(1);
            recent.time = now.addDays(-2);
            ResultStore(db).insert({old, recent});
        }
        StorageExecutor executor(m_config, 1);
        ResultRetention retention(executor, RetentionPolicy{30, 731});
        QSignalSpy expired(&retention, &ResultRetention::expired);
        retention.start();
        QVERIFY(expired.wait(OutageTimeoutMs));
        QCOMPARE(expired.first().at(0).value<ExpiryReport>().rawChunksDropped, 1);
        QCOMPARE(storedCount(), 1);
        // Nothing more to drop on the next run.
        const ExpiryReport again = retention.expireNow().result();
        QCOMPARE(again.rawChunksDropped, 0);
    }

private:
    ResultWriterOptions options() const
    {
        ResultWriterOptions options;
        options.spoolDirectory = spoolPath();
        options.flushIntervalMs = 20;
        options.retryMinMs = 100;
        options.retryMaxMs = 1000;
        return options;
    }

    QString spoolPath() const { return m_dir->filePath(QStringLiteral("spool")); }
    QStringList segments() const
    {
        return QDir(spoolPath()).entryList({QStringLiteral("*.spool")}, QDir::Files);
    }

    // The test database renamed (SQLite: its folder), so the writer cannot reach it until
    // revealDatabase() renames it back.
    DatabaseConfig hiddenDatabase()
    {
        if (m_config.kind == DatabaseKind::Sqlite) {
            [&] { QVERIFY(QDir(m_dir->path()).rename(QStringLiteral("live"), QStringLiteral("hidden"))); }();
            return m_config;
        }
        Database admin(adminConfig());
        admin.exec(QStringLiteral("ALTER DATABASE %1 RENAME TO %1_hidden").arg(m_config.database));
        return m_config;
    }

    void revealDatabase(const DatabaseConfig &config)
    {
        if (config.kind == DatabaseKind::Sqlite) {
            [&] { QVERIFY(QDir(m_dir->path()).rename(QStringLiteral("hidden"), QStringLiteral("live"))); }();
            return;
        }
        Database admin(adminConfig());
        admin.exec(QStringLiteral("ALTER DATABASE %1_hidden RENAME TO %1").arg(config.database));
    }

    DatabaseConfig adminConfig() const
    {
        DatabaseConfig admin = m_config;
        admin.database = QStringLiteral("postgres");
        return admin;
    }

    void createEntities(Database &db)
    {
        Host host;
        host.id = m_host;
        host.name = QStringLiteral("web1");
        host.address = QStringLiteral("127.0.0.1");
        HostStore(db).create(host);
        Plugin plugin;
        plugin.id = m_plugin;
        plugin.pluginId = QStringLiteral("org.prophasis.load");
        plugin.name = QStringLiteral("Load");
        plugin.pluginVersion = QStringLiteral("1.0");
        plugin.entry = QStringLiteral("load.lua");
        plugin.classifier.source = QStringLiteral("return 'ok'");
        PluginStore(db).create(plugin);
        Check check{{}, QStringLiteral("c"), {}, {m_host}, {}, {{m_plugin, {}, std::nullopt}}, true};
        check.id = m_check;
        CheckStore(db).create(check);
    }

    SeriesKey series() const { return {m_host, m_check, m_plugin}; }

    CheckResult make(int i) const
    {
        CheckResult result;
        result.hostId = m_host;
        result.checkId = m_check;
        result.pluginId = m_plugin;
        result.time = T0.addSecs(i);
        result.value = i;
        result.message = QStringLiteral("result %1").arg(i % 7);
        result.classification = State::Ok;
        result.metrics = {{QStringLiteral("n"), double(i), {}}};
        return result;
    }

    qint64 storedCount()
    {
        Database db(m_config);
        return countChunkRows(db, QStringLiteral("results"));
    }

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<QTemporaryDir> m_dir;
    DatabaseConfig m_config;
    const QUuid m_host = QUuid::createUuid();
    const QUuid m_plugin = QUuid::createUuid();
    const QUuid m_check = QUuid::createUuid();
};

QTEST_GUILESS_MAIN(TestStorageResultWriter)
#include "tst_storage_resultwriter.moc"
