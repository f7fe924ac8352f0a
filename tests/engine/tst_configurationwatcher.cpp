#include <QSignalSpy>
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
};

QTEST_GUILESS_MAIN(TestConfigurationWatcher)
#include "tst_configurationwatcher.moc"
