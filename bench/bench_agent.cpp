// Measures the agent (prophasis-agent): plugin round trips through its HTTPS API, its CPU per
// run and its memory.
//
//   bench_agent [--runs N] [--idle-seconds S]
//
// Starts a real agent on loopback (init, enrollment, run) with a core identity of its own, then
// over ONE kept-alive mutual-TLS connection (one QNetworkAccessManager for every call):
//   - N runs of the bundled heartbeat plugin (Lua, in the agent's prophasis-agent-lua worker);
//   - N runs of a tiny exec plugin (a shell script), which pays a process start per run.
// For each, the latency of the round trip (median, p90, p99) and the CPU the agent process and
// its Lua worker spent (utime + stime of /proc/<pid>/stat, before and after, divided by N; the
// exec plugin's own process is not counted: its CPU goes to the agent's cutime). Memory (RSS,
// RssAnon, PSS) of the agent and of its worker right after start and after the runs and S seconds
// idle.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <optional>

#include <unistd.h>

#include "shared/enrollment/pairingstrings.h"
#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"
#include "tests/package/packagefixtures.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;

namespace {

struct Answer
{
    int status = 0;
    QJsonObject json;
    QString error;
    qint64 ns = 0;
};

// One manager, hence one kept-alive connection, for every call as the core.
class Client
{
public:
    Client(quint16 port, const TlsIdentity &identity, const QString &agentSpki)
        : m_port(port)
        , m_configuration(pinnedClientConfiguration(identity))
        , m_agentSpki(agentSpki)
    {
        // A new TLS session completed: a new connection, not the kept-alive one.
        QObject::connect(&m_network, &QNetworkAccessManager::encrypted, [this] { ++m_handshakes; });
    }

    Answer call(const QByteArray &method, const QString &path, const QByteArray &body = {},
                const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(m_port).arg(path)));
        request.setSslConfiguration(m_configuration);
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        if (!body.isEmpty() && request.header(QNetworkRequest::ContentTypeHeader).isNull())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QElapsedTimer timer;
        timer.start();
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        pinReply(reply, m_agentSpki);
        if (!reply->isFinished()) {
            QEventLoop loop;
            QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
            loop.exec();
        }
        Answer answer;
        answer.ns = timer.nsecsElapsed();
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.json = QJsonDocument::fromJson(reply->readAll()).object();
        answer.error = reply->errorString();
        reply->deleteLater();
        return answer;
    }

    int handshakes() const { return m_handshakes; }

private:
    QNetworkAccessManager m_network;
    quint16 m_port;
    QSslConfiguration m_configuration;
    QString m_agentSpki;
    int m_handshakes = 0;
};

QByteArray execPackage()
{
    const QJsonObject manifest = {{QStringLiteral("id"), QStringLiteral("bench.exec")},
                                  {QStringLiteral("name"), QStringLiteral("bench.exec")},
                                  {QStringLiteral("description"), QStringLiteral("prints a constant")},
                                  {QStringLiteral("version"), QStringLiteral("1.0")},
                                  {QStringLiteral("runtime"), QStringLiteral("exec")},
                                  {QStringLiteral("entry"), QStringLiteral("run.sh")},
                                  {QStringLiteral("default_n_historical"), 2},
                                  {QStringLiteral("default_classifier"), QStringLiteral("classifier.lua")},
                                  {QStringLiteral("arguments"), QJsonArray()},
                                  {QStringLiteral("timeout_s"), 5}};
    return prophasis::testing::packageArchive(
        QStringLiteral("exec"), manifest,
        {{QStringLiteral("run.sh"), "#!/bin/sh\necho '{\"value\": 1, \"message\": \"ok\"}'\n"},
         {QStringLiteral("classifier.lua"), "return 'ok'"}});
}

// /proc/<pid>/stat after the command, which may hold spaces and parentheses.
QList<QByteArray> statFields(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return {};
    const QByteArray line = stat.readAll();
    return line.mid(line.lastIndexOf(')') + 2).split(' ');
}

