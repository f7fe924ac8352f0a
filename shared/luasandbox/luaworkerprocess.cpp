#include "shared/luasandbox/luaworkerprocess.h"

#include <QPointer>
#include <QProcess>

#include <utility>

#include <signal.h>
#include <unistd.h>
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace prophasis {

namespace {

// A worker log line longer than this is handed out in pieces rather than buffered without end.
constexpr qsizetype MaxLogLineBytes = 8 * 1024;
// How long reap() waits for a SIGKILLed worker to be gone.
constexpr int WorkerReapMs = 1000;

} // namespace

LuaWorkerProcess::LuaWorkerProcess(QObject *parent)
    : QObject(parent)
{
}

LuaWorkerProcess::~LuaWorkerProcess()
{
    kill();
    reap();
}

void LuaWorkerProcess::setProgram(const QString &program, const QStringList &arguments)
{
    m_program = program;
    m_arguments = arguments;
}

void LuaWorkerProcess::setOwnSession(bool ownSession)
{
    m_ownSession = ownSession;
}

bool LuaWorkerProcess::start()
{
    kill();
    m_lastLogLine.clear();
    auto *process = new QProcess(this);
    process->setProgram(m_program);
    process->setArguments(m_arguments);
    process->setChildProcessModifier([ownSession = m_ownSession] {
        // A group of its own, so that a kill reaches whatever it started too.
        if (ownSession)
            ::setsid();
#ifdef Q_OS_LINUX
        // Should the client die, a worker stuck in C must not spin on forever.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    });
    connect(process, &QProcess::readyReadStandardOutput, this, [this, process] { readFrames(process); });
    connect(process, &QProcess::readyReadStandardError, this, [this, process] { readLog(process); });
    // Queued: start() can report this before it returns, in the middle of the client's call.
    connect(
        process, &QProcess::errorOccurred, this,
        [this, process = QPointer<QProcess>(process)](QProcess::ProcessError error) {
            if (process && error == QProcess::FailedToStart)
                processFailedToStart(process);
        },
        Qt::QueuedConnection);
    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus status) {
        processFinished(process, exitCode, status == QProcess::CrashExit);
    });
    m_process = process;
    process->start(QIODevice::ReadWrite);
    return process->state() != QProcess::NotRunning;
}

qint64 LuaWorkerProcess::processId() const
{
    return m_process ? m_process->processId() : 0;
}

void LuaWorkerProcess::write(std::string_view frame)
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        m_process->write(frame.data(), qint64(frame.size()));
}

// Kills without waiting; the QProcess goes once it is reaped.
void LuaWorkerProcess::kill()
{
    m_decoder.clear();
    m_logBuffer.clear();
    if (!m_process)
        return;
    QProcess *process = std::exchange(m_process, nullptr);
    process->disconnect(this);
    if (const qint64 pid = process->processId(); m_ownSession && pid > 0)
        ::kill(-pid_t(pid), SIGKILL);
    process->kill(); // also when it has not reached setsid() yet
    if (process->state() == QProcess::NotRunning)
        process->deleteLater();
    else
        connect(process, &QProcess::finished, process, &QObject::deleteLater);
}

void LuaWorkerProcess::reap()
{
    for (QProcess *process : findChildren<QProcess *>(Qt::FindDirectChildrenOnly))
        if (process != m_process)
            process->waitForFinished(WorkerReapMs);
}

void LuaWorkerProcess::readFrames(QProcess *process)
{
    if (process != m_process)
        return;
    const QByteArray data = process->readAllStandardOutput();
    m_decoder.feed(std::string_view(data.constData(), std::size_t(data.size())));
    const QPointer<LuaWorkerProcess> self(this);
    std::string payload;
    while (true) {
        const LuaFrameDecoder::Status status = m_decoder.next(&payload);
        if (status == LuaFrameDecoder::Status::NeedMore)
            return;
        if (status == LuaFrameDecoder::Status::Malformed) {
            Q_EMIT malformedFrame();
            return;
        }
        Q_EMIT frameReceived(payload);
        if (!self || process != m_process)
            return; // the slot killed the worker or deleted this
    }
}

void LuaWorkerProcess::readLog(QProcess *process)
{
    if (process != m_process)
        return;
    m_logBuffer += process->readAllStandardError();
    const QPointer<LuaWorkerProcess> self(this);
    qsizetype newline;
    while ((newline = m_logBuffer.indexOf('\n')) >= 0 || m_logBuffer.size() > MaxLogLineBytes) {
        const qsizetype length = newline >= 0 ? newline : MaxLogLineBytes;
        m_lastLogLine = QString::fromUtf8(m_logBuffer.left(length));
        m_logBuffer.remove(0, newline >= 0 ? length + 1 : length);
        Q_EMIT logLine(m_lastLogLine);
        if (!self || process != m_process)
            return;
    }
}

void LuaWorkerProcess::processFinished(QProcess *process, int exitCode, bool crashed)
{
    if (process != m_process)
        return;
    const QPointer<LuaWorkerProcess> self(this);
    readFrames(process); // a frame may have come just before the end
    if (!self || process != m_process)
        return;
    readLog(process);
    if (!self || process != m_process)
        return;
    const QString how = crashed ? QStringLiteral("it was killed or crashed")
                                : QStringLiteral("it exited with code %1").arg(exitCode);
    const QString lastWords =
        m_lastLogLine.isEmpty() ? QString() : QStringLiteral(" (last log: %1)").arg(m_lastLogLine);
    detach(process);
    Q_EMIT finished(how + lastWords);
}

void LuaWorkerProcess::processFailedToStart(QProcess *process)
{
    if (process != m_process)
        return;
    const QString reason = process->errorString();
    detach(process);
    Q_EMIT failedToStart(reason);
}

// The worker is no longer running: it goes without a kill.
void LuaWorkerProcess::detach(QProcess *process)
{
    m_process = nullptr;
    process->disconnect(this);
    process->deleteLater();
    m_decoder.clear();
    m_logBuffer.clear();
}

} // namespace prophasis
