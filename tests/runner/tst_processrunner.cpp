#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-agent/runner/processrunner.h"
#include "daemon-agent/runner/subreaper.h"

using namespace prophasis;

namespace {

// Independent of the code under test: what /proc says about processes right now.
struct Seen
{
    pid_t pid;
    char state;
    pid_t parent;
    pid_t group;
    pid_t session;
};

std::optional<Seen> seen(pid_t pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray line = file.readAll();
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    if (fields.size() < 4)
        return std::nullopt;
    return Seen{pid, fields[0][0], fields[1].toInt(), fields[2].toInt(), fields[3].toInt()};
}

QList<pid_t> allPids()
{
    QList<pid_t> pids;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const int pid = entry.toInt(&ok);
        if (ok)
            pids.append(pid);
    }
    return pids;
}

// Live processes whose environment holds `entry` (a zombie's environment reads as empty).
QList<pid_t> processesWith(const QByteArray &entry)
{
    QList<pid_t> found;
    for (const pid_t pid : allPids()) {
        QFile file(QStringLiteral("/proc/%1/environ").arg(pid));
        if (file.open(QIODevice::ReadOnly) && file.readAll().split('\0').contains(entry))
            found.append(pid);
    }
    return found;
}

// The command lines ("sleep 1000") of the processes `processesWith(entry)` finds.
QStringList commandsWith(const QByteArray &entry)
{
    QStringList commands;
    for (const pid_t pid : processesWith(entry)) {
        QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (file.open(QIODevice::ReadOnly))
            commands.append(QString::fromUtf8(file.readAll().replace('\0', ' ').trimmed()));
    }
    return commands;
}

bool containsAll(const QStringList &commands, const QStringList &wanted)
{
    for (const QString &command : wanted) {
        if (!commands.contains(command))
            return false;
    }
    return true;
}

QList<pid_t> zombieChildren()
{
    QList<pid_t> found;
    for (const pid_t pid : allPids()) {
        const std::optional<Seen> process = seen(pid);
        if (process && process->parent == ::getpid() && process->state == 'Z')
            found.append(pid);
    }
    return found;
}

QList<pid_t> childrenOfTest()
{
    QList<pid_t> found;
    for (const pid_t pid : allPids()) {
        const std::optional<Seen> process = seen(pid);
        if (process && process->parent == ::getpid())
            found.append(pid);
    }
    return found;
}

// AddressSanitizer keeps freed memory in quarantine, so memory figures mean nothing there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool MemoryIsMeasurable = false;
#else
constexpr bool MemoryIsMeasurable = true;
#endif

qint64 statusKiB(const QByteArray &field)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

