#include "daemon-agent/luaworker/childprocess.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "daemon-agent/luaworker/posixfd.h"

namespace prophasis {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds TermGrace(200);   // between SIGTERM and SIGKILL on timeout
constexpr milliseconds KillGrace(1000);  // for a SIGKILLed child to go; past it reapOrphans() takes over
constexpr milliseconds OutputGrace(100); // reading on after the child exited (a grandchild may hold the pipe)
constexpr milliseconds IdleTick(50);     // how often an exit is checked while pipes are open
constexpr milliseconds ExitTick(2);      // how often an exit is checked once the pipes are closed
constexpr std::size_t ReadChunk = 64 * 1024;

enum ExecStage
{
    StageChdir = 1,
    StageExec = 2,
};

using Fd = PosixFd;

// Both ends close-on-exec, so a child only keeps what it dup2()s onto 0, 1 and 2.
bool makePipe(Fd *readEnd, Fd *writeEnd)
{
    int fds[2];
#ifdef __APPLE__
    if (::pipe(fds) != 0)
        return false;
    ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#else
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return false;
#endif
    readEnd->reset(fds[0]);
    writeEnd->reset(fds[1]);
    return true;
}

void setNonBlocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Leaves the zombie in place (WNOWAIT): while it is unreaped its pid cannot be reused, so a
// later kill(-pid) can only reach what is left of its own process group.
bool hasExited(pid_t pid)
{
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return errno == ECHILD;
    return info.si_pid == pid;
}

bool waitForExit(pid_t pid, Clock::time_point until)
{
    while (!hasExited(pid)) {
        if (Clock::now() >= until)
            return false;
        ::poll(nullptr, 0, static_cast<int>(ExitTick.count()));
    }
    return true;
}

[[noreturn]] void reportExecFailure(int errorPipe, int stage)
{
    const int report[2] = {stage, errno};
    [[maybe_unused]] const ssize_t written = ::write(errorPipe, report, sizeof report);
    ::_exit(127);
}

// After fork(): the worker is single-threaded, so this may call more than async-signal-safe
// functions, but it touches nothing of the parent's Lua state.
[[noreturn]] void execChild(char *const argv[], int input, int output, int error, int errorPipe,
                            const char *workingDirectory, pid_t parent)
{
    ::setsid();
#ifdef __linux__
    // A worker killed by the agent's wall-clock timeout takes its command with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
        ::_exit(127);
#else
    (void)parent;
#endif
    ::dup2(input, STDIN_FILENO);
    ::dup2(output, STDOUT_FILENO);
    ::dup2(error, STDERR_FILENO);
    // The worker ignores SIGPIPE, and ignored signals survive exec.
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (workingDirectory && ::chdir(workingDirectory) != 0)
        reportExecFailure(errorPipe, StageChdir);
    ::execvp(argv[0], argv);
    reportExecFailure(errorPipe, StageExec);
}

// Reads what is there into *out up to maxBytes, discarding the rest so the child never blocks
// on a full pipe. Closes *fd at end of file.
void readSome(Fd *fd, std::string *out, std::size_t maxBytes, bool *truncated)
{
    char buffer[ReadChunk];
    const ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        fd->close();
        return;
    }
    const std::size_t room = maxBytes - std::min(maxBytes, out->size());
    const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
    out->append(buffer, keep);
    if (keep < static_cast<std::size_t>(n))
        *truncated = true;
}

void writeSome(Fd *fd, std::string_view input, std::size_t *offset)
{
    const ssize_t n = ::write(fd->get(), input.data() + *offset, input.size() - *offset);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n < 0) { // EPIPE: the child does not read its input
        fd->close();
        return;
    }
    *offset += static_cast<std::size_t>(n);
    if (*offset >= input.size())
        fd->close();
}

int millisecondsUntil(Clock::time_point until, Clock::time_point now)
{
    if (until <= now)
        return 0;
    const auto left = std::chrono::ceil<milliseconds>(until - now);
    return static_cast<int>(std::min<milliseconds::rep>(left.count(), MaxChildTimeoutMs));
}

} // namespace

void ChildProcessResult::clear()
{
    started = false;
    startError.clear();
    exitCode = -1;
    signal = 0;
    timedOut = false;
    truncated = false;
    standardOutput.clear();
    standardError.clear();
}

