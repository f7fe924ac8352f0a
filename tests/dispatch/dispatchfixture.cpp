#include "tests/dispatch/dispatchfixture.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTest>

namespace prophasis::testing {

QUuid ConfigBuilder::addHost(const QString &name, const QString &address, quint16 port, const QString &spki)
{
    Host host;
    host.id = QUuid::createUuid();
    host.version = 1;
    host.name = name;
    host.address = address;
    host.agentPort = port;
    host.agentKeySha256 = spki;
    m_config.hosts.insert(host.id, host);
    return host.id;
}

QUuid ConfigBuilder::addPlugin(const QString &pluginId, const QString &sha256, int timeoutSeconds,
                               PluginRuntime runtime)
{
    Plugin plugin;
    plugin.id = QUuid::createUuid();
    plugin.version = 1;
    plugin.pluginId = pluginId;
    plugin.name = pluginId;
    plugin.pluginVersion = QStringLiteral("1.0");
    plugin.runtime = runtime;
    plugin.timeoutSeconds = timeoutSeconds;
    plugin.packageSha256 = sha256;
    m_config.plugins.insert(plugin.id, plugin);
    return plugin.id;
}

QUuid ConfigBuilder::addCheck(const QUuid &plugin, const QJsonObject &arguments)
{
    Check check;
    check.id = QUuid::createUuid();
    check.version = 1;
    check.name = QStringLiteral("check %1").arg(m_config.checks.size() + 1);
    check.plugins.append(CheckPlugin{plugin, arguments, std::nullopt});
    m_config.checks.insert(check.id, check);
    return check.id;
}

RunJob runJob(const QUuid &host, const QUuid &check, const QUuid &plugin)
{
    RunJob job;
    job.series = SeriesKey{host, check, plugin};
    job.slot = QDateTime::currentDateTimeUtc();
    job.queuedAt = job.slot;
    return job;
}

DispatchLog::DispatchLog(Dispatcher *dispatcher)
{
    connect(dispatcher, &Dispatcher::resultReady, this, [this](const RunJob &job, const CheckResult &result) {
        results.append({job, result});
    });
    connect(dispatcher, &Dispatcher::jobStarted, this, [this](const RunJob &job) { started.append(job); });
    connect(dispatcher, &Dispatcher::securityEvent, this,
            [this](const AgentKeyMismatch &event) { securityEvents.append(event); });
    connect(dispatcher, &Dispatcher::drained, this, [this] { drained = true; });
}

bool DispatchLog::waitForResults(qsizetype count, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (results.size() < count && !deadline.hasExpired())
        QTest::qWait(5);
    return results.size() >= count;
}

QList<CheckResult> DispatchLog::resultsOf(const QUuid &hostId) const
{
    QList<CheckResult> found;
    for (const auto &[job, result] : results) {
        if (result.hostId == hostId)
            found.append(result);
    }
    return found;
}

MockAgentProcess::MockAgentProcess()
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    m_process.setReadChannel(QProcess::StandardOutput);
}

MockAgentProcess::~MockAgentProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished();
    }
}

QJsonObject MockAgentProcess::hostEntry(quint16 port, const QString &behaviour, const QJsonObject &plugins,
                                        int delayMs)
{
    return {{QStringLiteral("listen"), QStringLiteral("127.0.0.1")},
            {QStringLiteral("port"), port},
            {QStringLiteral("behaviour"), behaviour},
            {QStringLiteral("delay_ms"), delayMs},
            {QStringLiteral("plugins"), plugins}};
}

QJsonObject MockAgentProcess::pluginEntry(const QString &sha256, const QJsonObject &result)
{
    QJsonObject plugin{{QStringLiteral("sha256"), sha256}};
    if (!result.isEmpty())
        plugin.insert(QStringLiteral("result"), result);
    return plugin;
}

bool MockAgentProcess::rewrite(const QJsonObject &hosts)
{
    QSaveFile file(m_dir.filePath(QStringLiteral("hosts.json")));
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(QJsonDocument(QJsonObject{{QStringLiteral("core_keys"), QJsonArray{m_coreSpki}},
                                         {QStringLiteral("hosts"), hosts}})
                   .toJson());
    return file.commit();
}

bool MockAgentProcess::start(const QString &coreSpki, const QJsonObject &hosts)
{
    m_coreSpki = coreSpki;
    if (!rewrite(hosts))
        return false;
    m_process.start(QStringLiteral(PROPHASIS_MOCK_AGENT_BINARY),
                    {QStringLiteral("--hosts"), m_dir.filePath(QStringLiteral("hosts.json")),
                     QStringLiteral("--identity-dir"), m_dir.filePath(QStringLiteral("keys"))});
    for (auto it = hosts.constBegin(); it != hosts.constEnd(); ++it) {
        if (waitForHost(it.key()).isEmpty())
            return false;
    }
    return true;
}

QJsonObject MockAgentProcess::waitForHost(const QString &name, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && m_process.state() != QProcess::NotRunning) {
        while (m_process.canReadLine()) {
            const QJsonObject line = QJsonDocument::fromJson(m_process.readLine()).object();
            const QString host = line.value(QStringLiteral("host")).toString();
            m_hosts.insert(host, line);
            if (host == name)
                return line;
        }
        m_process.waitForReadyRead(50);
    }
    qWarning().noquote() << "the mock agent did not report" << name << m_process.readAllStandardError();
    return {};
}

} // namespace prophasis::testing
