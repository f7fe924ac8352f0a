#include "daemon-agent/luaworker/luaworkerclient.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QProcess>

#include <algorithm>
#include <utility>

#include <signal.h>
#include <unistd.h>
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcLuaWorker, "prophasis.agent.luaworker")

// A worker log line longer than this is logged in pieces rather than buffered without end.
constexpr qsizetype MaxLogLineBytes = 8 * 1024;
// How long the destructor waits for a SIGKILLed worker to be gone.
constexpr int WorkerReapMs = 1000;

} // namespace

LuaWorkerClient::LuaWorkerClient(const QString &workerProgram, QObject *parent)
    : QObject(parent)
    , m_program(workerProgram)
{
    m_timeout.setSingleShot(true);
    // A coarse timer may fire up to 5 % early, and a run must get the whole of its time.
    m_timeout.setTimerType(Qt::PreciseTimer);
    connect(&m_timeout, &QTimer::timeout, this, &LuaWorkerClient::timedOut);
}

LuaWorkerClient::~LuaWorkerClient()
{
    stopWorker();
    // Reap the killed workers now, so none outlives its client.
    for (QProcess *process : findChildren<QProcess *>(Qt::FindDirectChildrenOnly))
        process->waitForFinished(WorkerReapMs);
}

void LuaWorkerClient::run(const LuaRunRequest &request, std::function<void(RunResult)> done)
{
    m_queue.push_back({request, std::move(done)});
    scheduleNext();
}

qint64 LuaWorkerClient::workerPid() const
{
    return m_process ? m_process->processId() : 0;
}

QString LuaWorkerClient::defaultWorkerProgram()
{
    return QCoreApplication::applicationDirPath() + QStringLiteral("/prophasis-agent-lua");
}

// Queued, so that `done` never runs inside run() or inside another run's `done`.
void LuaWorkerClient::scheduleNext()
{
    if (m_startScheduled || m_current || m_queue.empty())
        return;
    m_startScheduled = true;
    QMetaObject::invokeMethod(this, &LuaWorkerClient::startNext, Qt::QueuedConnection);
}

void LuaWorkerClient::startNext()
{
    m_startScheduled = false;
    if (m_current || m_queue.empty())
        return;
    m_current = std::move(m_queue.front());
    m_queue.pop_front();
    m_currentId = m_nextId++;
    m_elapsed.start();

    const LuaRunRequest &request = m_current->request;
    const QJsonObject json = {
        {QStringLiteral("id"), m_currentId},
        {QStringLiteral("plugin_id"), request.pluginId},
        {QStringLiteral("directory"), request.directory},
        {QStringLiteral("entry"), request.entry},
        {QStringLiteral("arguments"), request.arguments},
        {QStringLiteral("version"), request.version},
        {QStringLiteral("state_dir"), request.stateDirectory},
        {QStringLiteral("budget_instructions"), qint64(request.budgetInstructions)},
        {QStringLiteral("memory_limit_bytes"), qint64(request.memoryLimitBytes)},
    };
    const QByteArray payload = QJsonDocument(json).toJson(QJsonDocument::Compact);
    const std::optional<std::string> frame =
        encodeLuaFrame(std::string_view(payload.constData(), static_cast<std::size_t>(payload.size())));
    if (!frame) {
        finish(
            RunResult::failure(QStringLiteral("plugin_error"),
                               QStringLiteral("the run's arguments are larger than the Lua worker accepts")));
        return;
    }
    if (!m_process)
        startWorker();
    if (m_process->state() == QProcess::NotRunning)
        return; // it could not start: the queued errorOccurred answers the run
    // QProcess buffers this until the worker has started.
    m_process->write(frame->data(), static_cast<qint64>(frame->size()));
    m_timeout.start(request.timeoutMs > 0 ? request.timeoutMs : DefaultLuaRunTimeoutMs);
}

void LuaWorkerClient::startWorker()
{
    m_decoder.clear();
    m_logBuffer.clear();
    m_lastLogLine.clear();
    auto *process = new QProcess(this);
    process->setProgram(m_program);
    process->setChildProcessModifier([] {
        // A group of its own, so that a kill on timeout reaches whatever it started too.
        ::setsid();
#ifdef Q_OS_LINUX
        // Should the agent die mid-run, a worker stuck in C must not spin on forever.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    });
    connect(process, &QProcess::readyReadStandardOutput, this, &LuaWorkerClient::readAnswers);
    connect(process, &QProcess::readyReadStandardError, this, &LuaWorkerClient::readLog);
    // Queued: start() can report this before it returns, in the middle of startNext().
    connect(
        process, &QProcess::errorOccurred, this,
        [this, process](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart)
                workerFailedToStart(process);
        },
        Qt::QueuedConnection);
    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus status) {
        workerFinished(process, exitCode, status == QProcess::CrashExit);
    });
    m_process = process;
    process->start(QIODevice::ReadWrite);
}