void runChildProcess(const std::vector<std::string> &argv, const ChildProcessOptions &options,
                     ChildProcessResult *result)
{
    result->clear();
    if (argv.empty() || argv.front().empty()) {
        result->startError = "no program to run";
        return;
    }
    std::vector<char *> args;
    args.reserve(argv.size() + 1);
    for (const std::string &arg : argv)
        args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);

    Fd stdinRead, stdinWrite, stdoutRead, stdoutWrite, stderrRead, stderrWrite, execRead, execWrite;
    if (options.hasInput) {
        if (!makePipe(&stdinRead, &stdinWrite)) {
            result->startError = std::string("cannot create a pipe: ") + std::strerror(errno);
            return;
        }
    } else {
        stdinRead.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    if (!stdinRead.valid() || !makePipe(&stdoutRead, &stdoutWrite) || !makePipe(&stderrRead, &stderrWrite) ||
        !makePipe(&execRead, &execWrite)) {
        result->startError = std::string("cannot create a pipe: ") + std::strerror(errno);
        return;
    }

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        result->startError = std::string("cannot start a process: ") + std::strerror(errno);
        return;
    }
    if (pid == 0)
        execChild(args.data(), stdinRead.get(), stdoutWrite.get(), stderrWrite.get(), execWrite.get(),
                  options.workingDirectory.empty() ? nullptr : options.workingDirectory.c_str(), parent);

    stdinRead.close();
    stdoutWrite.close();
    stderrWrite.close();
    execWrite.close();

    // The exec pipe closes on a successful exec; a failed one sends {stage, errno} first.
    int report[2] = {0, 0};
    ssize_t reported;
    do {
        reported = ::read(execRead.get(), report, sizeof report);
    } while (reported < 0 && errno == EINTR);
    if (reported == static_cast<ssize_t>(sizeof report)) {
        ::waitpid(pid, nullptr, 0);
        result->startError = (report[0] == StageChdir ? "cannot change to " + options.workingDirectory
                                                      : "cannot run '" + argv.front() + "'") +
                             ": " + std::strerror(report[1]);
        return;
    }
    result->started = true;

    setNonBlocking(stdoutRead.get());
    setNonBlocking(stderrRead.get());
    std::size_t inputOffset = 0;
    if (stdinWrite.valid()) {
        setNonBlocking(stdinWrite.get());
        if (options.input.empty())
            stdinWrite.close();
    }

    const Clock::time_point deadline = Clock::now() + milliseconds(options.timeoutMs);
    bool exited = false;
    Clock::time_point exitedAt;
    while (true) {
        Clock::time_point now = Clock::now();
        if (!exited && hasExited(pid)) {
            exited = true;
            exitedAt = now;
            stdinWrite.close();
        }
        const bool outputOpen = stdoutRead.valid() || stderrRead.valid();
        if (exited && (!outputOpen || now >= exitedAt + OutputGrace))
            break;
        if (now >= deadline) {
            result->timedOut = true;
            break;
        }

        pollfd fds[3];
        nfds_t count = 0;
        Fd *owners[3];
        for (Fd *fd : {&stdoutRead, &stderrRead}) {
            if (fd->valid()) {
                fds[count] = {fd->get(), POLLIN, 0};
                owners[count++] = fd;
            }
        }
        if (stdinWrite.valid()) {
            fds[count] = {stdinWrite.get(), POLLOUT, 0};
            owners[count++] = &stdinWrite;
        }
        Clock::time_point wakeUp = std::min(deadline, now + (count > 0 ? IdleTick : ExitTick));
        if (exited)
            wakeUp = std::min(wakeUp, exitedAt + OutputGrace);
        if (::poll(fds, count, millisecondsUntil(wakeUp, now)) < 0 && errno != EINTR)
            break;
        for (nfds_t i = 0; i < count; ++i) {
            if (fds[i].revents == 0)
                continue;
            if (owners[i] == &stdoutRead)
                readSome(&stdoutRead, &result->standardOutput, options.maxOutputBytes, &result->truncated);
            else if (owners[i] == &stderrRead)
                readSome(&stderrRead, &result->standardError, options.maxOutputBytes, &result->truncated);
            else
                writeSome(&stdinWrite, options.input, &inputOffset);
        }
    }

    if (result->timedOut) {
        ::kill(-pid, SIGTERM);
        waitForExit(pid, Clock::now() + TermGrace);
    }
    // Whatever is left of the group goes too: the leader is an unreaped zombie at most, so the
    // group id cannot belong to anyone else yet.
    ::kill(-pid, SIGKILL);
    if (!waitForExit(pid, Clock::now() + KillGrace)) {
        // Stuck in the kernel (a hung NFS mount): reapOrphans() collects it later.
        result->signal = SIGKILL;
        return;
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) == pid) {
        if (WIFEXITED(status))
            result->exitCode = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
            result->signal = WTERMSIG(status);
    }
}

void reapOrphans()
{
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
}

} // namespace prophasis
