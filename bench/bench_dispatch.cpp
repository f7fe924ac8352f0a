// Measures the core's dispatcher: CPU per result and results per second against mock agents.
//
//   bench_dispatch [--hosts N] [--results M]
//
// Starts prophasis-mock-agent with N fake agents on loopback (each answers a run at once), and a
// Dispatcher in this process over real mutual TLS. Every host has one series; each result queues
// that series again, so N jobs are in flight all the time. After a warm-up (the handshakes) it
// counts M results and prints this process's CPU time per result (CLOCK_PROCESS_CPUTIME_ID: the
// dispatcher, TLS, JSON, the event loop — everything the core pays per result before the
// engine), results per second, and the mock's CPU for comparison (it shares the two cores).
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QPromise>
#include <QTemporaryDir>
#include <QTextStream>

#include "bench/processcpu.h"
#include "daemon-core/dispatch/dispatcher.h"
#include "shared/cli/daemonprocess.h"
#include "shared/tls/identity.h"

using namespace prophasis;
using bench::cpuNsOf;
using bench::processCpuNs;

int main(int argc, char *argv[])
{
    chooseDaemonEventLoop(); // the event loop prophasis-core runs on
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({{QStringLiteral("hosts"), QStringLiteral("Fake agents (default 50)."),
                        QStringLiteral("N"), QStringLiteral("50")},
                       {QStringLiteral("results"), QStringLiteral("Results to measure (default 20000)."),
                        QStringLiteral("M"), QStringLiteral("20000")}});
    parser.process(app);
    const int hostCount = std::max(1, parser.value(QStringLiteral("hosts")).toInt());
    const qint64 measured = std::max(1, parser.value(QStringLiteral("results")).toInt());
    QTextStream out(stdout);

    const TlsIdentity core = TlsIdentity::generate(QStringLiteral("core"));
    const QString sha(64, u'a');
    const QString pluginId = QStringLiteral("org.bench.load");
    QTemporaryDir dir;
    QJsonObject hosts;
    for (int i = 0; i < hostCount; ++i)
        hosts.insert(
            QStringLiteral("h%1").arg(i),
            QJsonObject{
                {QStringLiteral("listen"), QStringLiteral("127.0.0.1")},
                {QStringLiteral("port"), 0},
                {QStringLiteral("plugins"),
                 QJsonObject{
                     {pluginId,
                      QJsonObject{{QStringLiteral("sha256"), sha},
                                  {QStringLiteral("result"),
                                   QJsonObject{{QStringLiteral("value"), 0.42},
                                               {QStringLiteral("message"), QStringLiteral("load is fine")},
                                               {QStringLiteral("metrics"),
                                                QJsonArray{QJsonObject{
                                                    {QStringLiteral("name"), QStringLiteral("load5")},
                                                    {QStringLiteral("value"), 0.3}}}}}}}}}}});
    QFile file(dir.filePath(QStringLiteral("hosts.json")));
    if (!file.open(QIODevice::WriteOnly))
        return 1;
    file.write(
        QJsonDocument(QJsonObject{{QStringLiteral("core_keys"), QJsonArray{spkiSha256(core.certificate)}},
                                  {QStringLiteral("hosts"), hosts}})
            .toJson());
    file.close();

    QProcess mock;
    mock.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    mock.start(QStringLiteral(PROPHASIS_MOCK_AGENT_BINARY), {QStringLiteral("--hosts"), file.fileName()});
    auto configuration = std::make_shared<Configuration>();
    Plugin plugin;
    plugin.id = QUuid::createUuid();
    plugin.pluginId = pluginId;
    plugin.packageSha256 = sha;
    plugin.timeoutSeconds = 10;
    configuration->plugins.insert(plugin.id, plugin);
    Check check;
    check.id = QUuid::createUuid();
    check.plugins.append(
        CheckPlugin{plugin.id, QJsonObject{{QStringLiteral("path"), QStringLiteral("/")}}, std::nullopt});
    configuration->checks.insert(check.id, check);
    QDeadlineTimer ready(30'000);
    while (configuration->hosts.size() < hostCount && !ready.hasExpired() &&
           mock.state() != QProcess::NotRunning) {
        mock.waitForReadyRead(100);
        while (mock.canReadLine()) {
            const QJsonObject line = QJsonDocument::fromJson(mock.readLine()).object();
            Host host;
            host.id = QUuid::createUuid();
            host.name = line.value(QStringLiteral("host")).toString();
            host.address = QStringLiteral("127.0.0.1");
            host.agentPort = quint16(line.value(QStringLiteral("port")).toInt());
            host.agentKeySha256 = line.value(QStringLiteral("spki_sha256")).toString();
            configuration->hosts.insert(host.id, host);
        }
    }
    if (configuration->hosts.size() < hostCount) {
        out << "the mock agent did not start its hosts\n";
        return 1;
    }

    DispatcherLimits limits;
    limits.maxQueuePerAgent = 10;
    Dispatcher dispatcher(
        core,
        [](const QUuid &, const QString &) {
            QPromise<std::optional<AgentPackage>> none;
            none.start();
            none.addResult(std::nullopt);
            none.finish();
            return none.future();
        },
        limits);
    dispatcher.setConfiguration(configuration);

    const qint64 warmUp = qint64(hostCount) * 3;
    qint64 results = 0;
    qint64 failures = 0;
    qint64 cpuStart = 0;
    qint64 mockCpuStart = 0;
    QElapsedTimer wall;
    const auto job = [&](const QUuid &hostId) {
        RunJob run;
        run.series = SeriesKey{hostId, check.id, plugin.id};
        run.slot = run.queuedAt = QDateTime::currentDateTimeUtc();
        return run;
    };
    QObject::connect(
        &dispatcher, &Dispatcher::resultReady, &app, [&](const RunJob &done, const CheckResult &result) {
            ++results;
            failures += result.type == ResultType::Success ? 0 : 1;
            if (results == warmUp) {
                cpuStart = processCpuNs();
                mockCpuStart = cpuNsOf(mock.processId());
                wall.start();
            }
            if (results == warmUp + measured) {
                const qint64 cpu = processCpuNs() - cpuStart;
                const qint64 mockCpu = cpuNsOf(mock.processId()) - mockCpuStart;
                const double seconds = double(wall.nsecsElapsed()) / 1e9;
                out << "hosts: " << hostCount << ", results measured: " << measured
                    << ", failures: " << failures
                    << ", TLS connections opened: " << dispatcher.counters().connections << '\n';
                out << "core CPU per result: "
                    << QString::number(double(cpu) / double(measured) / 1000.0, 'f', 1) << " us\n";
                out << "results per second: " << QString::number(double(measured) / seconds, 'f', 0)
                    << " (wall " << QString::number(seconds, 'f', 2) << " s, shared with the mock agent)\n";
                out << "mock agent CPU per result: "
                    << QString::number(double(mockCpu) / double(measured) / 1000.0, 'f', 1) << " us\n";
                out.flush();
                QCoreApplication::quit();
                return;
            }
            dispatcher.enqueue(done);
        });
    for (const Host &host : std::as_const(configuration->hosts))
        dispatcher.enqueue(job(host.id));
    const int code = QCoreApplication::exec();
    mock.kill();
    mock.waitForFinished();
    return code;
}
