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


#include "daemon-core/classify/classifierengine.h"
#include "shared/luasandbox/workerloop.h"

namespace prophasis {
namespace {

constexpr int ExitUsage = 64;
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
    return serveFrames(input, output, "prophasis-core-classifier",
                       [&engine](const std::string &payload, std::string *answer) {
                           if (engine.handleBatch(payload, answer))
                               return true;
                           std::fprintf(stderr,
                                        "prophasis-core-classifier: a frame that is not a JSON object\n");
                           return false;
                       });
}

} // namespace
} // namespace prophasis

int main(int argc, char **argv)
{
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
