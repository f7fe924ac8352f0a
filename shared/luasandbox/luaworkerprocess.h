#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>

#include <string>
#include <string_view>

#include "shared/luasandbox/framecodec.h"

class QProcess;

namespace prophasis {

// One Lua worker program (prophasis-agent-lua, prophasis-core-classifier) as its Qt client sees
// it: the QProcess, the frames on its stdout, the log lines on its stderr. It holds no policy:
// the clients decide when to start, kill and restart it and what a frame means.
//
// At most one worker is current. A killed worker is disconnected at once (no signal of it comes
// any more) and goes when it is reaped; the destructor kills the current one and waits for them
// all, so no worker outlives its client.
class LuaWorkerProcess : public QObject
{
    Q_OBJECT
public:
    explicit LuaWorkerProcess(QObject *parent = nullptr);
    ~LuaWorkerProcess() override;

    // For the next start().
    void setProgram(const QString &program, const QStringList &arguments = {});
    // A session (and process group) of its own, so that kill() reaches whatever the worker
    // started too. Either way the worker is SIGKILLed should this process die.
    void setOwnSession(bool ownSession);

    // Starts a new worker. False when it failed at once (failedToStart follows, queued).
    bool start();
    // A worker was started and has not finished, failed to start or been killed.
    bool hasWorker() const { return m_process != nullptr; }
    // The current worker's pid, 0 when none runs.
    qint64 processId() const;
    // Writes an encoded frame (encodeLuaFrame()); QProcess buffers it until the worker has started.
    void write(std::string_view frame);
    // SIGKILLs the current worker (its process group too with an own session) without waiting.
    void kill();
    // Waits (a second at most each) for the killed workers to be gone.
    void reap();

Q_SIGNALS:
    // One frame's payload. A slot may kill the worker or delete this object.
    void frameReceived(const std::string &payload);
    // The worker broke the frame format: nothing more it sends is a frame, so kill it.
    void malformedFrame();
    // A line of the worker's stderr (a long one in pieces).
    void logLine(const QString &line);
    // Queued after start(); `reason` is QProcess's error text. No worker is current any more.
    void failedToStart(const QString &reason);
    // The worker ended on its own, after its last frames and log lines were handed out. `how`
    // reads "it exited with code N" or "it was killed or crashed", plus " (last log: …)".
    // No worker is current any more.
    void finished(const QString &how);

private:
    void readFrames(QProcess *process);
    void readLog(QProcess *process);
    void processFinished(QProcess *process, int exitCode, bool crashed);
    void processFailedToStart(QProcess *process);
    void detach(QProcess *process);

    QString m_program;
    QStringList m_arguments;
    bool m_ownSession = false;
    QProcess *m_process = nullptr;
    LuaFrameDecoder m_decoder;
    QByteArray m_logBuffer;
    QString m_lastLogLine;
};

} // namespace prophasis