// utime + stime in microseconds (the fields are in clock ticks).
qint64 cpuMicros(qint64 pid)
{
    if (pid <= 0)
        return 0;
    const QList<QByteArray> fields = statFields(pid); // fields[0] is field 3 (state)
    if (fields.size() < 13)
        return 0;
    const qint64 ticks = fields.at(11).toLongLong() + fields.at(12).toLongLong(); // utime, stime
    return ticks * 1'000'000 / ::sysconf(_SC_CLK_TCK);
}

// CPU time of the live threads in ns (schedstat), finer than stat's clock ticks.
qint64 schedNanos(qint64 pid)
{
    if (pid <= 0)
        return 0;
    qint64 total = 0;
    const QString tasks = QStringLiteral("/proc/%1/task").arg(pid);
    for (const QString &task : QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile schedstat(tasks + u'/' + task + QStringLiteral("/schedstat"));
        if (schedstat.open(QIODevice::ReadOnly))
            total += schedstat.readAll().split(' ').value(0).toLongLong();
    }
    return total;
}

qint64 luaWorkerOf(qint64 agent)
{
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        const qint64 pid = entry.toLongLong();
        if (pid <= 0 || statFields(pid).value(1).toLongLong() != agent)
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmdline.open(QIODevice::ReadOnly) &&
            cmdline.readAll().split('\0').value(0).endsWith("prophasis-agent-lua"))
            return pid;
    }
    return 0;
}

struct Memory
{
    qint64 rssKiB = 0;
    qint64 anonKiB = 0;
    qint64 pssKiB = 0;
};

qint64 fieldKiB(const QByteArray &text, const QByteArray &name)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(name + ':'))
            return line.mid(name.size() + 1).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

Memory memoryOf(qint64 pid)
{
    Memory memory;
    if (pid <= 0)
        return memory;
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        const QByteArray text = status.readAll();
        memory.rssKiB = fieldKiB(text, "VmRSS");
        memory.anonKiB = fieldKiB(text, "RssAnon");
    }
    QFile rollup(QStringLiteral("/proc/%1/smaps_rollup").arg(pid));
    if (rollup.open(QIODevice::ReadOnly))
        memory.pssKiB = fieldKiB(rollup.readAll(), "Pss");
    return memory;
}

QString mib(qint64 kib)
{
    return QString::number(double(kib) / 1024.0, 'f', 1);
}

QString ms(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 3);
}

qint64 percentile(QList<qint64> sorted, double p)
{
    if (sorted.isEmpty())
        return 0;
    const qsizetype index = std::min(sorted.size() - 1, qsizetype(p * double(sorted.size() - 1) + 0.5));
    return sorted.at(index);
}

