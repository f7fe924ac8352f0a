#include "tests/support/agentprocess.h"

#include <QDeadlineTimer>
#include <QTcpServer>

#include <csignal>

namespace prophasis::test {

namespace {

constexpr qsizetype MaxLogCharacters = 256 * 1024;

} // namespace

AgentProcess::AgentProcess(QString binary)
    : m_binary(std::move(binary))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&m_process, &QProcess::readyRead, [this] { collectLog(); });
}

AgentProcess::~AgentProcess()
{
    stop();
}

bool AgentProcess::init(quint16 port, const QStringList &extraOptions)
{
    QProcess init;
    init.start(m_binary, QStringList{QStringLiteral("init"), QStringLiteral("--config-dir"), m_dir.path(),
                                     QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                                     QStringLiteral("--port"), QString::number(port)} +
                             extraOptions);
    if (!init.waitForFinished(30'000) || init.exitCode() != 0) {
        m_log += QString::fromUtf8(init.readAllStandardError());
        return false;
    }
    m_enrollment = QString::fromUtf8(init.readAllStandardOutput()).trimmed().section(u'\n', -1);
    return !m_enrollment.isEmpty();
}

bool AgentProcess::start()
{
    // Only what this run writes counts: a restart must not find the last run's line.
    m_log.clear();
    m_process.start(m_binary, {QStringLiteral("run"), QStringLiteral("--config-dir"), m_dir.path()});
    QDeadlineTimer deadline(20'000);
    while (!m_log.contains(QStringLiteral("agent running")) && !deadline.hasExpired() &&
           m_process.state() != QProcess::NotRunning) {
        m_process.waitForReadyRead(100);
        collectLog();
    }
    return m_log.contains(QStringLiteral("agent running"));
}

int AgentProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    ::kill(pid_t(m_process.processId()), SIGTERM);
    if (!m_process.waitForFinished(10'000)) {
        m_process.kill();
        m_process.waitForFinished();
        collectLog();
        return -1;
    }
    collectLog();
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

QString AgentProcess::log()
{
    collectLog();
    return m_log;
}

void AgentProcess::collectLog()
{
    m_log += QString::fromUtf8(m_process.readAll());
    if (m_log.size() > MaxLogCharacters)
        m_log.remove(0, m_log.size() - MaxLogCharacters);
}

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

} // namespace prophasis::test
