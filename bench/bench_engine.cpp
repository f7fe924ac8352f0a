// The whole core engine end to end with real agents on loopback:
//
//   bench_engine [--database URL] [--agents N] [--checks S] [--seconds T] [--mock]
//
// Starts N real prophasis-agent processes, pairs each with the engine from its enrollment
// string, stores the bundled heartbeat plugin (pushed to each agent on its first run) and S
// checks of it on every host, all on a one-second schedule: N × S runs per second are due. After
// a warm-up it measures T seconds and prints results stored per second, the core's CPU per
// result (this process: scheduler, dispatcher, TLS, classification seam, health, result writer,
// storage), the agents' and the database's CPU beside it, and the scheduler's skips (a machine
// that cannot keep up shows them). Everything shares the machine's cores. With --mock, the N
// agents are fake ones in one prophasis-mock-agent process that answer at once (the issue's
// "core CPU per result with mock agents").
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <memory>

#include <unistd.h>

#include "bench/processcpu.h"
#include "daemon-core/engine/coreengine.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultwriter.h"
#include "daemon-core/storage/storageexecutor.h"
#include "shared/cli/daemonprocess.h"
#include "tests/dispatch/dispatchfixture.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using bench::cpuNsOf;
using bench::processCpuNs;

namespace {

// Every process whose command line contains `needle` (the agents and their Lua workers, or
// the PostgreSQL backends).
QList<qint64> processesMatching(const QByteArray &needle)
{
    QList<qint64> pids;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(entry));
        if (isPid && pid != getpid() && cmdline.open(QIODevice::ReadOnly) &&
            cmdline.readAll().contains(needle))
            pids.append(pid);
    }
    return pids;
}

qint64 cpuNsOfAll(const QList<qint64> &pids)
{
    qint64 sum = 0;
    for (qint64 pid : pids)
        sum += cpuNsOf(pid);
    return sum;
}

