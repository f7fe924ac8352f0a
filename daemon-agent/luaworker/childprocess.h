#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Plain C++ and POSIX: runs one command for prophasis.run() in the Lua worker.
namespace prophasis {

inline constexpr int DefaultChildTimeoutMs = 10'000;
inline constexpr int MaxChildTimeoutMs = 10 * 60 * 1000;
inline constexpr std::size_t DefaultChildOutputBytes = 256 * 1024;
inline constexpr std::size_t MaxChildOutputBytes = 4 * 1024 * 1024;
inline constexpr std::size_t MaxChildArguments = 4096;

struct ChildProcessOptions
{
    int timeoutMs = DefaultChildTimeoutMs;
    bool hasInput = false; // without input the child's stdin is /dev/null
    std::string_view input;
    std::size_t maxOutputBytes = DefaultChildOutputBytes; // per stream
    std::string workingDirectory;                         // empty: the worker's own
};

struct ChildProcessResult
{
    bool started = false;
    std::string startError; // why it did not start (exec failed, no pipes, …)
    int exitCode = -1;      // -1 when killed by a signal
    int signal = 0;
    bool timedOut = false;
    bool truncated = false; // stdout or stderr went over maxOutputBytes
    std::string standardOutput;
    std::string standardError;

    void clear();
};

// Starts argv[0] (looked up in PATH) in a session of its own, feeds it input, captures its
// output up to the cap, and waits until it exits or the timeout passes. On timeout the whole
// process group gets SIGTERM, then SIGKILL; after a normal exit whatever is left of the group
// is killed too, so nothing a plugin starts outlives its run. Blocks the caller (the worker
// runs one plugin at a time). Reuses *result's buffers.
void runChildProcess(const std::vector<std::string> &argv, const ChildProcessOptions &options,
                     ChildProcessResult *result);

// Reaps children the worker inherited as subreaper (grandchildren whose parent died).
void reapOrphans();

} // namespace prophasis
