#include "daemon-agent/runner/processrunner.h"

#include <QFileInfo>
#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <unistd.h>

#include "daemon-agent/runner/subreaper.h"

namespace prophasis {

namespace {

// Runs in the child between fork and exec, so only async-signal-safe calls. Ignored signals and
// the signal mask survive exec: reset what the agent may have changed (a plugin with SIGPIPE
// ignored behaves differently in a pipeline). Descriptors the agent opened without O_CLOEXEC
// (keys, sockets) must not reach a plugin.
void prepareChild()
{
    ::setsid();
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const int number : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM})
        ::signal(number, SIG_DFL);
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
}

// An absolute path as given; a bare name looked up in the child's PATH, not the agent's.
QString resolveProgram(const ProcessSpec &spec)
{
    if (spec.program.contains(u'/'))
        return spec.program;
    const QString path = spec.environment.value(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    return QStandardPaths::findExecutable(spec.program, path.split(u':', Qt::SkipEmptyParts));
}

QString startProblem(const ProcessSpec &spec, const QString &program)
{
    if (program.isEmpty())
        return QStringLiteral("%1 was not found in PATH").arg(spec.program);
    const QFileInfo info(program);
    if (!info.isAbsolute())
        return QStringLiteral("%1 is not an absolute path").arg(program);
    if (!info.exists())
        return QStringLiteral("%1 does not exist").arg(program);
    if (info.isDir())
        return QStringLiteral("%1 is a directory, not a program").arg(program);
    if (::access(QFile::encodeName(program).constData(), X_OK) != 0)
        return QStringLiteral("%1 is not executable (%2)")
            .arg(program, QString::fromLocal8Bit(strerror(errno)));
    if (!spec.workingDirectory.isEmpty() && !QFileInfo(spec.workingDirectory).isDir())
        return QStringLiteral("the working directory %1 does not exist").arg(spec.workingDirectory);
    return {};
}

} // namespace

ProcessRunner::ProcessRunner(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ProcessOutcome>();
    // Precise: a coarse timer may fire 5% early, and a plugin must get its whole timeout.
    for (QTimer *timer : {&m_timeoutTimer, &m_graceTimer, &m_exitWaitTimer}) {
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
    }
    connect(&m_timeoutTimer, &QTimer::timeout, this, &ProcessRunner::onTimeout);
    connect(&m_graceTimer, &QTimer::timeout, this, &ProcessRunner::onGraceOver);
    connect(&m_exitWaitTimer, &QTimer::timeout, this, [this] {
        // The leader survived SIGKILL (stuck in the kernel): report now, reap it when it ends.
        m_outcome.exitCode = -1;
        detachProcess();
        finish();
    });
}

ProcessRunner::~ProcessRunner()
{
    if (!m_process)
        return;
    signalRun(SIGKILL);
    if (!m_leaderExited) // else it is reaped, and goes with this object
        detachProcess();
}

void ProcessRunner::start(const ProcessSpec &spec)
{
    if (isRunning()) {
        qWarning("ProcessRunner::start: a run is still going; ignored");
        return;
    }
    m_spec = spec;
    m_outcome = {};
    m_known.clear();
    m_leader = 0;
    m_leaderExited = false;
    m_clock.start();

    const QString program = resolveProgram(spec);
    if (const QString problem = startProblem(spec, program); !problem.isEmpty()) {
        failToStart(problem);
        return;
    }

    m_runId = newRunId();
    QProcessEnvironment environment = spec.environment;
    environment.insert(QString::fromLatin1(RunIdVariable), QString::fromLatin1(m_runId));

    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(spec.arguments);
    m_process->setWorkingDirectory(spec.workingDirectory);
    m_process->setProcessEnvironment(environment);
    m_process->setChildProcessModifier(prepareChild);
    connect(m_process, &QProcess::readyReadStandardOutput, this, [this] { drain(QProcess::StandardOutput); });
    connect(m_process, &QProcess::readyReadStandardError, this, [this] { drain(QProcess::StandardError); });
    connect(m_process, &QProcess::finished, this, &ProcessRunner::onProcessFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart || !m_process)
            return;
        const QString message =
            QStringLiteral("%1 could not be started: %2").arg(m_process->program(), m_process->errorString());
        m_process->disconnect(this);
        m_process->deleteLater();
        m_process = nullptr;
        failToStart(message);
    });

    m_process->start(QIODevice::ReadWrite);
    if (!m_process)
        return; // failed inside start()
    m_leader = static_cast<pid_t>(m_process->processId());
    if (m_leader > 0) {
        // The leader is QProcess's to reap (also after a failed exec, after errorOccurred), so
        // the reaper keeps off it for as long as the QProcess exists.
        OrphanReaper::instance().addRunningLeader(m_leader);
        connect(m_process, &QObject::destroyed,
                [leader = m_leader] { OrphanReaper::instance().removeRunningLeader(leader); });
    }
    if (!spec.standardInput.isEmpty())
        m_process->write(spec.standardInput);
    m_process->closeWriteChannel();
    m_timeoutTimer.start(std::max(spec.timeoutMs, 1));
}

void ProcessRunner::failToStart(const QString &message)
{
    m_outcome.startError = message;
    finish();
}

