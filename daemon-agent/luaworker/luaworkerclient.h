#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "daemon-agent/luaworker/luarunlimits.h"
#include "shared/luasandbox/luaworkerprocess.h"
#include "shared/plugin/runresult.h"

namespace prophasis {

inline constexpr int DefaultLuaRunTimeoutMs = 10'000;

struct LuaRunRequest
{
    QString pluginId;
    QString directory; // absolute package folder
    QString entry;     // .lua file relative to it
    QJsonObject arguments;
    QString version;
    int timeoutMs = DefaultLuaRunTimeoutMs; // wall clock, from when the run is handed to the worker
    QString stateDirectory; // the plugin's own writable folder (prophasis.state_dir); empty: none
    // Bounds of the run inside the worker (luarunlimits.h has their ranges).
    quint64 budgetInstructions = DefaultLuaBudgetInstructions;
    quint64 memoryLimitBytes = DefaultLuaMemoryLimitBytes;
};

// Runs Lua plugins in prophasis-agent-lua (SPEC §3): one worker, started on the first run and
// kept for the next ones, so no run pays a process start. Runs queue and go one at a time. A
// run over its wall-clock timeout (a hang inside C, where no instruction hook fires) gets the
// worker and its process group killed and answers "timeout"; a worker that dies mid-run
// answers "plugin_error". Either way the next run gets a fresh worker.
class LuaWorkerClient : public QObject
{
    Q_OBJECT
public:
    explicit LuaWorkerClient(const QString &workerProgram, QObject *parent = nullptr);
    ~LuaWorkerClient() override;

    // `done` is called once, later, on this object's thread (never from inside run()); runs
    // still queued when the client is destroyed are dropped without a call.
    void run(const LuaRunRequest &request, std::function<void(RunResult)> done);

    // The running worker's pid, 0 when none runs.
    qint64 workerPid() const;

    // prophasis-agent-lua beside the running executable, where the install puts it.
    static QString defaultWorkerProgram();

private:
    struct PendingRun
    {
        LuaRunRequest request;
        std::function<void(RunResult)> done;
    };

    void scheduleNext();
    void startNext();
    void handleAnswer(const std::string &payload);
    void workerFinished(const QString &how);
    void workerFailedToStart(const QString &reason);
    void timedOut();
    void failCurrent(const QString &errorType, const QString &message);
    void finish(RunResult result);

    QString m_program;
    LuaWorkerProcess m_worker;
    std::deque<PendingRun> m_queue;
    std::optional<PendingRun> m_current;
    qint64 m_currentId = 0;
    qint64 m_nextId = 1;
    QTimer m_timeout;
    QElapsedTimer m_elapsed;
    bool m_startScheduled = false;
};

} // namespace prophasis