void wait(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

void printMemory(QTextStream &out, const QString &when, qint64 agent, qint64 worker)
{
    const Memory a = memoryOf(agent);
    const Memory w = memoryOf(worker);
    out << when << '\n'
        << "  agent             RSS " << mib(a.rssKiB) << " MiB, anonymous " << mib(a.anonKiB) << " MiB, PSS "
        << mib(a.pssKiB) << " MiB\n";
    if (worker > 0)
        out << "  Lua worker        RSS " << mib(w.rssKiB) << " MiB, anonymous " << mib(w.anonKiB)
            << " MiB, PSS " << mib(w.pssKiB) << " MiB\n";
    else
        out << "  Lua worker        not running\n";
    out << "  sum               RSS " << mib(a.rssKiB + w.rssKiB) << " MiB, anonymous "
        << mib(a.anonKiB + w.anonKiB) << " MiB, PSS " << mib(a.pssKiB + w.pssKiB) << " MiB\n";
    out.flush();
}

struct Series
{
    QList<qint64> ns;
    int failures = 0;
    QString firstFailure;
    qint64 agentCpuUs = 0;
    qint64 workerCpuUs = 0;
    qint64 agentSchedNs = 0;
    qint64 workerSchedNs = 0;
    int handshakes = 0;
};

Series measure(Client &client, const QString &id, const QString &sha, int runs, qint64 agent, qint64 worker)
{
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("arguments"), QJsonObject()},
                                                      {QStringLiteral("expect_sha256"), sha}})
                                .toJson(QJsonDocument::Compact);
    const QString path = QStringLiteral("/v1/plugins/%1/run").arg(id);
    Series series;
    series.ns.reserve(runs);
    const int handshakes = client.handshakes();
    const qint64 agentBefore = cpuMicros(agent), workerBefore = cpuMicros(worker);
    const qint64 agentSchedBefore = schedNanos(agent), workerSchedBefore = schedNanos(worker);
    for (int i = 0; i < runs; ++i) {
        const Answer answer = client.call("POST", path, body);
        series.ns.append(answer.ns);
        if (answer.status != 200 || answer.json.value(QStringLiteral("value")).toDouble() != 1.0) {
            if (!series.failures++)
                series.firstFailure =
                    QStringLiteral("%1 %2 %3")
                        .arg(answer.status)
                        .arg(QString::fromUtf8(QJsonDocument(answer.json).toJson(QJsonDocument::Compact)),
                             answer.error);
        }
    }
    series.agentCpuUs = cpuMicros(agent) - agentBefore;
    series.workerCpuUs = cpuMicros(worker) - workerBefore;
    series.agentSchedNs = schedNanos(agent) - agentSchedBefore;
    series.workerSchedNs = schedNanos(worker) - workerSchedBefore;
    series.handshakes = client.handshakes() - handshakes;
    std::sort(series.ns.begin(), series.ns.end());
    return series;
}

void printSeries(QTextStream &out, const QString &title, const Series &s, int runs, bool withWorker)
{
    const auto perRun = [runs](qint64 us) { return QString::number(double(us) / runs, 'f', 0); };
    const auto perRunNs = [runs](qint64 ns) { return QString::number(double(ns) / 1e3 / runs, 'f', 0); };
    out << title << " (" << runs << " runs, " << s.handshakes << " new TLS connections during them)\n"
        << "  latency           median " << ms(percentile(s.ns, 0.5)) << " ms, p90 "
        << ms(percentile(s.ns, 0.9)) << " ms, p99 " << ms(percentile(s.ns, 0.99)) << " ms, max "
        << ms(s.ns.isEmpty() ? 0 : s.ns.last()) << " ms\n"
        << "  agent CPU         " << perRun(s.agentCpuUs)
        << " µs per run (utime+stime; schedstat of live threads " << perRunNs(s.agentSchedNs) << " µs)\n";
    if (withWorker)
        out << "  Lua worker CPU    " << perRun(s.workerCpuUs) << " µs per run (schedstat "
            << perRunNs(s.workerSchedNs) << " µs)\n"
            << "  agent + worker    " << perRun(s.agentCpuUs + s.workerCpuUs) << " µs per run (schedstat "
            << perRunNs(s.agentSchedNs + s.workerSchedNs) << " µs)\n";
    if (s.failures)
        out << "  FAILED            " << s.failures << " runs, first: " << s.firstFailure << '\n';
    out.flush();
}

} // namespace

