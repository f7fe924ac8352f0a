#pragma once

#include <functional>
#include <string>

// The worker side of the frame protocol, shared by prophasis-agent-lua and
// prophasis-core-classifier: private protocol descriptors and the read-answer loop. Plain C++.
namespace prophasis {

inline constexpr int WorkerExitBroken = 1;    // the answer could not be written
inline constexpr int WorkerExitMalformed = 2; // the input cannot be trusted any more

// The protocol gets private descriptors; 0 becomes /dev/null and 1 a copy of stderr, so that
// nothing else (a stray printf, a library) can read requests or corrupt an answer. Also ignores
// SIGPIPE, so a closed pipe is an error from write(), not a death by signal.
bool takeProtocolChannels(int *input, int *output);

// Answers each frame read from `input` with the frame `handle` writes to *answer, until the input
// ends (0). `handle` returns false for a payload that breaks the protocol (it says why on
// stderr): WorkerExitMalformed. `afterEach` runs after each answer is written.
int serveFrames(int input, int output, const char *program,
                const std::function<bool(const std::string &payload, std::string *answer)> &handle,
                const std::function<void()> &afterEach = {});

} // namespace prophasis