ProcessSpec shell(const QString &script, int timeoutMs = 10'000)
{
    ProcessSpec spec;
    spec.program = QStringLiteral("/bin/sh");
    spec.arguments = {QStringLiteral("-c"), script};
    spec.environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    spec.workingDirectory = QDir::tempPath();
    spec.timeoutMs = timeoutMs;
    return spec;
}

std::optional<ProcessOutcome> runToEnd(const ProcessSpec &spec, int waitMs = 30'000)
{
    ProcessRunner runner;
    QSignalSpy spy(&runner, &ProcessRunner::finished);
    runner.start(spec);
    if (!spy.isEmpty())
        return std::nullopt; // must never be emitted from inside start()
    if (!spy.wait(waitMs))
        return std::nullopt;
    QTest::qWait(0); // a second emission would show up now
    if (spy.size() != 1 || runner.isRunning())
        return std::nullopt;
    return spy.first().first().value<ProcessOutcome>();
}

} // namespace

class TestProcessRunner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(becomeSubreaper());
        QVERIFY(isSubreaper());
        QVERIFY(m_dir.isValid());
        // Must never reach a plugin.
        qputenv("PROPHASIS_TEST_SECRET", "s3cret");
    }

    void cleanup()
    {
        // Whatever a test started is gone, and nothing is left for the test process to reap.
        // (One wait for both: killed processes die and are reaped one after another, so either
        // list alone may briefly empty and fill again.)
        const bool clean = QTest::qWaitFor([] { return childrenOfTest().isEmpty(); }, 10'000);
        QVERIFY2(clean, qPrintable(QStringLiteral("children left: %1, zombies among them: %2")
                                       .arg(childrenOfTest().size())
                                       .arg(zombieChildren().size())));
    }

    void exitCodes_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("0") << "exit 0" << 0;
        QTest::newRow("1") << "exit 1" << 1;
        QTest::newRow("3") << "exit 3" << 3;
        QTest::newRow("255") << "exit 255" << 255;
        QTest::newRow("127 from the shell") << "no_such_command_here" << 127;
    }

    void exitCodes()
    {
        QFETCH(QString, script);
        QFETCH(int, exitCode);
        const std::optional<ProcessOutcome> outcome = runToEnd(shell(script));
        QVERIFY(outcome);
        QCOMPARE(outcome->exitCode, exitCode);
        QVERIFY(!outcome->crashed);
        QCOMPARE(outcome->signalNumber, 0);
        QVERIFY(!outcome->timedOut);
        QVERIFY(!outcome->truncated);
        QVERIFY(outcome->startError.isEmpty());
        QVERIFY(outcome->durationMs >= 0 && outcome->durationMs < 10'000);
    }

    void outputAndError()
    {
        const std::optional<ProcessOutcome> outcome =
            runToEnd(shell(QStringLiteral("echo out; echo err >&2; printf 'no newline'")));
        QVERIFY(outcome);
        QCOMPARE(outcome->standardOutput, QByteArray("out\nno newline"));
        QCOMPARE(outcome->standardError, QByteArray("err\n"));
    }

    void standardInput()
    {
        ProcessSpec spec = shell(QStringLiteral("cat"));
        spec.standardInput = "{\"a\": 1}\nsecond line";
        std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        QCOMPARE(outcome->standardOutput, spec.standardInput);

        spec = shell(QStringLiteral("wc -c"));
        spec.standardInput = QByteArray(3 * 1024 * 1024, 'i');
        outcome = runToEnd(spec);
        QVERIFY(outcome);
        QCOMPARE(outcome->standardOutput.trimmed(), QByteArray::number(3 * 1024 * 1024));

        // A program that never reads its input does not block on it.
        spec = shell(QStringLiteral("exit 4"));
        spec.standardInput = QByteArray(8 * 1024 * 1024, 'i');
        outcome = runToEnd(spec);
        QVERIFY(outcome);
        QCOMPARE(outcome->exitCode, 4);

        // No input: stdin is closed, so a reader sees end of file at once.
        outcome = runToEnd(shell(QStringLiteral("cat; echo end")));
        QVERIFY(outcome);
        QCOMPARE(outcome->standardOutput, QByteArray("end\n"));
    }

    void environmentIsOnlyWhatWasGiven()
    {
        ProcessSpec spec;
        spec.program = QStringLiteral("/usr/bin/env");
        spec.environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
        spec.environment.insert(QStringLiteral("GIVEN"), QStringLiteral("value with spaces"));
        spec.timeoutMs = 5000;
        const std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        QStringList lines = QString::fromUtf8(outcome->standardOutput).split(u'\n', Qt::SkipEmptyParts);
        lines.sort();
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QStringLiteral("GIVEN=value with spaces"));
        QCOMPARE(lines[1], QStringLiteral("PATH=/usr/bin:/bin"));
        QVERIFY(
            lines[2].startsWith(QStringLiteral("%1=%2-").arg(QLatin1String(RunIdVariable)).arg(::getpid())));
        QVERIFY(!outcome->standardOutput.contains("s3cret"));
    }

    void workingDirectory()
    {
        ProcessSpec spec = shell(QStringLiteral("pwd -P"));
        spec.workingDirectory = m_dir.path();
        const std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        QCOMPARE(QString::fromUtf8(outcome->standardOutput.trimmed()), QDir(m_dir.path()).canonicalPath());
    }

    void ownSessionAndGroup()
    {
        ProcessSpec spec;
        spec.program = QStringLiteral("/bin/cat");
        spec.arguments = {QStringLiteral("/proc/self/stat")};
        spec.timeoutMs = 5000;
        const std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        const QByteArray line = outcome->standardOutput;
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        const QByteArray pid = line.left(line.indexOf(' '));
        QCOMPARE(fields[2], pid); // process group
        QCOMPARE(fields[3], pid); // session
    }

    void cleanSignalStateAndDescriptors()
    {
        // The agent may ignore SIGPIPE and block signals; a plugin must start with neither, and
        // must not inherit descriptors that lack O_CLOEXEC.
        const int fd = ::open("/dev/null", O_RDONLY);
        QVERIFY(fd > 2);
        const auto oldPipe = ::signal(SIGPIPE, SIG_IGN);
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGUSR1);
        ::pthread_sigmask(SIG_BLOCK, &block, &old);

        ProcessSpec spec;
        spec.program = QStringLiteral("/bin/cat");
        spec.arguments = {QStringLiteral("/proc/self/status")};
        spec.timeoutMs = 5000;
        std::optional<ProcessOutcome> status = runToEnd(spec);
        spec.program = QStringLiteral("/bin/ls");
        spec.arguments = {QStringLiteral("/proc/self/fd")};
        std::optional<ProcessOutcome> fds = runToEnd(spec);

        ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
        ::signal(SIGPIPE, oldPipe);
        ::close(fd);

        QVERIFY(status && fds);
        QVERIFY2(status->standardOutput.contains("SigBlk:\t0000000000000000"),
                 status->standardOutput.constData());
        QVERIFY2(status->standardOutput.contains("SigIgn:\t0000000000000000"),
                 status->standardOutput.constData());
        const QList<QByteArray> open = fds->standardOutput.trimmed().split('\n');
        // 0, 1, 2 and the directory ls itself opened.
        QVERIFY2(open.size() == 4 && !open.contains(QByteArray::number(fd)), fds->standardOutput.constData());
    }

    void crashIsReported()
    {
        const std::optional<ProcessOutcome> outcome =
            runToEnd(shell(QStringLiteral("echo before; kill -SEGV $$")));
        QVERIFY(outcome);
        QVERIFY(outcome->crashed);
        QCOMPARE(outcome->signalNumber, SIGSEGV);
        QVERIFY(!outcome->timedOut);
        QCOMPARE(outcome->standardOutput, QByteArray("before\n"));
    }

    void startFailures_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QString>("workingDirectory");
        QTest::addColumn<QString>("error");
        const QString dir = m_dir.path();
        QFile plain(dir + QStringLiteral("/plain.sh"));
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.write("#!/bin/sh\necho hi\n");
        plain.close();
        QVERIFY(
            plain.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup));
        QFile garbage(dir + QStringLiteral("/garbage"));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray("\x7f"
                                 "ELF\x01\x02garbage",
                                 13));
        garbage.close();
        QVERIFY(garbage.setPermissions(QFileDevice::ReadOwner | QFileDevice::ExeOwner));

        QTest::newRow("missing") << dir + "/nope" << QString() << dir + "/nope does not exist";
        QTest::newRow("not executable")
            << dir + "/plain.sh" << QString() << dir + "/plain.sh is not executable";
        QTest::newRow("directory") << dir << QString() << dir + " is a directory, not a program";
        QTest::newRow("not in PATH") << "no-such-program-anywhere" << QString()
                                     << "no-such-program-anywhere was not found in PATH";
        QTest::newRow("relative path") << "sub/prog" << QString() << "sub/prog is not an absolute path";
        QTest::newRow("bad working directory")
            << "/bin/true" << dir + "/missing-dir"
            << "the working directory " + dir + "/missing-dir does not exist";
        QTest::newRow("exec format error")
            << dir + "/garbage" << QString() << dir + "/garbage could not be started";
    }

    void startFailures()
    {
        QFETCH(QString, program);
        QFETCH(QString, workingDirectory);
        QFETCH(QString, error);
        ProcessSpec spec;
        spec.program = program;
        spec.workingDirectory = workingDirectory;
        spec.timeoutMs = 5000;
        const std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        QVERIFY2(outcome->startError.startsWith(error), qPrintable(outcome->startError));
        QVERIFY(!outcome->timedOut);
    }

    void sleeperIsKilledAtTimeout()
    {
        const std::optional<ProcessOutcome> outcome =
            runToEnd(shell(QStringLiteral("echo started; sleep 1000"), 300));
        QVERIFY(outcome);
        QVERIFY(outcome->timedOut);
        QVERIFY(outcome->crashed);
        QCOMPARE(outcome->signalNumber, SIGTERM);
        QCOMPARE(outcome->standardOutput, QByteArray("started\n"));
        QVERIFY2(outcome->durationMs >= 300 && outcome->durationMs < 300 + KillGracePeriodMs + 1500,
                 qPrintable(QString::number(outcome->durationMs)));
    }

    void termIgnoredThenKilled()
    {
        const std::optional<ProcessOutcome> outcome =
            runToEnd(shell(QStringLiteral("trap '' TERM; while :; do sleep 1; done"), 200));
        QVERIFY(outcome);
        QVERIFY(outcome->timedOut);
        QCOMPARE(outcome->signalNumber, SIGKILL);
        QVERIFY2(outcome->durationMs >= 200 + KillGracePeriodMs &&
                     outcome->durationMs < 200 + KillGracePeriodMs + 1500,
                 qPrintable(QString::number(outcome->durationMs)));
    }

    void escapedDescendantsAreKilled()
    {
        // Children that leave the session with setsid, their own children, a double-forked
        // orphan that is already re-parented to us when the timeout comes, and ones that ignore
        // SIGTERM: after the timeout none may be alive, none a zombie of ours.
        const QByteArray mark = "TEST_MARK=" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
        ProcessSpec spec =
            shell(QStringLiteral("setsid sleep 1001 &\n"
                                 "setsid sh -c 'sleep 1002 & sleep 1003; true' &\n"
                                 "( setsid sleep 1004 & )\n"
                                 "setsid sh -c \"trap '' TERM; sleep 1005 & sleep 1006; true\" &\n"
                                 "( setsid sh -c \"trap '' TERM; sleep 1007; true\" & )\n"
                                 "sleep 1000\n"),
                  1500);
        spec.environment.insert(QString::fromUtf8(mark.left(mark.indexOf('='))),
                                QString::fromUtf8(mark.mid(mark.indexOf('=') + 1)));

        ProcessRunner runner;
        QSignalSpy spy(&runner, &ProcessRunner::finished);
        runner.start(spec);
        QStringList sleepers;
        for (int i = 1000; i <= 1007; ++i)
            sleepers.append(QStringLiteral("sleep %1").arg(i));
        QTRY_VERIFY_WITH_TIMEOUT(containsAll(commandsWith(mark), sleepers), 1400);
        const QList<pid_t> started = processesWith(mark);
        QVERIFY(spy.isEmpty());
        QVERIFY(spy.wait(10'000));
        const ProcessOutcome outcome = spy.first().first().value<ProcessOutcome>();
        QVERIFY(outcome.timedOut);
        QTRY_COMPARE(processesWith(mark), QList<pid_t>());
        for (const pid_t pid : started)
            QTRY_VERIFY(!seen(pid) || seen(pid)->parent != ::getpid());
        QVERIFY(QTest::qWaitFor([] { return childrenOfTest().isEmpty(); }, 10'000)); // none alive, no zombie
    }

    void leftoversAfterNormalExitAreKilled()
    {
        const QByteArray mark = "TEST_MARK=" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
        ProcessSpec spec =
            shell(QStringLiteral("setsid sleep 1001 & sleep 1002 & ( setsid sleep 1003 & ) ; echo done"));
        spec.environment.insert(QStringLiteral("TEST_MARK"), QString::fromUtf8(mark.mid(10)));
        const std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        QCOMPARE(outcome->exitCode, 0);
        QCOMPARE(outcome->standardOutput, QByteArray("done\n"));
        QTRY_COMPARE(processesWith(mark), QList<pid_t>());
    }

    void hugeOutputIsCapped_data()
    {
        QTest::addColumn<bool>("toStderr");
        QTest::newRow("stdout") << false;
        QTest::newRow("stderr") << true;
    }

    void hugeOutputIsCapped()
    {
        QFETCH(bool, toStderr);
        const qint64 before = statusKiB("VmRSS");
        ProcessSpec spec = shell(toStderr ? QStringLiteral("yes | head -c 50000000 >&2; echo fine")
                                          : QStringLiteral("yes | head -c 50000000; echo fine >&2"));
        const std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        QCOMPARE(outcome->exitCode, 0);
        QVERIFY(!outcome->timedOut);
        QVERIFY(outcome->truncated);
        const QByteArray &capped = toStderr ? outcome->standardError : outcome->standardOutput;
        const QByteArray &other = toStderr ? outcome->standardOutput : outcome->standardError;
        QCOMPARE(capped.size(), MaxCapturedOutputBytes);
        QVERIFY(capped.startsWith("y\ny\n"));
        QCOMPARE(other, QByteArray("fine\n"));
        // Reading 50 MB must not have cost anything like 50 MB.
        if (!MemoryIsMeasurable)
            QSKIP("memory growth is not measurable under AddressSanitizer");
        const qint64 grown = statusKiB("VmRSS") - before;
        QVERIFY2(grown < 16 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(grown)));
    }

    void peakMemoryStaysBounded()
    {
        const qint64 peakBefore = statusKiB("VmHWM");
        const qint64 rss = statusKiB("VmRSS");
        ProcessSpec spec = shell(QStringLiteral("head -c 100000000 /dev/zero"));
        spec.outputCapBytes = 1000;
        const std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        QVERIFY(outcome->truncated);
        QCOMPARE(outcome->standardOutput.size(), 1000);
        // The peak may have been set earlier; it must not have risen by anything like 100 MB.
        if (!MemoryIsMeasurable)
            QSKIP("memory growth is not measurable under AddressSanitizer");
        const qint64 peakGrowth = statusKiB("VmHWM") - std::max(peakBefore, rss);
        QVERIFY2(peakGrowth < 16 * 1024, qPrintable(QStringLiteral("peak grew by %1 KiB").arg(peakGrowth)));
    }

    void exactlyCapIsNotTruncated()
    {
        ProcessSpec spec = shell(QStringLiteral("head -c 1000 /dev/zero"));
        spec.outputCapBytes = 1000;
        const std::optional<ProcessOutcome> outcome = runToEnd(spec);
        QVERIFY(outcome);
        QVERIFY(!outcome->truncated);
        QCOMPARE(outcome->standardOutput.size(), 1000);
    }

    void manyRunsLeaveNoZombies()
    {
        for (int i = 0; i < 40; ++i) {
            const bool timeout = i % 10 == 9;
            const std::optional<ProcessOutcome> outcome = runToEnd(shell(
                timeout
                    ? QStringLiteral("setsid sleep 100 & ( setsid sleep 100 & ); echo %1; sleep 100").arg(i)
                    : QStringLiteral("sleep 0 & ( sleep 0 & ) ; echo %1; exit 0").arg(i),
                timeout ? 100 : 10'000));
            QVERIFY(outcome);
            QCOMPARE(outcome->timedOut, timeout);
            QCOMPARE(outcome->standardOutput, QByteArray::number(i) + '\n');
        }
        QVERIFY(QTest::qWaitFor([] { return childrenOfTest().isEmpty(); }, 10'000)); // none alive, no zombie
        QTRY_VERIFY(!OrphanReaper::instance().hasPending());
    }

    void destroyingTheRunnerKillsTheRun()
    {
        const QByteArray mark = "TEST_MARK=" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
        ProcessSpec spec = shell(QStringLiteral("setsid sleep 1001 & sleep 1000"));
        spec.environment.insert(QStringLiteral("TEST_MARK"), QString::fromUtf8(mark.mid(10)));
        auto runner = std::make_unique<ProcessRunner>();
        QSignalSpy spy(runner.get(), &ProcessRunner::finished);
        runner->start(spec);
        QTRY_VERIFY(
            containsAll(commandsWith(mark), {QStringLiteral("sleep 1000"), QStringLiteral("sleep 1001")}));
        runner.reset();
        QTRY_COMPARE(processesWith(mark), QList<pid_t>());
        QCOMPARE(spy.size(), 0);
    }

    void runnerIsReusable()
    {
        ProcessRunner runner;
        QSignalSpy spy(&runner, &ProcessRunner::finished);
        runner.start(shell(QStringLiteral("echo one")));
        QVERIFY(runner.isRunning());
        QVERIFY(spy.wait(10'000));
        QVERIFY(!runner.isRunning());
        runner.start(shell(QStringLiteral("echo two")));
        QVERIFY(spy.wait(10'000));
        QCOMPARE(spy.size(), 2);
        QCOMPARE(spy.at(1).first().value<ProcessOutcome>().standardOutput, QByteArray("two\n"));
    }

    void foreignChildrenAreNeverReaped()
    {
        // A child of the agent that ProcessRunner did not start (gpgme's gpg, a QProcess) keeps
        // its exit status for whoever waits for it.
        const pid_t plain = ::fork();
        if (plain == 0)
            ::_exit(5);
        const pid_t ownSession = ::fork();
        if (ownSession == 0) {
            ::setsid();
            ::_exit(6);
        }
        // Carries a run id, but one an outer process (not this one) handed down.
        const pid_t foreignRunId = ::fork();
        if (foreignRunId == 0) {
            ::setsid();
            char *const argv[] = {const_cast<char *>("sh"), const_cast<char *>("-c"),
                                  const_cast<char *>("sleep 0.3; exit 8"), nullptr};
            char *const envp[] = {const_cast<char *>("PROPHASIS_RUN_ID=1-from-an-outer-agent"), nullptr};
            ::execve("/bin/sh", argv, envp);
            ::_exit(99);
        }
        QProcess process;
        process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("sleep 0.3; exit 7")});
        QVERIFY(process.waitForStarted());

        for (int i = 0; i < 5; ++i) {
            const std::optional<ProcessOutcome> outcome =
                runToEnd(shell(QStringLiteral("( sleep 0 & ); exit 0")));
            QVERIFY(outcome);
            OrphanReaper::instance().reap();
        }
        QTRY_VERIFY(seen(plain) && seen(plain)->state == 'Z');
        QTRY_VERIFY(seen(ownSession) && seen(ownSession)->state == 'Z');
        QTRY_VERIFY(seen(foreignRunId) && seen(foreignRunId)->state == 'Z');
        OrphanReaper::instance().reap();

        int status = 0;
        QCOMPARE(::waitpid(plain, &status, 0), plain);
        QCOMPARE(WEXITSTATUS(status), 5);
        QCOMPARE(::waitpid(ownSession, &status, 0), ownSession);
        QCOMPARE(WEXITSTATUS(status), 6);
        QCOMPARE(::waitpid(foreignRunId, &status, 0), foreignRunId);
        QCOMPARE(WEXITSTATUS(status), 8);
        QTRY_COMPARE(process.state(), QProcess::NotRunning);
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 7);
    }

    void processTableWaysAgree()
    {
        ProcessTable probe;
        if (!probe.usesChildrenFiles())
            QSKIP("this kernel has no /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN); only the /proc "
                  "scan is used");
        ProcessRunner runner; // killed when it goes out of scope
        const QByteArray mark = "TEST_MARK=" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
        ProcessSpec spec = shell(QStringLiteral("setsid sleep 1001 & sleep 1002 & sleep 1000"), 20'000);
        spec.environment.insert(QStringLiteral("TEST_MARK"), QString::fromUtf8(mark.mid(10)));
        runner.start(spec);
        QTRY_VERIFY(containsAll(commandsWith(mark), {"sleep 1000", "sleep 1001", "sleep 1002"}));
        ProcessTable files;
        ProcessTable scan;
        scan.setUseChildrenFiles(false);
        QList<ProcessIdentity> a = files.descendantsOf(::getpid());
        QList<ProcessIdentity> b = scan.descendantsOf(::getpid());
        const auto byPid = [](const ProcessIdentity &x, const ProcessIdentity &y) { return x.pid < y.pid; };
        std::sort(a.begin(), a.end(), byPid);
        std::sort(b.begin(), b.end(), byPid);
        QCOMPARE(a, b);
        QVERIFY(a.size() >= 3);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestProcessRunner)
#include "tst_processrunner.moc"
