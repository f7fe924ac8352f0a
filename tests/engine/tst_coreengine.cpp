#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include "daemon-core/engine/coreengine.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/resultwriter.h"
#include "daemon-core/storage/servicestore.h"
#include "daemon-core/storage/storageexecutor.h"
#include "shared/enrollment/pairingstrings.h"
#include "tests/dispatch/dispatchfixture.h"
#include "tests/engine/shopfixture.h"
#include "tests/storage/testdatabase.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using testing::MockAgentProcess;
using namespace prophasis::test::shop;

Q_DECLARE_METATYPE(prophasis::HealthChange)

namespace {

bool sawChange(const QSignalSpy &spy, const HealthChange &wanted)
{
    for (const QList<QVariant> &arguments : spy) {
        const auto change = arguments.at(0).value<HealthChange>();
        if (change.subject == wanted.subject && change.id == wanted.id && change.from == wanted.from &&
            change.to == wanted.to)
            return true;
    }
    return false;
}

} // namespace

// The engine end to end on SQLite and PostgreSQL: schedules → mock agents over mutual TLS →
// stored results → health and its changes; configuration changes without a restart; check now;
// a clean stop; pairing with a real agent.
class TestCoreEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<HealthChange>(); }

    void checksRunStoreAndChangeHealth()
    {
        ShopBench bench(QStringLiteral("coreengine"));
        QVERIFY(bench.start());
        StorageExecutor &storage = *bench.storage;
        const TlsIdentity &core = bench.core;
        MockAgentProcess &mock = bench.mock;
        const Shop &shop = bench.shop;

        const EngineOptions options = bench.engineOptions();
        CoreEngine engine(storage, SecretBox(SecretBox::generateKey()), core, options);
        QSignalSpy started(&engine, &CoreEngine::started);
        QSignalSpy changes(&engine, &CoreEngine::healthChanged);
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));
        QVERIFY(started.wait(10'000));
        QCOMPARE(engine.scheduler().seriesCount(), 2);
        // The checks the core makes itself are registered as plugins at start.
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(engine.configuration()->plugins.cbegin(), engine.configuration()->plugins.cend(),
                        [](const Plugin &plugin) {
                            return plugin.pluginId == QLatin1String("org.prophasis.http") &&
                                   plugin.runtime == PluginRuntime::Server;
                        }),
            10'000);

        // Both agents answer ok: hosts and the service turn ok.
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web1.id), State::Ok, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web2.id), State::Ok, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().serviceState(shop.service.id), State::Ok, 15'000);
        QVERIFY(sawChange(changes,
                          {HealthChange::Subject::Host, shop.web1.id, State::NoData, State::Ok, {}, {}}));

        // The results are stored, classified, with the plugin's own status.
        const SeriesKey series{shop.web1.id, shop.check.id, shop.plugin.id};
        QList<CheckResult> stored;
        QTRY_VERIFY_WITH_TIMEOUT((stored = storage.runAndWait([&](Database &db) {
                                     return ResultStore(db).lastResults(series, 3);
                                 })).size() >= 2,
                                 15'000);
        QCOMPARE(stored.last().classification, State::Ok);
        QCOMPARE(stored.last().message, QStringLiteral("up"));
        QCOMPARE(stored.last().value, std::optional<double>(1));

        // web2's agent starts dropping connections: its runs fail (the classifier: unknown on the
        // first connection_error, critical on the second) and the redundant service is degraded,
        // not down.
        QVERIFY(mock.rewrite(bench.hosts(QStringLiteral("drop"))));
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web2.id), State::Critical, 15'000);
        QVERIFY(sawChange(changes,
                          {HealthChange::Subject::Host, shop.web2.id, State::Ok, State::Unknown, {}, {}}));
        QVERIFY(sawChange(
            changes, {HealthChange::Subject::Host, shop.web2.id, State::Unknown, State::Critical, {}, {}}));
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().serviceState(shop.service.id), State::Degraded, 15'000);
        QVERIFY(sawChange(
            changes, {HealthChange::Subject::Service, shop.service.id, State::Ok, State::Degraded, {}, {}}));
        QCOMPARE(engine.health().hostState(shop.web1.id), State::Ok);
        // The admin hears of it once, not once per failed run.
        QList<LogEntry> dispatchLog;
        QTRY_VERIFY_WITH_TIMEOUT(!(dispatchLog = storage.runAndWait([](Database &db) {
                                      return SystemLogStore(db).list(
                                          {.category = QStringLiteral("dispatch")});
                                  })).isEmpty(),
                                 10'000);
        QCOMPARE(dispatchLog.size(), 1);
        QCOMPARE(dispatchLog.first().hostId, shop.web2.id);
        QVERIFY2(dispatchLog.first().message.contains(QStringLiteral("connection_error")),
                 qPrintable(dispatchLog.first().message));

        // "Check now" queues at once.
        QCOMPARE(engine.checkNow(shop.web1.id).matched, 1);

        // A change of configuration applies without a restart: web2 disabled has no data, and
        // its series is no longer scheduled.
        Host disabled = shop.web2;
        disabled.enabled = false;
        storage.runAndWait([&](Database &db) { return HostStore(db).update(disabled); });
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web2.id), State::NoData, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(engine.scheduler().seriesCount(), 1, 10'000);

        // Stop: runs in flight finish, accepted results are written, then stopped().
        QSignalSpy stopped(&engine, &CoreEngine::stopped);
        engine.stop();
        QVERIFY(stopped.wait(20'000));
        QVERIFY(!engine.isRunning());
        const ResultWriterCounters counters = engine.resultWriter().counters();
        QVERIFY(counters.accepted > 0);
        QCOMPARE(counters.written + counters.spooled, counters.accepted);
        QCOMPARE(counters.lost, 0);
    }

    void addsAHostFromAnEnrollmentString()
    {
        test::TestDatabase testDatabase(QStringLiteral("coreengine_pairing"));
        DatabaseConfig databaseConfig;
        testDatabase.freshMigratedDatabase(&databaseConfig);
        StorageExecutor storage(databaseConfig, 1);
        test::AgentProcess agent(QStringLiteral(PROPHASIS_AGENT_BINARY));
        QVERIFY(agent.init(test::freeLoopbackPort()));
        QVERIFY2(agent.start(), qPrintable(agent.log()));
        QString error;
        const std::optional<EnrollmentString> enrollment =
            EnrollmentString::decode(agent.enrollmentString(), &error);
        QVERIFY2(enrollment, qPrintable(error));

        QTemporaryDir spool;
        EngineOptions options;
        options.classifier.workerProgram = QStringLiteral(PROPHASIS_CLASSIFIER_BINARY);
        options.spoolDirectory = spool.path();
        CoreEngine engine(storage, SecretBox(SecretBox::generateKey()),
                          TlsIdentity::generate(QStringLiteral("core")), options);
        QFuture<Host> added = engine.addHostFromEnrollment(agent.enrollmentString(), QStringLiteral("db1"));
        QTRY_VERIFY_WITH_TIMEOUT(added.isFinished(), 30'000);
        const Host host = added.result();
        QCOMPARE(host.name, QStringLiteral("db1"));
        QCOMPARE(host.agentKeySha256, enrollment->spkiSha256);
        QCOMPARE(host.agentPort, enrollment->port);
        const Host stored = storage.runAndWait([&](Database &db) { return HostStore(db).get(host.id); });
        QCOMPARE(stored.agentKeySha256, enrollment->spkiSha256);

        // The token is burnt: a second pairing with the same string is refused with a reason, and
        // no host is stored for it.
        QFuture<Host> again =
            engine.addHostFromEnrollment(agent.enrollmentString(), QStringLiteral("db1-again"));
        QTRY_VERIFY_WITH_TIMEOUT(again.isFinished(), 30'000);
        try {
            again.result();
            QFAIL("a used enrollment token was accepted");
        } catch (const StorageError &refused) {
            QVERIFY2(!refused.message().isEmpty(), "no reason given");
        }
        QCOMPARE(storage.runAndWait([](Database &db) { return HostStore(db).list().size(); }), 1);
    }
};

QTEST_GUILESS_MAIN(TestCoreEngine)
#include "tst_coreengine.moc"
