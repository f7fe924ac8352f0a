#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "daemon-core/health/corehealth.h"
#include "daemon-core/health/healthzroute.h"
#include "daemon-core/health/schedulerreading.h"

using namespace prophasis;
using namespace std::chrono_literals;

namespace {

const QDateTime T0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

// A clock the test moves by hand: both the monotonic and the wall clock advance together.
struct FakeClock
{
    qint64 ms = 1'000'000;

    HealthClock clock()
    {
        return {[this] { return ms; }, [this] { return T0.addMSecs(ms - 1'000'000); }};
    }
    void advance(std::chrono::milliseconds by) { ms += by.count(); }
    // Time passes with the event loop turning: the lag probe ticks on time all along.
    void pass(CoreHealth &health, std::chrono::milliseconds by)
    {
        EventLoopLagProbe &probe = health.eventLoopProbe();
        for (; by >= probe.interval(); by -= probe.interval()) {
            advance(probe.interval());
            probe.tick();
        }
        advance(by);
    }
};

const ComponentHealth *find(const HealthReport &report, QLatin1StringView name)
{
    for (const ComponentHealth &component : report.components) {
        if (component.name == name)
            return &component;
    }
    return nullptr;
}

} // namespace

// The ready / live model behind /healthz and the systemd watchdog, on an injected clock.
class TestCoreHealth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freshCoreIsOkWithTheEventLoopProbe()
    {
        FakeClock time;
        CoreHealth health(time.clock());
        time.advance(42'500ms);
        health.eventLoopProbe().tick(); // late by 42 s: the probe was due 500 ms in
        time.advance(500ms);
        health.eventLoopProbe().tick(); // on time again
        const HealthReport report = health.evaluate();
        QVERIFY(report.ok());
        QCOMPARE(report.uptimeSeconds, 43);
        const ComponentHealth *loop = find(report, HealthComponent::EventLoop);
        QVERIFY(loop);
        QCOMPARE(loop->status, ComponentHealth::Status::Ok);
        QCOMPARE(loop->values.value(QStringLiteral("lag_ms")).toInteger(), 0);
    }

    void jsonHasTheDocumentedShape()
    {
        FakeClock time;
        CoreHealth health(time.clock());
        health.report(QString(HealthComponent::Database), true, QStringLiteral("reachable"));
        time.advance(2s);
        health.eventLoopProbe().tick();
        const QJsonObject json = health.evaluate().toJson();
        QCOMPARE(json.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(json.value(QStringLiteral("version")).toString(), QStringLiteral(PROPHASIS_VERSION));
        QCOMPARE(json.value(QStringLiteral("uptime_s")).toInteger(), 2);
        QCOMPARE(json.value(QStringLiteral("live")).toBool(false), true);
        QCOMPARE(json.value(QStringLiteral("ready")).toBool(false), true);
        QCOMPARE(json.value(QStringLiteral("reasons")).toArray().size(), 0);
        const QJsonObject components = json.value(QStringLiteral("components")).toObject();
        QCOMPARE(components.keys(), (QStringList{QStringLiteral("database"), QStringLiteral("event_loop")}));
        const QJsonObject database = components.value(QStringLiteral("database")).toObject();
        QCOMPARE(database.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(database.value(QStringLiteral("detail")).toString(), QStringLiteral("reachable"));
        QCOMPARE(database.value(QStringLiteral("since")).toString(), T0.toString(Qt::ISODate));
        QVERIFY(components.value(QStringLiteral("event_loop")).toObject().contains(QStringLiteral("lag_ms")));
    }

    void databaseFailsReadinessOnlyAfterItsGrace()
    {
        FakeClock time;
        CoreHealth health(time.clock());
        const QString database(HealthComponent::Database);
        health.report(database, true, QStringLiteral("reachable"));
        time.pass(health, 10s);
        health.report(database, false, QStringLiteral("unreachable"));
        const QDateTime wentAway = T0.addSecs(10);

        time.pass(health, HealthLimits::DatabaseGrace - 1ms);
        HealthReport report = health.evaluate();
        QVERIFY2(report.ok(), qPrintable(report.reasons.join(u'\n')));
        QCOMPARE(find(report, HealthComponent::Database)->status, ComponentHealth::Status::Warning);
        QCOMPARE(report.toJson()
                     .value(QStringLiteral("components"))
                     .toObject()
                     .value(QStringLiteral("database"))
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("warning"));

        time.pass(health, 1ms);
        // A new detail alone does not restart the grace.
        health.report(database, false, QStringLiteral("unreachable: results wait in the spool"));
        report = health.evaluate();
        QVERIFY(!report.ready);
        QVERIFY(report.live); // the core keeps running and spools: no restart
        QCOMPARE(find(report, HealthComponent::Database)->status, ComponentHealth::Status::Failing);
        QCOMPARE(find(report, HealthComponent::Database)->since, wentAway);
        QCOMPARE(report.reasons,
                 QStringList{QStringLiteral("database: unreachable: results wait in the spool (for 30 s)")});
        const QJsonObject json = report.toJson();
        QCOMPARE(json.value(QStringLiteral("status")).toString(), QStringLiteral("failing"));
        QCOMPARE(json.value(QStringLiteral("reasons")).toArray().size(), 1);

        time.pass(health, 5s);
        health.report(database, true, QStringLiteral("reachable"));
        report = health.evaluate();
        QVERIFY(report.ok());
        QCOMPARE(find(report, HealthComponent::Database)->since, T0.addSecs(45));
    }

    void engineNotRunningIsNotReadyButLive()
    {
        FakeClock time;
        CoreHealth health(time.clock());
        health.report(QString(HealthComponent::Engine), false, QStringLiteral("starting"));
        QString reason;
        QVERIFY(health.isLive(&reason));
        const HealthReport report = health.evaluate();
        QVERIFY(!report.ready);
        QCOMPARE(report.reasons, QStringList{QStringLiteral("engine: starting (for 0 s)")});
        QCOMPARE(healthzResponse(report).status, 503);
        health.report(QString(HealthComponent::Engine), true, QStringLiteral("running"));
        QCOMPARE(healthzResponse(health.evaluate()).status, 200);
    }

    void frozenSchedulerFailsLiveness()
    {
        FakeClock time;
        CoreHealth health(time.clock());
        bool frozen = false;
        health.setProbe(QString(HealthComponent::Scheduler), [&frozen] {
            return frozen ? HealthReading{false, QStringLiteral("frozen"), {}}
                          : HealthReading{true, QStringLiteral("running"), {}};
        });
        QVERIFY(health.isLive());
        frozen = true; // probes are read at every evaluation
        QString reason;
        QVERIFY(!health.isLive(&reason));
        QCOMPARE(reason, QStringLiteral("scheduler: frozen"));
        const HealthReport report = health.evaluate();
        QVERIFY(!report.live);
        QVERIFY(!report.ready);
        QCOMPARE(healthzResponse(report).status, 503);
        QCOMPARE(
            QJsonDocument::fromJson(healthzResponse(report).body).object().value(QStringLiteral("status")),
            QStringLiteral("failing"));
        frozen = false;
        QVERIFY(health.isLive());
    }

    void eventLoopLagFailsReadinessOnly()
    {
        FakeClock time;
        CoreHealth health(time.clock());
        EventLoopLagProbe &probe = health.eventLoopProbe();
        const std::chrono::milliseconds interval = probe.interval();

        // Overdue now, before the late tick ran: the reading shows the stall already.
        time.advance(interval + HealthLimits::EventLoopMaxLag + 1ms);
        HealthReport report = health.evaluate();
        QVERIFY(!report.ready);
        QVERIFY(report.live); // a loop that turns at all still pings the watchdog
        QCOMPARE(find(report, HealthComponent::EventLoop)->values.value(QStringLiteral("lag_ms")).toInteger(),
                 HealthLimits::EventLoopMaxLag.count() + 1);

        probe.tick(); // the late tick: its lateness is remembered until the next one
        QCOMPARE(probe.lag(), HealthLimits::EventLoopMaxLag + 1ms);
        time.advance(interval);
        probe.tick(); // on time
        QCOMPARE(probe.lag(), 0ms);
        QVERIFY(health.evaluate().ok());

        time.advance(interval + 3s);
        probe.tick(); // 3 s late: under the limit
        QCOMPARE(probe.lag(), 3000ms);
        QVERIFY(health.evaluate().ok());

        probe.stop();
        time.advance(1h);
        QCOMPARE(probe.lag(), 0ms);
    }

    void rulesCanBeChangedAndComponentsRemoved()
    {
        FakeClock time;
        CoreHealth health(time.clock());
        QVERIFY(CoreHealth::defaultRule(HealthComponent::Scheduler).affectsLiveness);
        QVERIFY(!CoreHealth::defaultRule(HealthComponent::Database).affectsLiveness);
        QVERIFY(!CoreHealth::defaultRule(HealthComponent::EventLoop).affectsLiveness);
        QCOMPARE(CoreHealth::defaultRule(HealthComponent::Classifier).grace, HealthLimits::ClassifierGrace);

        health.setRule(QStringLiteral("worker"), {.affectsLiveness = true, .grace = 5s});
        health.report(QStringLiteral("worker"), false, QStringLiteral("down"));
        QVERIFY(health.isLive());
        time.pass(health, 5s);
        QVERIFY(!health.isLive());
        health.remove(QStringLiteral("worker"));
        QVERIFY(health.evaluate().ok());
        QVERIFY(!find(health.evaluate(), QLatin1StringView("worker")));
    }

    void schedulerReadingSeesAFrozenScheduler()
    {
        const QDateTime now = T0;
        QVERIFY(schedulerReading(false, now.addSecs(-3600), now).ok); // starting or stopping
        QVERIFY(schedulerReading(true, std::nullopt, now).ok);        // nothing scheduled
        QVERIFY(schedulerReading(true, now.addSecs(60), now).ok);
        QVERIFY(schedulerReading(true, now.addMSecs(-HealthLimits::SchedulerMaxDelay.count()), now).ok);
        const HealthReading frozen =
            schedulerReading(true, now.addMSecs(-HealthLimits::SchedulerMaxDelay.count() - 1), now);
        QVERIFY(!frozen.ok);
        QVERIFY2(frozen.detail.contains(QStringLiteral("frozen")), qPrintable(frozen.detail));
        QCOMPARE(frozen.values.value(QStringLiteral("overdue_ms")).toInteger(),
                 HealthLimits::SchedulerMaxDelay.count() + 1);
    }
};

QTEST_GUILESS_MAIN(TestCoreHealth)
#include "tst_corehealth.moc"
