#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <condition_variable>
#include <mutex>

#include "daemon-core/alerting/alertservice.h"
#include "tests/alerting/alertingfixtures.h"
#include "tests/support/configurationfixture.h"

using namespace prophasis;
using namespace prophasis::test;
using namespace std::chrono_literals;

namespace {

// A module whose deliveries wait until the test opens the gate, or until cancelled: for the
// queue's bounds and the stop sequence, which need deliveries that take as long as the test wants.
class GateModule : public AlertModule
{
public:
    struct Gate
    {
        std::mutex mutex;
        std::condition_variable changed;
        bool open = false;
        std::atomic<int> started = 0;
    };

    explicit GateModule(std::shared_ptr<Gate> gate)
        : m_gate(std::move(gate))
    {
    }
    QString name() const override { return QStringLiteral("gate"); }
    FieldErrors validate(const Alert &) const override { return {}; }
    DeliveryResult deliver(const Alert &, const AlertNotification &,
                           const DeliveryContext &context) const override
    {
        ++m_gate->started;
        std::unique_lock lock(m_gate->mutex);
        while (!m_gate->open && !context.cancelled())
            m_gate->changed.wait_for(lock, 10ms);
        return m_gate->open ? DeliveryResult::success()
                            : DeliveryResult::failure(QStringLiteral("cancelled: the core is stopping"));
    }

    static void open(Gate &gate)
    {
        std::lock_guard lock(gate.mutex);
        gate.open = true;
        gate.changed.notify_all();
    }

private:
    std::shared_ptr<Gate> m_gate;
};

// Retries in milliseconds, so the tests wait for outcomes rather than for the clock.
DeliveryOptions quickOptions()
{
    DeliveryOptions options;
    options.retry =
        RetryPolicy{.maxAttempts = 3, .firstDelay = 20ms, .maxDelay = 100ms, .maxTotal = 60'000ms};
    options.stopGrace = 50ms;
    return options;
}

struct Estate
{
    ConfigurationFixture f;
    QUuid web1, plugin, check;

    Estate()
    {
        web1 = f.host(QStringLiteral("web1"));
        plugin = f.plugin(QStringLiteral("http"));
        check = f.check({web1}, {}, {plugin});
    }

    QUuid alert(const QString &module, const QJsonObject &options, const QMap<QString, QString> &secrets = {})
    {
        Alert alert;
        alert.id = f.newId();
        alert.name = QStringLiteral("alert %1").arg(f.config.alerts.size() + 1);
        alert.module = module;
        alert.options = options;
        alert.secrets = secrets;
        alert.scope.allHosts = true;
        f.config.alerts.insert(alert.id, alert);
        return alert.id;
    }

    std::shared_ptr<const Configuration> configuration() const
    {
        return std::make_shared<const Configuration>(f.config);
    }

    AlertEvent change(State from, State to) const
    {
        AlertEvent event;
        event.change = {HealthChange::Subject::Host,     web1, from, to, QDateTime::currentDateTimeUtc(),
                        {SeriesKey{web1, check, plugin}}};
        return event;
    }
};

std::shared_ptr<const AlertModules> withGate(const std::shared_ptr<GateModule::Gate> &gate)
{
    AlertModules modules = AlertModules::withBuiltIns();
    modules.add(std::make_shared<GateModule>(gate));
    return std::make_shared<const AlertModules>(std::move(modules));
}

DeliveryReport report(const QSignalSpy &spy, int index)
{
    return spy.at(index).at(0).value<DeliveryReport>();
}

LogEntry logAt(const QSignalSpy &spy, int index)
{
    return spy.at(index).at(0).value<LogEntry>();
}

} // namespace

class TestAlertService : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestCertificate> m_certificate;

    QUuid webhookAlert(Estate &estate, const WebhookListener &listener)
    {
        return estate.alert(QStringLiteral("webhook"),
                            {{QStringLiteral("ca_file"), m_certificate->certificateFile()}},
                            {{QStringLiteral("url"), listener.url()}});
    }

private Q_SLOTS:
    void initTestCase() { m_certificate = std::make_unique<TestCertificate>(); }

