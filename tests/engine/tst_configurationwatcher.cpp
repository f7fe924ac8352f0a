#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "daemon-core/engine/configurationwatcher.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/storageexecutor.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

using ConfigurationPointer = std::shared_ptr<const Configuration>;

// Waits for the next snapshot and returns it (null when none came).
ConfigurationPointer nextSnapshot(QSignalSpy &spy)
{
    if (spy.isEmpty() && !spy.wait(10'000))
        return nullptr;
    return spy.takeFirst().at(0).value<ConfigurationPointer>();
}

} // namespace

class TestConfigurationWatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<ConfigurationPointer>(); }

    void changesArriveWithoutARestart()
    {
        test::TestDatabase testDatabase(QStringLiteral("configurationwatcher"));
        DatabaseConfig config;
        testDatabase.freshMigratedDatabase(&config);
        StorageExecutor storage(config, 1);
        ConfigurationWatcher watcher(storage, SecretBox(SecretBox::generateKey()), 20);
        QSignalSpy spy(&watcher, &ConfigurationWatcher::configurationChanged);
        watcher.start();
        ConfigurationPointer snapshot = nextSnapshot(spy);
        QVERIFY(snapshot);
        QVERIFY(snapshot->hosts.isEmpty());
        QCOMPARE(watcher.current(), snapshot);

        Host host;
        host.name = QStringLiteral("web1");
        host.address = QStringLiteral("127.0.0.1");
        host = storage.runAndWait([&](Database &db) { return HostStore(db).create(host); });
        snapshot = nextSnapshot(spy);
        QVERIFY(snapshot);
        QCOMPARE(snapshot->hosts.value(host.id).name, QStringLiteral("web1"));

        // Polls without a change load nothing.
        QTest::qWait(200);
        QCOMPARE(spy.size(), 0);

        host.description = QStringLiteral("the first web server");
        storage.runAndWait([&](Database &db) { return HostStore(db).update(host); });
        snapshot = nextSnapshot(spy);
        QVERIFY(snapshot);
        QCOMPARE(snapshot->hosts.value(host.id).description, QStringLiteral("the first web server"));

        storage.runAndWait([&](Database &db) { HostStore(db).remove(host.id); });
        snapshot = nextSnapshot(spy);
        QVERIFY(snapshot);
        QVERIFY(snapshot->hosts.isEmpty());

        // The API asks for a reload after its own writes; it comes even when nothing moved.
        watcher.reloadNow();
        QVERIFY(nextSnapshot(spy));
    }

    void anUnreadableDatabaseIsReportedOncePerOutage()
    {
        QTemporaryDir dir;
        // A database file in a folder that does not exist cannot be opened: unavailable.
        StorageExecutor storage(DatabaseConfig::sqlite(dir.filePath(QStringLiteral("missing/prophasis.db"))),
                                1);
        ConfigurationWatcher watcher(storage, SecretBox(SecretBox::generateKey()), 20);
        QSignalSpy failed(&watcher, &ConfigurationWatcher::loadFailed);
        QSignalSpy changed(&watcher, &ConfigurationWatcher::configurationChanged);
        watcher.start();
        QVERIFY(failed.wait(10'000));
        QVERIFY2(!failed.first().at(0).toString().isEmpty(), "no reason given");
        // Many polls later, still one report and no snapshot.
        QTest::qWait(300);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(changed.size(), 0);
        QCOMPARE(watcher.current(), nullptr);
    }
};

QTEST_GUILESS_MAIN(TestConfigurationWatcher)
#include "tst_configurationwatcher.moc"