namespace {

// The same calls against tls_floor_server, the smallest HTTPS server on Qt's TLS stack: what
// the agent costs beyond it is our code's; the floor itself is Qt's and OpenSSL's.
void measureFloor(QTextStream &out, const TlsIdentity &core, int runs, int idleSeconds, double agentPingCpu,
                  const Memory &agentMemory)
{
    const quint16 port = test::freeLoopbackPort();
    QProcess floor;
    floor.start(QStringLiteral(PROPHASIS_TLS_FLOOR_BINARY), {QString::number(port)});
    if (!floor.waitForReadyRead(10'000)) {
        out << "baseline server did not start\n";
        return;
    }
    const QString spki = QString::fromLatin1(floor.readLine()).trimmed().section(u' ', 1);
    const qint64 pid = floor.processId();
    wait(500);
    const Memory started = memoryOf(pid);
    Client client(port, core, spki);
    for (int i = 0; i < 10; ++i)
        client.call("GET", QStringLiteral("/v1/ping"));
    QList<qint64> pings;
    const qint64 schedBefore = schedNanos(pid);
    for (int i = 0; i < runs; ++i)
        pings.append(client.call("GET", QStringLiteral("/v1/ping")).ns);
    const double cpu = double(schedNanos(pid) - schedBefore) / 1e3 / runs;
    std::sort(pings.begin(), pings.end());
    wait(idleSeconds * 1000);
    const Memory idle = memoryOf(pid);
    out << "\nbaseline: tls_floor_server (QSslServer, fixed answer; " << runs << " calls, "
        << client.handshakes() << " TLS handshake(s))\n"
        << "  right after start RSS " << mib(started.rssKiB) << " MiB, anonymous " << mib(started.anonKiB)
        << " MiB\n"
        << "  latency           median " << ms(percentile(pings, 0.5)) << " ms, p90 "
        << ms(percentile(pings, 0.9)) << " ms\n"
        << "  CPU per call      " << QString::number(cpu, 'f', 0)
        << " µs (schedstat); agent's ping / baseline: "
        << QString::number(agentPingCpu / std::max(cpu, 1.0), 'f', 2) << "\n"
        << "  after " << idleSeconds << " s idle RSS " << mib(idle.rssKiB) << " MiB, anonymous "
        << mib(idle.anonKiB) << " MiB; agent / baseline RSS: "
        << QString::number(double(agentMemory.rssKiB) / std::max<qint64>(idle.rssKiB, 1), 'f', 2) << '\n';
    floor.terminate();
    floor.waitForFinished(5'000);
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("runs"), QStringLiteral("Runs of each plugin."), QStringLiteral("N"),
         QStringLiteral("300")},
        {QStringLiteral("idle-seconds"), QStringLiteral("Idle time before the second memory reading."),
         QStringLiteral("S"), QStringLiteral("60")},
    });
    parser.process(app);
    QTextStream out(stdout);
    const int runs = std::max(1, parser.value(QStringLiteral("runs")).toInt());
    const int idleSeconds = std::max(0, parser.value(QStringLiteral("idle-seconds")).toInt());

    const quint16 port = test::freeLoopbackPort();
    test::AgentProcess agentProcess{QStringLiteral(PROPHASIS_AGENT_BINARY)};
    QString error;
    if (port == 0 || !agentProcess.init(port)) {
        out << "agent init failed: " << agentProcess.log() << '\n';
        return 1;
    }
    const auto enrollment = EnrollmentString::decode(agentProcess.enrollmentString(), &error);
    if (!enrollment) {
        out << "agent init printed no enrollment string: " << error << '\n';
        return 1;
    }
    const TlsIdentity core = TlsIdentity::generate(QStringLiteral("core"));
    if (!agentProcess.start()) {
        out << "agent did not start: " << agentProcess.log() << '\n';
        return 1;
    }
    const qint64 agent = agentProcess.processId();
    const auto stop = [&agentProcess] { agentProcess.stop(); };

    out << "agent               " << PROPHASIS_AGENT_BINARY << " (pid " << agent << ")\n";
    wait(500); // let start-up settle
    printMemory(out, QStringLiteral("memory right after start (no call yet)"), agent, 0);

    Client client(port, core, enrollment->spkiSha256);
    const Answer enrolled = client.call("POST", QStringLiteral("/v1/enroll"), "{}",
                                        {{"Authorization", "Bearer " + enrollment->token.toUtf8()}});
    if (enrolled.status != 200) {
        out << "enrollment failed: " << enrolled.status << ' ' << enrolled.error << '\n';
        stop();
        return 1;
    }

