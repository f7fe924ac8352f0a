#include <QCryptographicHash>
#include <QJsonArray>
#include <QPromise>
#include <QSignalSpy>
#include <QTest>

#include "daemon-core/dispatch/dispatcher.h"
#include "shared/tls/identity.h"
#include "tests/dispatch/dispatchfixture.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using namespace prophasis::testing;

namespace {

const QString PluginId = QStringLiteral("org.test.load");
const QString AgentSha = QString(64, u'a'); // what the mock agents hold from the start

QJsonObject result(const QJsonObject &fields)
{
    return fields;
}

QString sha256Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QFuture<std::optional<AgentPackage>> ready(std::optional<AgentPackage> package)
{
    QPromise<std::optional<AgentPackage>> promise;
    promise.start();
    promise.addResult(std::move(package));
    promise.finish();
    return promise.future();
}

} // namespace

// The dispatcher against prophasis-mock-agent: many fake agents over real mutual TLS on
// loopback, flipped to failing by rewriting their file.
class TestDispatchMock : public QObject
{
    Q_OBJECT

    // A dispatcher with short deadlines: plugin timeouts of 1–2 s plus this margin.
    // Starts `mock` with one agent, web1, holding the plugin and answering as `behaviour`, and adds
    // it to `builder`; its host id, or a null id when the mock did not start.
    QUuid startWeb1(MockAgentProcess &mock, ConfigBuilder &builder, quint16 port, const QString &behaviour,
                    int delayMs = 0)
    {
        const QJsonObject plugins{{PluginId, MockAgentProcess::pluginEntry(AgentSha)}};
        if (!mock.start(
                spkiSha256(m_core.certificate),
                {{QStringLiteral("web1"), MockAgentProcess::hostEntry(port, behaviour, plugins, delayMs)}}))
            return {};
        return builder.addHost(
            QStringLiteral("web1"), QStringLiteral("127.0.0.1"), port,
            mock.host(QStringLiteral("web1")).value(QStringLiteral("spki_sha256")).toString());
    }

    std::unique_ptr<Dispatcher> makeDispatcher(DispatcherLimits limits = {})
    {
        limits.deadlineMargin = std::chrono::milliseconds(500);
        limits.connectTimeout = std::chrono::milliseconds(3000);
        auto dispatcher = std::make_unique<Dispatcher>(
            m_core,
            [this](const QUuid &, const QString &sha) {
                ++m_packageLookups;
                return ready(m_packages.contains(sha) ? std::optional(m_packages.value(sha)) : std::nullopt);
            },
            limits);
        return dispatcher;
    }

private Q_SLOTS:
    void initTestCase() { m_core = TlsIdentity::generate(QStringLiteral("core")); }

    void runsOnAKeptAliveConnection()
    {
        const quint16 port = test::freeLoopbackPort();
        MockAgentProcess mock;
        QVERIFY(mock.start(
            spkiSha256(m_core.certificate),
            {{QStringLiteral("web1"),
              MockAgentProcess::hostEntry(
                  port, QStringLiteral("normal"),
                  {{PluginId,
                    MockAgentProcess::pluginEntry(
                        AgentSha, result({{"value", 0.5},
                                          {"message", "fine"},
                                          {"metrics", QJsonArray{QJsonObject{{"name", "load5"},
                                                                             {"value", 0.25},
                                                                             {"unit", ""}}}}}))}})}}));
        ConfigBuilder builder;
        const QUuid host = builder.addHost(
            QStringLiteral("web1"), QStringLiteral("127.0.0.1"), port,
            mock.host(QStringLiteral("web1")).value(QStringLiteral("spki_sha256")).toString());
        const QUuid plugin = builder.addPlugin(PluginId, AgentSha);
        const QUuid check = builder.addCheck(plugin, {{QStringLiteral("path"), QStringLiteral("/")}});
        auto dispatcher = makeDispatcher();
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());

