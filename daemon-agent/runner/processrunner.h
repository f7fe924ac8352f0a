#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTimer>

#include "daemon-agent/runner/processtree.h"
#include "shared/plugin/runresult.h"

namespace prophasis {

// Between SIGTERM and SIGKILL on timeout: long enough for a well-behaved program to clean up,
// short enough that a run never takes much longer than its timeout.
inline constexpr int KillGracePeriodMs = 500;
// After SIGKILL, how long to wait for the exit before reporting anyway: a process stuck in the
// kernel (a hung NFS or ZFS call, state D) does not die even from SIGKILL, and must not hold up
// the agent. It is then left to exit in its own time and reaped later.
inline constexpr int ExitAfterKillWaitMs = 2000;
// Rounds of "find the tree, stop it" before SIGKILL, so a forking process cannot stay ahead.
inline constexpr int MaxKillRounds = 8;

struct ProcessSpec
{
    QString program; // an absolute path, or a name looked up in environment's PATH
    QStringList arguments;
    QString workingDirectory;
    QProcessEnvironment environment; // the whole environment: nothing of the agent's is inherited
    QByteArray standardInput;
    int timeoutMs = 10'000;
    qint64 outputCapBytes = MaxCapturedOutputBytes; // per stream; the rest is read and discarded
};

struct ProcessOutcome
{
    int exitCode = -1;
    bool crashed = false; // ended by a signal (including ours on timeout)
    int signalNumber = 0;
    bool timedOut = false;
    QByteArray standardOutput;
    QByteArray standardError;
    bool truncated = false; // either stream went past outputCapBytes
    qint64 durationMs = 0;
    QString startError; // set when the program never ran, e.g. "/x/check is not executable"
};

// Runs one program at a time so that it can never hang, crash or bloat the agent (SPEC §3):
// - it starts in its own session and process group (setsid() after fork), with the default
//   signal dispositions, an empty signal mask and none of the agent's file descriptors;
// - on timeout its group and every descendant (also those that called setsid() themselves,
//   found by walking /proc) get SIGTERM, then after KillGracePeriodMs they are stopped and
//   killed with SIGKILL;
// - whatever it leaves behind after a normal exit is killed too;
// - output past the cap is read and thrown away, so the child never blocks on a full pipe.
// `finished` is always emitted exactly once per start(), never from inside start().
// Destroying the runner mid-run kills the run without emitting.
class ProcessRunner : public QObject
{
    Q_OBJECT
public:
    explicit ProcessRunner(QObject *parent = nullptr);
    ~ProcessRunner() override;

    void start(const ProcessSpec &spec);
    bool isRunning() const { return m_process != nullptr || m_reportPending; }

Q_SIGNALS:
    void finished(const prophasis::ProcessOutcome &outcome);

private:
    void failToStart(const QString &message);
    void drain(QProcess::ProcessChannel channel);
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void onTimeout();
    void onGraceOver();
    void signalRun(int signal);
    QList<ProcessIdentity> collectRun();
    bool anyRunProcessAlive();
    void detachProcess();
    void finish();

    ProcessSpec m_spec;
    QProcess *m_process = nullptr;
    pid_t m_leader = 0;
    QByteArray m_runId;
    QElapsedTimer m_clock;
    QTimer m_timeoutTimer;
    QTimer m_graceTimer;
    QTimer m_exitWaitTimer;
    QList<ProcessIdentity> m_known; // every process of the run seen so far, to kill and reap
    ProcessOutcome m_outcome;
    bool m_leaderExited = false;
    bool m_reportPending = false;
};

} // namespace prophasis

Q_DECLARE_METATYPE(prophasis::ProcessOutcome)