void ProcessRunner::drain(QProcess::ProcessChannel channel)
{
    if (!m_process)
        return;
    const bool isOutput = channel == QProcess::StandardOutput;
    const QByteArray chunk =
        isOutput ? m_process->readAllStandardOutput() : m_process->readAllStandardError();
    QByteArray &kept = isOutput ? m_outcome.standardOutput : m_outcome.standardError;
    const qint64 room = std::max<qint64>(0, m_spec.outputCapBytes - kept.size());
    if (chunk.size() > room) {
        kept.append(chunk.left(room));
        m_outcome.truncated = true;
    } else {
        kept.append(chunk);
    }
}

void ProcessRunner::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    drain(QProcess::StandardOutput);
    drain(QProcess::StandardError);
    m_leaderExited = true;
    // For a crash QProcess gives the signal number as the exit code.
    m_outcome.crashed = status == QProcess::CrashExit;
    m_outcome.signalNumber = m_outcome.crashed ? exitCode : 0;
    m_outcome.exitCode = m_outcome.crashed ? -1 : exitCode;
    m_exitWaitTimer.stop();

    if (m_graceTimer.isActive()) {
        // Timed out and the leader went on SIGTERM: finish early only if nothing else of the run
        // is left, else onGraceOver() kills the rest.
        if (anyRunProcessAlive())
            return;
        m_graceTimer.stop();
    } else if (!m_outcome.timedOut) {
        // A run is over when its program exits: what it left behind is killed, not kept.
        signalRun(SIGKILL);
    }
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    finish();
}

void ProcessRunner::onTimeout()
{
    m_outcome.timedOut = true;
    signalRun(SIGTERM);
    m_graceTimer.start(KillGracePeriodMs);
}

void ProcessRunner::onGraceOver()
{
    signalRun(SIGKILL);
    if (!m_leaderExited) {
        m_exitWaitTimer.start(ExitAfterKillWaitMs);
        return;
    }
    // The leader went on SIGTERM; its descendants have now been killed too.
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    finish();
}

QList<ProcessIdentity> ProcessRunner::collectRun()
{
    ProcessTable table;
    QList<ProcessIdentity> fresh;
    const auto add = [&](const ProcessIdentity &identity) {
        if (!m_known.contains(identity) && m_known.size() < MaxProcessTreeSize) {
            m_known.append(identity);
            fresh.append(identity);
        }
    };
    if (!m_leaderExited) {
        for (const ProcessIdentity &identity : table.descendantsOf(m_leader))
            add(identity);
    }
    // Orphans of the run already re-parented to the agent (the subreaper), and their trees.
    for (const pid_t child : table.childrenOf(::getpid())) {
        if (child == m_leader || environmentValue(child, RunIdVariable) != m_runId)
            continue;
        if (const std::optional<ProcStat> stat = readProcStat(child))
            add({child, stat->startTime});
        for (const ProcessIdentity &identity : table.descendantsOf(child))
            add(identity);
    }
    // New children of processes found before (a parent that forked since the last look).
    for (qsizetype i = 0; i < m_known.size(); ++i) {
        if (!isLiveProcess(m_known[i]))
            continue;
        for (const ProcessIdentity &identity : table.descendantsOf(m_known[i].pid))
            add(identity);
    }
    return fresh;
}

void ProcessRunner::signalRun(int signal)
{
    if (m_leader <= 0)
        return;
    if (signal == SIGKILL) {
        // Stop the tree first: a stopped process cannot fork, so the walk catches up with it.
        for (int round = 0; round < MaxKillRounds; ++round) {
            if (!m_leaderExited)
                ::killpg(m_leader, SIGSTOP);
            const QList<ProcessIdentity> fresh = collectRun();
            for (const ProcessIdentity &identity : fresh)
                ::kill(identity.pid, SIGSTOP);
            if (fresh.isEmpty())
                break;
        }
    } else {
        collectRun();
    }
    OrphanReaper::instance().track(m_known);
    // The group id stays reserved while any member lives, so this reaches only the run's
    // processes; once it is empty the call fails with ESRCH (Linux hands out pids in turn, so a
    // number freed a moment ago is not yet someone else's).
    ::killpg(m_leader, signal);
    for (const ProcessIdentity &identity : std::as_const(m_known)) {
        if (isLiveProcess(identity))
            ::kill(identity.pid, signal);
    }
}

bool ProcessRunner::anyRunProcessAlive()
{
    collectRun();
    for (const ProcessIdentity &identity : std::as_const(m_known)) {
        if (isLiveProcess(identity))
            return true;
    }
    return false;
}

void ProcessRunner::detachProcess()
{
    // Deleting a running QProcess blocks in waitForFinished(); let it end on its own instead,
    // throwing away whatever it still prints.
    QProcess *process = m_process;
    m_process = nullptr;
    if (!process)
        return;
    process->disconnect(this);
    process->setParent(nullptr);
    connect(process, &QProcess::readyReadStandardOutput, process,
            [process] { process->readAllStandardOutput(); });
    connect(process, &QProcess::readyReadStandardError, process,
            [process] { process->readAllStandardError(); });
    connect(process, &QProcess::finished, process, &QObject::deleteLater);
}

void ProcessRunner::finish()
{
    m_timeoutTimer.stop();
    m_graceTimer.stop();
    m_exitWaitTimer.stop();
    m_outcome.durationMs = m_clock.elapsed();
    m_reportPending = true;
    // Queued: the receiver may delete this runner, which must not happen inside a QProcess signal.
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_reportPending = false;
            Q_EMIT finished(m_outcome);
        },
        Qt::QueuedConnection);
}

} // namespace prophasis