        for (int i = 1; i <= 5; ++i) {
            QCOMPARE(dispatcher->enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
            QVERIFY(log.waitForResults(i));
        }
        for (const auto &[job, result] : log.results) {
            QCOMPARE(result.type, ResultType::Success);
            QCOMPARE(result.hostId, host);
            QCOMPARE(result.checkId, check);
            QCOMPARE(result.pluginId, plugin);
            QCOMPARE(result.value, std::optional<double>(0.5));
            QCOMPARE(result.message, QStringLiteral("fine"));
            QCOMPARE(result.metrics, (QList<Metric>{{QStringLiteral("load5"), 0.25, QString()}}));
            QCOMPARE(result.classification, State::Unknown); // the engine classifies
            QVERIFY(result.time.isValid());
        }
        // One handshake for five runs: the connection was kept alive and reused.
        QCOMPARE(dispatcher->counters().connections, quint64(1));
        QCOMPARE(dispatcher->counters().resultsOf(ResultType::Success), quint64(5));
        QCOMPARE(dispatcher->counters().inFlight, 0);
    }

    void pushesThePackageOnConflict()
    {
        const quint16 port = test::freeLoopbackPort();
        MockAgentProcess mock;
        QVERIFY(mock.start(
            spkiSha256(m_core.certificate),
            {{QStringLiteral("web1"),
              MockAgentProcess::hostEntry(port, QStringLiteral("normal"),
                                          {{PluginId, MockAgentProcess::pluginEntry(AgentSha)}})}}));
        const QByteArray archive = "the core's package";
        m_packages.insert(sha256Of(archive), AgentPackage{QStringLiteral("1.0"), archive, {}});
        ConfigBuilder builder;
        const QUuid host = builder.addHost(
            QStringLiteral("web1"), QStringLiteral("127.0.0.1"), port,
            mock.host(QStringLiteral("web1")).value(QStringLiteral("spki_sha256")).toString());
        const QUuid good = builder.addPlugin(PluginId, sha256Of(archive));
        const QUuid missing = builder.addPlugin(QStringLiteral("org.test.missing"), QString(64, u'c'));
        // The package source hands out bytes of another hash: the agent still conflicts after the push.
        const QByteArray wrongBytes = "not what the hash says";
        m_packages.insert(QString(64, u'd'), AgentPackage{QStringLiteral("1.0"), wrongBytes, {}});
        const QUuid mismatched = builder.addPlugin(QStringLiteral("org.test.mismatch"), QString(64, u'd'));
        const QUuid checkGood = builder.addCheck(good);
        const QUuid checkMissing = builder.addCheck(missing);
        const QUuid checkMismatched = builder.addCheck(mismatched);
        auto dispatcher = makeDispatcher();
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());
        m_packageLookups = 0;

