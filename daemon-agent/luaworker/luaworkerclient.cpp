#include "daemon-agent/luaworker/luaworkerclient.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <utility>

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcLuaWorker, "prophasis.agent.luaworker")

} // namespace

LuaWorkerClient::LuaWorkerClient(const QString &workerProgram, QObject *parent)
    : QObject(parent)
    , m_program(workerProgram)
    , m_worker(this)
{
    m_worker.setProgram(m_program);
    // Its own group, so that a kill on timeout reaches whatever the plugin started too.
    m_worker.setOwnSession(true);
    connect(&m_worker, &LuaWorkerProcess::frameReceived, this, &LuaWorkerClient::handleAnswer);
    connect(&m_worker, &LuaWorkerProcess::malformedFrame, this, [this] {
        failCurrent(QStringLiteral("plugin_error"), QStringLiteral("the Lua worker sent a malformed frame"));
    });
    connect(&m_worker, &LuaWorkerProcess::logLine, this,
            [](const QString &line) { qCInfo(lcLuaWorker).noquote() << line; });
    connect(&m_worker, &LuaWorkerProcess::finished, this, &LuaWorkerClient::workerFinished);
    connect(&m_worker, &LuaWorkerProcess::failedToStart, this, &LuaWorkerClient::workerFailedToStart);
    m_timeout.setSingleShot(true);
    // A coarse timer may fire up to 5 % early, and a run must get the whole of its time.
    m_timeout.setTimerType(Qt::PreciseTimer);
    connect(&m_timeout, &QTimer::timeout, this, &LuaWorkerClient::timedOut);
}

// m_worker kills the worker and reaps it, so none outlives its client.
LuaWorkerClient::~LuaWorkerClient() = default;

void LuaWorkerClient::run(const LuaRunRequest &request, std::function<void(RunResult)> done)
{
    m_queue.push_back({request, std::move(done)});
    scheduleNext();
}

qint64 LuaWorkerClient::workerPid() const
{
    return m_worker.processId();
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
    if (!m_worker.hasWorker() && !m_worker.start())
        return; // it could not start: the queued failedToStart answers the run
    m_worker.write(*frame);
    m_timeout.start(request.timeoutMs > 0 ? request.timeoutMs : DefaultLuaRunTimeoutMs);
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

void LuaWorkerClient::workerFinished(const QString &how)
{
    if (!m_current) {
        qCWarning(lcLuaWorker).noquote() << "the Lua worker stopped between runs:" << how;
        return;
    }
    m_timeout.stop();
    finish(RunResult::failure(QStringLiteral("plugin_error"),
                              QStringLiteral("the Lua worker stopped: %1").arg(how)));
}

void LuaWorkerClient::workerFailedToStart(const QString &reason)
{
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
    m_worker.kill(); // its whole process group, without waiting
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

} // namespace prophasis