void LuaWorkerClient::readAnswers()
{
    if (!m_process)
        return;
    const QByteArray data = m_process->readAllStandardOutput();
    m_decoder.feed(std::string_view(data.constData(), static_cast<std::size_t>(data.size())));
    std::string payload;
    while (m_process) {
        const LuaFrameDecoder::Status status = m_decoder.next(&payload);
        if (status == LuaFrameDecoder::Status::NeedMore)
            return;
        if (status == LuaFrameDecoder::Status::Malformed) {
            failCurrent(QStringLiteral("plugin_error"),
                        QStringLiteral("the Lua worker sent a malformed frame"));
            return;
        }
        handleAnswer(payload);
    }
}

void LuaWorkerClient::handleAnswer(const std::string &payload)
{
    const QJsonDocument document = QJsonDocument::fromJson(
        QByteArray::fromRawData(payload.data(), static_cast<qsizetype>(payload.size())));
    const QJsonObject answer = document.object();
    if (!m_current || answer.value(QStringLiteral("id")).toInteger(-1) != m_currentId) {
        qCWarning(lcLuaWorker) << "the Lua worker answered out of turn; restarting it";
        failCurrent(QStringLiteral("plugin_error"), QStringLiteral("the Lua worker answered out of turn"));
        return;
    }
    QString error;
    std::optional<RunResult> result = RunResult::fromJson(answer, &error);
    if (!result) {
        failCurrent(QStringLiteral("plugin_error"),
                    QStringLiteral("the Lua worker's answer was unreadable: %1").arg(error));
        return;
    }
    finish(std::move(*result));
}

void LuaWorkerClient::readLog()
{
    if (!m_process)
        return;
    m_logBuffer += m_process->readAllStandardError();
    qsizetype newline;
    while ((newline = m_logBuffer.indexOf('\n')) >= 0 || m_logBuffer.size() > MaxLogLineBytes) {
        const qsizetype length = newline >= 0 ? newline : MaxLogLineBytes;
        m_lastLogLine = QString::fromUtf8(m_logBuffer.left(length));
        m_logBuffer.remove(0, newline >= 0 ? length + 1 : length);
        qCInfo(lcLuaWorker).noquote() << m_lastLogLine;
    }
}

void LuaWorkerClient::workerFinished(QProcess *process, int exitCode, bool crashed)
{
    if (process != m_process)
        return;
    readAnswers(); // an answer may have come just before the end
    readLog();
    if (process != m_process)
        return;
    m_process = nullptr;
    process->deleteLater();
    const QString how = crashed ? QStringLiteral("it was killed or crashed")
                                : QStringLiteral("it exited with code %1").arg(exitCode);
    const QString lastWords =
        m_lastLogLine.isEmpty() ? QString() : QStringLiteral(" (last log: %1)").arg(m_lastLogLine);
    if (!m_current) {
        qCWarning(lcLuaWorker).noquote() << "the Lua worker stopped between runs:" << how + lastWords;
        return;
    }
    m_timeout.stop();
    finish(RunResult::failure(QStringLiteral("plugin_error"),
                              QStringLiteral("the Lua worker stopped: %1%2").arg(how, lastWords)));
}

void LuaWorkerClient::workerFailedToStart(QProcess *process)
{
    if (process != m_process)
        return;
    const QString reason = process->errorString();
    m_process = nullptr;
    process->deleteLater();
    qCWarning(lcLuaWorker).noquote() << "cannot start the Lua worker" << m_program << ":" << reason;
    if (m_current)
        finish(RunResult::failure(
            QStringLiteral("plugin_error"),
            QStringLiteral("the Lua worker %1 could not start: %2").arg(m_program, reason)));
}

void LuaWorkerClient::timedOut()
{
    if (!m_current)
        return;
    const int timeoutMs =
        m_current->request.timeoutMs > 0 ? m_current->request.timeoutMs : DefaultLuaRunTimeoutMs;
    qCWarning(lcLuaWorker).noquote() << "Lua plugin" << m_current->request.pluginId << "did not finish within"
                                     << timeoutMs << "ms; restarting the Lua worker";
    failCurrent(QStringLiteral("timeout"),
                QStringLiteral("the Lua plugin did not finish within %1 ms and was stopped").arg(timeoutMs));
}

void LuaWorkerClient::failCurrent(const QString &errorType, const QString &message)
{
    stopWorker();
    if (m_current)
        finish(RunResult::failure(errorType, message));
}

void LuaWorkerClient::finish(RunResult result)
{
    m_timeout.stop();
    if (!m_current)
        return;
    PendingRun run = std::move(*m_current);
    m_current.reset();
    result.durationMs = m_elapsed.elapsed();
    result.pluginVersion = run.request.version;
    scheduleNext();
    run.done(std::move(result)); // may delete this: nothing after it
}

// Kills the worker's whole process group without waiting; the QProcess goes once it is reaped.
void LuaWorkerClient::stopWorker()
{
    if (!m_process)
        return;
    QProcess *process = std::exchange(m_process, nullptr);
    process->disconnect(this);
    if (const qint64 pid = process->processId(); pid > 0)
        ::kill(-static_cast<pid_t>(pid), SIGKILL);
    process->kill(); // also when it has not reached setsid() yet
    if (process->state() == QProcess::NotRunning)
        process->deleteLater();
    else
        connect(process, &QProcess::finished, process, &QObject::deleteLater);
    m_decoder.clear();
    m_logBuffer.clear();
}

} // namespace prophasis
