#include <QCoreApplication>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include "daemon-core/health/systemdnotifier.h"
#include "tests/health/notifysocket.h"

using namespace prophasis;
using namespace prophasis::test;
using namespace std::chrono_literals;

namespace {

constexpr int WaitMs = 5000; // an upper bound for what should take milliseconds

// The environment systemd gives a Type=notify service, set for the next SystemdNotifier.
void setSystemdEnvironment(const QByteArray &socket, const QByteArray &watchdogUsec = {},
                           const QByteArray &watchdogPid = {})
{
    qputenv("NOTIFY_SOCKET", socket);
    if (watchdogUsec.isEmpty())
        qunsetenv("WATCHDOG_USEC");
    else
        qputenv("WATCHDOG_USEC", watchdogUsec);
    if (watchdogPid.isEmpty())
        qunsetenv("WATCHDOG_PID");
    else
        qputenv("WATCHDOG_PID", watchdogPid);
}

} // namespace

// sd_notify(3) without libsystemd, against a real unix datagram socket the test binds.
class TestSystemdNotifier : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString socketPath(const char *name) const { return m_dir.filePath(QLatin1String(name)); }

private Q_SLOTS:
    void init()
    {
        qunsetenv("NOTIFY_SOCKET");
        qunsetenv("WATCHDOG_USEC");
        qunsetenv("WATCHDOG_PID");
    }

    void nothingWithoutNotifySocket()
    {
        SystemdNotifier notifier;
        QVERIFY(!notifier.isEnabled());
        QCOMPARE(notifier.watchdogTimeout(), 0us);
        QVERIFY(!notifier.notify("READY=1"));
        notifier.startWatchdog([](QString *) { return true; }); // must not crash or send
    }

    void badSocketNamesAreIgnored_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("relative") << QByteArray("notify.sock");
        QTest::newRow("vsock") << QByteArray("vsock:2:1234");
        QTest::newRow("too long") << QByteArray('/' + QByteArray(200, 'x'));
        QTest::newRow("bare @") << QByteArray("@");
    }

    void badSocketNamesAreIgnored()
    {
        QFETCH(QByteArray, name);
        setSystemdEnvironment(name, "30000000");
        SystemdNotifier notifier;
        QVERIFY(!notifier.isEnabled());
        QVERIFY(!notifier.notify("READY=1"));
    }

    void readyStatusStoppingReachAPathSocket()
    {
        NotifySocket systemd(socketPath("notify.sock"));
        QVERIFY(systemd.isBound());
        setSystemdEnvironment(systemd.name());
        SystemdNotifier notifier;
        QVERIFY(notifier.isEnabled());
        // Taken from the environment: child processes cannot speak for the core.
        QVERIFY(qgetenv("NOTIFY_SOCKET").isEmpty());
        QCOMPARE(notifier.watchdogTimeout(), 0us);

        notifier.notifyReady(QStringLiteral("running: 3 hosts"));
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("READY=1\nSTATUS=running: 3 hosts"));
        notifier.notifyStatus(QStringLiteral("two\nlines"));
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("STATUS=two lines"));
        notifier.notifyStopping(QStringLiteral("stopping"));
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("STOPPING=1\nSTATUS=stopping"));
    }

    void abstractSocketNames()
    {
        const QByteArray name = "@prophasis-test-notify-" + QByteArray::number(qint64(::getpid()));
        NotifySocket systemd(QString::fromLatin1(name));
        QVERIFY(systemd.isBound());
        setSystemdEnvironment(name);
        SystemdNotifier notifier;
        QVERIFY(notifier.isEnabled());
        QVERIFY(notifier.notify("READY=1"));
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("READY=1"));
    }

    void watchdogSettingsFromTheEnvironment()
    {
        NotifySocket systemd(socketPath("watchdog-env.sock"));
        setSystemdEnvironment(systemd.name(), "30000000");
        {
            SystemdNotifier notifier;
            QCOMPARE(notifier.watchdogTimeout(), 30s);
            QCOMPARE(notifier.watchdogInterval(), 15s);
            QVERIFY(qgetenv("WATCHDOG_USEC").isEmpty());
        }
        // WATCHDOG_PID names the process the watchdog is for; another process ignores it.
        setSystemdEnvironment(systemd.name(), "30000000", QByteArray::number(qint64(::getpid())));
        QCOMPARE(SystemdNotifier().watchdogTimeout(), 30s);
        setSystemdEnvironment(systemd.name(), "30000000", QByteArray::number(qint64(::getpid()) + 1));
        QCOMPARE(SystemdNotifier().watchdogTimeout(), 0us);
        setSystemdEnvironment(systemd.name(), "soon");
        QCOMPARE(SystemdNotifier().watchdogTimeout(), 0us);
    }

    void watchdogOnlyWhileLive()
    {
        NotifySocket systemd(socketPath("watchdog.sock"));
        // A long timeout: this test drives the rounds itself.
        setSystemdEnvironment(systemd.name(), "600000000");
        SystemdNotifier notifier;
        bool live = true;
        QString why = QStringLiteral("scheduler: frozen");
        notifier.startWatchdog([&](QString *reason) {
            if (!live)
                *reason = why;
            return live;
        });
        // startWatchdog pings at once.
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("WATCHDOG=1"));
        QVERIFY(notifier.watchdogTick());
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("WATCHDOG=1"));

        live = false;
        QVERIFY(!notifier.watchdogTick());
        QVERIFY(!notifier.watchdogTick());
        // Datagrams keep their order: the marker coming first proves nothing was sent before it.
        notifier.notifyStatus(QStringLiteral("marker"));
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("STATUS=marker"));

        live = true;
        QVERIFY(notifier.watchdogTick());
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("WATCHDOG=1"));
    }

    void watchdogTimerPings()
    {
        NotifySocket systemd(socketPath("watchdog-timer.sock"));
        setSystemdEnvironment(systemd.name(), "40000"); // 40 ms: a ping every 20 ms
        SystemdNotifier notifier;
        int asked = 0;
        notifier.startWatchdog([&asked](QString *) {
            ++asked;
            return true;
        });
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("WATCHDOG=1"));
        // The timer's rounds: wait for the event loop to run at least two of them.
        QTRY_VERIFY_WITH_TIMEOUT(asked >= 3, WaitMs);
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("WATCHDOG=1"));
        QCOMPARE(systemd.receive(WaitMs).value_or("nothing"), QByteArray("WATCHDOG=1"));
        notifier.stopWatchdog();
    }

    void lostSystemdDoesNotBlock()
    {
        QByteArray name;
        {
            NotifySocket gone(socketPath("gone.sock"));
            name = gone.name();
        }
        setSystemdEnvironment(name, "1000000");
        SystemdNotifier notifier;
        QVERIFY(notifier.isEnabled());
        QVERIFY(!notifier.notify("READY=1")); // refused, reported, not fatal
        QVERIFY(!notifier.watchdogTick());
    }
};

QTEST_GUILESS_MAIN(TestSystemdNotifier)
#include "tst_systemdnotifier.moc"