        QCOMPARE(dispatcher->enqueue(runJob(host, checkGood, good)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(1));
        QCOMPARE(log.results.last().second.type, ResultType::Success);
        QCOMPARE(dispatcher->counters().pushes, quint64(1));
        QCOMPARE(m_packageLookups, 1);
        // Installed now: the next run needs no push.
        QCOMPARE(dispatcher->enqueue(runJob(host, checkGood, good)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(2));
        QCOMPARE(log.results.last().second.type, ResultType::Success);
        QCOMPARE(dispatcher->counters().pushes, quint64(1));

        QCOMPARE(dispatcher->enqueue(runJob(host, checkMissing, missing)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(3));
        QCOMPARE(log.results.last().second.type, ResultType::RequestError);
        QVERIFY2(log.results.last().second.message.contains(QStringLiteral("does not have")),
                 qPrintable(log.results.last().second.message));

        QCOMPARE(dispatcher->enqueue(runJob(host, checkMismatched, mismatched)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(4));
        QCOMPARE(log.results.last().second.type, ResultType::RequestError);
        QVERIFY2(log.results.last().second.message.contains(QStringLiteral("still reports another package")),
                 qPrintable(log.results.last().second.message));
    }

    // Hosts flipped from answering to failing give each failure its type, while a healthy host
    // next to them keeps completing jobs.
    void typedFailuresDoNotBlockOtherAgents()
    {
        const QStringList names = {QStringLiteral("ok"),     QStringLiteral("drop"),
                                   QStringLiteral("silent"), QStringLiteral("garbled"),
                                   QStringLiteral("crash"),  QStringLiteral("overrun"),
                                   QStringLiteral("rekeyed")};
        const QJsonObject healthy = {{PluginId, MockAgentProcess::pluginEntry(AgentSha)}};
        // Port 0: the mock cannot listen again on a fixed port when a host changes its kind of
        // listener (drop, other_key), so those hosts move to a new port, as a reinstalled agent might.
        const auto entry = [](const QString &behaviour, const QJsonObject &plugins) {
            return MockAgentProcess::hostEntry(0, behaviour, plugins);
        };
        QJsonObject hosts;
        for (const QString &name : names)
            hosts.insert(name, entry(QStringLiteral("normal"), healthy));
        MockAgentProcess mock;
        QVERIFY(mock.start(spkiSha256(m_core.certificate), hosts));

        ConfigBuilder builder;
        QHash<QString, QUuid> ids;
        for (const QString &name : names)
            ids.insert(name,
                       builder.addHost(name, QStringLiteral("127.0.0.1"),
                                       quint16(mock.host(name).value(QStringLiteral("port")).toInt()),
                                       mock.host(name).value(QStringLiteral("spki_sha256")).toString()));
        ids.insert(QStringLiteral("refused"),
                   builder.addHost(QStringLiteral("refused"), QStringLiteral("127.0.0.1"),
                                   test::freeLoopbackPort(), QString(64, u'e')));
        const QUuid plugin = builder.addPlugin(PluginId, AgentSha, 2);
        const QUuid check = builder.addCheck(plugin);
        auto dispatcher = makeDispatcher();
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());

        // All answer first (and keep their connections).
        for (const QString &name : names)
            QCOMPARE(dispatcher->enqueue(runJob(ids[name], check, plugin)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(names.size()));
        for (const auto &[job, result] : log.results)
            QCOMPARE(result.type, ResultType::Success);

        hosts.insert(QStringLiteral("drop"), entry(QStringLiteral("drop"), healthy));
        hosts.insert(QStringLiteral("silent"), entry(QStringLiteral("silent"), healthy));
        hosts.insert(
            QStringLiteral("garbled"),
            entry(QStringLiteral("normal"),
                  {{PluginId, MockAgentProcess::pluginEntry(AgentSha, {{"value", "not a number"}})}}));
        hosts.insert(QStringLiteral("crash"),
                     entry(QStringLiteral("normal"),
                           {{PluginId,
                             MockAgentProcess::pluginEntry(
                                 AgentSha, {{"error", "plugin_error"},
                                            {"message", "the plugin was killed by signal 11 (SIGSEGV)"}})}}));
        hosts.insert(
            QStringLiteral("overrun"),
            entry(QStringLiteral("normal"),
                  {{PluginId,
                    MockAgentProcess::pluginEntry(
                        AgentSha, {{"error", "timeout"},
                                   {"message", "the plugin did not finish within 2 s and was stopped"}})}}));
        hosts.insert(QStringLiteral("rekeyed"), entry(QStringLiteral("other_key"), healthy));
        QVERIFY(mock.rewrite(hosts));
        // Listening again proves the mock applied the whole file.
        for (const QString &moved : {QStringLiteral("drop"), QStringLiteral("rekeyed")}) {
            const QJsonObject line = mock.waitForHost(moved);
            QVERIFY(!line.isEmpty());
            builder.host(ids[moved]).agentPort = quint16(line.value(QStringLiteral("port")).toInt());
        }
        // The same pinned key for "rekeyed": only the port moved in the configuration.
        dispatcher->setConfiguration(builder.snapshot());

        log.results.clear();
        for (const QString &name : names + QStringList{QStringLiteral("refused")}) {
            if (name != QLatin1String("ok"))
                QCOMPARE(dispatcher->enqueue(runJob(ids[name], check, plugin)), EnqueueOutcome::Queued);
        }
        // The healthy agent keeps completing jobs while the silent one holds its request.
        while (log.resultsOf(ids[QStringLiteral("silent")]).isEmpty()) {
            QCOMPARE(dispatcher->enqueue(runJob(ids[QStringLiteral("ok")], check, plugin)),
                     EnqueueOutcome::Queued);
            QVERIFY(log.waitForResults(log.results.size() + 1));
        }
        QTRY_COMPARE(dispatcher->counters().inFlight, 0);
        const QList<CheckResult> okResults = log.resultsOf(ids[QStringLiteral("ok")]);
        QVERIFY2(okResults.size() >= 3, qPrintable(QString::number(okResults.size())));
        for (const CheckResult &result : okResults)
            QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(log.results.size(),
                 okResults.size() + names.size()); // each failing host once, "ok" excepted, "refused" added

        const auto only = [&](const QString &name) {
            const QList<CheckResult> found = log.resultsOf(ids[name]);
            return found.size() == 1 ? found.first() : CheckResult{};
        };
        const auto expect = [&](const QString &name, ResultType type, const QString &text) {
            const CheckResult result = only(name);
            QVERIFY2(
                result.type == type,
                qPrintable(QStringLiteral("%1: %2 %3").arg(name, enumName(result.type), result.message)));
            QVERIFY2(result.message.contains(text),
                     qPrintable(QStringLiteral("%1: %2").arg(name, result.message)));
            QVERIFY(result.time.isValid());
        };
        expect(QStringLiteral("drop"), ResultType::ConnectionError, QStringLiteral("drop"));
        expect(QStringLiteral("refused"), ResultType::ConnectionError, QStringLiteral("refused"));
        // Cut off at its deadline (2 s timeout + margin), not held for ever.
        expect(QStringLiteral("silent"), ResultType::Timeout, QStringLiteral("did not answer"));
        expect(QStringLiteral("garbled"), ResultType::RequestError, QStringLiteral("not a run result"));
        expect(QStringLiteral("crash"), ResultType::PluginError, QStringLiteral("SIGSEGV"));
        expect(QStringLiteral("overrun"), ResultType::Timeout, QStringLiteral("did not finish"));
        expect(QStringLiteral("rekeyed"), ResultType::TlsError, QStringLiteral("not the pinned key"));

        // The changed key is a security event naming the host and both keys.
        QCOMPARE(log.securityEvents.size(), 1);
        const AgentKeyMismatch event = log.securityEvents.first();
        QCOMPARE(event.hostId, ids[QStringLiteral("rekeyed")]);
        QCOMPARE(event.hostName, QStringLiteral("rekeyed"));
        QCOMPARE(event.pinnedSpki, builder.host(ids[QStringLiteral("rekeyed")]).agentKeySha256);
        QCOMPARE(event.presentedSpki,
                 mock.host(QStringLiteral("rekeyed")).value(QStringLiteral("spki_sha256")).toString());
        QVERIFY(event.pinnedSpki != event.presentedSpki);
        QCOMPARE(dispatcher->counters().securityEvents, quint64(1));
        QCOMPARE(dispatcher->counters().inFlight, 0);
    }

    void oneJobPerAgentAndAGlobalBound()
    {
        const QStringList names = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                                   QStringLiteral("d")};
        QJsonObject hosts;
        QHash<QString, quint16> ports;
        for (const QString &name : names) {
            ports.insert(name, test::freeLoopbackPort());
            hosts.insert(name, MockAgentProcess::hostEntry(
                                   ports[name], QStringLiteral("slow"),
                                   {{PluginId, MockAgentProcess::pluginEntry(AgentSha)}}, 100));
        }
        MockAgentProcess mock;
        QVERIFY(mock.start(spkiSha256(m_core.certificate), hosts));
        ConfigBuilder builder;
        QList<QUuid> hostIds;
        for (const QString &name : names)
            hostIds.append(builder.addHost(name, QStringLiteral("127.0.0.1"), ports[name],
                                           mock.host(name).value(QStringLiteral("spki_sha256")).toString()));
        const QUuid plugin = builder.addPlugin(PluginId, AgentSha);
        const QList<QUuid> checks = {builder.addCheck(plugin), builder.addCheck(plugin),
                                     builder.addCheck(plugin)};
        DispatcherLimits limits;
        limits.maxInFlight = 2;
        auto dispatcher = makeDispatcher(limits);
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());

        // Per host and overall: how many run at once, at most.
        QHash<QUuid, int> running;
        int runningTotal = 0;
        int maxTotal = 0;
        int maxPerHost = 0;
        connect(dispatcher.get(), &Dispatcher::jobStarted, this, [&](const RunJob &job) {
            maxPerHost = std::max(maxPerHost, ++running[job.series.hostId]);
            maxTotal = std::max(maxTotal, ++runningTotal);
            QVERIFY(dispatcher->counters().inFlight <= 2);
        });
        connect(dispatcher.get(), &Dispatcher::resultReady, this,
                [&](const RunJob &job, const CheckResult &) {
                    --running[job.series.hostId];
                    --runningTotal;
                });
        // Host a's jobs first, all of them: fairness must still let b, c and d in before a's second.
        for (const QUuid &check : checks) {
            for (const QUuid &host : hostIds)
                QCOMPARE(dispatcher->enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
        }
        QVERIFY(log.waitForResults(12));
        QCOMPARE(maxPerHost, 1);
        QCOMPARE(maxTotal, 2);
        QSet<QUuid> firstRound;
        for (qsizetype i = 0; i < 4; ++i)
            firstRound.insert(log.started[i].series.hostId);
        QCOMPARE(firstRound.size(), 4);
        for (const auto &[job, result] : log.results)
            QCOMPARE(result.type, ResultType::Success);
    }

    void queueBoundAndDuplicates()
    {
        const quint16 port = test::freeLoopbackPort();
        MockAgentProcess mock;
        ConfigBuilder builder;
        const QUuid host = startWeb1(mock, builder, port, QStringLiteral("normal"));
        QVERIFY(!host.isNull());
        const QUuid unenrolled =
            builder.addHost(QStringLiteral("new"), QStringLiteral("127.0.0.1"), port, QString());
        const QUuid disabled =
            builder.addHost(QStringLiteral("off"), QStringLiteral("127.0.0.1"), port, AgentSha);
        builder.host(disabled).enabled = false;
        const QUuid plugin = builder.addPlugin(PluginId, AgentSha);
        QList<QUuid> checks;
        for (int i = 0; i < 5; ++i)
            checks.append(builder.addCheck(plugin));
        DispatcherLimits limits;
        limits.maxQueuePerAgent = 3;
        auto dispatcher = makeDispatcher(limits);
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());

        // Nothing starts before the event loop runs: all of these meet the queue.
        QCOMPARE(dispatcher->enqueue(runJob(host, checks[0], plugin)), EnqueueOutcome::Queued);
        QCOMPARE(dispatcher->enqueue(runJob(host, checks[0], plugin)), EnqueueOutcome::AlreadyWaiting);
        QCOMPARE(dispatcher->enqueue(runJob(host, checks[1], plugin)), EnqueueOutcome::Queued);
        QCOMPARE(dispatcher->enqueue(runJob(host, checks[2], plugin)), EnqueueOutcome::Queued);
        QCOMPARE(dispatcher->enqueue(runJob(host, checks[3], plugin)), EnqueueOutcome::QueueFull);
        QCOMPARE(dispatcher->enqueue(runJob(host, checks[4], plugin)), EnqueueOutcome::QueueFull);
        QCOMPARE(dispatcher->queuedFor(host), 3);
        QCOMPARE(dispatcher->counters().queued, 3);
        QCOMPARE(dispatcher->counters().overflows, quint64(2));
        QCOMPARE(dispatcher->counters().duplicates, quint64(1));
        // Unknown, disabled and unenrolled hosts are refused.
        QCOMPARE(dispatcher->enqueue(runJob(QUuid::createUuid(), checks[0], plugin)),
                 EnqueueOutcome::HostUnknown);
        QCOMPARE(dispatcher->enqueue(runJob(unenrolled, checks[0], plugin)), EnqueueOutcome::HostUnknown);
        QCOMPARE(dispatcher->enqueue(runJob(disabled, checks[0], plugin)), EnqueueOutcome::HostUnknown);
        QVERIFY(log.waitForResults(3));
        QCOMPARE(dispatcher->queuedFor(host), 0);
        // No longer waiting: the same series can be queued again.
        QCOMPARE(dispatcher->enqueue(runJob(host, checks[0], plugin)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(4));
        QCOMPARE(dispatcher->counters().queued, 0);
    }

    void aRemovedOrRekeyedHostLosesItsQueue()
    {
        const quint16 port = test::freeLoopbackPort();
        MockAgentProcess mock;
        ConfigBuilder builder;
        const QUuid host = startWeb1(mock, builder, port, QStringLiteral("silent"));
        QVERIFY(!host.isNull());
        const QUuid plugin = builder.addPlugin(PluginId, AgentSha, 30);
        const QUuid check1 = builder.addCheck(plugin);
        const QUuid check2 = builder.addCheck(plugin);
        auto dispatcher = makeDispatcher();
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());

        QCOMPARE(dispatcher->enqueue(runJob(host, check1, plugin)), EnqueueOutcome::Queued);
        QCOMPARE(dispatcher->enqueue(runJob(host, check2, plugin)), EnqueueOutcome::Queued);
        QTRY_COMPARE(log.started.size(), 1);
        QCOMPARE(dispatcher->counters().inFlight, 1);
        // The agent's key changed in the configuration (re-enrolled): the queue and the
        // connection go, the job in flight is given up.
        builder.host(host).agentKeySha256 = QString(64, u'f');
        dispatcher->setConfiguration(builder.snapshot());
        QCOMPARE(dispatcher->counters().inFlight, 0);
        QCOMPARE(dispatcher->counters().queued, 0);
        QCOMPARE(dispatcher->counters().dropped, quint64(2));
        QCOMPARE(dispatcher->counters().agents, 0);
        // Removed: refused from now on.
        builder.config().hosts.remove(host);
        dispatcher->setConfiguration(builder.snapshot());
        QCOMPARE(dispatcher->enqueue(runJob(host, check1, plugin)), EnqueueOutcome::HostUnknown);
        QTest::qWait(200);
        QVERIFY(log.results.isEmpty());
    }

    void aChangedAddressTakesANewConnectionAfterTheJobInFlight()
    {
        const quint16 port = test::freeLoopbackPort();
        MockAgentProcess mock;
        ConfigBuilder builder;
        const QUuid host = startWeb1(mock, builder, port, QStringLiteral("slow"), 200);
        QVERIFY(!host.isNull());
        const QUuid plugin = builder.addPlugin(PluginId, AgentSha);
        const QUuid check = builder.addCheck(plugin);
        auto dispatcher = makeDispatcher();
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());

        QCOMPARE(dispatcher->enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
        QTRY_COMPARE(log.started.size(), 1);
        // Same agent key, another address (here: the same agent under another name of loopback).
        builder.host(host).address = QStringLiteral("localhost");
        dispatcher->setConfiguration(builder.snapshot());
        QVERIFY(log.waitForResults(1));
        QCOMPARE(log.results.last().second.type, ResultType::Success); // the job in flight finished
        QCOMPARE(dispatcher->enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(2));
        QVERIFY2(log.results.last().second.type == ResultType::Success,
                 qPrintable(log.results.last().second.message));
        QCOMPARE(dispatcher->counters().connections, quint64(2));
    }

    void drainLetsJobsInFlightFinish()
    {
        const quint16 port = test::freeLoopbackPort();
        MockAgentProcess mock;
        ConfigBuilder builder;
        const QUuid host = startWeb1(mock, builder, port, QStringLiteral("slow"), 300);
        QVERIFY(!host.isNull());
        const QUuid plugin = builder.addPlugin(PluginId, AgentSha);
        const QUuid check1 = builder.addCheck(plugin);
        const QUuid check2 = builder.addCheck(plugin);
        auto dispatcher = makeDispatcher();
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());

        QCOMPARE(dispatcher->enqueue(runJob(host, check1, plugin)), EnqueueOutcome::Queued);
        QCOMPARE(dispatcher->enqueue(runJob(host, check2, plugin)), EnqueueOutcome::Queued);
        QTRY_COMPARE(log.started.size(), 1);
        dispatcher->drain();
        QVERIFY(dispatcher->isDraining());
        QCOMPARE(dispatcher->enqueue(runJob(host, check2, plugin)), EnqueueOutcome::ShuttingDown);
        QCOMPARE(dispatcher->counters().dropped, quint64(1)); // the queued one
        QTRY_VERIFY_WITH_TIMEOUT(log.drained, 10'000);
        // Drained only after the job in flight reported.
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results.first().second.type, ResultType::Success);
        QCOMPARE(log.results.first().first.series.checkId, check1);
    }