    QFile bundled(QStringLiteral(PROPHASIS_BUNDLED_PLUGINS) +
                  QStringLiteral("/org.prophasis.heartbeat-1.0.0.tar.gz"));
    if (!bundled.open(QIODevice::ReadOnly)) {
        out << "no bundled plugin at " << bundled.fileName() << '\n';
        stop();
        return 1;
    }
    const QByteArray luaArchive = bundled.readAll();
    const QByteArray execArchive = execPackage();
    const QString luaId = QStringLiteral("org.prophasis.heartbeat");
    const QString execId = QStringLiteral("bench.exec");
    const QString luaSha =
        QString::fromLatin1(QCryptographicHash::hash(luaArchive, QCryptographicHash::Sha256).toHex());
    const QString execSha =
        QString::fromLatin1(QCryptographicHash::hash(execArchive, QCryptographicHash::Sha256).toHex());
    for (const auto &[id, archive] : {std::pair{luaId, luaArchive}, std::pair{execId, execArchive}}) {
        const Answer installed = client.call("PUT", QStringLiteral("/v1/plugins/") + id, archive,
                                             {{"Content-Type", "application/gzip"}});
        if (installed.status != 200 && installed.status != 201) {
            out << "install of " << id << " failed: " << installed.status << ' '
                << QJsonDocument(installed.json).toJson(QJsonDocument::Compact) << '\n';
            stop();
            return 1;
        }
    }

    // The first Lua run starts the worker; measured apart, then a short warm-up.
    const QByteArray luaBody = QJsonDocument(QJsonObject{{QStringLiteral("arguments"), QJsonObject()},
                                                         {QStringLiteral("expect_sha256"), luaSha}})
                                   .toJson(QJsonDocument::Compact);
    const Answer first = client.call("POST", QStringLiteral("/v1/plugins/%1/run").arg(luaId), luaBody);
    out << "first Lua run       " << ms(first.ns) << " ms (starts the Lua worker), status " << first.status
        << '\n';
    measure(client, luaId, luaSha, 10, agent, 0);
    measure(client, execId, execSha, 10, agent, 0);
    const qint64 worker = luaWorkerOf(agent);
    out << "Lua worker          "
        << (worker > 0 ? QStringLiteral("pid %1").arg(worker) : QStringLiteral("NOT FOUND")) << "\n\n";
    out.flush();

    const Series lua = measure(client, luaId, luaSha, runs, agent, worker);
    printSeries(out, QStringLiteral("Lua plugin (org.prophasis.heartbeat)"), lua, runs, true);
    const Series exec = measure(client, execId, execSha, runs, agent, worker);
    printSeries(out, QStringLiteral("exec plugin (sh script)"), exec, runs, true);
    double pingCpuPerCall = 0; // µs, from schedstat
    {
        // The bare API cost: GET /v1/ping on the same connection.
        QList<qint64> pings;
        const qint64 agentBefore = cpuMicros(agent), agentSchedBefore = schedNanos(agent);
        for (int i = 0; i < runs; ++i)
            pings.append(client.call("GET", QStringLiteral("/v1/ping")).ns);
        const qint64 agentCpu = cpuMicros(agent) - agentBefore;
        const qint64 agentSched = schedNanos(agent) - agentSchedBefore;
        pingCpuPerCall = double(agentSched) / 1e3 / runs;
        std::sort(pings.begin(), pings.end());
        out << "GET /v1/ping (" << runs << " calls)\n"
            << "  latency           median " << ms(percentile(pings, 0.5)) << " ms, p90 "
            << ms(percentile(pings, 0.9)) << " ms, p99 " << ms(percentile(pings, 0.99)) << " ms\n"
            << "  agent CPU         " << QString::number(double(agentCpu) / runs, 'f', 0)
            << " µs per call (schedstat of live threads "
            << QString::number(double(agentSched) / 1e3 / runs, 'f', 0) << " µs)\n\n";
        out.flush();
    }

    out << "TLS handshakes      " << client.handshakes()
        << " in all (enrollment, installs, warm-up, runs, pings)\n";
    out << "idle for " << idleSeconds << " s...\n";
    out.flush();
    wait(idleSeconds * 1000);
    printMemory(out, QStringLiteral("memory after the runs and %1 s idle").arg(idleSeconds), agent,
                luaWorkerOf(agent));
    const Memory agentMemory = memoryOf(agent);
    stop();
    measureFloor(out, core, runs, idleSeconds, pingCpuPerCall, agentMemory);
    return 0;
}