void waitMs(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

int main(int argc, char *argv[])
{
    chooseDaemonEventLoop();
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("database"),
         QStringLiteral("postgresql:// URL (default: SQLite in a temporary folder)."), QStringLiteral("URL")},
        {QStringLiteral("agents"), QStringLiteral("Agents (default 8)."), QStringLiteral("N"),
         QStringLiteral("8")},
        {QStringLiteral("checks"), QStringLiteral("Checks per agent, each one series (default 700)."),
         QStringLiteral("S"), QStringLiteral("700")},
        {QStringLiteral("seconds"), QStringLiteral("Measured time (default 60)."), QStringLiteral("T"),
         QStringLiteral("60")},
        {QStringLiteral("mock"), QStringLiteral("Fake agents (prophasis-mock-agent) instead of real ones.")},
    });
    parser.process(app);
    QTextStream out(stdout);
    const int agentCount = std::max(1, parser.value(QStringLiteral("agents")).toInt());
    const int checkCount = std::max(1, parser.value(QStringLiteral("checks")).toInt());
    const int seconds = std::max(1, parser.value(QStringLiteral("seconds")).toInt());

    QTemporaryDir dir;
    QString error;
    std::optional<DatabaseConfig> databaseConfig =
        parser.isSet(QStringLiteral("database"))
            ? DatabaseConfig::fromUrl(parser.value(QStringLiteral("database")), &error)
            : std::optional<DatabaseConfig>(DatabaseConfig::sqlite(dir.filePath(QStringLiteral("bench.db"))));
    if (!databaseConfig) {
        out << "bad database: " << error << '\n';
        return 1;
    }
    StorageExecutor storage(*databaseConfig);
    storage.runAndWait([](Database &db) { migrate(db); });
    // Hosts left by an earlier run would be scheduled too, against agents long gone.
    if (storage.runAndWait([](Database &db) { return HostStore(db).list().size(); }) > 0) {
        out << "bench_engine needs an empty database; " << databaseConfig->displayName() << " has hosts\n";
        return 1;
    }

    QFile bundled(QStringLiteral(PROPHASIS_BUNDLED_PLUGINS) +
                  QStringLiteral("/org.prophasis.heartbeat-1.0.0.tar.gz"));
    if (!bundled.open(QIODevice::ReadOnly)) {
        out << "no bundled plugin at " << bundled.fileName() << '\n';
        return 1;
    }
    const QByteArray archive = bundled.readAll();
    const QString sha =
        QString::fromLatin1(QCryptographicHash::hash(archive, QCryptographicHash::Sha256).toHex());

    const bool mock = parser.isSet(QStringLiteral("mock"));
    const TlsIdentity coreIdentity = TlsIdentity::generate(QStringLiteral("bench-core"));
    EngineOptions options;
    options.classifier.workerProgram = QStringLiteral(PROPHASIS_CLASSIFIER_BINARY);
    options.spoolDirectory = dir.filePath(QStringLiteral("spool"));
    options.dispatcher.maxQueuePerAgent = checkCount + 10;
    CoreEngine engine(storage, SecretBox(SecretBox::generateKey()), coreIdentity, options);
    QList<QUuid> hostIds;
    std::vector<std::unique_ptr<test::AgentProcess>> agents;
    testing::MockAgentProcess mockAgents;
    if (mock) {
        // Fake agents that already hold the package, stored as enrolled hosts.
        const QJsonObject plugins{
            {QStringLiteral("org.prophasis.heartbeat"),
             testing::MockAgentProcess::pluginEntry(
                 sha, {{QStringLiteral("value"), 1}, {QStringLiteral("message"), QStringLiteral("ok")}})}};
        QJsonObject hosts;
        for (int i = 0; i < agentCount; ++i)
            hosts.insert(QStringLiteral("agent-%1").arg(i),
                         testing::MockAgentProcess::hostEntry(test::freeLoopbackPort(),
                                                              QStringLiteral("normal"), plugins));
        if (!mockAgents.start(spkiSha256(coreIdentity.certificate), hosts)) {
            out << "the mock agent did not start\n";
            return 1;
        }
        hostIds = storage.runAndWait([&](Database &db) {
            QList<QUuid> ids;
            for (int i = 0; i < agentCount; ++i) {
                const QJsonObject listening = mockAgents.host(QStringLiteral("agent-%1").arg(i));
                Host host;
                host.name = QStringLiteral("agent-%1").arg(i);
                host.address = listening.value(QStringLiteral("address")).toString();
                host.agentPort = quint16(listening.value(QStringLiteral("port")).toInt());
                host.agentKeySha256 = listening.value(QStringLiteral("spki_sha256")).toString();
                ids.append(HostStore(db).create(host).id);
            }
            return ids;
        });
    }
    // Real agents: each is paired by the engine from its enrollment string.
    for (int i = 0; !mock && i < agentCount; ++i) {
        auto agent = std::make_unique<test::AgentProcess>(QStringLiteral(PROPHASIS_AGENT_BINARY));
        if (!agent->init(test::freeLoopbackPort()) || !agent->start()) {
            out << "agent " << i << " did not start: " << agent->log() << '\n';
            return 1;
        }
        QFuture<Host> paired =
            engine.addHostFromEnrollment(agent->enrollmentString(), QStringLiteral("agent-%1").arg(i));
        while (!paired.isFinished())
            waitMs(5);
        try {
            hostIds.append(paired.result().id);
        } catch (const StorageError &pairingError) {
            out << "pairing failed: " << pairingError.message() << '\n';
            return 1;
        }
        agents.push_back(std::move(agent));
    }
    storage.runAndWait([&](Database &db) {
        PluginStore plugins(db);
        Plugin plugin;
        plugin.pluginId = QStringLiteral("org.prophasis.heartbeat");
        plugin.name = QStringLiteral("Heartbeat");
        plugin.pluginVersion = QStringLiteral("1.0.0");
        plugin.runtime = PluginRuntime::Lua;
        plugin.entry = QStringLiteral("plugin.lua");
        plugin.packageSha256 = sha;
        plugin.classifier.source = QStringLiteral("return 'ok'");
        plugin = plugins.create(plugin);
        plugins.addPackage(
            {0, plugin.id, plugin.pluginVersion, sha, archive, {}, QDateTime::currentDateTimeUtc()});
        Schedule schedule;
        schedule.name = QStringLiteral("every second");
        schedule.intervals = {{QDateTime::currentDateTimeUtc().addSecs(-60), 1}};
        for (int c = 0; c < checkCount; ++c) {
            Check check;
            check.name = QStringLiteral("check %1").arg(c);
            check.hostIds = hostIds;
            check.plugins = {CheckPlugin{plugin.id, {}, std::nullopt}};
            schedule.checkIds.append(CheckStore(db).create(check).id);
        }
        ScheduleStore(db).create(schedule);
    });

    if (!engine.start(&error)) {
        out << "engine: " << error << '\n';
        return 1;
    }
    out << "engine              " << agentCount << (mock ? " mock" : " real") << " agents × " << checkCount
        << " checks every second = " << agentCount * checkCount << " runs/s due; database "
        << databaseConfig->displayName() << '\n';
    out.flush();
    waitMs(10'000); // pairing reloads, first pushes, connections, the first configuration

    const QList<qint64> agentPids = processesMatching(mock ? "prophasis-mock-agent" : "prophasis-agent");
    const QList<qint64> databasePids =
        databaseConfig->kind == DatabaseKind::Postgres ? processesMatching("postgres") : QList<qint64>();
    const auto stored = [&engine] {
        const ResultWriterCounters c = engine.resultWriter().counters();
        return c.written + c.replayed;
    };
    const SchedulerCounters schedulerBefore = engine.scheduler().counters();
    const qint64 storedBefore = stored(), cpuBefore = processCpuNs();
    const qint64 agentsBefore = cpuNsOfAll(agentPids), databaseBefore = cpuNsOfAll(databasePids);
    // The classification worker is the engine's child process, outside processCpuNs().
    const qint64 classifierPid = engine.classifier().workerPid();
    const qint64 classifierBefore = classifierPid ? cpuNsOf(classifierPid) : 0;
    QElapsedTimer clock;
    clock.start();
    waitMs(seconds * 1000);
    const double elapsed = double(clock.nsecsElapsed()) / 1e9;
    const qint64 results = stored() - storedBefore;
    const double coreCpu = double(processCpuNs() - cpuBefore) / 1e3;
    const double agentsCpu = double(cpuNsOfAll(agentPids) - agentsBefore) / 1e3;
    const double databaseCpu = double(cpuNsOfAll(databasePids) - databaseBefore) / 1e3;
    const double classifierCpu = classifierPid == engine.classifier().workerPid() && classifierPid
                                     ? double(cpuNsOf(classifierPid) - classifierBefore) / 1e3
                                     : -1;
    const SchedulerCounters schedulerAfter = engine.scheduler().counters();
    const DispatchCounters dispatch = engine.dispatcher().counters();

    out << "measured            " << QString::number(elapsed, 'f', 1) << " s\n"
        << "results stored      " << results << " (" << QString::number(double(results) / elapsed, 'f', 0)
        << " /s)\n"
        << "core CPU            " << QString::number(coreCpu / std::max<qint64>(results, 1), 'f', 1)
        << " µs per result (" << QString::number(coreCpu / elapsed / 1e4, 'f', 0) << " % of one core)\n"
        << "classifier CPU      "
        << (classifierCpu < 0 ? QStringLiteral("(the worker restarted or never ran)")
                              : QString::number(classifierCpu / std::max<qint64>(results, 1), 'f', 1) +
                                    QStringLiteral(" µs per result (the worker process)"))
        << "\n"
        << "agents CPU          " << QString::number(agentsCpu / std::max<qint64>(results, 1), 'f', 1)
        << " µs per result (" << agentPids.size() << " agent processes)\n";
    if (!databasePids.isEmpty())
        out << "PostgreSQL CPU      " << QString::number(databaseCpu / std::max<qint64>(results, 1), 'f', 1)
            << " µs per result\n";
    out << "scheduler           " << (schedulerAfter.scheduled - schedulerBefore.scheduled) << " slots due, "
        << (schedulerAfter.skippedLate - schedulerBefore.skippedLate) << " skipped late, "
        << (schedulerAfter.alreadyWaiting - schedulerBefore.alreadyWaiting)
        << " still waiting from their last slot, " << (schedulerAfter.queueFull - schedulerBefore.queueFull)
        << " refused by full queues\n"
        << "dispatcher          " << dispatch.pushes << " package pushes, " << dispatch.connections
        << " connections, results by type: success " << dispatch.resultsOf(ResultType::Success) << '\n';
    out.flush();

    QObject::connect(&engine, &CoreEngine::stopped, &app, &QCoreApplication::quit);
    engine.stop();
    QCoreApplication::exec();
    return 0;
}
