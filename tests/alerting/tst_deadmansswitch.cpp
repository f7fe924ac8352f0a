#include <QSignalSpy>
#include <QTest>

#include "daemon-core/alerting/deadmansswitch.h"
#include "tests/alerting/alertingfixtures.h"

using namespace prophasis;
using namespace prophasis::test;
using namespace std::chrono_literals;

class TestDeadMansSwitch : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestCertificate> m_certificate;

    DeadMansSwitchConfig configFor(const WebhookListener &listener) const
    {
        DeadMansSwitchConfig config;
        config.url = listener.url(QStringLiteral("/ping/6f1c-secret"));
        config.caFile = m_certificate->certificateFile();
        config.interval = 3600s; // the tests tick by hand; the timer never fires during one
        return config;
    }

private Q_SLOTS:
    void initTestCase() { m_certificate = std::make_unique<TestCertificate>(); }

    void pingsAtStartWithASmallJsonBody()
    {
        WebhookListener listener(*m_certificate);
        DeadMansSwitch deadMansSwitch(configFor(listener), [] { return true; });
        QSignalSpy pinged(&deadMansSwitch, &DeadMansSwitch::pinged);
        deadMansSwitch.start();
        QVERIFY(deadMansSwitch.isRunning());
        QVERIFY(pinged.wait(WaitMs));
        QCOMPARE(pinged.at(0).at(0).toBool(), true);
        QCOMPARE(listener.requests().size(), 1);
        const HttpRequest &request = listener.requests().first();
        QCOMPARE(request.method, QByteArray("POST"));
        QCOMPARE(request.path, QStringLiteral("/ping/6f1c-secret"));
        const QJsonObject body = listener.json(0);
        QCOMPARE(body.value(QStringLiteral("service")).toString(), QStringLiteral("prophasis-core"));
        QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QVERIFY(!body.value(QStringLiteral("time")).toString().isEmpty());
        deadMansSwitch.stop();
        QVERIFY(!deadMansSwitch.isRunning());
    }

    void getWhenConfigured()
    {
        WebhookListener listener(*m_certificate);
        DeadMansSwitchConfig config = configFor(listener);
        config.method = "GET";
        DeadMansSwitch deadMansSwitch(config, [] { return true; });
        QSignalSpy pinged(&deadMansSwitch, &DeadMansSwitch::pinged);
        deadMansSwitch.pingNow();
        QVERIFY(pinged.wait(WaitMs));
        QCOMPARE(listener.requests().first().method, QByteArray("GET"));
        QVERIFY(listener.requests().first().body.isEmpty());
    }

    void silentWhileTheCoreIsUnhealthy()
    {
        WebhookListener listener(*m_certificate);
        bool healthy = false;
        DeadMansSwitch deadMansSwitch(configFor(listener), [&healthy] { return healthy; });
        QSignalSpy pinged(&deadMansSwitch, &DeadMansSwitch::pinged);
        QSignalSpy skipped(&deadMansSwitch, &DeadMansSwitch::skipped);
        deadMansSwitch.pingNow();
        QCOMPARE(skipped.size(), 1);
        healthy = true;
        deadMansSwitch.pingNow();
        QVERIFY(pinged.wait(WaitMs));
        QCOMPARE(listener.requests().size(), 1); // only the healthy tick reached the listener
    }

    void failuresAreLoggedAndFoldThenRecoveryIsLogged()
    {
        WebhookListener listener(*m_certificate);
        listener.answerWith({500, 502});
        DeadMansSwitch deadMansSwitch(configFor(listener), [] { return true; });
        QSignalSpy pinged(&deadMansSwitch, &DeadMansSwitch::pinged);
        QSignalSpy logs(&deadMansSwitch, &DeadMansSwitch::logEntry);
        for (int tick = 1; tick <= 3; ++tick) {
            deadMansSwitch.pingNow();
            QTRY_COMPARE_WITH_TIMEOUT(pinged.size(), tick, WaitMs);
        }
        QCOMPARE(pinged.at(0).at(0).toBool(), false);
        QCOMPARE(pinged.at(1).at(0).toBool(), false);
        QCOMPARE(pinged.at(2).at(0).toBool(), true);
        QCOMPARE(logs.size(), 3);
        for (int i = 0; i < 2; ++i) {
            const LogEntry failure = logs.at(i).at(0).value<LogEntry>();
            QCOMPARE(failure.severity, LogSeverity::Error);
            QCOMPARE(failure.foldKey, QStringLiteral("deadmansswitch|failed")); // one key: they fold
            QVERIFY2(failure.message.contains(QStringLiteral("answered HTTP 50")),
                     qPrintable(failure.message));
            QVERIFY(!failure.message.contains(QStringLiteral("secret")));
        }
        const LogEntry recovered = logs.at(2).at(0).value<LogEntry>();
        QCOMPARE(recovered.severity, LogSeverity::Info);
        QVERIFY(recovered.message.contains(QStringLiteral("reached again")));
    }

    void aPingInFlightSkipsTheNextTick()
    {
        WebhookListener listener(*m_certificate);
        listener.answerWith({0}); // never answers
        DeadMansSwitchConfig config = configFor(listener);
        config.timeout = 60s;
        {
            DeadMansSwitch deadMansSwitch(config, [] { return true; });
            QSignalSpy pinged(&deadMansSwitch, &DeadMansSwitch::pinged);
            deadMansSwitch.pingNow();
            QTRY_COMPARE_WITH_TIMEOUT(listener.requests().size(), 1, WaitMs);
            deadMansSwitch.pingNow(); // skipped: the first is still waiting
            QCOMPARE(pinged.size(), 0);
        } // destroying it cancels the ping in flight instead of waiting a minute
        QCOMPARE(listener.requests().size(), 1);
    }

    void offWithoutAUrl()
    {
        DeadMansSwitch deadMansSwitch(DeadMansSwitchConfig{}, [] { return true; });
        deadMansSwitch.start();
        QVERIFY(!deadMansSwitch.isRunning());
    }
};

QTEST_GUILESS_MAIN(TestDeadMansSwitch)
#include "tst_deadmansswitch.moc"
