// prophasis-core-classifier: runs the core's Lua classifiers (SPEC §5) in a process of its own,
// so that one stuck inside C (pattern matching has no instruction hook) can be killed without
// taking the core with it, and batches jobs so the process boundary costs little. Plain C++ and
// Lua 5.4, no Qt. The protocol and the command line are in classifierprotocol.h.

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "daemon-core/classify/classifierengine.h"
#include "shared/luasandbox/framecodec.h"

namespace prophasis {
namespace {

constexpr int ExitUsage = 64;
constexpr int ExitMalformed = 2;
constexpr int ExitBroken = 1;

// The protocol gets private descriptors; 0 becomes /dev/null and 1 a copy of stderr, so that
// nothing else (a stray printf, a library) can read requests or corrupt an answer.
bool takeProtocolChannels(int *input, int *output)
{
    *input = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
    *output = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (*input < 0 || *output < 0 || null < 0)
        return false;
    ::dup2(null, STDIN_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    ::close(null);
    return true;
}

bool writeAll(int fd, const std::string &data)
{
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        written += static_cast<std::size_t>(n);
    }
    return true;
}

bool readNumber(const char *text, unsigned long long min, unsigned long long max, unsigned long long *out)
{
    char *end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        return false;
    *out = value;
    return true;
}

bool parseArguments(int argc, char **argv, ClassifierEngineOptions *options)
{
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (i + 1 >= argc)
            return false;
        unsigned long long value = 0;
        const char *text = argv[++i];
        if (name == "--budget-instructions" &&
            readNumber(text, MinClassifierBudgetInstructions, MaxClassifierBudgetInstructions, &value))
            options->limits.budgetInstructions = value;
        else if (name == "--memory-limit-bytes" &&
                 readNumber(text, MinClassifierMemoryLimitBytes, MaxClassifierMemoryLimitBytes, &value))
            options->limits.memoryLimitBytes = static_cast<std::size_t>(value);
        else if (name == "--max-states" && readNumber(text, 1, 1'000'000, &value))
            options->maxStates = static_cast<std::size_t>(value);
        else if (name == "--max-sources" && readNumber(text, 1, 1'000'000, &value))
            options->maxSources = static_cast<std::size_t>(value);
        else
            return false;
    }
    return true;
}

int serve(int input, int output, const ClassifierEngineOptions &options)
{
    ClassifierEngine engine(options);
    LuaFrameDecoder decoder;
    std::string payload;
    std::string answer;
    static char buffer[64 * 1024];
    while (true) {
        const ssize_t n = ::read(input, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (decoder.buffered() == 0)
                return 0;
            std::fprintf(stderr, "prophasis-core-classifier: input ended inside a frame\n");
            return ExitMalformed;
        }
        decoder.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        while (true) {
            const LuaFrameDecoder::Status status = decoder.next(&payload);
            if (status == LuaFrameDecoder::Status::NeedMore)
                break;
            if (status == LuaFrameDecoder::Status::Malformed) {
                std::fprintf(stderr, "prophasis-core-classifier: a frame length of 0 or over %zu bytes\n",
                             MaxLuaFrameBytes);
                return ExitMalformed;
            }
            if (!engine.handleBatch(payload, &answer)) {
                std::fprintf(stderr, "prophasis-core-classifier: a frame that is not a JSON object\n");
                return ExitMalformed;
            }
            const std::optional<std::string> frame = encodeLuaFrame(answer);
            if (!frame || !writeAll(output, *frame))
                return ExitBroken;
        }
    }
}

} // namespace
} // namespace prophasis

int main(int argc, char **argv)
{
    // A closed pipe must be an error from write(), not a death by signal.
    ::signal(SIGPIPE, SIG_IGN);
    prophasis::ClassifierEngineOptions options;
    if (!prophasis::parseArguments(argc, argv, &options)) {
        std::fprintf(stderr, "usage: prophasis-core-classifier [--budget-instructions N] "
                             "[--memory-limit-bytes N] [--max-states N] [--max-sources N]\n");
        return prophasis::ExitUsage;
    }
    int input = -1;
    int output = -1;
    if (!prophasis::takeProtocolChannels(&input, &output)) {
        std::fprintf(stderr, "prophasis-core-classifier: cannot set up stdin/stdout: %s\n",
                     std::strerror(errno));
        return 1;
    }
    try {
        return prophasis::serve(input, output, options);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "prophasis-core-classifier: %s\n", e.what());
        return 1;
    }
}