    void deliversWhatAChangeFires()
    {
        WebhookListener listener(*m_certificate);
        Estate estate;
        const QUuid alertId = webhookAlert(estate, listener);
        AlertService service(quickOptions());
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        QSignalSpy logs(&service, &AlertService::logEntry);
        service.setConfiguration(estate.configuration());
        service.onHealthChange(estate.change(State::Ok, State::Critical));

        QVERIFY(finished.wait(WaitMs));
        QCOMPARE(report(finished, 0).kind, DeliveryReport::Kind::Delivered);
        QCOMPARE(report(finished, 0).attempts, 1);
        QCOMPARE(listener.requests().size(), 1);
        QCOMPARE(listener.json(0)[QStringLiteral("subject")][QStringLiteral("name")].toString(),
                 QStringLiteral("web1"));
        QCOMPARE(
            listener.json(0)[QStringLiteral("causes")].toArray().first()[QStringLiteral("plugin")].toString(),
            QStringLiteral("http"));
        QCOMPARE(logs.size(), 1);
        const LogEntry entry = logAt(logs, 0);
        QCOMPARE(entry.category, QStringLiteral("alert"));
        QCOMPARE(entry.severity, LogSeverity::Info);
        QCOMPARE(entry.hostId, estate.web1);
        QCOMPARE(entry.foldKey, QStringLiteral("alert|delivered|") + alertId.toString(QUuid::WithoutBraces));
        QVERIFY2(entry.message.contains(QStringLiteral("web1 is CRITICAL (was OK)")),
                 qPrintable(entry.message));
    }