    void drainWithNothingRunningFinishesAtOnce()
    {
        auto dispatcher = makeDispatcher();
        DispatchLog log(dispatcher.get());
        dispatcher->drain();
        QTRY_VERIFY(log.drained);
    }

    void serverPluginsAreNotSentToAgents()
    {
        // A host without an agent; the core's own TCP check finds its port closed
        // (tests/serverchecks covers the checks themselves).
        ConfigBuilder builder;
        const QUuid host =
            builder.addHost(QStringLiteral("router"), QStringLiteral("127.0.0.1"), 4048, QString());
        const QUuid plugin =
            builder.addPlugin(QStringLiteral("org.prophasis.tcp"), QString(), 5, PluginRuntime::Server);
        builder.plugin(plugin).entry = QStringLiteral("tcp");
        builder.plugin(plugin).arguments = {
            PluginArgument{QStringLiteral("port"), ArgumentType::Integer, {}, {}, true}};
        const QUuid check = builder.addCheck(plugin, {{QStringLiteral("port"), test::freeLoopbackPort()}});
        auto dispatcher = makeDispatcher();
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());
        QCOMPARE(dispatcher->enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(1));
        const CheckResult result = log.results.first().second;
        QCOMPARE(result.type, ResultType::ConnectionError);
        QVERIFY2(result.message.contains(QStringLiteral("refused")), qPrintable(result.message));
        QCOMPARE(result.hostId, host);
        QCOMPARE(dispatcher->counters().connections, quint64(0));
        QCOMPARE(dispatcher->counters().agents, 0);
    }

    void aPluginWithoutPackageIsARequestError()
    {
        ConfigBuilder builder;
        const QUuid host = builder.addHost(QStringLiteral("web1"), QStringLiteral("127.0.0.1"),
                                           test::freeLoopbackPort(), QString(64, u'a'));
        const QUuid plugin = builder.addPlugin(PluginId, QString());
        const QUuid check = builder.addCheck(plugin);
        auto dispatcher = makeDispatcher();
        dispatcher->setConfiguration(builder.snapshot());
        DispatchLog log(dispatcher.get());
        QCOMPARE(dispatcher->enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(1));
        QCOMPARE(log.results.first().second.type, ResultType::RequestError);
        QVERIFY(log.results.first().second.message.contains(QStringLiteral("no package")));
        // A job whose check no longer exists is dropped, not reported.
        QCOMPARE(dispatcher->enqueue(runJob(host, QUuid::createUuid(), plugin)), EnqueueOutcome::Queued);
        QTRY_COMPARE(dispatcher->counters().dropped, quint64(1));
        QCOMPARE(log.results.size(), 1);
    }

private:
    TlsIdentity m_core;
    QHash<QString, AgentPackage> m_packages;
    int m_packageLookups = 0;
};

QTEST_GUILESS_MAIN(TestDispatchMock)
#include "tst_dispatch_mock.moc"