    void commandsRunOnTheDeliveryThreads()
    {
        // A command needs an event loop for its process; delivery threads make one per run.
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("alert.txt"));
        Estate estate;
        estate.alert(
            QStringLiteral("command"),
            {{QStringLiteral("program"), QStringLiteral("/bin/sh")},
             {QStringLiteral("arguments"),
              QJsonArray{QStringLiteral("-c"), QStringLiteral("echo \"$PROPHASIS_SUMMARY\" > \"$1\""),
                         QStringLiteral("sh"), out}}});
        AlertService service(quickOptions());
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        service.setConfiguration(estate.configuration());
        service.onHealthChange(estate.change(State::Ok, State::Major));
        QVERIFY(finished.wait(WaitMs));
        QCOMPARE(report(finished, 0).kind, DeliveryReport::Kind::Delivered);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("web1 is MAJOR (was OK)\n"));
    }

    void changesThatFireNothingSendNothing()
    {
        WebhookListener listener(*m_certificate);
        Estate estate;
        webhookAlert(estate, listener);
        AlertService service(quickOptions());
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        // Before any configuration: ignored.
        service.onHealthChange(estate.change(State::Ok, State::Major));
        service.setConfiguration(estate.configuration());
        // Leaving "no data" (a host's first result) never alerts.
        service.onHealthChange(estate.change(State::NoData, State::Critical));
        service.onHealthChange(estate.change(State::Critical, State::Ok));
        QVERIFY(finished.wait(WaitMs));
        QCOMPARE(listener.requests().size(), 1);
        QCOMPARE(listener.json(0)[QStringLiteral("to")].toString(), QStringLiteral("ok"));
    }

    void failedAttemptsAreRetriedWithBackoff()
    {
        WebhookListener listener(*m_certificate);
        listener.answerWith({500, 503}); // then 200
        Estate estate;
        webhookAlert(estate, listener);
        AlertService service(quickOptions());
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        QSignalSpy logs(&service, &AlertService::logEntry);
        service.setConfiguration(estate.configuration());
        service.onHealthChange(estate.change(State::Ok, State::Critical));
        QVERIFY(finished.wait(WaitMs));
        QCOMPARE(report(finished, 0).kind, DeliveryReport::Kind::Delivered);
        QCOMPARE(report(finished, 0).attempts, 3);
        QCOMPARE(listener.requests().size(), 3);
        QCOMPARE(listener.json(0), listener.json(2)); // the same message each time
        QCOMPARE(logs.size(), 1);
        QVERIFY2(logAt(logs, 0).message.contains(QStringLiteral("sent after 3 attempts")),
                 qPrintable(logAt(logs, 0).message));
    }

    void deliveriesGiveUpAndFailuresFold()
    {
        WebhookListener listener(*m_certificate);
        listener.answerWith({500, 500, 500, 500, 500, 500});
        Estate estate;
        const QUuid alertId = webhookAlert(estate, listener);
        AlertService service(quickOptions()); // 3 attempts
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        QSignalSpy logs(&service, &AlertService::logEntry);
        service.setConfiguration(estate.configuration());
        service.onHealthChange(estate.change(State::Ok, State::Critical));
        QVERIFY(finished.wait(WaitMs));
        QCOMPARE(report(finished, 0).kind, DeliveryReport::Kind::Failed);
        QCOMPARE(report(finished, 0).attempts, 3);
        QCOMPARE(listener.requests().size(), 3);
        service.onHealthChange(estate.change(State::Critical, State::Ok));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, WaitMs);
        QCOMPARE(logs.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const LogEntry entry = logAt(logs, i);
            QCOMPARE(entry.severity, LogSeverity::Error);
            QCOMPARE(entry.category, QStringLiteral("alert"));
            // One fold key per alert: the system log folds the second failure into the first.
            QCOMPARE(entry.foldKey, QStringLiteral("alert|failed|") + alertId.toString(QUuid::WithoutBraces));
            QVERIFY2(entry.message.contains(QStringLiteral("(3 attempts)")) &&
                         entry.message.contains(QStringLiteral("answered HTTP 500")),
                     qPrintable(entry.message));
            QVERIFY(!entry.message.contains(QStringLiteral("s3cretToken")));
        }
    }

    void anAlertWithBadSettingsIsLoggedNotQueued()
    {
        Estate estate;
        const QUuid alertId = estate.alert(QStringLiteral("webhook"), {}); // no URL
        AlertService service(quickOptions());
        QSignalSpy logs(&service, &AlertService::logEntry);
        service.setConfiguration(estate.configuration());
        service.onHealthChange(estate.change(State::Ok, State::Critical));
        QCOMPARE(service.pendingDeliveries(), 0);
        QCOMPARE(logs.size(), 1);
        QCOMPARE(logAt(logs, 0).severity, LogSeverity::Error);
        QCOMPARE(logAt(logs, 0).foldKey,
                 QStringLiteral("alert|invalid|") + alertId.toString(QUuid::WithoutBraces));
        QVERIFY(logAt(logs, 0).message.contains(QStringLiteral("secrets.url: is required")));
    }

    void aFullQueueDropsAndSaysSo()
    {
        auto gate = std::make_shared<GateModule::Gate>();
        DeliveryOptions options = quickOptions();
        options.queueCapacity = 2;
        options.workerThreads = 1;
        AlertService service(options, withGate(gate));
        Estate estate;
        estate.alert(QStringLiteral("gate"), {});
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        QSignalSpy logs(&service, &AlertService::logEntry);
        service.setConfiguration(estate.configuration());
        for (int i = 0; i < 4; ++i)
            service.onHealthChange(
                estate.change(i % 2 ? State::Critical : State::Ok, i % 2 ? State::Ok : State::Critical));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, WaitMs);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(report(finished, i).kind, DeliveryReport::Kind::Dropped);
            QVERIFY(report(finished, i).error.contains(QStringLiteral("the delivery queue is full")));
            QCOMPARE(logAt(logs, i).severity, LogSeverity::Error);
        }
        QCOMPARE(service.pendingDeliveries(), 2);
        GateModule::open(*gate);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 4, WaitMs);
        QCOMPARE(report(finished, 2).kind, DeliveryReport::Kind::Delivered);
        QCOMPARE(report(finished, 3).kind, DeliveryReport::Kind::Delivered);
        QCOMPARE(gate->started.load(), 2);
    }

    void stopGivesAGraceThenDropsTheRest()
    {
        auto gate = std::make_shared<GateModule::Gate>();
        DeliveryOptions options = quickOptions();
        options.workerThreads = 1;
        AlertService service(options, withGate(gate));
        Estate estate;
        estate.alert(QStringLiteral("gate"), {});
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        QSignalSpy logs(&service, &AlertService::logEntry);
        QSignalSpy stopped(&service, &AlertService::stopped);
        service.setConfiguration(estate.configuration());
        for (int i = 0; i < 3; ++i)
            service.onHealthChange(
                estate.change(i % 2 ? State::Critical : State::Ok, i % 2 ? State::Ok : State::Critical));
        QTRY_COMPARE_WITH_TIMEOUT(gate->started.load(), 1, WaitMs);

        service.stop(); // the one in flight never finishes by itself
        QVERIFY(stopped.isEmpty());
        QVERIFY(stopped.wait(WaitMs));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, WaitMs);
        QStringList errors;
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(report(finished, i).kind, DeliveryReport::Kind::Dropped);
            errors.append(report(finished, i).error);
            QVERIFY(logAt(logs, i).message.contains(QStringLiteral("dropped")));
        }
        QVERIFY2(errors.contains(QStringLiteral("cancelled: the core is stopping")),
                 qPrintable(errors.join(u'|')));
        QCOMPARE(errors.count(QStringLiteral("the core stopped before it could be sent")), 2);

        // Once stopping, nothing new is taken.
        service.onHealthChange(estate.change(State::Ok, State::Critical));
        QCOMPARE(service.pendingDeliveries(), 0);
        QVERIFY(!service.sendTest(estate.f.config.alerts.begin()->id).result().ok);
    }

    void stopLetsQuickDeliveriesFinish()
    {
        WebhookListener listener(*m_certificate);
        Estate estate;
        webhookAlert(estate, listener);
        DeliveryOptions options = quickOptions();
        options.stopGrace = 10s; // more than enough; stopped() comes as soon as all are sent
        AlertService service(options);
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        QSignalSpy stopped(&service, &AlertService::stopped);
        service.setConfiguration(estate.configuration());
        service.onHealthChange(estate.change(State::Ok, State::Critical));
        service.onHealthChange(estate.change(State::Critical, State::Ok));
        service.stop();
        QVERIFY(stopped.wait(WaitMs));
        QCOMPARE(finished.size(), 2);
        QCOMPARE(report(finished, 0).kind, DeliveryReport::Kind::Delivered);
        QCOMPARE(report(finished, 1).kind, DeliveryReport::Kind::Delivered);
        QCOMPARE(listener.requests().size(), 2);
    }

    void testMessagesGoOnceWithoutRetry()
    {
        WebhookListener listener(*m_certificate);
        listener.answerWith({500});
        Estate estate;
        const QUuid alertId = webhookAlert(estate, listener);
        AlertService service(quickOptions());
        QSignalSpy logs(&service, &AlertService::logEntry);
        service.setConfiguration(estate.configuration());

        QFuture<DeliveryResult> failed = service.sendTest(estate.f.config.alerts[alertId]);
        QTRY_VERIFY_WITH_TIMEOUT(failed.isFinished(), WaitMs);
        QVERIFY(!failed.result().ok);
        QVERIFY2(failed.result().error.contains(QStringLiteral("answered HTTP 500")),
                 qPrintable(failed.result().error));
        QCOMPARE(listener.requests().size(), 1); // no retry

        QFuture<DeliveryResult> sent = service.sendTest(alertId); // by id, with the stored secrets
        QTRY_VERIFY_WITH_TIMEOUT(sent.isFinished(), WaitMs);
        QVERIFY2(sent.result().ok, qPrintable(sent.result().error));
        QCOMPARE(listener.requests().size(), 2);
        QCOMPARE(listener.json(1)[QStringLiteral("test")].toBool(), true);
        QCOMPARE(listener.json(1)[QStringLiteral("subject")][QStringLiteral("type")].toString(),
                 QStringLiteral("test"));
        QVERIFY(logs.isEmpty()); // the console shows a test's outcome; the system log does not
    }

    void testsOfUnusableAlertsAnswerAtOnce()
    {
        Estate estate;
        const QUuid alertId =
            estate.alert(QStringLiteral("webhook"), {{QStringLiteral("template"), QStringLiteral("x")}});
        AlertService service(quickOptions());
        service.setConfiguration(estate.configuration());
        const QFuture<DeliveryResult> invalid = service.sendTest(estate.f.config.alerts[alertId]);
        QVERIFY(invalid.isFinished());
        QVERIFY(invalid.result().error.contains(QStringLiteral("secrets.url: is required")));
        QVERIFY(invalid.result().error.contains(QStringLiteral("options.template")));
        const QFuture<DeliveryResult> unknown = service.sendTest(QUuid::createUuid());
        QVERIFY(unknown.isFinished());
        QVERIFY(unknown.result().error.startsWith(QStringLiteral("there is no alert with id")));
    }

    void testsGoAheadOfWaitingDeliveries()
    {
        auto gate = std::make_shared<GateModule::Gate>();
        DeliveryOptions options = quickOptions();
        options.workerThreads = 1;
        AlertService service(options, withGate(gate));
        Estate estate;
        const QUuid alertId = estate.alert(QStringLiteral("gate"), {});
        QSignalSpy finished(&service, &AlertService::deliveryFinished);
        service.setConfiguration(estate.configuration());
        for (int i = 0; i < 3; ++i)
            service.onHealthChange(
                estate.change(i % 2 ? State::Critical : State::Ok, i % 2 ? State::Ok : State::Critical));
        QTRY_COMPARE_WITH_TIMEOUT(gate->started.load(), 1, WaitMs);
        const QFuture<DeliveryResult> test = service.sendTest(alertId);
        GateModule::open(*gate);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 4, WaitMs);
        QVERIFY(test.result().ok);
        // The first change was in flight; the test came next, before the two that waited.
        QVERIFY(!report(finished, 0).test);
        QVERIFY(report(finished, 1).test);
    }
};

QTEST_GUILESS_MAIN(TestAlertService)
#include "tst_alertservice.moc"
